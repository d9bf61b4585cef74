// RTN weight, per-token activation and KV-cache quantizers against cases worked by hand from the formulas in
// DESIGN.md ("Quantizers"). Inputs are chosen so every scale is a power of two (exact in binary) and so that
// several x/s land exactly on .5, where round-half-to-even decides.
#include <QtTest/QtTest>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/Error.h"
#include "quant/ActQuantizer.h"
#include "quant/QuantConfig.h"
#include "quant/QuantParams.h"
#include "quant/WeightQuantizer.h"

namespace {

const auto kF64 = at::TensorOptions().dtype(at::kDouble);

at::Tensor row(const QList<double>& v, at::ScalarType dtype = at::kDouble) {
  std::vector<double> d(v.begin(), v.end());
  return at::tensor(d, kF64).reshape({1, int64_t(d.size())}).to(dtype);
}

at::Tensor ints(const QList<int>& v) {
  std::vector<int> d(v.begin(), v.end());
  return at::tensor(d, at::kInt).reshape({1, int64_t(d.size())});
}

double maxAbs(const at::Tensor& t) { return t.abs().max().item<double>(); }

const double kNoWeightCase = std::numeric_limits<double>::quiet_NaN();

}  // namespace

class TestQuantizer : public QObject {
  Q_OBJECT
 private:
  void addHandColumns() {
    QTest::addColumn<int>("bits");
    QTest::addColumn<bool>("asym");
    QTest::addColumn<double>("clip");
    QTest::addColumn<QList<double>>("x");
    QTest::addColumn<QList<int>>("q");
    QTest::addColumn<double>("scale");
    QTest::addColumn<double>("zero");
    QTest::addColumn<QList<double>>("dequant");
    QTest::addColumn<double>("weightScale");  // NaN: clip ratio ≠ 1, an activation-only case
  }
  void addHandRows() {
    // sym 4 bit: s = 7/7 = 1; 2.5 → 2, -3.5 → -4, -0.5 → 0, 1.5 → 2 (ties to even).
    QTest::addRow("sym4") << 4 << false << 1.0 << QList<double>{7, -3.5, 2.5, -0.5, 0.25, 1.5}
                          << QList<int>{7, -4, 2, 0, 0, 2} << 1.0 << 0.0 << QList<double>{7, -4, 2, 0, 0, 2} << 1.0;
    // max |x| on the negative side: s = 14/7 = 2; 3.5/2 = 1.75 → 2, 1/2 → 0.
    QTest::addRow("sym4-negmax") << 4 << false << 1.0 << QList<double>{-14, 3.5, 1, 2} << QList<int>{-7, 2, 0, 1} << 2.0
                                 << 0.0 << QList<double>{-14, 4, 0, 2} << 2.0;
    // clip 0.5: s = 3.5/7 = 0.5; x/s = 14, -7, 5, -1, 0.5, 3 → clamp to [-8, 7], 0.5 → 0.
    QTest::addRow("sym4-clip") << 4 << false << 0.5 << QList<double>{7, -3.5, 2.5, -0.5, 0.25, 1.5}
                               << QList<int>{7, -7, 5, -1, 0, 3} << 0.5 << 0.0
                               << QList<double>{3.5, -3.5, 2.5, -0.5, 0, 1.5} << kNoWeightCase;
    // sym 8 bit: s = 15.875/127 = 0.125; -8.5 → -8, 1.5 → 2, 2.5 → 2, -0.5 → 0.
    QTest::addRow("sym8") << 8 << false << 1.0 << QList<double>{15.875, -1.0625, 0.1875, 0.3125, -0.0625}
                          << QList<int>{127, -8, 2, 2, 0} << 0.125 << 0.0 << QList<double>{15.875, -1, 0.25, 0.25, 0}
                          << 0.125;
    // asym 4 bit: s = (12 - -3)/15 = 1, z = 3; 4.5 → 4 (+3 = 7).
    QTest::addRow("asym4") << 4 << true << 1.0 << QList<double>{-3, 0, 4.5, 12} << QList<int>{0, 3, 7, 15} << 1.0 << 3.0
                           << QList<double>{-3, 0, 4, 12} << 1.0;
    // all positive: min widened to 0, s = 15/15, z = 0; 7.5 → 8.
    QTest::addRow("asym4-positive") << 4 << true << 1.0 << QList<double>{2, 5, 7.5, 15} << QList<int>{2, 5, 8, 15} << 1.0
                                    << 0.0 << QList<double>{2, 5, 8, 15} << 1.0;
    // all negative: max widened to 0, s = 1, z = 15; -7.5 → -8 (+15 = 7), -2.5 → -2 (13).
    QTest::addRow("asym4-negative") << 4 << true << 1.0 << QList<double>{-15, -7.5, -2.5, -1} << QList<int>{0, 7, 13, 14}
                                    << 1.0 << 15.0 << QList<double>{-15, -8, -2, -1} << 1.0;
    // asym clip 0.5: range [-1.5, 6], s = 0.5, z = 3; x/s + z = -3, 3, 12, 27 → clamp to [0, 15].
    QTest::addRow("asym4-clip") << 4 << true << 0.5 << QList<double>{-3, 0, 4.5, 12} << QList<int>{0, 3, 12, 15} << 0.5
                                << 3.0 << QList<double>{-1.5, 0, 4.5, 6} << kNoWeightCase;
    // asym 8 bit: s = (12.75 + 3.1875)/255 = 0.0625, z = 51; 1.5 → 2, 2.5 → 2.
    QTest::addRow("asym8") << 8 << true << 1.0 << QList<double>{-3.1875, 0, 0.09375, 12.75, 0.15625}
                           << QList<int>{0, 51, 53, 255, 53} << 0.0625 << 51.0
                           << QList<double>{-3.1875, 0, 0.125, 12.75, 0.125} << 0.0625;
    // all-zero rows: sym activations use s = 1, weights s = 1e-5/7 (asymmetric: see zeroRowsAsymmetric).
    QTest::addRow("sym4-zeros") << 4 << false << 1.0 << QList<double>{0, 0, 0} << QList<int>{0, 0, 0} << 1.0 << 0.0
                                << QList<double>{0, 0, 0} << 1e-5 / 7;
  }

