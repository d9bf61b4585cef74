// Seeded random rotations. The Haar property is checked through its defining factorisation: Q must equal
// classical Gram–Schmidt (done here in float64) of the same Gaussian draw, i.e. QR with a positive diagonal.
#include <QtTest/QtTest>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "common/Error.h"
#include "rotation/HadamardMatrix.h"
#include "rotation/RandomRotation.h"

namespace {

const auto kF64 = at::TensorOptions().dtype(at::kDouble);
const auto kF32 = at::TensorOptions().dtype(at::kFloat);

double maxAbs(const at::Tensor& t) { return t.abs().max().item<double>(); }

double orthogonalityError(const at::Tensor& r) {
  auto r64 = r.to(at::kDouble);
  return maxAbs(at::matmul(r64, r64.t()) - at::eye(r.size(0), kF64));
}

// Column j: a_j minus its projections on q_0..q_{j-1}, normalised (so R_jj = ‖…‖ > 0).
at::Tensor gramSchmidt(const at::Tensor& a) {
  const int64_t n = a.size(0);
  auto q = at::zeros_like(a);
  for (int64_t j = 0; j < n; ++j) {
    auto v = a.select(1, j).clone();
    for (int64_t i = 0; i < j; ++i) v -= at::dot(q.select(1, i), a.select(1, j)) * q.select(1, i);
    q.select(1, j).copy_(v / v.norm());
  }
  return q;
}

}  // namespace

class TestRandomRotation : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void orthogonalIsOrthogonal_data() {
    QTest::addColumn<int>("n");
    for (int n : {1, 2, 7, 64, 300}) QTest::addRow("%d", n) << n;
  }
  void orthogonalIsOrthogonal() {
    QFETCH(int, n);
    auto r = jq::randomOrthogonalMatrix(n, uint64_t(42), kF32);
    QVERIFY(r.scalar_type() == at::kFloat);
    QCOMPARE(r.sizes().vec(), (std::vector<int64_t>{n, n}));
    QVERIFY(orthogonalityError(r) < 1e-5);
  }

  void orthogonalIsQrWithPositiveDiagonal_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("seed");
    QTest::addRow("n=5") << 5 << 1;
    QTest::addRow("n=16") << 16 << 2;
    QTest::addRow("n=40") << 40 << 3;
  }
  void orthogonalIsQrWithPositiveDiagonal() {
    QFETCH(int, n);
    QFETCH(int, seed);
    auto g = at::make_generator<at::CPUGeneratorImpl>(uint64_t(seed));
    auto gaussian = at::randn({n, n}, g, kF64);
    auto r = jq::randomOrthogonalMatrix(n, uint64_t(seed), kF64);
    QVERIFY(maxAbs(r - gramSchmidt(gaussian)) < 1e-9);
  }

  // Without the sign fix LAPACK's Q_00 = -|a_00|/‖a_0‖ is never positive; Haar's Q_00 is symmetric about 0.
  void orthogonalFirstEntryTakesBothSigns() {
    auto g = jq::makeCpuGenerator(7);
    int positive = 0;
    double sum = 0;
    const int draws = 100;
    for (int i = 0; i < draws; ++i) {
      const double q00 = jq::randomOrthogonalMatrix(4, g, kF64)[0][0].item<double>();
      positive += q00 > 0;
      sum += q00;
    }
    QVERIFY(positive > 25 && positive < 75);
    QVERIFY(std::abs(sum / draws) < 0.2);  // the mean's standard deviation is 0.5/√100 = 0.05
  }

  void sameSeedSameBitsOtherSeedOtherMatrix() {
    auto a = jq::randomOrthogonalMatrix(32, uint64_t(11), kF64);
    auto b = jq::randomOrthogonalMatrix(32, uint64_t(11), kF64);
    auto c = jq::randomOrthogonalMatrix(32, uint64_t(12), kF64);
    QVERIFY(at::equal(a, b));
    QVERIFY(!at::equal(a, c));
    auto h1 = jq::randomHadamardMatrix(64, uint64_t(11), kF64);
    auto h2 = jq::randomHadamardMatrix(64, uint64_t(11), kF64);
    auto h3 = jq::randomHadamardMatrix(64, uint64_t(12), kF64);
    QVERIFY(at::equal(h1, h2));
    QVERIFY(!at::equal(h1, h3));
  }

  void signsArePlusMinusOne() {
    auto g = jq::makeCpuGenerator(3);
    auto s = jq::randomSigns(1000, g);
    QVERIFY(s.scalar_type() == at::kDouble);
    QVERIFY(at::all((s == 1) | (s == -1)).item<bool>());
    const double plus = (s == 1).sum().item<double>();
    QVERIFY(plus > 400 && plus < 600);
  }

  void randomHadamardIsSignedTransposedHadamard_data() {
    QTest::addColumn<int>("n");
    for (int n : {1, 64, 12 * 8, 36 * 4, 172 * 2}) QTest::addRow("%d", n) << n;
  }
  void randomHadamardIsSignedTransposedHadamard() {
    QFETCH(int, n);
    auto g1 = jq::makeCpuGenerator(5);
    auto g2 = jq::makeCpuGenerator(5);
    auto r = jq::randomHadamardMatrix(n, g1, kF64);
    auto s = jq::randomSigns(n, g2);
    // R = diag(s)·Hᵀ/√n, H the ±1 matrix with the popcount/Kronecker layout checked in tst_hadamard.
    auto expected = s.unsqueeze(1) * jq::hadamardMatrix(n, kF64).t();
    QVERIFY(maxAbs(r - expected) < 1e-15);
    QVERIFY(orthogonalityError(r.to(at::kFloat)) < 1e-5);
    QVERIFY(maxAbs(r.abs() - 1.0 / std::sqrt(double(n))) < 1e-15);
    // Applied online: x·R = apply(x ∘ s).
    auto x = at::randn({3, n}, g2, kF64);
    QVERIFY(maxAbs(at::matmul(x, r) - jq::HadamardMatrix(n).apply(x * s)) < 1e-12);
  }

  void unsupportedSizeThrowsBeforeDrawing() {
    auto g = jq::makeCpuGenerator(9);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::randomHadamardMatrix(6, g));
    auto fresh = jq::makeCpuGenerator(9);
    QVERIFY(at::equal(jq::randomSigns(16, g), jq::randomSigns(16, fresh)));
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::randomOrthogonalMatrix(0, uint64_t(1)));
  }
};

QTEST_GUILESS_MAIN(TestRandomRotation)
#include "tst_randomrotation.moc"
