#include "pipeline/ActivationCapture.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <tuple>

#include "calib/SeededRng.h"
#include "common/Error.h"
#include "common/Log.h"
#include "common/OutOfMemory.h"
#include "io/MappedHdf5Cache.h"
#include "model/LlamaModel.h"

namespace jq {

const char* toString(CaptureStorage s) {
  switch (s) {
    case CaptureStorage::Device: return "device";
    case CaptureStorage::PinnedHost: return "pinned-host";
    case CaptureStorage::Host: return "host";
    case CaptureStorage::DiskCache: return "disk-cache";
  }
  return "?";
}

int64_t captureBytes(const LlamaConfig& c, int64_t windows, int64_t rowsPerWindow, bool r1, bool r2,
                     at::ScalarType dtype) {
  const int64_t rows = windows * rowsPerWindow;
  int64_t perLayer = 0;
  if (r1) perLayer += 2 * rows * c.hiddenSize;
  if (r2) perLayer += rows * c.numAttentionHeads * c.headDim;
  return perLayer * c.numHiddenLayers * int64_t(c10::elementSize(dtype));
}

int64_t availableHostBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

at::Tensor captureTokenPositions(int64_t windows, int64_t seqlen, int64_t tokens, uint64_t seed) {
  if (tokens <= 0 || tokens > seqlen)
    throw Error(ErrorKind::InvalidInput, "tokens per window must be in [1, " + std::to_string(seqlen) + "], got " +
                                             std::to_string(tokens));
  at::Tensor out = at::empty({windows, tokens}, at::kLong);
  auto* p = out.data_ptr<int64_t>();
  for (int64_t w = 0; w < windows; ++w) {
    // One generator per window: the draw does not depend on how windows are batched.
    SeededRng rng(seed * 0x9E3779B97F4A7C15ull + uint64_t(w) + 1);
    std::vector<int64_t> pos = rng.sample(seqlen, tokens);
    std::sort(pos.begin(), pos.end());
    std::copy(pos.begin(), pos.end(), p + w * tokens);
  }
  return out;
}

namespace {

// Runs every window through the model layer by layer, calling `onLayer(i, onDeviceLayer)` around each layer's
// pass via `hook`, which sees the linear inputs of layer i.
template <typename Hook>
void forEachLayerPass(const LlamaModel& model, const at::Tensor& calib, int64_t batchSize, const JobContext& job,
                      const std::string& stage, Hook&& hook) {
  if (calib.dim() != 2 || calib.scalar_type() != at::kLong)
    throw Error(ErrorKind::InvalidInput, "calibration windows must be int64 [samples, seqlen]");
  at::NoGradGuard noGrad;
  const int64_t n = calib.size(0);
  batchSize = std::max<int64_t>(1, batchSize);
  std::vector<at::Tensor> hidden;
  for (int64_t b = 0; b < n; b += batchSize)
    hidden.push_back(model.embed(calib.slice(0, b, std::min(n, b + batchSize)).to(model.device())));
  const RopeCache rope = model.rope(calib.size(1));
  auto& mutableModel = const_cast<LlamaModel&>(model);  // hooks only; the weights are not touched
  for (int i = 0; i < model.numLayers(); ++i) {
    job.checkCancelled(stage);
    const DecoderLayer onDevice = model.layerOnDevice(i);
    const int id = mutableModel.addHook(HookPoint::LinearInput, [&, i](int layer, LinearKind kind, const at::Tensor& x) {
      if (layer == i) hook(i, kind, x);
    });
    try {
      for (at::Tensor& h : hidden) h = model.layerForward(i, onDevice, h, rope);
    } catch (...) {
      mutableModel.removeHook(id);
      throw;
    }
    mutableModel.removeHook(id);
    job.report(stage, i + 1, model.numLayers(), "layer " + std::to_string(i + 1) + "/" + std::to_string(model.numLayers()));
  }
}

}  // namespace

namespace {

// Allocates the capture's matrices where `o` says. Pinned host memory is asked for only with a CUDA model; a failed
// pinned allocation (the driver may refuse to lock that much) falls back to ordinary host memory with a warning.
struct CaptureBuffers {
  std::vector<at::Tensor> r1, r2;
  CaptureStorage storage;
  std::string cachePath;
};

CaptureBuffers allocateCapture(const LlamaConfig& c, int64_t windows, int64_t k, const CaptureOptions& o) {
  CaptureBuffers b;
  b.storage = o.storage;
  const int L = c.numHiddenLayers;
  const int64_t r2Cols = c.numAttentionHeads * c.headDim;
  if (o.storage == CaptureStorage::DiskCache) {
    std::vector<std::tuple<std::string, int64_t, int64_t>> m;
    for (int i = 0; i < L; ++i) {
      if (o.r1) m.emplace_back("r1_layer_" + std::to_string(i), 2 * windows * k, c.hiddenSize);
      if (o.r2) m.emplace_back("r2_layer_" + std::to_string(i), windows * k, r2Cols);
    }
    auto cache = std::make_shared<MappedHdf5Cache>(o.cacheFolder, m, o.dtype);
    b.cachePath = cache->path();
    size_t j = 0;
    for (int i = 0; i < L; ++i) {
      if (o.r1) b.r1.push_back(MappedHdf5Cache::matrix(cache, j++));
      if (o.r2) b.r2.push_back(MappedHdf5Cache::matrix(cache, j++));
    }
    return b;
  }
  at::TensorOptions opts = at::TensorOptions().dtype(o.dtype);
  if (o.storage == CaptureStorage::Device) opts = opts.device(o.device);
  auto alloc = [&](int64_t rows, int64_t cols) {
    if (b.storage == CaptureStorage::PinnedHost) {
      try {
        return at::empty({rows, cols}, opts.pinned_memory(true));
      } catch (const c10::Error& e) {
        JQ_WARN("pinned host memory for the capture was refused, using ordinary host memory: " << e.what_without_backtrace());
        b.storage = CaptureStorage::Host;
      }
    }
    return at::empty({rows, cols}, opts);
  };
  for (int i = 0; i < L; ++i) {
    if (o.r1) b.r1.push_back(translateOutOfMemory("capture", [&] { return alloc(2 * windows * k, c.hiddenSize); }));
    if (o.r2) b.r2.push_back(translateOutOfMemory("capture", [&] { return alloc(windows * k, r2Cols); }));
  }
  return b;
}

}  // namespace

CapturedActivations captureActivations(const LlamaModel& model, const at::Tensor& calib, const CaptureOptions& o,
                                       const JobContext& job) {
  if (calib.dim() != 2 || calib.scalar_type() != at::kLong)
    throw Error(ErrorKind::InvalidInput, "calibration windows must be int64 [samples, seqlen]");
  const LlamaConfig& c = model.config();
  const int64_t n = calib.size(0), seqlen = calib.size(1);
  const bool subsample = o.tokensPerWindow > 0 && o.tokensPerWindow < seqlen;
  const int64_t k = subsample ? o.tokensPerWindow : seqlen;
  at::Tensor positions;  // [n, k] global row indices into a batch's flattened [windows·seqlen] rows
  if (subsample) positions = captureTokenPositions(n, seqlen, k, o.seed);

  CaptureBuffers buf = allocateCapture(c, n, k, o);
  // Rows of window w go to item w (q_proj, o_proj) or n + w (up_proj); the hook sees the windows in order, so a
  // running count per module of the current layer says where the next batch belongs.
  int64_t seenQ = 0, seenUp = 0, seenO = 0;
  int current = -1;
  forEachLayerPass(model, calib, o.batchSize, job, "capture", [&](int i, LinearKind kind, const at::Tensor& x) {
    if (i != current) {
      current = i;
      seenQ = seenUp = seenO = 0;
    }
    const bool wantR1 = o.r1 && (kind == LinearKind::QProj || kind == LinearKind::UpProj);
    const bool wantR2 = o.r2 && kind == LinearKind::OProj;
    if (!wantR1 && !wantR2) return;
    const int64_t windows = x.numel() / (seqlen * x.size(-1));
    int64_t& seen = kind == LinearKind::QProj ? seenQ : kind == LinearKind::UpProj ? seenUp : seenO;
    at::Tensor rows = x.reshape({-1, x.size(-1)});
    if (subsample) {
      const at::Tensor local = positions.slice(0, seen, seen + windows) +
                               at::arange(windows, at::kLong).mul_(seqlen).unsqueeze(1);
      rows = rows.index_select(0, local.reshape({-1}).to(rows.device()));
    }
    const int64_t first = (kind == LinearKind::UpProj ? n + seen : seen) * k;
    at::Tensor& dst = wantR1 ? buf.r1[size_t(i)] : buf.r2[size_t(i)];
    dst.narrow(0, first, windows * k).copy_(rows);
    seen += windows;
  });
  CapturedActivations out;
  out.r1 = std::move(buf.r1);
  out.r2 = std::move(buf.r2);
  out.itemRows = k;
  out.storage = buf.storage;
  out.cachePath = buf.cachePath;
  out.bytes = captureBytes(c, n, k, o.r1, o.r2, o.dtype);
  return out;
}

std::vector<std::vector<at::Tensor>> captureInputAbsMax(const LlamaModel& model, const at::Tensor& calib,
                                                        int64_t batchSize, const JobContext& job) {
  std::vector<std::vector<at::Tensor>> out(model.numLayers(), std::vector<at::Tensor>(2));
  forEachLayerPass(model, calib, batchSize, job, "smoothquant", [&](int i, LinearKind kind, const at::Tensor& x) {
    const int slot = kind == LinearKind::QProj ? 0 : kind == LinearKind::GateProj ? 1 : -1;
    if (slot < 0) return;
    at::Tensor m = x.reshape({-1, x.size(-1)}).abs().amax(0).to(at::kCPU, at::kFloat);
    out[i][slot] = out[i][slot].defined() ? at::maximum(out[i][slot], m) : m;
  });
  return out;
}

}  // namespace jq
