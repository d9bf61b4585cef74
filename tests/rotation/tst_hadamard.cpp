// Hadamard matrices and the fast transform, checked against definitions computed here in float64:
// H·Hᵀ = K·I for every core, the Kronecker/Sylvester structure written out with the popcount formula,
// rows copied from QuaRot's hadamard_utils.py, and dense float64 products for the transform.
#include <QtTest/QtTest>

#include <cmath>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>

#include "common/Error.h"
#include "rotation/HadamardMatrix.h"

namespace {

const auto kF64 = at::TensorOptions().dtype(at::kDouble);
const auto kF32 = at::TensorOptions().dtype(at::kFloat);

// Rows `rows` of S[i][j] = (-1)^popcount(i & j), the natural-order Sylvester matrix, from its closed form.
at::Tensor sylvesterRows(int64_t m, const std::vector<int64_t>& rows) {
  auto s = at::empty({int64_t(rows.size()), m}, kF64);
  double* p = s.data_ptr<double>();
  for (size_t r = 0; r < rows.size(); ++r)
    for (int64_t j = 0; j < m; ++j) p[r * m + j] = (__builtin_popcountll(uint64_t(rows[r] & j)) & 1) ? -1.0 : 1.0;
  return s;
}

std::vector<int64_t> allRows(int64_t m) {
  std::vector<int64_t> r(m);
  for (int64_t i = 0; i < m; ++i) r[i] = i;
  return r;
}

// Every Sylvester index when 2^m ≤ 1024, else 0, 2^m-1 and 62 spread ones.
std::vector<int64_t> sampledRows(int64_t m) {
  if (m <= 1024) return allRows(m);
  std::vector<int64_t> r{0, m - 1};
  for (int64_t t = 1; t <= 62; ++t) r.push_back((t * 7919) % m);
  return r;
}

// y = x·(H_K ⊗ S)ᵀ/√n at the Sylvester indices `rows`, without forming the n×n matrix: with x[b] viewed as
// X [K, 2^m], y[b] = H_K·X·S[rows]ᵀ/√n, shaped [batch, K, rows].
at::Tensor structuredReference(const at::Tensor& x64, const at::Tensor& core64, int64_t m, bool transposed,
                               const std::vector<int64_t>& rows) {
  const int64_t k = core64.size(0);
  const int64_t n = k * m;
  auto hk = transposed ? core64.t() : core64;
  auto xs = x64.reshape({x64.numel() / n, k, m});
  return at::matmul(at::matmul(hk, xs), sylvesterRows(m, rows).t()) / std::sqrt(double(n));
}

at::Tensor atRows(const at::Tensor& y, int64_t k, int64_t m, const std::vector<int64_t>& rows) {
  return y.reshape({y.numel() / (k * m), k, m}).index_select(2, at::tensor(rows, at::kLong));
}

double maxAbs(const at::Tensor& t) { return t.numel() ? t.abs().max().item<double>() : 0.0; }

at::Tensor seeded(std::vector<int64_t> shape, uint64_t seed, at::ScalarType dtype) {
  auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::randn(shape, g, kF64).to(dtype);
}

std::vector<int> tableOrders() { return {12, 20, 28, 36, 40, 52, 60, 108, 140, 156, 172}; }

}  // namespace

