// A rotated FP model must compute the original function: fused norms + R1 + R2 + online R3/R4 reproduce the
// original logits to float tolerance (DESIGN.md), on the demo model (power-of-two sizes) and on the tiny random
// model with non-power-of-two hidden (192 = 12·16) and intermediate (640 = 20·32) sizes and non-unit norms.
#include <QtTest/QtTest>

#include "common/Error.h"
#include "io/SafetensorsFile.h"
#include "model/LlamaModel.h"
#include "pipeline/ModelRotation.h"
#include "rotation/HadamardMatrix.h"
#include "rotation/RandomRotation.h"
#include "support/TestData.h"

namespace {
at::Tensor logitsOf(const jq::LlamaModel& m, const at::Tensor& ids) {
  at::NoGradGuard g;
  return m.forward(ids).to(at::kDouble);
}

jq::RotationPlan fullPlan(const jq::LlamaConfig& c, uint64_t seed) {
  jq::RotationPlan plan;
  plan.r1 = jq::randomHadamardMatrix(c.hiddenSize, seed, at::kDouble);
  for (int i = 0; i < c.numHiddenLayers; ++i) {
    std::vector<at::Tensor> groups;
    for (int64_t g = 0; g < c.numKeyValueHeads; ++g)
      groups.push_back(jq::randomOrthogonalMatrix(c.headDim, seed + 100 * i + g, at::kDouble));
    plan.r2.push_back(at::stack(groups));
  }
  plan.onlineR3 = true;
  plan.onlineR4 = true;
  return plan;
}
}  // namespace

class TestModelRotation : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void rotatedModelReproducesLogits_data() {
    QTest::addColumn<QString>("modelDir");
    QTest::addColumn<QString>("goldenFile");
    QTest::newRow("demo") << QString::fromStdString(jq::test::demoModelDir()) << "golden/demo_forward.safetensors";
    QTest::newRow("tiny-non-pow2") << QString::fromStdString(jq::test::testData("tiny-random-llama"))
                                   << "golden/tiny_forward.safetensors";
  }
  void rotatedModelReproducesLogits() {
    QFETCH(QString, modelDir);
    QFETCH(QString, goldenFile);
    jq::ModelOptions o;
    o.dtype = at::kFloat;
    jq::LlamaModel model = jq::LlamaModel::load(modelDir.toStdString(), o);
    const at::Tensor ids = jq::SafetensorsFile::open(jq::test::testData(goldenFile.toStdString()))->tensor("input_ids");
    const at::Tensor before = logitsOf(model, ids);

    jq::fuseRmsNorms(model);
    QVERIFY(jq::normsAreFused(model));
    QVERIFY(!model.embeddingsTied());
    const at::Tensor fused = logitsOf(model, ids);
    jq::applyRotation(model, fullPlan(model.config(), 7));
    const at::Tensor after = logitsOf(model, ids);

    const double scale = before.abs().max().item<double>();
    const double fusedErr = (fused - before).abs().max().item<double>() / scale;
    const double rotErr = (after - before).abs().max().item<double>() / scale;
    qInfo("%s: logit scale %.3f, fused err %.2e, rotated err %.2e (relative to the scale)",
          qPrintable(modelDir), scale, fusedErr, rotErr);
    QVERIFY2(fusedErr <= 1e-4, qPrintable(QString::number(fusedErr)));
    QVERIFY2(rotErr <= 1e-3, qPrintable(QString::number(rotErr)));
    // The weights really changed (an identity "rotation" would pass the check above trivially).
    const at::Tensor e0 = jq::LlamaModel::load(modelDir.toStdString(), o).embedTokens().to(at::kDouble);
    QVERIFY((model.embedTokens().to(at::kDouble) - e0).abs().max().item<double>() > 1e-3);
  }

  void rotationNeedsFusedNorms() {
    jq::ModelOptions o;
    o.dtype = at::kFloat;
    jq::LlamaModel model = jq::LlamaModel::load(jq::test::testData("tiny-random-llama"), o);
    jq::RotationPlan plan;
    plan.r1 = at::eye(model.config().hiddenSize, at::kDouble);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::applyRotation(model, plan));
  }

  void nonOrthogonalMatrixIsRejected() {
    jq::ModelOptions o;
    o.dtype = at::kFloat;
    jq::LlamaModel model = jq::LlamaModel::load(jq::test::testData("tiny-random-llama"), o);
    jq::fuseRmsNorms(model);
    jq::RotationPlan plan;
    plan.r1 = 2.0 * at::eye(model.config().hiddenSize, at::kDouble);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::applyRotation(model, plan));
  }
};

QTEST_GUILESS_MAIN(TestModelRotation)
#include "tst_model_rotation.moc"
