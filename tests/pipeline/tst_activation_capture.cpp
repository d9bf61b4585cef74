// Activation capture (pipeline/ActivationCapture.h) on the demo model: every storage holds the same rows, a token
// subset keeps exactly the rows of the full capture at the drawn positions, the draw does not depend on the batch
// size, and the disk cache is a real HDF5 file (read back here through libhdf5's own reader) that disappears with
// the last tensor viewing it.
#include <QtTest/QtTest>

#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "common/Error.h"
#include "model/LlamaModel.h"
#include "pipeline/ActivationCapture.h"
#include "pipeline/ModelRotation.h"
#include "pipeline/QuantizationPipeline.h"
#include "pipeline/RunConfig.h"
#include "support/ExpectError.h"
#include "support/TestData.h"

namespace {

constexpr int64_t kWindows = 3, kSeqlen = 64;

at::Tensor windows() {
  at::manual_seed(7);
  return at::randint(5, 4000, {kWindows, kSeqlen}, at::kLong);
}

jq::LlamaModel fusedDemo() {
  jq::ModelOptions o;
  o.dtype = at::kFloat;
  jq::LlamaModel m = jq::LlamaModel::load(jq::test::demoModelDir(), o);
  jq::fuseRmsNorms(m);
  return m;
}

// Reads dataset `name` of an HDF5 file with libhdf5 (not through the mapping the capture wrote).
at::Tensor readDataset(const std::string& file, const std::string& name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return {};
  const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(d);
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  at::Tensor out = at::empty({int64_t(dims[0]), int64_t(dims[1])}, at::kFloat);
  H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data_ptr<float>());
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  return out;
}

}  // namespace