 private Q_SLOTS:
  void activationHandCases_data() {
    addHandColumns();
    addHandRows();
  }
  void activationHandCases() {
    QFETCH(int, bits);
    QFETCH(bool, asym);
    QFETCH(double, clip);
    QFETCH(QList<double>, x);
    QFETCH(QList<int>, q);
    QFETCH(double, scale);
    QFETCH(double, zero);
    QFETCH(QList<double>, dequant);
    jq::ActQuantConfig c;
    c.bits = bits;
    c.asymmetric = asym;
    c.clipRatio = clip;
    for (auto dtype : {at::kDouble, at::kFloat}) {
      auto r = jq::quantizeActivations(row(x, dtype), c);
      QVERIFY(at::equal(r.values, ints(q)));
      QCOMPARE(r.scale.sizes().vec(), (std::vector<int64_t>{1, 1}));
      QVERIFY(std::abs(r.scale.item<double>() - scale) <= 1e-7 * scale);
      QCOMPARE(r.zero.item<double>(), zero);
      auto fq = jq::fakeQuantizeActivations(row(x, dtype), c);
      QVERIFY(fq.scalar_type() == dtype);
      QVERIFY(maxAbs(fq.to(at::kDouble) - row(dequant)) < 1e-7);
    }
  }

  void weightHandCases_data() {
    addHandColumns();
    addHandRows();
  }
  void weightHandCases() {
    QFETCH(int, bits);
    QFETCH(bool, asym);
    QFETCH(QList<double>, x);
    QFETCH(QList<int>, q);
    QFETCH(double, zero);
    QFETCH(QList<double>, dequant);
    QFETCH(double, weightScale);
    if (std::isnan(weightScale)) QSKIP("clip ratios are an activation setting");
    jq::WeightQuantConfig c;
    c.bits = bits;
    c.asymmetric = asym;
    auto p = jq::findWeightQuantParams(row(x), c);
    QVERIFY(std::abs(p.scale.item<double>() - weightScale) <= 1e-12 * weightScale);
    QCOMPARE(p.zero.item<double>(), zero);
    QVERIFY(at::equal(jq::quantizeToInt(row(x), p), ints(q)));
    QVERIFY(maxAbs(jq::dequantize(ints(q), p) - row(dequant)) < 1e-12);
    auto r = jq::quantizeWeightRtn(row(x), c);
    QVERIFY(maxAbs(r.weight - row(dequant)) < 1e-12);
    QCOMPARE(r.scale.sizes().vec(), (std::vector<int64_t>{1, 1}));
  }

