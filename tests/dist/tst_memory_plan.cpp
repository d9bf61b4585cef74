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
    o.rotate = false;  // rtn: no capture, no rotation
    o.placement = "device";
    const jq::MemoryPlan p = jq::planMemory(config("llama-3-8b"), o);
    // weights + 4 hidden states (1·2048·4096·2 B each) + MLP 3·2048·14336·2 + eager scores 2·32·2048²·4
    // + bf16 logits 2048·128256·2 + two float32 copies 2·2047·128256·4.
    const int64_t expected = int64_t(16060522496) + 4 * int64_t(16777216) + int64_t(176160768) +
                             int64_t(1073741824) + int64_t(525336576) + int64_t(2100320256);
    QCOMPARE(stage(p, "eval").gpuBytes, expected);
    QCOMPARE(p.peakStage, std::string("eval"));
    QCOMPARE(p.stages.size(), size_t(2));  // weights, eval
    QVERIFY(p.fits);
    o.gpuGiB = 16;  // 16.06e9 bytes of weights alone exceed a 16 GiB card with its reserve
    QVERIFY(!jq::planMemory(config("llama-3-8b"), o).fits);
  }

  void captureIsShardedAcrossGpus() {
    jq::PlanOptions o;
    o.gpus = 2;
    o.placement = "device";
    const jq::MemoryPlan p = jq::planMemory(config("llama-3-8b"), o);
    // 64 windows per rank · 2048 rows · (2·4096 + 32·128) values · 2 bytes (bfloat16, the model's dtype) · 32 layers
    // = 103,079,215,104 bytes (96 GiB), more than the 16 GiB allowed on the GPU: held on the host.
    QCOMPARE(p.captureBytes, int64_t(64) * 2048 * (2 * 4096 + 4096) * 2 * 32);
    QCOMPARE(p.captureBytes, int64_t(103079215104));
    QVERIFY(!p.captureOnGpu);
    QCOMPARE(stage(p, "capture").hostBytes, int64_t(103079215104));  // weights on the GPU: host holds the rows only
    // During R1 the device-placement weights are parked on the host next to the rows: 16,060,522,496 + the rows.
    QCOMPARE(stage(p, "calibrate.R1").hostBytes, int64_t(16060522496) + int64_t(103079215104));
    o.gpus = 1;  // 128 windows on one rank: twice the rows
    QCOMPARE(stage(jq::planMemory(config("llama-3-8b"), o), "capture").hostBytes, int64_t(2) * 103079215104);
    o.dtype = "float32";  // float32 model, float32 rows: 4 bytes a value
    QCOMPARE(jq::planMemory(config("llama-3-8b"), o).captureBytes, int64_t(128) * 2048 * 12288 * 4 * 32);
  }

  void captureTokensKeepKRowsPerWindow() {
    jq::PlanOptions o;
    o.placement = "device";
    o.nsamples = 128;
    o.captureTokens = 512;  // `--capture-tokens 512 --nsamples 128`
    const jq::MemoryPlan p = jq::planMemory(config("llama-3-8b"), o);
    QCOMPARE(p.captureRowsPerWindow, int64_t(512));
    // 128 windows · 512 rows · (2·4096 + 4096) · 2 bytes · 32 layers = 51,539,607,552 bytes (48 GiB): host.
    QCOMPARE(p.captureBytes, int64_t(128) * 512 * (2 * 4096 + 4096) * 2 * 32);
    QCOMPARE(p.captureBytes, int64_t(51539607552));
    QVERIFY(!p.captureOnGpu);
    QCOMPARE(stage(p, "capture").hostBytes, int64_t(51539607552));
    // A chunk: min(131072, 2^30 / (4096·4) = 65536) = 65536 rows = 128 items of 512 rows; a layer holds 2·128 = 256
    // R1 items (q_proj, up_proj) and 128 R2 items, so both chunks are 128 items = 65536 rows.
    // R1: 5 · 65536 · 4096 · 4 = 5,368,709,120 + R matrices 8 · 4096² · 4 = 536,870,912; no weights, rows on host.
    QCOMPARE(stage(p, "calibrate.R1").gpuBytes, int64_t(5368709120) + int64_t(536870912));
    QCOMPARE(stage(p, "calibrate.R2").gpuBytes, int64_t(5) * 65536 * 4096 * 4);

    // 8 windows: 8 · 512 · 12288 · 2 · 32 = 3,221,225,472 bytes (3 GiB) fit the 16 GiB on the GPU, and a layer has
    // only 16 R1 items: the chunk is 16 · 512 = 8192 rows.
    o.nsamples = 8;
    const jq::MemoryPlan small = jq::planMemory(config("llama-3-8b"), o);
    QCOMPARE(small.captureBytes, int64_t(3221225472));
    QVERIFY(small.captureOnGpu);
    QCOMPARE(stage(small, "capture").hostBytes, int64_t(0));
    // rows 3,221,225,472 + 5 · 8192 · 4096 · 4 = 671,088,640 + 536,870,912.
    QCOMPARE(stage(small, "calibrate.R1").gpuBytes, int64_t(3221225472) + int64_t(671088640) + int64_t(536870912));
    // The rows stay on the GPU through evaluation: eval of evaluationOf8BOnOneGpu (20,003,190,784) + the rows.
    QCOMPARE(stage(small, "eval").gpuBytes, int64_t(20003190784) + int64_t(3221225472));

    // K = seqlen and K = 0 both capture every token.
    o.captureTokens = 2048;
    QCOMPARE(jq::planMemory(config("llama-3-8b"), o).captureRowsPerWindow, int64_t(2048));
    o.captureTokens = 0;
    QCOMPARE(jq::planMemory(config("llama-3-8b"), o).captureRowsPerWindow, int64_t(2048));
  }

  void calibrationHoldsNoWeightsOnTheGpu() {
    jq::PlanOptions o;
    o.placement = "device";
    const jq::MemoryPlan p = jq::planMemory(config("llama-3-8b"), o);  // joint, 128 windows of 2048 rows
    QCOMPARE(p.placement, std::string("device"));
    // Rows: 128 · 2048 · 12288 · 2 · 32 = 206,158,430,208 bytes on the host. The weights are parked on the host:
    // the GPU holds only one chunk, min(131072, 65536) rows = 32 items of 2048, 5 · 65536 · 4096 · 4 =
    // 5,368,709,120, and the R matrices 8 · 4096² · 4 = 536,870,912.
    const jq::StagePlan& r1 = stage(p, "calibrate.R1");
    QCOMPARE(r1.gpuBytes, int64_t(5368709120) + int64_t(536870912));
    QVERIFY(r1.gpuBytes < p.weightBytes);
    QCOMPARE(r1.hostBytes, int64_t(16060522496) + int64_t(206158430208));
    QCOMPARE(stage(p, "calibrate.R2").gpuBytes, int64_t(5368709120));
    // The weights come back for the rotation: 16,060,522,496 + the larger of R1's evaluation chunk
    // (5,368,709,120) and the embedding rotated in float64: 2 · 128256·4096 · 8 + 128256·4096 · 2 = 9,456,058,368.
    QCOMPARE(stage(p, "rotate").gpuBytes, int64_t(16060522496) + int64_t(9456058368));
    // Capture: the method's own weights once (no second copy) + the larger of the norm fusion in float64
    // (9,456,058,368) and the hidden states 128 · 2048 · 4096 · 2 = 2,147,483,648 + one layer's forward
    // 2048 · (2·14336 + 4·4096) · 2 = 184,549,376 + eager scores 32 · 2048² · 4 = 536,870,912.
    QCOMPARE(stage(p, "capture").gpuBytes, int64_t(16060522496) + int64_t(9456058368));
    QCOMPARE(p.peakStage, std::string("capture"));

    // A tied model (Llama-3.2-1B) gets its own lm_head when the norms are fused: 2,471,628,800 bytes of weights
    // + 128256 · 2048 · 2 = 525,336,576 parked on the host next to 16 · 128 · 2048 · (2·2048 + 2048) · 2 =
    // 51,539,607,552 bytes of rows.
    const jq::MemoryPlan p1 = jq::planMemory(config("llama-3.2-1b"), o);
    QCOMPARE(stage(p1, "calibrate.R1").hostBytes, int64_t(2471628800) + int64_t(525336576) + int64_t(51539607552));
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
    o.dtype = "bfloat16";
    o.captureTokens = 4096;  // more than seqlen
    QVERIFY_EXCEPTION_THROWN(jq::planMemory(config("llama-3-8b"), o), jq::Error);
    o.captureTokens = -1;
    QVERIFY_EXCEPTION_THROWN(jq::planMemory(config("llama-3-8b"), o), jq::Error);
    o.captureTokens = 512;
    o.gpus = 2;  // the pipeline draws token subsets in one process only
    QVERIFY_EXCEPTION_THROWN(jq::planMemory(config("llama-3-8b"), o), jq::Error);
  }
};

QTEST_GUILESS_MAIN(TestMemoryPlan)
#include "tst_memory_plan.moc"
