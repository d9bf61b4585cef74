// Rotary embedding against numbers worked out independently of the code under test: inverse frequencies from
// the closed form (and the llama3 rule of DESIGN.md evaluated in float64 with Python's math module), cos/sin
// from std::cos in double, the rotation from its pairwise definition.
#include <QtTest/QtTest>

#include <cmath>

#include "common/Error.h"
#include "model/LlamaConfig.h"
#include "model/RotaryEmbedding.h"

namespace {

jq::LlamaConfig ropeConfig(int64_t headDim, double theta) {
  jq::LlamaConfig c;
  c.hiddenSize = headDim * 2;
  c.numAttentionHeads = 2;
  c.numKeyValueHeads = 2;
  c.headDim = headDim;
  c.ropeTheta = theta;
  return c;
}

double relErr(double got, double want) { return std::abs(got - want) / std::abs(want); }

}  // namespace

class TestLlamaRope : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void defaultFrequenciesAreInversePowersOfTheta() {
    // head_dim 8, theta 10000: f_j = 10000^(-2j/8) = 1, 0.1, 0.01, 0.001.
    const at::Tensor f = jq::RotaryEmbedding(ropeConfig(8, 10000.0)).inverseFrequencies();
    QCOMPARE(f.scalar_type(), at::kFloat);
    QCOMPARE(f.size(0), int64_t(4));
    const double want[] = {1.0, 0.1, 0.01, 0.001};
    for (int j = 0; j < 4; ++j) QVERIFY2(relErr(f[j].item<double>(), want[j]) < 1e-6, qPrintable(QString::number(j)));
  }

  void llama3Frequencies_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<double>("expected");
    // Llama-3.1-8B: theta 500000, head_dim 128, factor 8, low 1, high 4, original context 8192.
    // Values from the DESIGN.md rule in float64 (python3, math module only).
    QTest::newRow("high frequency kept j=0") << 0 << 1.0;
    QTest::newRow("high frequency kept j=20") << 20 << 0.016560440080994446;
    QTest::newRow("blended j=29") << 29 << 0.002166570763503359;
    QTest::newRow("blended j=30") << 30 << 0.0013718935677611381;
    QTest::newRow("blended j=34") << 34 << 0.0001785078127679964;
    QTest::newRow("divided j=35") << 35 << 9.556212353964683e-05;
    QTest::newRow("divided j=40") << 40 << 3.428102195952591e-05;
    QTest::newRow("divided j=63") << 63 << 3.068925988914511e-07;
  }
  void llama3Frequencies() {
    QFETCH(int, index);
    QFETCH(double, expected);
    jq::LlamaConfig c = ropeConfig(128, 500000.0);
    c.ropeScaling.type = "llama3";
    c.ropeScaling.factor = 8.0;
    c.ropeScaling.lowFreqFactor = 1.0;
    c.ropeScaling.highFreqFactor = 4.0;
    c.ropeScaling.originalMaxPositionEmbeddings = 8192;
    const at::Tensor f = jq::RotaryEmbedding(c).inverseFrequencies();
    QCOMPARE(f.size(0), int64_t(64));
    const double got = f[index].item<double>();
    QVERIFY2(relErr(got, expected) < 1e-5, qPrintable(QString("got %1 want %2").arg(got, 0, 'g', 10).arg(expected, 0, 'g', 10)));
  }

  void unknownRopeTypeIsUnsupported() {
    jq::LlamaConfig c = ropeConfig(8, 10000.0);
    c.ropeScaling.type = "yarn";
    try {
      jq::RotaryEmbedding r(c);
      QFAIL("expected jq::Error");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::Unsupported);
      QVERIFY(std::string(e.what()).find("yarn") != std::string::npos);
    }
  }

  void cosSinAreComputedInFloat32ThenCast_data() {
    QTest::addColumn<int>("dtype");
    QTest::addColumn<double>("tolerance");
    QTest::newRow("float32") << int(at::kFloat) << 2e-5;
    // bf16 keeps 8 significant bits: a correctly rounded value is within 2^-9 of |x| <= 1. Angles computed in
    // bf16 instead would put position 1001 at 1000 and miss by up to 1.
    QTest::newRow("bfloat16") << int(at::kBFloat16) << std::ldexp(1.0, -9);
    QTest::newRow("float16") << int(at::kHalf) << std::ldexp(1.0, -11);
  }
  void cosSinAreComputedInFloat32ThenCast() {
    QFETCH(int, dtype);
    QFETCH(double, tolerance);
    const jq::RotaryEmbedding rope(ropeConfig(8, 10000.0));
    const at::Tensor positions = at::tensor(std::vector<int64_t>{0, 1, 7, 1001}, at::kLong);
    const jq::RopeCache cache = rope.compute(positions, at::ScalarType(dtype), at::kCPU);
    QCOMPARE(cache.cos.scalar_type(), at::ScalarType(dtype));
    QCOMPARE(cache.cos.sizes().vec(), (std::vector<int64_t>{1, 4, 8}));
    const double freq[] = {1.0, 0.1, 0.01, 0.001};
    const int64_t pos[] = {0, 1, 7, 1001};
    for (int p = 0; p < 4; ++p)
      for (int j = 0; j < 8; ++j) {
        const double angle = double(pos[p]) * freq[j % 4];
        QVERIFY2(std::abs(cache.cos[0][p][j].item<double>() - std::cos(angle)) <= tolerance,
                 qPrintable(QString("cos p=%1 j=%2").arg(pos[p]).arg(j)));
        QVERIFY2(std::abs(cache.sin[0][p][j].item<double>() - std::sin(angle)) <= tolerance,
                 qPrintable(QString("sin p=%1 j=%2").arg(pos[p]).arg(j)));
      }
  }

  void batchedPositionsKeepTheirRows() {
    const jq::RotaryEmbedding rope(ropeConfig(4, 10000.0));
    const at::Tensor positions = at::tensor(std::vector<int64_t>{0, 1, 2, 5, 6, 7}, at::kLong).reshape({2, 3});
    const jq::RopeCache cache = rope.compute(positions, at::kFloat, at::kCPU);
    QCOMPARE(cache.sin.sizes().vec(), (std::vector<int64_t>{2, 3, 4}));
    QVERIFY(std::abs(cache.sin[1][2][0].item<double>() - std::sin(7.0)) < 1e-6);
    QVERIFY(std::abs(cache.sin[0][1][3].item<double>() - std::sin(0.01)) < 1e-6);
  }

  void rotateHalfNegatesAndSwapsHalves() {
    const at::Tensor x = at::tensor(std::vector<float>{1, 2, 3, 4}).reshape({1, 1, 1, 4});
    const at::Tensor want = at::tensor(std::vector<float>{-3, -4, 1, 2}).reshape({1, 1, 1, 4});
    QVERIFY(at::equal(jq::rotateHalf(x), want));
  }

  void applyRotaryRotatesPairsIAndIPlusHalf() {
    // Pair (x_j, x_{j+d/2}) is rotated by angle p*f_j: (a cos - b sin, b cos + a sin).
    at::manual_seed(3);
    const int64_t d = 8, t = 5;
    const at::Tensor x = at::randn({2, 3, t, d}, at::kDouble);
    const jq::RotaryEmbedding rope(ropeConfig(d, 10000.0));
    const jq::RopeCache cache = rope.compute(at::arange(t, at::kLong), at::kDouble, at::kCPU);
    const at::Tensor y = jq::applyRotary(x, cache);
    const double freq[] = {1.0, 0.1, 0.01, 0.001};
    double worst = 0;
    for (int b = 0; b < 2; ++b)
      for (int h = 0; h < 3; ++h)
        for (int p = 0; p < t; ++p)
          for (int j = 0; j < d / 2; ++j) {
            const double a = x[b][h][p][j].item<double>(), c = x[b][h][p][j + d / 2].item<double>();
            const double angle = p * freq[j];
            worst = std::max(worst, std::abs(y[b][h][p][j].item<double>() - (a * std::cos(angle) - c * std::sin(angle))));
            worst = std::max(worst,
                             std::abs(y[b][h][p][j + d / 2].item<double>() - (c * std::cos(angle) + a * std::sin(angle))));
          }
    // The frequencies themselves are float32 (as in transformers): 1e-7 relative on angles up to 4.
    QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
  }
};

QTEST_GUILESS_MAIN(TestLlamaRope)
#include "tst_llama_rope.moc"
