// Channel statistics against float64 reference formulas evaluated here, element by element, and against
// small cases worked by hand.
#include <QtTest/QtTest>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>
#include <vector>

#include "common/Error.h"
#include "stats/ChannelStatsAccumulator.h"
#include "stats/LayerSummary.h"
#include "stats/QuantError.h"

Q_DECLARE_METATYPE(std::vector<int64_t>)

namespace {

// Laplace(0, 1) values with an offset and a few scaled channels: heavy tails, a non-zero mean.
at::Tensor testRows(int64_t rows, int64_t channels, double offset, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor u = at::rand({rows, channels}, gen, at::kDouble) - 0.5;
  at::Tensor x = -at::sign(u) * at::log1p(-2.0 * u.abs()) + offset;
  x.select(1, 1).mul_(25.0);
  x.select(1, channels - 2).mul_(-7.0);
  return x.to(at::kFloat);
}

std::vector<double> column(const at::Tensor& x, int64_t c) {
  const at::Tensor col = x.select(1, c).to(at::kDouble).contiguous();
  return std::vector<double>(col.data_ptr<double>(), col.data_ptr<double>() + col.numel());
}

struct Reference {
  double mean, rms, kurtosis, absmax;
};

// Two-pass population moments in long double.
Reference reference(const std::vector<double>& v) {
  long double s = 0, s2 = 0, amax = 0;
  for (double x : v) {
    s += x;
    s2 += (long double)x * x;
    amax = std::max<long double>(amax, std::fabs(x));
  }
  const long double n = v.size(), mean = s / n;
  long double m2 = 0, m4 = 0;
  for (double x : v) {
    const long double d = x - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m4 /= n;
  return {double(mean), double(std::sqrt(s2 / n)), double(m4 / (m2 * m2)), double(amax)};
}

bool closeRel(double a, double b, double rel) { return std::fabs(a - b) <= rel * std::max(1.0, std::fabs(b)); }

}  // namespace

class TestStats : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void momentsMatchFloat64Reference_data() {
    QTest::addColumn<std::vector<int64_t>>("batches");
    QTest::addColumn<double>("offset");
    QTest::newRow("one batch") << std::vector<int64_t>{1000} << 0.0;
    QTest::newRow("uneven batches") << std::vector<int64_t>{7, 100, 1, 892} << 0.0;
    QTest::newRow("large mean, many batches") << std::vector<int64_t>{250, 250, 3, 497} << 1000.0;
  }
  void momentsMatchFloat64Reference() {
    QFETCH(std::vector<int64_t>, batches);
    QFETCH(double, offset);
    const int64_t channels = 12;
    const at::Tensor x = testRows(1000, channels, offset, 7);
    jq::ChannelStatsAccumulator acc;
    int64_t begin = 0;
    for (int64_t n : batches) {
      acc.add(x.narrow(0, begin, n));
      begin += n;
    }
    const jq::ChannelStats s = acc.result();
    QCOMPARE(s.rows, int64_t(1000));
    QCOMPARE(s.channels, channels);
    for (int64_t c = 0; c < channels; ++c) {
      const Reference r = reference(column(x, c));
      QVERIFY2(closeRel(s.mean[c], r.mean, 1e-6), qPrintable(QString("mean ch %1: %2 vs %3").arg(c).arg(s.mean[c]).arg(r.mean)));
      QVERIFY2(closeRel(s.rms[c], r.rms, 1e-6), qPrintable(QString("rms ch %1").arg(c)));
      QVERIFY2(closeRel(s.kurtosis[c], r.kurtosis, 1e-5),
               qPrintable(QString("kurtosis ch %1: %2 vs %3").arg(c).arg(s.kurtosis[c]).arg(r.kurtosis)));
      QCOMPARE(double(s.absmax[c]), r.absmax);  // float data: the maximum is exact
    }
  }

  void kurtosisOfHandWorkedChannel() {
    // Channel 0 = {1, 2, 3, 4}: mean 2.5, m2 = 1.25, m4 = 2.5625, kurtosis = 2.5625/1.5625 = 1.64.
    // Channel 1 = {5, 5, 5, 5}: constant, kurtosis undefined (NaN), RMS 5.
    jq::ChannelStatsAccumulator acc;
    acc.add(at::tensor({1.0f, 5.0f, 2.0f, 5.0f}).view({2, 2}));
    acc.add(at::tensor({3.0f, 5.0f, 4.0f, 5.0f}).view({2, 2}));
    const jq::ChannelStats s = acc.result();
    QVERIFY(std::fabs(s.kurtosis[0] - 1.64) < 1e-6);
    QVERIFY(std::isnan(s.kurtosis[1]));
    QVERIFY(std::fabs(s.mean[0] - 2.5) < 1e-6);
    QVERIFY(std::fabs(s.rms[0] - std::sqrt(7.5)) < 1e-6);  // (1+4+9+16)/4
    QVERIFY(std::fabs(s.rms[1] - 5.0) < 1e-6);
  }

