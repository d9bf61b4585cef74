// GPTQ against the algorithm it accelerates, written here plainly in float64 (optimal brain quantization:
// quantize one column, divide its error by [H⁻¹]_jj of the still-unquantized columns, subtract err·[H⁻¹]_j,:,
// recompute the inverse for the rest), and against RTN on the layer-output error it is meant to reduce.
#include <QtTest/QtTest>

#include <ATen/CPUGeneratorImpl.h>

#include <functional>

#include "common/Error.h"
#include "common/Job.h"
#include "quant/Gptq.h"
#include "quant/WeightQuantizer.h"

namespace {

const auto kF64 = at::TensorOptions().dtype(at::kDouble);

double maxAbs(const at::Tensor& t) { return t.abs().max().item<double>(); }

at::Generator gen(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// Inputs with correlated channels of very different scale, like a transformer's activations.
at::Tensor correlatedInputs(int64_t tokens, int64_t columns, uint64_t seed, at::ScalarType dtype = at::kFloat) {
  auto g = gen(seed);
  auto mix = at::randn({columns, columns}, g, kF64) / std::sqrt(double(columns));
  auto scales = at::exp(at::randn({columns}, g, kF64));
  auto x = at::matmul(at::randn({tokens, columns}, g, kF64), mix + at::eye(columns, kF64)) * scales;
  return x.to(dtype);
}

// Symmetric b-bit fake quantization of a column with per-row scales s: s·clamp(round(w/s), -2^(b-1), 2^(b-1)-1).
at::Tensor symQuant(const at::Tensor& w, const at::Tensor& s, int bits) {
  const double hi = std::pow(2.0, bits - 1) - 1;
  return s * at::clamp(at::round(w / s), -hi - 1, hi);
}

// Plain OBQ in float64 over the processing order `order`; scaleAt(position, current permuted W) gives the
// per-row scales for the column at that position.
at::Tensor referenceGptq(const at::Tensor& w, const at::Tensor& h, const at::Tensor& order, int bits,
                         const std::function<at::Tensor(int64_t, const at::Tensor&)>& scaleAt) {
  const int64_t n = w.size(1);
  auto W = w.index_select(1, order).clone();
  auto H = h.index_select(0, order).index_select(1, order).clone();
  H.diagonal().add_(0.01 * H.diagonal().mean().item<double>());
  auto Q = at::zeros_like(W);
  for (int64_t j = 0; j < n; ++j) {
    auto hinv = at::inverse(H.narrow(0, j, n - j).narrow(1, j, n - j));
    auto s = scaleAt(j, W);
    auto col = W.select(1, j).clone();
    auto q = symQuant(col, s, bits);
    Q.select(1, j).copy_(q);
    auto err = (col - q) / hinv[0][0];
    W.narrow(1, j, n - j).sub_(err.unsqueeze(1) * hinv[0].unsqueeze(0));
  }
  return Q.index_select(1, at::argsort(order));
}

double outputError(const at::Tensor& x, const at::Tensor& w, const at::Tensor& wq) {
  return (at::matmul(x.to(at::kDouble), (w.to(at::kDouble) - wq.to(at::kDouble)).t())).norm().item<double>();
}

}  // namespace

class TestGptq : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void hessianStreamsLikeTheReference() {
    auto g = gen(1);
    auto a = at::randn({2, 5, 16}, g, kF64);
    auto b = at::randn({3, 5, 16}, g, kF64);
    auto c = at::randn({5, 16}, g, kF64);  // a 2-D input counts as one sample
    jq::GptqHessian h64(16, at::kDouble), h32(16);
    for (const auto& x : {a, b, c}) {
      h64.addBatch(x);
      h32.addBatch(x.to(at::kFloat));
    }
    QCOMPARE(h64.sampleCount(), int64_t(6));
    auto rows = at::cat({a.reshape({-1, 16}), b.reshape({-1, 16}), c}, 0);
    auto expected = 2.0 / 6.0 * at::matmul(rows.t(), rows);
    QVERIFY(maxAbs(h64.hessian() - expected) < 1e-12);
    QVERIFY(h32.hessian().scalar_type() == at::kFloat);
    QVERIFY(maxAbs(h32.hessian().to(at::kDouble) - expected) < 1e-4 * maxAbs(expected));
    QVERIFY_THROWS_EXCEPTION(jq::Error, h64.addBatch(at::zeros({4, 15}, kF64)));
  }