  // Asymmetric all-zero rows use the range [-1, 1]: s = 2/15 and z = round(1/s), which is 7.5 up to how s was
  // rounded (float32 gives 7, float64 8); either way zeros dequantize to exactly 0.
  void zeroRowsAsymmetric() {
    jq::ActQuantConfig a;
    a.asymmetric = true;
    jq::WeightQuantConfig w;
    w.asymmetric = true;
    for (auto dtype : {at::kDouble, at::kFloat}) {
      auto x = at::zeros({2, 3}, at::TensorOptions().dtype(dtype));
      auto r = jq::quantizeActivations(x, a);
      QVERIFY(std::abs(r.scale[0][0].item<double>() - 2.0 / 15) < 1e-7);
      const double z = r.zero[0][0].item<double>();
      QVERIFY(z == 7 || z == 8);
      QVERIFY(at::all(r.values == int(z)).item<bool>());
      QVERIFY(at::all(jq::fakeQuantizeActivations(x, a) == 0).item<bool>());
      auto p = jq::findWeightQuantParams(x, w);
      QVERIFY(std::abs(p.scale[0][0].item<double>() - 2.0 / 15) < 1e-7);
      QVERIFY(at::all(jq::quantizeWeightRtn(x, w).weight == 0).item<bool>());
    }
  }