class TestHadamard : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void coreIsHadamard_data() {
    QTest::addColumn<int>("k");
    QTest::addColumn<QString>("construction");
    for (int k : tableOrders()) QTest::addRow("K=%d", k) << k << QString();
    // Orders outside QuaRot's table: Paley I (q = K-1), Paley II (q = K/2-1), Kronecker, and the Paley I that
    // is the smallest for odd part 25 (4·25-1 = 99 and 25·2-1 = 49 are not prime, 8·25-1 = 199 is).
    QTest::addRow("K=44") << 44 << QString("Paley I (q=43)");
    QTest::addRow("K=68") << 68 << QString("Paley I (q=67)");
    QTest::addRow("K=76") << 76 << QString("Paley II (q=37)");
    QTest::addRow("K=84") << 84 << QString("Paley II (q=41)");  // ties with Paley I (q=83)
    QTest::addRow("K=200") << 200 << QString("Paley I (q=199)");
    QTest::addRow("K=516") << 516 << QString("Paley II (q=257)");
    QTest::addRow("K=24") << 24 << QString();   // 12·2: QuaRot's had.12 with one Sylvester factor
  }
  void coreIsHadamard() {
    QFETCH(int, k);
    QFETCH(QString, construction);
    jq::HadamardMatrix h(k);
    if (!construction.isEmpty()) QCOMPARE(QString::fromStdString(h.construction()), construction);
    auto core = h.core(kF64);
    const int64_t kc = h.coreSize();
    QCOMPARE(core.size(0), kc);
    QVERIFY(at::all((core == 1) | (core == -1)).item<bool>());
    auto gram = at::matmul(core, core.t());
    QCOMPARE(maxAbs(gram - double(kc) * at::eye(kc, kF64)), 0.0);
  }

  void orderChoiceFollowsQuaRot_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("k");
    QTest::addColumn<QString>("construction");
    // Llama sizes named in the design, and QuaRot's order of preference (40 before 20, 108 before 36).
    QTest::addRow("768") << 768 << 12 << QString("Sloane had.12");
    QTest::addRow("1152") << 1152 << 36 << QString("Sloane had.36.pal2");
    QTest::addRow("11008") << 11008 << 172 << QString("Sloane had.172.will");
    QTest::addRow("14336") << 14336 << 28 << QString("Sloane had.28");
    QTest::addRow("4096") << 4096 << 1 << QString("Sylvester");
    QTest::addRow("5120") << 5120 << 40 << QString("Sloane had.40");
    QTest::addRow("20") << 20 << 20 << QString("Sloane had.20");
    QTest::addRow("13824") << 13824 << 108 << QString("Sloane had.108.pal");
    QTest::addRow("6656") << 6656 << 52 << QString("Sloane had.52.will");
    QTest::addRow("1") << 1 << 1 << QString("Sylvester");
  }
  void orderChoiceFollowsQuaRot() {
    QFETCH(int, n);
    QFETCH(int, k);
    QFETCH(QString, construction);
    QVERIFY(jq::supportedHadamardSize(n));
    jq::HadamardMatrix h(n);
    QCOMPARE(h.coreSize(), int64_t(k));
    QCOMPARE(h.powerOfTwoSize(), int64_t(n / k));
    QCOMPARE(QString::fromStdString(h.construction()), construction);
  }

  // Rows transcribed from QuaRot's get_had12 / get_had28 / get_had52 / get_had172 (rows 0, 1 and K-1).
  void coresEqualQuaRotRows_data() {
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("row");
    QTest::addColumn<QString>("signs");
    QTest::addRow("12/0") << 12 << 0 << QString("+-----------");
    QTest::addRow("12/1") << 12 << 1 << QString("++-+---+++-+");
    QTest::addRow("12/11") << 12 << 11 << QString("+-+---+++-++");
    QTest::addRow("28/0") << 28 << 0 << QString("++++++++++++++-+++++++++++++");
    QTest::addRow("28/1") << 28 << 1 << QString("+++-++----++-++-+-++----++-+");
    QTest::addRow("28/27") << 28 << 27 << QString("++-++----++-+---+--++++--+--");
    QTest::addRow("52/0") << 52 << 0 << QString("+-+--++++--+-+---++++++---++-+--++--+-++----+--+----");
    QTest::addRow("52/51") << 52 << 51 << QString("++++-++-++++--+-++--++-+-----++++++---+-+--++++--+-+");
    QTest::addRow("172/0") << 172 << 0
        << QString("+---++--++++-+-+++-++--++-+++-+-++++--++---++-++++++----+-+--++-++-++--+-+----++++++-++++-+-++--+-+-"
                   "++++-+----+-++++-+-+--++-+-++++---++++-+--+--++--------++--+--+-++++---+");
    QTest::addRow("172/171") << 172 << 171
        << QString("-+++----+-++-++--++++++++--++-++-+----+++----+-+--++-+-+----+-++++-+----+-+-++--+-+---+-++++++----+-"
                   "+--++-++-++--+-+----++++++-++---++--++++-+-+++-++--++-+++-+-++++--++---+");
  }
  void coresEqualQuaRotRows() {
    QFETCH(int, k);
    QFETCH(int, row);
    QFETCH(QString, signs);
    QCOMPARE(signs.size(), k);
    auto core = jq::HadamardMatrix(k).core(kF64);
    for (int j = 0; j < k; ++j) QCOMPARE(core[row][j].item<double>(), signs[j] == QLatin1Char('+') ? 1.0 : -1.0);
  }

  void denseIsKroneckerOfCoreAndSylvester_data() {
    QTest::addColumn<int>("n");
    for (int n : {1, 2, 8, 64, 24, 80, 112, 144, 208, 344, 768}) QTest::addRow("%d", n) << n;
  }
  void denseIsKroneckerOfCoreAndSylvester() {
    QFETCH(int, n);
    jq::HadamardMatrix h(n);
    const int64_t m = h.powerOfTwoSize();
    auto expected = at::kron(h.core(kF64), sylvesterRows(m, allRows(m))) / std::sqrt(double(n));
    QCOMPARE(maxAbs(h.dense(kF64) - expected), 0.0);
  }

  // The float32 matrix is orthonormal to 1e-5 (its Gram matrix taken in float64, so the check measures the
  // matrix, not float32 accumulation) with entries ±1/√n. Densely up to 768; above that on columns of H/√n made
  // by the transform: all K core rows at Sylvester row 0 plus 24 columns spread over the rest (the core's own
  // Gram matrix is checked exactly in coreIsHadamard).
  void isOrthonormal_data() {
    QTest::addColumn<int>("n");
    for (int k : tableOrders())
      for (int m : {2, 4}) QTest::addRow("%d=%dx%d", k * m, k, m) << k * m;
    for (int n : {1, 2, 4, 64, 512, 768, 44 * 4, 76 * 2, 516}) QTest::addRow("%d", n) << n;
    for (int n : {1024, 1152, 4096, 11008, 14336, 172 * 32}) QTest::addRow("%d", n) << n;
  }
  void isOrthonormal() {
    QFETCH(int, n);
    jq::HadamardMatrix h(n);
    const double entry = 1.0 / std::sqrt(double(n));
    at::Tensor cols;
    if (n <= 768) {
      cols = h.dense(kF32);
    } else {
      const int64_t k = h.coreSize(), m = h.powerOfTwoSize();
      std::vector<int64_t> picks;
      if (k > 1)
        for (int64_t c = 0; c < k; ++c) picks.push_back(c * m);
      for (int64_t t = 1; t <= 24; ++t) picks.push_back((t * 7919) % n);  // 7919 is prime: distinct, spread
      auto idx = at::tensor(picks, at::kLong);
      auto basis = at::zeros({int64_t(picks.size()), int64_t(n)}, kF32);
      basis.scatter_(1, idx.unsqueeze(1), 1.0);
      cols = h.applyTransposed(basis);  // rows e_r·H/√n = rows r of H/√n
    }
    QVERIFY(cols.scalar_type() == at::kFloat);
    auto c64 = cols.to(at::kDouble);
    QVERIFY(maxAbs(c64.abs() - entry) < 2.5e-7 * entry);
    const double err = maxAbs(at::matmul(c64, c64.t()) - at::eye(cols.size(0), kF64));
    QVERIFY2(err < 1e-5, qPrintable(QString::number(err)));
  }

  void transformEqualsDenseProduct_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("shape");  // leading batch shape, "" = a single vector
    std::vector<int> sizes;
    for (int k : tableOrders()) sizes.push_back(k * 4);
    for (int n : {1, 2, 16, 4096, 768, 1152, 11008, 14336, 44 * 2, 200}) sizes.push_back(n);
    const char* shapes[] = {"", "3", "2x5", "2x1x3", "0"};
    int i = 0;
    for (int n : sizes) {
      const char* s = shapes[i++ % 5];
      QTest::addRow("%d[%s]", n, s) << n << QString(s);
    }
    QTest::addRow("12[2x3x2]") << 12 << QString("2x3x2");
    QTest::addRow("172[4x2]") << 172 << QString("4x2");
  }
  void transformEqualsDenseProduct() {
    QFETCH(int, n);
    QFETCH(QString, shape);
    std::vector<int64_t> dims;
    for (const auto& part : shape.split(QLatin1Char('x'), Qt::SkipEmptyParts)) dims.push_back(part.toLongLong());
    dims.push_back(n);
    jq::HadamardMatrix h(n);
    const int64_t k = h.coreSize(), m = h.powerOfTwoSize();
    const auto rows = sampledRows(m);
    auto x64 = seeded(dims, 1000 + n, at::kDouble);
    auto core = h.core(kF64);
    auto ref = structuredReference(x64, core, m, false, rows);
    auto refT = structuredReference(x64, core, m, true, rows);

    auto y64 = h.apply(x64);
    QCOMPARE(y64.sizes().vec(), x64.sizes().vec());
    QVERIFY(maxAbs(atRows(y64, k, m, rows) - ref) < 1e-12);
    QVERIFY(maxAbs(atRows(h.applyTransposed(x64), k, m, rows) - refT) < 1e-12);
    QVERIFY(maxAbs(atRows(jq::fastHadamardTransform(x64), k, m, rows) - ref) < 1e-12);
    if (n <= 1152) {
      auto d = h.dense(kF64);
      QVERIFY(maxAbs(at::matmul(x64, d.t()) - y64) < 1e-12);
      QVERIFY(maxAbs(at::matmul(x64, d) - h.applyTransposed(x64)) < 1e-12);
    }

    auto y32 = h.apply(x64.to(at::kFloat));
    QVERIFY(y32.scalar_type() == at::kFloat);
    QVERIFY(maxAbs(atRows(y32.to(at::kDouble), k, m, rows) - ref) < 2e-5);
    auto y16 = h.apply(x64.to(at::kHalf));
    QVERIFY(y16.scalar_type() == at::kHalf);
    // One rounding to half at the end (computed in float32 from half inputs): half ulp relative 2^-11.
    auto ref16 = structuredReference(x64.to(at::kHalf).to(at::kDouble), core, m, false, rows);
    QVERIFY(maxAbs(atRows(y16.to(at::kDouble), k, m, rows) - ref16) <= maxAbs(ref16) * std::ldexp(1.0, -10) + 1e-6);
    auto ybf = h.apply(x64.to(at::kBFloat16));
    QVERIFY(ybf.scalar_type() == at::kBFloat16);
    QVERIFY(maxAbs(atRows(ybf.to(at::kDouble), k, m, rows) - ref) <= maxAbs(ref) * std::ldexp(1.0, -7) + 1e-2);
  }

  void transposedInvertsTransform() {
    jq::HadamardMatrix h(1152);
    auto x = seeded({7, 1152}, 5, at::kDouble);
    QVERIFY(maxAbs(h.applyTransposed(h.apply(x)) - x) < 1e-12);
    QVERIFY(maxAbs(h.apply(h.applyTransposed(x)) - x) < 1e-12);
  }

  // The header's rule for inserting an online transform in front of a linear layer: W := apply(W).
  void onlineTransformWithTransformedWeightKeepsOutput() {
    jq::HadamardMatrix h(28 * 4);
    auto x = seeded({5, 112}, 7, at::kDouble);
    auto w = seeded({9, 112}, 8, at::kDouble);
    QVERIFY(maxAbs(at::matmul(h.apply(x), h.apply(w).t()) - at::matmul(x, w.t())) < 1e-12);
  }

  void unsupportedSizesThrow_data() {
    QTest::addColumn<int>("n");
    for (int n : {0, -8, 3, 6, 10, 22, 86, 258}) QTest::addRow("%d", n) << n;
  }
  void unsupportedSizesThrow() {
    QFETCH(int, n);
    QVERIFY(!jq::supportedHadamardSize(n));
    try {
      jq::HadamardMatrix h(n);
      QFAIL("expected jq::Error");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::Unsupported);
      QVERIFY2(std::string(e.what()).find("order " + std::to_string(n)) != std::string::npos, e.what());
    }
  }

  void transformRejectsBadInput() {
    jq::HadamardMatrix h(64);
    QVERIFY_THROWS_EXCEPTION(jq::Error, h.apply(at::zeros({2, 32})));
    QVERIFY_THROWS_EXCEPTION(jq::Error, h.apply(at::zeros({2, 64}, at::kLong)));
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::fastHadamardTransform(at::zeros({4, 6})));
  }
};

QTEST_GUILESS_MAIN(TestHadamard)
#include "tst_hadamard.moc"
