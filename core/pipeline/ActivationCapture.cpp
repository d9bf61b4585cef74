#include "pipeline/ActivationCapture.h"

#include <string>

#include "common/Error.h"
#include "model/LlamaModel.h"

namespace jq {

int64_t captureBytes(const LlamaModel& model, int64_t windows, int64_t seqlen, bool r1, bool r2) {
  const LlamaConfig& c = model.config();
  const int64_t rows = windows * seqlen;
  int64_t perLayer = 0;
  if (r1) perLayer += 2 * rows * c.hiddenSize;
  if (r2) perLayer += rows * c.numAttentionHeads * c.headDim;
  return perLayer * c.numHiddenLayers * int64_t(sizeof(float));
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

CapturedActivations captureActivations(const LlamaModel& model, const at::Tensor& calib, bool r1, bool r2,
                                       int64_t batchSize, const JobContext& job, const at::Device& storage) {
  CapturedActivations out;
  const int L = model.numLayers();
  std::vector<std::vector<at::Tensor>> q(L), up(L), o(L);
  forEachLayerPass(model, calib, batchSize, job, "capture", [&](int i, LinearKind kind, const at::Tensor& x) {
    auto rows = [&] { return x.reshape({-1, x.size(-1)}).to(storage, at::kFloat); };
    if (r1 && kind == LinearKind::QProj) q[i].push_back(rows());
    if (r1 && kind == LinearKind::UpProj) up[i].push_back(rows());
    if (r2 && kind == LinearKind::OProj) o[i].push_back(rows());
  });
  for (int i = 0; i < L; ++i) {
    if (r1) {
      std::vector<at::Tensor> parts = q[i];
      parts.insert(parts.end(), up[i].begin(), up[i].end());
      out.r1.push_back(at::cat(parts, 0));
    }
    if (r2) out.r2.push_back(at::cat(o[i], 0));
  }
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