  void activationGroups() {
    jq::ActQuantConfig c;
    c.groupSize = 4;
    // Group 1: s = 7/7 = 1; group 2: s = 14/7 = 2 (see sym4-negmax). Token 2 is token 1 doubled.
    auto t1 = row({1, 2, 3, 7, -14, 3.5, 1, 2});
    auto x = at::stack({t1, 2 * t1}, 0);  // [2, 1, 8]
    auto r = jq::quantizeActivations(x, c);
    auto expectedQ = ints({1, 2, 3, 7, -7, 2, 0, 1});
    QVERIFY(at::equal(r.values, at::stack({expectedQ, expectedQ}, 0)));
    QCOMPARE(r.scale.sizes().vec(), (std::vector<int64_t>{2, 1, 2}));
    QVERIFY(maxAbs(r.scale - at::tensor({1.0, 2.0, 2.0, 4.0}, kF64).reshape({2, 1, 2})) == 0);
    auto deq = row({1, 2, 3, 7, -14, 4, 0, 2});
    QVERIFY(maxAbs(jq::fakeQuantizeActivations(x, c) - at::stack({deq, 2 * deq}, 0)) == 0);
    c.groupSize = 3;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::fakeQuantizeActivations(x, c));
  }

  void weightGroups() {
    jq::WeightQuantConfig c;
    c.groupSize = 4;
    // 10 columns: groups of 4, 4 and a last group of 2 (s = 7/7 = 1: 7, -3.5 → 7, -4).
    auto r0 = row({1, 2, 3, 7, -14, 3.5, 1, 2, 7, -3.5});
    auto w = at::cat({r0, 2 * r0}, 0);
    auto r = jq::quantizeWeightRtn(w, c);
    auto d0 = row({1, 2, 3, 7, -14, 4, 0, 2, 7, -4});
    QVERIFY(maxAbs(r.weight - at::cat({d0, 2 * d0}, 0)) == 0);
    QVERIFY(maxAbs(r.scale - at::tensor({1.0, 2.0, 1.0, 2.0, 4.0, 2.0}, kF64).reshape({2, 3})) == 0);
    QVERIFY(at::equal(r.groupIndex, at::tensor(std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2}, at::kLong)));
  }

  void kvCacheQuantizesEachHead() {
    jq::KvQuantConfig c;
    c.asymmetric = true;
    // Head 0 [0.5, 4, 8.5, 15]: range [0, 15], s = 1, z = 0 → 0, 4, 8, 15.
    // Head 1 [-70, 35, 7, 14]: s = 105/15 = 7, z = 10 → exact. One scale per token (s = 7) would turn head 0
    // into 0, 7, 7, 14.
    auto x = row({0.5, 4, 8.5, 15, -70, 35, 7, 14}).reshape({1, 1, 1, 8});
    auto expected = row({0, 4, 8, 15, -70, 35, 7, 14}).reshape({1, 1, 1, 8});
    QVERIFY(maxAbs(jq::fakeQuantizeKvCache(x, 4, c) - expected) < 1e-12);
    // [batch, heads, seq, head_dim] layout: same numbers, head_dim = the whole last dimension.
    QVERIFY(maxAbs(jq::fakeQuantizeKvCache(x.reshape({1, 2, 1, 4}), 4, c) - expected.reshape({1, 2, 1, 4})) < 1e-12);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::fakeQuantizeKvCache(x, 3, c));
  }

  // QuaRot's group-wise path (V cache) does not widen the range to 0: [1, 16] → s = 1, z = round(-1) = -1.
  void rangeWithoutZero() {
    jq::KvQuantConfig c;
    c.asymmetric = true;
    c.rangeIncludesZero = false;
    auto x = row({1, 4, 8.5, 16});
    QVERIFY(maxAbs(jq::fakeQuantizeKvCache(x, 4, c) - row({1, 4, 8, 16})) < 1e-12);
    jq::ActQuantConfig a;
    a.asymmetric = true;
    a.rangeIncludesZero = false;
    auto r = jq::quantizeActivations(x, a);
    QVERIFY(at::equal(r.values, ints({0, 3, 7, 15})));
    QCOMPARE(r.zero.item<double>(), -1.0);
    // A constant group falls back to the range [0, 3]: s = 3/15, 3 is exactly representable again.
    QVERIFY(maxAbs(jq::fakeQuantizeActivations(row({3, 3, 3, 3}), a) - 3.0) < 1e-12);
  }

  void halfPrecisionInputStaysHalf() {
    jq::ActQuantConfig c;
    auto x = row({7, -3.5, 2.5, -0.5, 0.25, 1.5}, at::kHalf);
    auto fq = jq::fakeQuantizeActivations(x, c);
    QVERIFY(fq.scalar_type() == at::kHalf);
    QVERIFY(maxAbs(fq.to(at::kDouble) - row({7, -4, 2, 0, 0, 2})) == 0);
    jq::WeightQuantConfig w;
    auto r = jq::quantizeWeightRtn(x, w);
    QVERIFY(r.weight.scalar_type() == at::kHalf);
    QVERIFY(maxAbs(r.weight.to(at::kDouble) - row({7, -4, 2, 0, 0, 2})) == 0);
  }

  void sixteenBitsLeavesTensorsAlone() {
    auto x = row({0.1, -0.2, 0.3});
    jq::ActQuantConfig a;
    a.bits = 16;
    QVERIFY(at::equal(jq::fakeQuantizeActivations(x, a), x));
    jq::WeightQuantConfig w;
    w.bits = 16;
    QVERIFY(at::equal(jq::quantizeWeightRtn(x, w).weight, x));
  }

  // The MSE search against a float64 brute force written here from the formula, and never worse than no clipping
  // in the norm it minimises (also in plain MSE when that norm is 2).
  void mseClipSearch_data() {
    QTest::addColumn<bool>("asym");
    QTest::addColumn<double>("norm");
    QTest::addColumn<int>("bits");
    QTest::addRow("sym4-norm2.4") << false << 2.4 << 4;
    QTest::addRow("asym4-norm2.4") << true << 2.4 << 4;
    QTest::addRow("sym4-norm2") << false << 2.0 << 4;
    QTest::addRow("asym3-norm2") << true << 2.0 << 3;
  }
  void mseClipSearch() {
    QFETCH(bool, asym);
    QFETCH(double, norm);
    QFETCH(int, bits);
    auto g = at::make_generator<at::CPUGeneratorImpl>(uint64_t(17));
    auto w = at::randn({12, 256}, g, kF64);
    w.select(1, 5).mul_(8.0);  // one outlier column: clipping pays off
    w.select(0, 3).abs_();     // an all-positive row
    jq::WeightQuantConfig plain;
    plain.bits = bits;
    plain.asymmetric = asym;
    auto mse = plain;
    mse.mseClip = true;
    mse.mseNorm = norm;

    const double maxq = asym ? std::pow(2.0, bits) - 1 : std::pow(2.0, bits - 1) - 1;
    const double qlo = asym ? 0 : -(maxq + 1);
    at::Tensor expectedScale = at::empty({12}, kF64);
    for (int64_t r = 0; r < 12; ++r) {
      auto wr = w[r];
      const double lo = std::min(0.0, wr.min().item<double>());
      const double hi = std::max(0.0, wr.max().item<double>());
      double best = std::numeric_limits<double>::infinity(), bestScale = 0;
      for (int i = 0; i < 80; ++i) {
        const double p = 1.0 - i / 100.0;
        double s, z = 0;
        if (asym) {
          s = (hi * p - lo * p) / maxq;
          z = std::nearbyint(-lo * p / s);
        } else {
          s = std::max(-lo, hi) * p / maxq;
        }
        auto qq = at::clamp(at::round(wr / s) + z, qlo, asym ? maxq : maxq);
        const double err = (s * (qq - z) - wr).abs().pow(norm).sum().item<double>();
        if (err < best) {
          best = err;
          bestScale = s;
        }
      }
      expectedScale[r] = bestScale;
    }
    auto p = jq::findWeightQuantParams(w, mse);
    QVERIFY(maxAbs(p.scale.squeeze(1) - expectedScale) < 1e-12);

    auto errPlain = (jq::quantizeWeightRtn(w, plain).weight - w).abs().pow(norm).sum(1);
    auto errMse = (jq::quantizeWeightRtn(w, mse).weight - w).abs().pow(norm).sum(1);
    QVERIFY(at::all(errMse <= errPlain + 1e-12).item<bool>());
    QVERIFY(at::any(errMse < errPlain * 0.9).item<bool>());
  }

  void rejectsBadInput() {
    jq::WeightQuantConfig w;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::quantizeWeightRtn(at::zeros({2, 3, 4}), w));
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::quantizeWeightRtn(at::zeros({2, 3}, at::kInt), w));
    w.bits = 9;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::quantizeWeightRtn(at::zeros({2, 3}), w));
    jq::ActQuantConfig a;
    a.clipRatio = 1.5;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::fakeQuantizeActivations(at::zeros({2, 3}), a));
  }

  void configsUseQuaRotDefaultsAndRoundTripJson() {
    jq::WeightQuantConfig w;
    QCOMPARE(w.bits, 4);
    QCOMPARE(w.asymmetric, false);
    QCOMPARE(w.groupSize, int64_t(-1));
    QCOMPARE(w.mseGrid, 100);
    QCOMPARE(w.mseMaxShrink, 0.8);
    QCOMPARE(w.mseNorm, 2.4);
    jq::GptqConfig g;
    QCOMPARE(g.blockSize, int64_t(128));
    QCOMPARE(g.percDamp, 0.01);
    QCOMPARE(g.actOrder, false);
    jq::ActQuantConfig a;
    QCOMPARE(a.clipRatio, 1.0);
    QCOMPARE(a.asymmetric, false);

    w.bits = 3;
    w.asymmetric = true;
    w.groupSize = 128;
    w.mseClip = true;
    nlohmann::json j = w;
    QCOMPARE(j.at("groupSize").get<int64_t>(), int64_t(128));
    auto back = j.get<jq::WeightQuantConfig>();
    QCOMPARE(back.bits, 3);
    QCOMPARE(back.asymmetric, true);
    QCOMPARE(back.groupSize, int64_t(128));
    QCOMPARE(back.mseClip, true);

    auto partial = nlohmann::json::parse(R"({"actOrder": true})").get<jq::GptqConfig>();
    QCOMPARE(partial.actOrder, true);
    QCOMPARE(partial.blockSize, int64_t(128));
    nlohmann::json kv = jq::KvQuantConfig{};
    QCOMPARE(kv.get<jq::KvQuantConfig>().bits, 4);
    QVERIFY_THROWS_EXCEPTION(jq::Error, nlohmann::json::parse(R"({"bits": "four"})").get<jq::ActQuantConfig>());
    QVERIFY_THROWS_EXCEPTION(jq::Error, nlohmann::json::parse(R"({"alpha": 1.5})").get<jq::SmoothQuantConfig>());
  }
};

QTEST_GUILESS_MAIN(TestQuantizer)
#include "tst_quantizer.moc"
