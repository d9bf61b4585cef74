// SmoothQuant scales by hand and the invariance X·Wᵀ = (X/s)·(W·diag(s))ᵀ in float64.
#include <QtTest/QtTest>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "common/Error.h"
#include "quant/SmoothQuant.h"

namespace {
const auto kF64 = at::TensorOptions().dtype(at::kDouble);
double maxAbs(const at::Tensor& t) { return t.abs().max().item<double>(); }
}  // namespace

class TestSmoothQuant : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void scalesByHand_data() {
    QTest::addColumn<double>("alpha");
    QTest::addColumn<double>("s0");
    QTest::addColumn<double>("s1");
    // act max [4, 1]; weight column max over both linears [1, 4]; s = a^α / w^(1-α).
    QTest::addRow("0.5") << 0.5 << 2.0 << 0.5;
    QTest::addRow("0.75") << 0.75 << std::pow(4.0, 0.75) << std::pow(4.0, -0.25);
    QTest::addRow("1.0") << 1.0 << 4.0 << 1.0;
    QTest::addRow("0.0") << 0.0 << 1.0 << 0.25;
  }
  void scalesByHand() {
    QFETCH(double, alpha);
    QFETCH(double, s0);
    QFETCH(double, s1);
    auto act = at::tensor({4.0, 1.0}, kF64);
    auto w1 = at::tensor({0.5, -4.0, -1.0, 2.0}, kF64).reshape({2, 2});  // column maxima 1, 4
    auto w2 = at::tensor({0.25, 3.0}, kF64).reshape({1, 2});
    jq::SmoothQuantConfig c;
    c.alpha = alpha;
    auto s = jq::smoothQuantScales(act, {w1, w2}, c);
    QVERIFY(std::abs(s[0].item<double>() - s0) < 1e-12);
    QVERIFY(std::abs(s[1].item<double>() - s1) < 1e-12);
  }

  // A silent channel (max |X| = 0) and an all-zero weight column are clamped to 1e-5 like the reference.
  void clampsDegenerateChannels() {
    auto act = at::tensor({0.0, 4.0}, kF64);
    auto w = at::tensor({1.0, 0.0}, kF64).reshape({1, 2});
    auto s = jq::smoothQuantScales(act, {w});
    QCOMPARE(s[0].item<double>(), 1e-5);                          // 0 / 1 → clamp
    QVERIFY(std::abs(s[1].item<double>() - 2.0 / std::sqrt(1e-5)) < 1e-6);  // √4 / √1e-5
  }

  void preservesLayerOutput() {
    auto g = at::make_generator<at::CPUGeneratorImpl>(uint64_t(21));
    auto x = at::randn({2, 16, 32}, g, kF64);
    x.select(2, 7).mul_(50.0);  // an outlier channel
    auto wq = at::randn({24, 32}, g, kF64);
    auto wk = at::randn({8, 32}, g, kF64);
    auto s = jq::smoothQuantScales(jq::channelAbsMax(x).to(at::kDouble), {wq, wk});
    auto xs = jq::smoothActivations(x, s);
    QVERIFY(maxAbs(at::matmul(xs, jq::smoothWeight(wq, s).t()) - at::matmul(x, wq.t())) < 1e-12);
    QVERIFY(maxAbs(at::matmul(xs, jq::smoothWeight(wk, s).t()) - at::matmul(x, wk.t())) < 1e-12);
    // The outlier channel is the one scaled down most.
    QCOMPARE(s.argmax().item<int64_t>(), int64_t(7));
    auto absmax = jq::channelAbsMax(x);
    QVERIFY(absmax.scalar_type() == at::kFloat);
    QCOMPARE(absmax[7].item<float>(), float(x.select(2, 7).abs().max().item<double>()));
  }

  void rejectsMismatchedShapes() {
    auto act = at::ones({4}, kF64);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::smoothQuantScales(act, {}));
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::smoothQuantScales(act, {at::ones({2, 3}, kF64)}));
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::smoothActivations(at::ones({2, 3}, kF64), act));
  }
};

QTEST_GUILESS_MAIN(TestSmoothQuant)
#include "tst_smoothquant.moc"
