// CoreBackend over the real engine and the demo model (resources/demo-model: a 4-layer Llama made with
// transformers by tools/make_demo.py). Expected numbers come from the checkpoint's config.json worked by hand
// and from what an orthogonal rotation must do, never from the backend itself.
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <numeric>
#include <set>

#include "backend/CoreBackend.h"
#include "common/Error.h"
#include "support/TestData.h"

using namespace jq::ui;

namespace {

// resources/demo-model/config.json
constexpr int64_t kVocab = 4096, kHidden = 256, kInter = 768, kLayers = 4, kHeads = 4, kKvHeads = 2, kHeadDim = 64;

double sumOfSquares(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += double(x) * x;
  return s;
}

}  // namespace

class TestCoreBackend : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void requiresAModel() {
    CoreBackend b;
    try {
      b.channelStats({0, "q_proj"}, Basis::Original, {});
      QFAIL("channelStats without a model must throw");
    } catch (const jq::Error& e) {
      QCOMPARE(int(e.kind()), int(jq::ErrorKind::InvalidInput));
    }
  }

  void summaryIsTheCheckpointConfig() {
    CoreBackend b;
    const ModelSummary s = b.loadModel(jq::test::demoModelDir(), {});
    QCOMPARE(s.hiddenSize, 256);
    QCOMPARE(s.intermediateSize, 768);
    QCOMPARE(s.numLayers, 4);
    QCOMPARE(s.vocabSize, 4096);
    QCOMPARE(s.numHeads, 4);
    QCOMPARE(s.numKvHeads, 2);
    QCOMPARE(s.headDim, 64);
    QVERIFY(s.tiedEmbeddings);
    QCOMPARE(s.dtype, std::string("bfloat16"));
    QCOMPARE(s.ropeTheta, 500000.0);
    QCOMPARE(s.ropeScaling, std::string("llama3 (factor 8)"));
    // Per layer: q, o [h×h]; k, v [kv·hd × h]; gate, up, down [i×h]; two norms. Plus embedding (tied head) and
    // the final norm: 4096·256 + 4·(2·65536 + 2·32768 + 3·196608 + 512) + 256 = 4 196 608.
    const int64_t perLayer = 2 * kHidden * kHidden + 2 * kKvHeads * kHeadDim * kHidden + 3 * kInter * kHidden + 2 * kHidden;
    QCOMPARE(kHeads * kHeadDim, kHidden);
    const int64_t expected = kVocab * kHidden + kLayers * perLayer + kHidden;
    QCOMPARE(expected, int64_t(4196608));
    QCOMPARE(s.parameterCount, expected);
    // bfloat16 weights: two bytes each, the tied head counted once.
    QCOMPARE(s.memory.size(), size_t(3));
    QCOMPARE(s.memory[0].device, std::string("cpu"));
    QCOMPARE(s.memory[0].bytes, uint64_t(expected * 2));
    QCOMPARE(s.memory[1].device, std::string("cuda"));
    QCOMPARE(s.memory[1].bytes, uint64_t(expected * 2));
    // Layer by layer the GPU holds the larger of one decoder layer (786 944 weights) and the embedding
    // (4096·256 = 1 048 576): 2 MiB in bfloat16.
    QVERIFY(s.memory[2].layerByLayer);
    QCOMPARE(perLayer, int64_t(786944));
    QCOMPARE(s.memory[2].bytes, uint64_t(1048576 * 2));
  }

  void channelStatsHaveTheSiteWidth_data() {
    QTest::addColumn<QString>("module");
    QTest::addColumn<int>("channels");
    QTest::newRow("q_proj") << "q_proj" << int(kHidden);
    QTest::newRow("o_proj") << "o_proj" << int(kHeads * kHeadDim);
    QTest::newRow("up_proj") << "up_proj" << int(kHidden);
    QTest::newRow("down_proj") << "down_proj" << int(kInter);
  }
  void channelStatsHaveTheSiteWidth() {
    QFETCH(QString, module);
    QFETCH(int, channels);
    CoreBackend::Options o;
    o.statWindows = 2;
    o.statSeqLen = 64;
    o.sampleTokens = 16;
    CoreBackend b(o);
    b.loadModel(jq::test::demoModelDir(), {});
    for (Basis basis : {Basis::Original, Basis::Rotated}) {
      const ChannelStats s = b.channelStats({2, module.toStdString()}, basis, {});
      QCOMPARE(s.channels, channels);
      QCOMPARE(int(s.absmax.size()), channels);
      QCOMPARE(int(s.kurtosis.size()), channels);
      QCOMPARE(s.tokens, int64_t(2 * 64));
      QCOMPARE(s.sampleTokens, 16);
      QCOMPARE(s.sampleRows.size(), size_t(16 * channels));
      // Every value of the site falls in one histogram bin.
      const double n = std::accumulate(s.histogram.counts.begin(), s.histogram.counts.end(), 0.0);
      QCOMPARE(n, double(s.tokens) * channels);
      // rms² ≥ mean² channel by channel (the variance is not negative), and absmax ≥ rms.
      for (int c = 0; c < channels; ++c) {
        QVERIFY(s.rms[c] * s.rms[c] >= s.mean[c] * s.mean[c] * (1 - 1e-4f));
        QVERIFY(s.absmax[c] >= s.rms[c] * (1 - 1e-4f));
      }
    }
  }

  void hadamardRotationFlattensOutliers() {
    CoreBackend b;
    b.loadModel(jq::test::demoModelDir(), {});
    QVERIFY(b.rotationSource().find("random Hadamard") != std::string::npos);
    // The residual-stream input of q_proj: after R1 the largest channel stands much closer to the median.
    const auto before = b.layerSummaries("q_proj", Basis::Original, {});
    const auto after = b.layerSummaries("q_proj", Basis::Rotated, {});
    QCOMPARE(before.size(), size_t(kLayers));
    QCOMPARE(after.size(), size_t(kLayers));
    for (int l = 0; l < int(kLayers); ++l) {
      QCOMPARE(before[l].layer, l);
      QVERIFY2(after[l].outlierRatio < before[l].outlierRatio,
               qPrintable(QStringLiteral("layer %1: %2 -> %3").arg(l).arg(before[l].outlierRatio).arg(after[l].outlierRatio)));
    }
    // With the norms fused in both bases, q_proj's input after R1 is the same normalized vector times an
    // orthogonal matrix: Σ_c rms_c² (the mean squared token norm) agrees too.
    const ChannelStats q0 = b.channelStats({2, "q_proj"}, Basis::Original, {});
    const ChannelStats q1 = b.channelStats({2, "q_proj"}, Basis::Rotated, {});
    const double n0 = sumOfSquares(q0.rms), n1 = sumOfSquares(q1.rms);
    QVERIFY2(std::abs(n1 - n0) <= 0.03 * n0, qPrintable(QStringLiteral("%1 vs %2").arg(n0).arg(n1)));
    // down_proj's input is the same vector in both models, only Hadamard-transformed in the rotated one; an
    // orthogonal map keeps every token's squared norm, so Σ_c rms_c² agrees up to bfloat16 rounding.
    const ChannelStats d0 = b.channelStats({1, "down_proj"}, Basis::Original, {});
    const ChannelStats d1 = b.channelStats({1, "down_proj"}, Basis::Rotated, {});
    const double e0 = sumOfSquares(d0.rms), e1 = sumOfSquares(d1.rms);
    QVERIFY2(std::abs(e1 - e0) <= 0.03 * e0, qPrintable(QStringLiteral("%1 vs %2").arg(e0).arg(e1)));
  }

  void calibratesEvaluatesAndPersists() {
    CoreBackend b;
    b.loadModel(jq::test::demoModelDir(), {});
    CalibrationRequest req;
    req.methods = {"fp", "quarot"};
    req.samples = 2;
    req.seqLen = 128;
    req.outputPath = jq::test::tempDir() + "/tiny-run.h5";
    int events = 0;
    jq::JobContext job;
    job.progress = [&](const jq::ProgressEvent&) { ++events; };
    const RunResult run = b.calibrate(req, job);
    QVERIFY(events > 0);
    QCOMPARE(run.methods.size(), size_t(2));
    QCOMPARE(run.methods[0].method, std::string("fp"));
    QCOMPARE(run.methods[1].method, std::string("quarot"));
    const double fp = run.methods[0].perplexity, w4a4 = run.methods[1].perplexity;
    // A trained model beats the uniform guess (perplexity = vocabulary size); W4A4 costs some perplexity.
    QVERIFY2(fp > 1.0 && fp < double(kVocab), qPrintable(QString::number(fp)));
    QVERIFY2(std::isfinite(w4a4) && w4a4 > fp, qPrintable(QStringLiteral("fp %1, quarot %2").arg(fp).arg(w4a4)));
    QVERIFY(std::filesystem::exists(req.outputPath));

    const RunResult opened = b.openRun(req.outputPath, {});
    std::set<std::string> methods;
    for (const auto& m : opened.methods) methods.insert(m.method);
    QCOMPARE(methods, (std::set<std::string>{"fp", "quarot"}));
    QCOMPARE(opened.request.samples, 2);
    QCOMPARE(opened.request.seqLen, 128);
    for (const auto& m : opened.methods)
      QCOMPARE(m.perplexity, m.method == "fp" ? fp : w4a4);
  }

  void calibrationCanBeCancelled() {
    CoreBackend b;
    b.loadModel(jq::test::demoModelDir(), {});
    CalibrationRequest req;
    req.methods = {"fp", "quarot"};
    req.samples = 2;
    req.seqLen = 128;
    req.outputPath = jq::test::tempDir() + "/cancelled-run.h5";
    jq::JobContext job;
    int events = 0;
    job.progress = [&](const jq::ProgressEvent&) {
      if (++events == 3) job.cancel.cancel();
    };
    try {
      b.calibrate(req, job);
      QFAIL("a cancelled calibration must throw");
    } catch (const jq::Error& e) {
      QCOMPARE(int(e.kind()), int(jq::ErrorKind::Cancelled));
    }
    QVERIFY(!std::filesystem::exists(req.outputPath));
  }
};

QTEST_GUILESS_MAIN(TestCoreBackend)
#include "tst_corebackend.moc"