  void matchesPlainObq_data() {
    QTest::addColumn<bool>("actOrder");
    QTest::addColumn<int>("groupSize");
    QTest::addColumn<int>("blockSize");
    QTest::addColumn<int>("bits");
    QTest::addRow("plain-b16") << false << -1 << 16 << 4;
    QTest::addRow("plain-b128") << false << -1 << 128 << 4;
    QTest::addRow("plain-b7-3bit") << false << -1 << 7 << 3;
    QTest::addRow("actorder") << true << -1 << 16 << 4;
    QTest::addRow("groups16-b16") << false << 16 << 16 << 4;
    QTest::addRow("groups32-b16") << false << 32 << 16 << 4;
    QTest::addRow("actorder-groups16") << true << 16 << 16 << 4;
  }
  void matchesPlainObq() {
    QFETCH(bool, actOrder);
    QFETCH(int, groupSize);
    QFETCH(int, blockSize);
    QFETCH(int, bits);
    const int64_t cols = 48;
    auto x = correlatedInputs(200, cols, 2, at::kDouble);
    auto w = at::randn({12, cols}, gen(3), kF64);
    jq::GptqHessian acc(cols, at::kDouble);
    acc.addBatch(x);
    auto h = acc.hessian();

    jq::WeightQuantConfig q;
    q.bits = bits;
    q.groupSize = groupSize;
    jq::GptqConfig c;
    c.blockSize = blockSize;
    c.actOrder = actOrder;
    auto result = jq::gptqQuantize(w, h, q, c);

    const double maxq = std::pow(2.0, bits - 1) - 1;
    auto order = actOrder ? at::argsort(h.diagonal(), 0, true) : at::arange(cols, at::kLong);
    at::Tensor groupScale;
    auto scaleAt = [&](int64_t pos, const at::Tensor& current) {
      if (groupSize < 0) return w.abs().amax(1) / maxq;  // whole original rows
      if (pos % groupSize == 0)
        groupScale = current.narrow(1, pos, std::min<int64_t>(groupSize, cols - pos)).abs().amax(1) / maxq;
      return groupScale;
    };
    auto expected = referenceGptq(w, h, order, bits, scaleAt);
    QVERIFY2(maxAbs(result.weight - expected) < 1e-9, qPrintable(QString::number(maxAbs(result.weight - expected))));
    QVERIFY(result.loss > 0);
    const int64_t groups = groupSize < 0 ? 1 : (cols + groupSize - 1) / groupSize;
    QCOMPARE(result.scale.sizes().vec(), (std::vector<int64_t>{12, groups}));
    // Every quantized entry lies on its group's grid.
    auto s = result.scale.gather(1, result.groupIndex.unsqueeze(0).expand({12, cols}));
    auto k = result.weight / s;
    QVERIFY(maxAbs(k - at::round(k)) < 1e-9);
  }

  void staticGroupsUseOriginalColumnGroups() {
    const int64_t cols = 32;
    auto x = correlatedInputs(100, cols, 4, at::kDouble);
    auto w = at::randn({6, cols}, gen(5), kF64);
    jq::GptqHessian acc(cols, at::kDouble);
    acc.addBatch(x);
    auto h = acc.hessian();
    jq::WeightQuantConfig q;
    q.groupSize = 8;
    jq::GptqConfig c;
    c.actOrder = true;
    c.staticGroups = true;
    auto result = jq::gptqQuantize(w, h, q, c);
    auto order = at::argsort(h.diagonal(), 0, true);
    auto fixed = w.reshape({6, 4, 8}).abs().amax(2) / 7.0;  // [rows, groups] from the original W
    auto scaleAt = [&](int64_t pos, const at::Tensor&) { return fixed.select(1, order[pos].item<int64_t>() / 8); };
    QVERIFY(maxAbs(result.weight - referenceGptq(w, h, order, 4, scaleAt)) < 1e-9);
    QVERIFY(at::equal(result.groupIndex, at::arange(cols, at::kLong).div(8, "floor")));
  }