  void histogramCountsMatchReference_data() {
    QTest::addColumn<int>("scale");
    QTest::addColumn<int>("bins");
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    QTest::newRow("linear") << int(jq::HistogramScale::Linear) << 40 << -6.0 << 6.0;
    QTest::newRow("linear, narrow range") << int(jq::HistogramScale::Linear) << 7 << -0.5 << 1.5;
    QTest::newRow("log-abs") << int(jq::HistogramScale::LogAbs) << 80 << -4.0 << 4.0;
    QTest::newRow("log-abs, narrow range") << int(jq::HistogramScale::LogAbs) << 9 << -1.0 << 0.5;
  }
  void histogramCountsMatchReference() {
    QFETCH(int, scale);
    QFETCH(int, bins);
    QFETCH(double, lo);
    QFETCH(double, hi);
    jq::ChannelStatsSettings settings;
    settings.histogram = {jq::HistogramScale(scale), bins, lo, hi};
    at::Tensor x = testRows(600, 9, 0.0, 11);
    x.select(0, 5).zero_();  // exact zeros: LogAbs underflow
    jq::ChannelStatsAccumulator acc(settings);
    acc.add(x.narrow(0, 0, 250));
    acc.add(x.narrow(0, 250, 350));
    const jq::ChannelStats s = acc.result();

    std::vector<int64_t> counts(size_t(bins), 0);
    int64_t under = 0, over = 0;
    const at::Tensor flat = x.to(at::kDouble).reshape({-1}).contiguous();
    const double* p = flat.data_ptr<double>();
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double v = scale == int(jq::HistogramScale::LogAbs) ? std::log10(std::fabs(p[i])) : p[i];
      const double width = (hi - lo) / bins;
      if (!(v >= lo)) {
        ++under;
      } else if (v >= hi) {
        ++over;
      } else {
        int64_t k = int64_t(std::floor((v - lo) / width));
        k = std::min<int64_t>(k, bins - 1);
        ++counts[size_t(k)];
      }
    }
    QCOMPARE(s.histCounts, counts);
    QCOMPARE(s.histUnderflow, under);
    QCOMPARE(s.histOverflow, over);
    QCOMPARE(int(s.histEdges.size()), bins + 1);
    const double e0 = scale == int(jq::HistogramScale::LogAbs) ? std::pow(10.0, lo) : lo;
    QVERIFY(std::fabs(s.histEdges.front() - e0) <= 1e-12 * std::max(1.0, std::fabs(e0)));
  }

  void quantErrorOfHandWorkedRows() {
    // 4 bits: maxq = 7. Row 1: s = 1/7, x/s = (2.1, -7, 4.9) -> (2, -7, 5): errors (0.1/7, 0, -0.1/7).
    // Row 2: all zeros -> no error. Row 3: s = 3.5/7 = 0.5, x/s = (2, -4, 7): exact.
    const at::Tensor x = at::tensor({0.3f, -1.0f, 0.7f, 0.f, 0.f, 0.f, 1.0f, -2.0f, 3.5f}).view({3, 3});
    const jq::QuantError e = jq::perTokenQuantError(x, 4, 1.0);
    const double expectedSse = 2.0 * (0.1 / 7) * (0.1 / 7);
    QVERIFY(std::fabs(e.sumSquaredError - expectedSse) < 1e-9);
    QCOMPARE(e.count, int64_t(9));
    QVERIFY(std::fabs(e.mse() - expectedSse / 9) < 1e-10);
    QVERIFY(std::fabs(e.sumSquares - (0.09 + 1 + 0.49 + 1 + 4 + 12.25)) < 1e-5);

    // Clip 0.5: s = 0.5/7; -1.0/s = -14 clamps to -8, so x̂ = -4/7; 0.3/s = 4.2 -> 4; 0.7/s = 9.8 -> 7 (clamped).
    const at::Tensor row = at::tensor({0.3, -1.0, 0.7}, at::kDouble).view({1, 3});
    const at::Tensor q = jq::fakeQuantPerTokenSymmetric(row, 4, 0.5);
    const double s = 0.5 / 7;
    QVERIFY(std::fabs(q[0][0].item<double>() - 4 * s) < 1e-12);
    QVERIFY(std::fabs(q[0][1].item<double>() + 8 * s) < 1e-12);
    QVERIFY(std::fabs(q[0][2].item<double>() - 7 * s) < 1e-12);

    // Rounding is half-to-even as torch.round: 2.5/s with s = 7/7 = 1 -> 2.
    const at::Tensor tie = jq::fakeQuantPerTokenSymmetric(at::tensor({2.5, 7.0}, at::kDouble).view({1, 2}), 4);
    QCOMPARE(tie[0][0].item<double>(), 2.0);
  }

  void statsCarryQuantErrorOfAllRows() {
    const at::Tensor x = testRows(300, 16, 0.0, 3);
    jq::ChannelStatsAccumulator acc;
    acc.add(x.narrow(0, 0, 100));
    acc.add(x.narrow(0, 100, 200));
    const jq::ChannelStats s = acc.result();
    // Reference: per row, scale = absmax/7, q = clamp(round-half-even(x/scale)).
    double sse = 0;
    const at::Tensor xd = x.to(at::kDouble).contiguous();
    for (int64_t r = 0; r < 300; ++r) {
      float amax = 0;
      for (int64_t c = 0; c < 16; ++c) amax = std::max(amax, std::fabs(x[r][c].item<float>()));
      const float scale = amax / 7.0f;
      for (int64_t c = 0; c < 16; ++c) {
        const float v = x[r][c].item<float>();
        const float q = std::min(7.0f, std::max(-8.0f, std::nearbyint(v / scale)));
        sse += std::pow(double(v) - double(q * scale), 2);
      }
    }
    QVERIFY(std::fabs(s.quant.sumSquaredError - sse) <= 1e-5 * sse);
    QCOMPARE(s.quant.count, int64_t(300 * 16));
  }

  void topChannelsAndSampleRows() {
    jq::ChannelStatsSettings settings;
    settings.topK = 3;
    settings.sampleRows = 5;
    at::Tensor x = testRows(40, 10, 0.0, 5);
    x.select(1, 7).fill_(0.5f);
    x[13][7] = 1e4f;  // the largest
    jq::ChannelStatsAccumulator acc(settings);
    acc.add(x.narrow(0, 0, 3));  // the sample spans two batches
    acc.add(x.narrow(0, 3, 37));
    const jq::ChannelStats s = acc.result();
    QCOMPARE(s.topChannels.size(), size_t(3));
    QCOMPARE(s.topChannels[0], int64_t(7));
    QCOMPARE(s.topAbsmax[0], 1e4f);
    QCOMPARE(s.topChannels[1], int64_t(1));  // scaled by 25 in testRows
    QCOMPARE(s.topChannels[2], int64_t(8));  // scaled by 7
    QCOMPARE(s.sampleRowCount, int64_t(5));
    for (int64_t r = 0; r < 5; ++r)
      for (int64_t c = 0; c < 10; ++c) QCOMPARE(s.sample[size_t(r * 10 + c)], x[r][c].item<float>());
  }

  void summaryOfKnownVector() {
    const jq::LayerSummary s = jq::summarizeChannels({1, 5, 3, 9, 2, 7});
    QCOMPARE(s.top[0], 9.0f);
    QCOMPARE(s.top[1], 7.0f);
    QCOMPARE(s.top[2], 5.0f);
    QCOMPARE(s.topChannel[0], int64_t(3));
    QCOMPARE(s.topChannel[1], int64_t(5));
    QCOMPARE(s.topChannel[2], int64_t(1));
    QCOMPARE(s.median, 4.0f);  // (3 + 5) / 2
    QCOMPARE(s.maxOverMedian, 2.25f);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const jq::LayerSummary odd = jq::summarizeChannels({4, nan, 1, 2});
    QCOMPARE(odd.median, 2.0f);
    QCOMPARE(odd.maxOverMedian, 2.0f);
    const jq::LayerSummary two = jq::summarizeChannels({0, 0});
    QVERIFY(std::isinf(two.maxOverMedian));
    QCOMPARE(two.topChannel[2], int64_t(-1));
  }

  void rejectsChangedChannelCount() {
    jq::ChannelStatsAccumulator acc;
    acc.add(at::zeros({4, 8}));
    QVERIFY_THROWS_EXCEPTION(jq::Error, acc.add(at::zeros({4, 9})));
    QVERIFY_THROWS_EXCEPTION(jq::Error, acc.add(at::zeros({4, 8}, at::kLong)));
  }
};

QTEST_GUILESS_MAIN(TestStats)
#include "tst_stats.moc"
