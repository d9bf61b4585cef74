// `jointquant plan` formulas against numbers worked out by hand from the published configs (tests/data/configs):
// parameter counts against the model cards' (Llama-3-8B 8.03e9, Llama-3-70B 70.6e9, Llama-3.2-1B 1.24e9), and each
// stage's bytes written out term by term below — not values printed by the code.
#include <QtTest/QtTest>

#include "common/Error.h"
#include "model/LlamaConfig.h"
#include "plan/MemoryPlan.h"
#include "support/TestData.h"

namespace {
jq::LlamaConfig config(const std::string& name) {
  return jq::LlamaConfig::fromFile(jq::test::testData("configs/" + name + "/config.json"));
}
const jq::StagePlan& stage(const jq::MemoryPlan& p, const std::string& name) {
  for (const auto& s : p.stages)
    if (s.stage == name) return s;
  throw std::runtime_error("no stage " + name);
}
}  // namespace

class TestMemoryPlan : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parameterCountsMatchTheModelCards() {
    // 8B: embed 128256·4096 = 525,336,576 (twice, untied); layer q,o 4096² each, k,v 4096·1024 each,
    // MLP 3·4096·14336, norms 2·4096 = 218,112,000; ×32 + 2·embed + 4096 = 8,030,261,248.
    const jq::MemoryPlan p8 = jq::planMemory(config("llama-3-8b"), {});
    QCOMPARE(p8.parameters, int64_t(8030261248));
    QCOMPARE(p8.weightBytes, int64_t(2) * 8030261248);  // bfloat16
    QCOMPARE(p8.layerBytes, int64_t(2) * 218112000);
    QVERIFY(std::abs(double(p8.parameters) / 8.03e9 - 1.0) < 1e-3);
    // 70B: layer 2·8192² + 2·8192·1024 + 3·8192·28672 + 2·8192 = 855,654,400; ×80 + 2·128256·8192 + 8192.
    const jq::MemoryPlan p70 = jq::planMemory(config("llama-3-70b"), {});
    QCOMPARE(p70.parameters, int64_t(80) * 855654400 + 2 * int64_t(128256) * 8192 + 8192);
    QVERIFY(std::abs(double(p70.parameters) / 70.6e9 - 1.0) < 1e-3);
    // 1B (tied embeddings): 1,235,814,400.
    QCOMPARE(jq::planMemory(config("llama-3.2-1b"), {}).parameters, int64_t(1235814400));
  }

  void evaluationOf8BOnOneGpu() {
    jq::PlanOptions o;
    o.calibrate = false;
    o.placement = "device";
    const jq::MemoryPlan p = jq::planMemory(config("llama-3-8b"), o);
    // weights + 4 hidden states (1·2048·4096·2 B each) + MLP 3·2048·14336·2 + eager scores 2·32·2048²·4
    // + bf16 logits 2048·128256·2 + two float32 copies 2·2047·128256·4.
    const int64_t expected = int64_t(16060522496) + 4 * int64_t(16777216) + int64_t(176160768) +
                             int64_t(1073741824) + int64_t(525336576) + int64_t(2100320256);
    QCOMPARE(stage(p, "eval").gpuBytes, expected);
    QCOMPARE(p.peakStage, std::string("eval"));
    QVERIFY(p.fits);
    o.gpuGiB = 16;  // 16.06e9 bytes of weights alone exceed a 16 GiB card with its reserve
    QVERIFY(!jq::planMemory(config("llama-3-8b"), o).fits);
  }

  void captureIsShardedAcrossGpus() {
    jq::PlanOptions o;
    o.gpus = 2;
    o.placement = "device";
    const jq::MemoryPlan p = jq::planMemory(config("llama-3-8b"), o);
    // 64 windows per rank · 2048 rows · (2·4096 + 32·128) float32 · 32 layers = 206,158,430,208 bytes, more than
    // the 16 GiB allowed on the GPU: held on the host.
    QCOMPARE(stage(p, "capture").hostBytes, int64_t(64) * 2048 * (2 * 4096 + 4096) * 4 * 32);
    QCOMPARE(stage(p, "calibrate.R1").hostBytes, int64_t(206158430208));
    o.gpus = 1;
    QCOMPARE(stage(jq::planMemory(config("llama-3-8b"), o), "capture").hostBytes, int64_t(2) * 206158430208);
  }

  void seventyBillionGoesLayerByLayer() {
    jq::PlanOptions o;
    o.calibrate = false;
    const jq::MemoryPlan p = jq::planMemory(config("llama-3-70b"), o);  // placement auto, one 80 GiB GPU
    QCOMPARE(p.placement, std::string("host"));
    // The largest piece moved to the GPU: the embedding 128256·8192·2 B (larger than a layer's 1,711,308,800 B).
    QCOMPARE(stage(p, "weights").gpuBytes, int64_t(128256) * 8192 * 2);
    QCOMPARE(stage(p, "weights").hostBytes, p.weightBytes);
    QVERIFY(p.fits);
    o.placement = "device";
    QVERIFY(!jq::planMemory(config("llama-3-70b"), o).fits);  // 141 GB of weights
  }

  void badOptions() {
    jq::PlanOptions o;
    o.gpus = 0;
    QVERIFY_EXCEPTION_THROWN(jq::planMemory(config("llama-3-8b"), o), jq::Error);
    o.gpus = 1;
    o.dtype = "int8";
    QVERIFY_EXCEPTION_THROWN(jq::planMemory(config("llama-3-8b"), o), jq::Error);
  }
};

QTEST_GUILESS_MAIN(TestMemoryPlan)
#include "tst_memory_plan.moc"