  // With H ∝ I no error is propagated: GPTQ is RTN, also with act-order.
  void identityHessianGivesRtn() {
    auto w = at::randn({16, 64}, gen(6));
    jq::WeightQuantConfig q;
    auto rtn = jq::quantizeWeightRtn(w, q);
    for (bool actOrder : {false, true}) {
      jq::GptqConfig c;
      c.actOrder = actOrder;
      auto r = jq::gptqQuantize(w, 3.0 * at::eye(64), q, c);
      QVERIFY(at::equal(r.weight, rtn.weight));
    }
  }

  // Dead inputs (never non-zero) get zero weights; the per-row range is still taken from the original W.
  void deadColumnsAreZeroed() {
    auto x = correlatedInputs(64, 16, 7);
    x.select(1, 3).zero_();
    auto w = at::randn({4, 16}, gen(8));
    w.select(1, 3).fill_(100.0);
    jq::GptqHessian acc(16);
    acc.addBatch(x);
    auto r = jq::gptqQuantize(w, acc.hessian(), jq::WeightQuantConfig{});
    QVERIFY(at::all(r.weight.select(1, 3) == 0).item<bool>());
    QVERIFY(maxAbs(r.scale.squeeze(1) - at::full({4}, 100.0f / 7.0f)) < 1e-5);
  }

  void beatsRtnOnLayerOutput_data() {
    QTest::addColumn<bool>("actOrder");
    QTest::addColumn<int>("groupSize");
    QTest::addColumn<bool>("asym");
    QTest::addRow("sym") << false << -1 << false;
    QTest::addRow("sym-actorder") << true << -1 << false;
    QTest::addRow("asym-actorder") << true << -1 << true;
    QTest::addRow("groups32") << false << 32 << false;
    QTest::addRow("groups32-actorder") << true << 32 << false;
  }
  void beatsRtnOnLayerOutput() {
    QFETCH(bool, actOrder);
    QFETCH(int, groupSize);
    QFETCH(bool, asym);
    auto x = correlatedInputs(512, 128, 9);
    auto w = at::randn({64, 128}, gen(10));
    jq::GptqHessian acc(128);
    for (int64_t b = 0; b < 4; ++b) acc.addBatch(x.narrow(0, b * 128, 128).unsqueeze(0));
    jq::WeightQuantConfig q;
    q.groupSize = groupSize;
    q.asymmetric = asym;
    jq::GptqConfig c;
    c.actOrder = actOrder;
    auto gptq = jq::gptqQuantize(w, acc.hessian(), q, c);
    auto rtn = jq::quantizeWeightRtn(w, q);
    QVERIFY(gptq.weight.scalar_type() == at::kFloat);
    const double eg = outputError(x, w, gptq.weight), er = outputError(x, w, rtn.weight);
    QVERIFY2(eg < 0.9 * er, qPrintable(QString("gptq %1 rtn %2").arg(eg).arg(er)));
  }

  void reportsProgressAndHonoursCancellation() {
    auto w = at::randn({8, 300}, gen(11));
    jq::JobContext job;
    std::vector<int64_t> seen;
    job.progress = [&](const jq::ProgressEvent& e) {
      QCOMPARE(QString::fromStdString(e.stage), QString("gptq"));
      seen.push_back(e.current);
    };
    jq::gptqQuantize(w, at::eye(300), jq::WeightQuantConfig{}, jq::GptqConfig{}, job);
    QCOMPARE(seen, (std::vector<int64_t>{128, 256, 300}));
    job.cancel.cancel();
    try {
      jq::gptqQuantize(w, at::eye(300), jq::WeightQuantConfig{}, jq::GptqConfig{}, job);
      QFAIL("expected cancellation");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::Cancelled);
    }
  }

  void notPositiveDefiniteNamesTheTensor() {
    try {
      jq::gptqQuantize(at::ones({2, 4}), -at::eye(4), jq::WeightQuantConfig{}, jq::GptqConfig{}, {},
                       {"", "model.layers.3.mlp.down_proj.weight", 3});
      QFAIL("expected jq::Error");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::InvalidInput);
      const std::string what = e.what();
      QVERIFY2(what.find("positive definite") != std::string::npos, e.what());
      QVERIFY2(what.find("down_proj") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::gptqQuantize(at::ones({2, 4}), at::eye(5), jq::WeightQuantConfig{}));
  }
};

QTEST_GUILESS_MAIN(TestGptq)
#include "tst_gptq.moc"