class TestActivationCapture : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void bytesFollowTheShapes() {
    const jq::LlamaModel m = fusedDemo();
    const jq::LlamaConfig& c = m.config();
    // q_proj + up_proj rows (hidden wide) and o_proj rows (heads·head_dim wide), float32, every layer.
    const int64_t expect = c.numHiddenLayers * (2 * 3 * 10 * c.hiddenSize + 3 * 10 * c.numAttentionHeads * c.headDim) * 4;
    QCOMPARE(jq::captureBytes(c, 3, 10, true, true), expect);
    QCOMPARE(jq::captureBytes(c, 3, 10, false, false), int64_t(0));
  }

  void tokenPositionsAreSortedDistinctAndSeeded() {
    const at::Tensor p = jq::captureTokenPositions(5, 100, 17, 3);
    QCOMPARE(p.size(0), int64_t(5));
    QCOMPARE(p.size(1), int64_t(17));
    for (int64_t w = 0; w < 5; ++w) {
      std::set<int64_t> seen;
      for (int64_t j = 0; j < 17; ++j) {
        const int64_t v = p[w][j].item<int64_t>();
        QVERIFY(v >= 0 && v < 100);
        if (j > 0) QVERIFY(v > p[w][j - 1].item<int64_t>());
        seen.insert(v);
      }
      QCOMPARE(seen.size(), size_t(17));
    }
    QVERIFY(at::equal(p, jq::captureTokenPositions(5, 100, 17, 3)));
    QVERIFY(!at::equal(p, jq::captureTokenPositions(5, 100, 17, 4)));
    // Window w's draw does not depend on how many windows there are.
    QVERIFY(at::equal(p.slice(0, 0, 2), jq::captureTokenPositions(2, 100, 17, 3)));
    jq::test::expectError([] { jq::captureTokenPositions(2, 10, 11, 0); }, jq::ErrorKind::InvalidInput, "",
                          "tokens per window");
  }

  void diskCacheHoldsTheSameRowsAsHostMemory() {
    const jq::LlamaModel m = fusedDemo();
    const at::Tensor calib = windows();
    jq::CaptureOptions host;
    host.batchSize = 2;
    const jq::CapturedActivations a = jq::captureActivations(m, calib, host);
    QCOMPARE(a.itemRows, kSeqlen);
    QCOMPARE(a.r1.size(), size_t(m.numLayers()));
    QCOMPARE(a.r1[0].size(0), 2 * kWindows * kSeqlen);
    QCOMPARE(a.r2[0].size(0), kWindows * kSeqlen);

    jq::CaptureOptions disk = host;
    disk.storage = jq::CaptureStorage::DiskCache;
    disk.cacheFolder = jq::test::tempDir();
    std::string path;
    {
      jq::CapturedActivations b = jq::captureActivations(m, calib, disk);
      path = b.cachePath;
      QCOMPARE(b.storage, jq::CaptureStorage::DiskCache);
      QVERIFY(std::filesystem::exists(path));
      for (int i = 0; i < m.numLayers(); ++i) {
        QVERIFY(at::equal(a.r1[size_t(i)], b.r1[size_t(i)]));
        QVERIFY(at::equal(a.r2[size_t(i)], b.r2[size_t(i)]));
      }
      // The file is an ordinary HDF5 file: libhdf5 reads back what the capture wrote through the mapping.
      const at::Tensor last = readDataset(path, "r1_layer_" + std::to_string(m.numLayers() - 1));
      QVERIFY(last.defined());
      QVERIFY(at::equal(last, a.r1.back()));
      QVERIFY(at::equal(readDataset(path, "r2_layer_0"), a.r2[0]));
      // A tensor that outlives the capture keeps the file.
      at::Tensor kept = b.r1[1];
      b = jq::CapturedActivations{};
      QVERIFY(std::filesystem::exists(path));
      QVERIFY(at::equal(kept, a.r1[1]));
    }
    QVERIFY(!std::filesystem::exists(path));
  }

  void captureKeepsTheModelDtype() {
    jq::ModelOptions mo;
    mo.dtype = at::kBFloat16;
    jq::LlamaModel m = jq::LlamaModel::load(jq::test::demoModelDir(), mo);
    jq::fuseRmsNorms(m);
    const at::Tensor calib = windows();
    jq::CaptureOptions f32;  // the bfloat16 model's activations kept as float32
    f32.batchSize = 2;
    const jq::CapturedActivations a = jq::captureActivations(m, calib, f32);
    jq::CaptureOptions bf = f32;
    bf.dtype = at::kBFloat16;
    const jq::CapturedActivations b = jq::captureActivations(m, calib, bf);
    QCOMPARE(b.r1[0].scalar_type(), at::kBFloat16);
    QCOMPARE(b.r2[0].scalar_type(), at::kBFloat16);
    QCOMPARE(2 * b.bytes, a.bytes);
    QCOMPARE(b.bytes, jq::captureBytes(m.config(), kWindows, kSeqlen, true, true, at::kBFloat16));
    // Nothing is lost: the hooks see bfloat16 values.
    for (int i = 0; i < m.numLayers(); ++i) {
      QVERIFY(at::equal(b.r1[size_t(i)].to(at::kFloat), a.r1[size_t(i)]));
      QVERIFY(at::equal(b.r2[size_t(i)].to(at::kFloat), a.r2[size_t(i)]));
    }
    jq::CaptureOptions disk = bf;
    disk.storage = jq::CaptureStorage::DiskCache;
    disk.cacheFolder = jq::test::tempDir();
    const jq::CapturedActivations d = jq::captureActivations(m, calib, disk);
    QCOMPARE(d.r1[0].scalar_type(), at::kBFloat16);
    for (int i = 0; i < m.numLayers(); ++i) QVERIFY(at::equal(d.r1[size_t(i)], b.r1[size_t(i)]));
    // In the file the 16 bits are stored as they are (uint16): libhdf5 reads back the same bits.
    const hid_t f = H5Fopen(d.cachePath.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    QVERIFY(f >= 0);
    const hid_t set = H5Dopen2(f, "r2_layer_0", H5P_DEFAULT);
    at::Tensor bits = at::empty(b.r2[0].sizes(), at::kShort);
    QVERIFY(H5Dread(set, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, bits.data_ptr()) >= 0);
    H5Dclose(set);
    H5Fclose(f);
    QVERIFY(at::equal(bits.view(at::kBFloat16), b.r2[0]));
  }

  void tokenSubsetKeepsTheDrawnRows() {
    const jq::LlamaModel m = fusedDemo();
    const at::Tensor calib = windows();
    jq::CaptureOptions all;
    all.batchSize = 1;
    const jq::CapturedActivations full = jq::captureActivations(m, calib, all);
    jq::CaptureOptions some;
    some.tokensPerWindow = 11;
    some.seed = 5;
    some.batchSize = 1;
    const jq::CapturedActivations sub = jq::captureActivations(m, calib, some);
    QCOMPARE(sub.itemRows, int64_t(11));
    QCOMPARE(sub.r1[0].size(0), 2 * kWindows * 11);
    const at::Tensor pos = jq::captureTokenPositions(kWindows, kSeqlen, 11, 5);
    for (int i = 0; i < m.numLayers(); ++i)
      for (int64_t w = 0; w < kWindows; ++w) {
        const at::Tensor rows = pos[w] + w * kSeqlen;
        // q_proj items first, then up_proj items; o_proj items in window order.
        QVERIFY(at::equal(sub.r1[size_t(i)].narrow(0, w * 11, 11), full.r1[size_t(i)].index_select(0, rows)));
        QVERIFY(at::equal(sub.r1[size_t(i)].narrow(0, (kWindows + w) * 11, 11),
                          full.r1[size_t(i)].index_select(0, rows + kWindows * kSeqlen)));
        QVERIFY(at::equal(sub.r2[size_t(i)].narrow(0, w * 11, 11), full.r2[size_t(i)].index_select(0, rows)));
      }
    QCOMPARE(sub.bytes, jq::captureBytes(m.config(), kWindows, 11, true, true));
    // Another batching puts every row in the same place (BLAS may round a batched product differently, hence
    // the tolerance instead of equality).
    some.batchSize = 2;
    const jq::CapturedActivations sub2 = jq::captureActivations(m, calib, some);
    for (int i = 0; i < m.numLayers(); ++i) {
      QVERIFY(at::allclose(sub2.r1[size_t(i)], sub.r1[size_t(i)], 1e-4, 1e-5));
      QVERIFY(at::allclose(sub2.r2[size_t(i)], sub.r2[size_t(i)], 1e-4, 1e-5));
    }
  }

  // The pipeline picks the scratch file when the capture exceeds the host limit, and a token subset makes the
  // calibration items that many rows; the result says both.
  void pipelineUsesTheDiskCacheBeyondTheHostLimit() {
    jq::RunConfig c;
    c.model = jq::test::demoModelDir();
    c.calibration = jq::test::sourceDir() + "/resources/demo-corpus/test.txt";
    c.datasets = {{jq::test::sourceDir() + "/resources/demo-corpus/test.txt", "text"}};
    c.methods = {"joint"};
    c.dtype = "float32";
    c.nsamples = 2;
    c.seqlen = 64;
    c.maxEvalWindows = 2;
    c.captureTokens = 16;
    c.captureHostGiB = 1e-6;
    c.captureCacheFolder = jq::test::tempDir();
    c.r1.epochs = c.r2.epochs = 1;
    jq::QuantizationPipeline p(c);
    const jq::MethodResult r = p.runMethod("joint");
    QCOMPARE(r.captureStorage, std::string("disk-cache"));
    QCOMPARE(r.captureBytes, jq::captureBytes(jq::LlamaModel::load(c.model).config(), 2, 16, true, true));
    QVERIFY(std::isfinite(r.evaluations.at(0).perplexity));
    QVERIFY(r.finalLoss < r.startLoss);
    const std::string json = jq::QuantizationPipeline::resultJson(r, c);
    QVERIFY(json.find("\"tokens_per_window\":16") != std::string::npos);
  }

  void missingCacheFolderIsAClearError() {
    const jq::LlamaModel m = fusedDemo();
    jq::CaptureOptions o;
    o.storage = jq::CaptureStorage::DiskCache;
    o.cacheFolder = jq::test::tempDir() + "/no-such-folder";
    jq::test::expectError([&] { jq::captureActivations(m, windows(), o); }, jq::ErrorKind::NotFound, o.cacheFolder,
                          "activation cache folder");
  }
};

QTEST_APPLESS_MAIN(TestActivationCapture)
#include "tst_activation_capture.moc"
