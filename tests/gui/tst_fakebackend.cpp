// FakeBackend feeds every GUI test and screenshot, so its statistics must be right: they are checked here
// against hand-worked values and against what an orthogonal rotation must do.
#include <QtTest/QtTest>

#include <cmath>
#include <numeric>
#include <set>

#include "backend/FakeBackend.h"
#include "common/Error.h"
#include "support/TestData.h"

using namespace jq::ui;

namespace {

FakeBackend::Options smallOptions() {
  FakeBackend::Options o;
  o.hiddenSize = 256;
  o.intermediateSize = 1024;
  o.numLayers = 4;
  o.tokens = 128;
  o.sampleTokens = 32;
  o.stepsPerEpoch = 5;
  o.stepDelayMs = 1;
  o.loadDelayMs = 10;
  return o;
}

}  // namespace

class TestFakeBackend : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void channelStatsMatchHandWorkedValues() {
    // 3 tokens × 2 channels: [[1,-2],[3,0],[-1,4]].
    const std::vector<float> rows{1, -2, 3, 0, -1, 4};
    const ChannelStats s = computeChannelStats(rows, 3, 2, 1, 2, 4);
    QCOMPARE(s.absmax[0], 3.0f);
    QCOMPARE(s.absmax[1], 4.0f);
    QCOMPARE(s.mean[0], 1.0f);
    QVERIFY(std::abs(s.mean[1] - 2.0f / 3.0f) < 1e-6f);
    QVERIFY(std::abs(s.rms[0] - std::sqrt(11.0f / 3.0f)) < 1e-6f);
    QVERIFY(std::abs(s.rms[1] - std::sqrt(20.0f / 3.0f)) < 1e-6f);
    // Central moments: channel 0 deviations (0, 2, -2): m2 = 8/3, m4 = 32/3, kurtosis = 1.5;
    // channel 1 deviations (-8/3, -2/3, 10/3): m2 = 168/27, m4 = 14112/243, kurtosis = 1.5.
    QVERIFY(std::abs(s.kurtosis[0] - 1.5f) < 1e-5f);
    QVERIFY(std::abs(s.kurtosis[1] - 1.5f) < 1e-5f);
    QCOMPARE(s.topChannels, std::vector<int>{1});
    // Histogram over [-4, 4] in 4 bins: -2,-1 → bin 1; 0,1 → bin 2; 3 and the right edge 4 → bin 3.
    QCOMPARE(s.histogram.lo, -4.0);
    QCOMPARE(s.histogram.hi, 4.0);
    QCOMPARE(s.histogram.counts, (std::vector<double>{0, 2, 2, 2}));
    QCOMPARE(s.sampleTokens, 2);
    QCOMPARE(s.sampleRows, (std::vector<float>{1, -2, 3, 0}));
  }

  void layerSummaryQuartiles() {
    ChannelStats s;
    s.absmax = {4, 1, 3, 2, 10};   // sorted 1 2 3 4 10
    s.rms = {1, 1, 1, 1, 1};
    s.kurtosis = {3, 3, 3, 3, 8};
    const LayerSummary l = summarize(7, s);
    QCOMPARE(l.layer, 7);
    QCOMPARE(l.absmaxBox.min, 1.0);
    QCOMPARE(l.absmaxBox.q1, 2.0);
    QCOMPARE(l.absmaxBox.median, 3.0);
    QCOMPARE(l.absmaxBox.q3, 4.0);
    QCOMPARE(l.absmaxBox.max, 10.0);
    QCOMPARE(l.outlierRatio, 10.0 / 3.0);
    QCOMPARE(l.kurtosisMean, 4.0);
  }

  void rotationPreservesRowNorms_data() {
    QTest::addColumn<QString>("module");
    QTest::addColumn<int>("layer");
    QTest::newRow("q_proj L0") << "q_proj" << 0;
    QTest::newRow("o_proj L2") << "o_proj" << 2;
    QTest::newRow("down_proj L3") << "down_proj" << 3;
  }
  void rotationPreservesRowNorms() {
    QFETCH(QString, module);
    QFETCH(int, layer);
    FakeBackend b(smallOptions());
    const ActivationSite site{layer, module.toStdString()};
    const auto x = b.activations(site, Basis::Original);
    const auto y = b.activations(site, Basis::Rotated);
    const int n = b.channelsOf(site.module);
    QCOMPARE(x.size(), y.size());
    // An orthogonal R keeps ||x R|| = ||x|| for every token (float64 sums as the reference).
    for (size_t t = 0; t < x.size() / size_t(n); ++t) {
      double nx = 0, ny = 0;
      for (int c = 0; c < n; ++c) {
        nx += double(x[t * n + c]) * x[t * n + c];
        ny += double(y[t * n + c]) * y[t * n + c];
      }
      QVERIFY2(std::abs(nx - ny) <= 1e-4 * nx, qPrintable(QString("token %1: %2 vs %3").arg(t).arg(nx).arg(ny)));
    }
  }

  void plantedOutliersAreFoundAndRotatedAway() {
    FakeBackend b(smallOptions());
    b.loadModel("demo", {});
    const auto planted = b.plantedOutlierChannels();
    const ChannelStats before = b.channelStats({3, "q_proj"}, Basis::Original, {});
    const ChannelStats after = b.channelStats({3, "q_proj"}, Basis::Rotated, {});
    const std::set<int> top(before.topChannels.begin(), before.topChannels.begin() + long(planted.size()));
    QCOMPARE(top, std::set<int>(planted.begin(), planted.end()));
    const float maxBefore = *std::max_element(before.absmax.begin(), before.absmax.end());
    const float maxAfter = *std::max_element(after.absmax.begin(), after.absmax.end());
    QVERIFY2(maxAfter < maxBefore / 3, qPrintable(QString("%1 vs %2").arg(maxAfter).arg(maxBefore)));
    // A Hadamard mix of many channels is close to Gaussian: mean kurtosis near 3, far below the outliers'.
    const double kAfter = std::accumulate(after.kurtosis.begin(), after.kurtosis.end(), 0.0) / after.kurtosis.size();
    QVERIFY2(std::abs(kAfter - 3.0) < 0.6, qPrintable(QString::number(kAfter)));
  }

  void calibrationStreamsDecreasingLosses() {
    FakeBackend b(smallOptions());
    b.loadModel("demo", {});
    CalibrationRequest r;
    r.methods = {"fp", "quarot", "joint"};
    r.epochs = 4;
    int points = 0;
    jq::JobContext job;
    job.progress = [&](const jq::ProgressEvent& e) {
      if (!e.series.empty()) ++points;
      QVERIFY(e.current <= e.total);
    };
    const RunResult run = b.calibrate(r, job);
    QCOMPARE(points, 4 * 5);   // only "joint" learns: epochs × steps per epoch
    QCOMPARE(int(run.methods.size()), 3);
    QCOMPARE(int(run.layers.size()), 2 * 4);   // fp has no per-layer metrics
    QVERIFY(std::isnan(run.methods[0].finalLoss));
    QVERIFY(run.curves.back().loss < run.curves.front().loss);
  }

  void cancelledCalibrationThrows() {
    FakeBackend b(smallOptions());
    b.loadModel("demo", {});
    jq::JobContext job;
    job.cancel.cancel();
    CalibrationRequest r;
    r.methods = {"joint"};
    try {
      b.calibrate(r, job);
      QFAIL("expected cancellation");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::Cancelled);
    }
  }

  void runFileRoundTrip() {
    FakeBackend b(smallOptions());
    b.loadModel("demo", {});
    CalibrationRequest r;
    r.methods = {"rtn", "dartquant"};
    r.epochs = 1;
    r.learningRate = 2.5e-3;
    r.outputPath = jq::test::tempDir() + "/run.h5";
    const RunResult saved = b.calibrate(r, {});
    const RunResult opened = b.openRun(r.outputPath, {});
    QCOMPARE(opened.request.methods, r.methods);
    QCOMPARE(opened.request.learningRate, 2.5e-3);
    QCOMPARE(opened.methods.size(), saved.methods.size());
    QCOMPARE(opened.methods[1].perplexity, saved.methods[1].perplexity);
    QVERIFY(std::isnan(opened.methods[0].finalLoss));
    QCOMPARE(opened.curves.size(), saved.curves.size());
    QCOMPARE(opened.layers.size(), saved.layers.size());
  }

  void errorsNameTheFile() {
    FakeBackend b(smallOptions());
    try {
      b.openRun("/nonexistent-jq/run.h5", {});
      QFAIL("expected an error");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::NotFound);
      QVERIFY(std::string(e.what()).find("/nonexistent-jq/run.h5") != std::string::npos);
    }
    QVERIFY_THROWS_EXCEPTION(jq::Error, b.channelStats({0, "q_proj"}, Basis::Original, {}));   // no model yet
  }
};

QTEST_MAIN(TestFakeBackend)
#include "tst_fakebackend.moc"
