#include "plan/MemoryPlan.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "common/Error.h"
#include "model/LlamaConfig.h"

namespace jq {

namespace {

constexpr int64_t kF32 = 4;
constexpr double kGiB = double(int64_t(1) << 30);

int64_t dtypeSize(const std::string& d) {
  if (d == "float32") return 4;
  if (d == "bfloat16" || d == "float16") return 2;
  throw Error(ErrorKind::InvalidInput, "plan: unknown dtype '" + d + "' (float32, bfloat16, float16)");
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The parameters of one decoder layer (as LlamaConfig::parameterCount() counts them).
int64_t layerParameters(const LlamaConfig& c) {
  const int64_t h = c.hiddenSize, q = c.numAttentionHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim;
  int64_t attn = h * q + 2 * h * kv + q * h;
  if (c.attentionBias) attn += q + 2 * kv + h;
  int64_t mlp = 3 * h * c.intermediateSize;
  if (c.mlpBias) mlp += 2 * c.intermediateSize + h;
  return attn + mlp + 2 * h;
}

}  // namespace

MemoryPlan planMemory(const LlamaConfig& c, const PlanOptions& o) {
  if (o.gpus < 1) throw Error(ErrorKind::InvalidInput, "plan: --gpus must be at least 1");
  if (!(o.gpuGiB > 0)) throw Error(ErrorKind::InvalidInput, "plan: --gpu-gib must be positive");
  if (o.nsamples < 1 || o.seqlen < 2 || o.batch < 1)
    throw Error(ErrorKind::InvalidInput, "plan: nsamples, seqlen and batch must be positive (seqlen at least 2)");
  if (o.placement != "auto" && o.placement != "device" && o.placement != "host")
    throw Error(ErrorKind::InvalidInput, "plan: unknown placement '" + o.placement + "' (auto, device, host)");
  const int64_t e = dtypeSize(o.dtype);
  const int64_t H = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize, L = c.numHiddenLayers;
  const int64_t Q = c.numAttentionHeads * c.headDim;  // o_proj input width
  const int64_t T = o.seqlen, B = o.batch;

  MemoryPlan p;
  p.parameters = c.parameterCount();
  p.weightBytes = p.parameters * e;
  p.layerBytes = layerParameters(c) * e;
  p.embeddingBytes = V * H * e;
  p.gpuBytesAvailable = int64_t(o.gpuGiB * kGiB);
  p.reserveBytes = kPlanGpuReserveBytes;

  auto build = [&](bool onDevice) {
    std::vector<StagePlan> st;
    // Weights resident on each GPU: the whole model, or the largest piece that is moved there at a time.
    const int64_t resident = onDevice ? p.weightBytes : std::max(p.layerBytes, p.embeddingBytes);
    const int64_t host = onDevice ? 0 : p.weightBytes;
    st.push_back({"weights", resident, host,
                  onDevice ? "whole model on every GPU (ranks split windows, not weights)"
                           : "weights on the host, one layer (or embedding/lm_head) on the GPU at a time"});
    const int64_t evalHidden = B * T * H * e;
    if (o.calibrate) {
      const int64_t nLocal = ceilDiv(o.nsamples, o.gpus);
      const int64_t rows = nLocal * T;
      const int64_t captured = L * rows * (2 * H + Q) * kF32;  // q_proj + up_proj (R1) and o_proj (R2) inputs
      const bool captureOnGpu = onDevice && double(captured) <= o.captureDeviceGiB * kGiB;
      const int64_t capGpu = captureOnGpu ? captured : 0, capHost = captureOnGpu ? 0 : captured;
      // Every local window's hidden state stays on the GPU through the layer-by-layer pass; the layer's own
      // working set is that of an eval forward of `batch` windows.
      const int64_t hiddenAll = rows * H * e;
      const int64_t layerWork = B * T * (2 * I + 4 * H) * e + (o.eagerAttention ? B * c.numAttentionHeads * T * T * kF32 : 0);
      st.push_back({"capture", 2 * resident + capGpu + hiddenAll + layerWork, 2 * host + capHost,
                    std::to_string(nLocal) + " windows per rank; a second (norm-fused) model copy while capturing; "
                    "captured rows on the " + std::string(captureOnGpu ? "GPU" : "host")});
      // One forward/backward chunk of the mini-batch: joint mode takes batchItems items of every layer per step.
      const int64_t batchRows = (o.jointR1 ? L : 1) * o.batchItems * T;
      const int64_t chunk = std::min(o.chunkRows, batchRows);
      const int64_t r1Work = 5 * chunk * H * kF32 + 8 * H * H * kF32;
      const int64_t staged = captureOnGpu ? 0 : 2 * chunk * H * kF32;  // host rows gathered per chunk
      st.push_back({"calibrate.R1", resident + capGpu + r1Work + staged, host + capHost,
                    "captured rows + 5 float32 copies of one chunk of " + std::to_string(chunk) + " rows"});
      const int64_t chunk2 = std::min(o.chunkRows, o.batchItems * T);
      st.push_back({"calibrate.R2", resident + capGpu + 5 * chunk2 * Q * kF32, host + capHost,
                    "captured rows + 5 float32 copies of one chunk of " + std::to_string(chunk2) + " rows"});
    }
    if (o.gptq) {
      const int64_t widest = std::max({H, Q, I});
      const int64_t hiddenAll = o.nsamples * T * H * e;  // GPTQ runs all windows on every rank
      const int64_t work = 3 * widest * widest * kF32 + 2 * std::max(H, I) * widest * kF32;
      st.push_back({"gptq", resident + p.layerBytes + hiddenAll + work, host,
                    "hidden states of all " + std::to_string(o.nsamples) + " windows, one Hessian (" +
                        std::to_string(widest) + "^2 float32) and its inverse"});
    }
    const int64_t logits = B * T * V * e + 2 * B * (T - 1) * V * kF32;  // logits, float32 copy, log-softmax
    const int64_t attn = o.eagerAttention ? B * c.numAttentionHeads * T * T * kF32 * 2 : 0;
    st.push_back({"eval", resident + (onDevice ? 0 : p.layerBytes) + evalHidden * 4 + B * T * 3 * I * e + attn + logits,
                  host, std::to_string(B) + " window(s) per forward: activations, attention scores, logits"});
    return st;
  };

  auto peakOf = [&](const std::vector<StagePlan>& st) {
    int64_t g = 0;
    for (const auto& s : st) g = std::max(g, s.gpuBytes);
    return g;
  };
  const int64_t limit = p.gpuBytesAvailable - p.reserveBytes;
  bool onDevice = o.placement != "host";
  p.stages = build(onDevice);
  if (o.placement == "auto" && peakOf(p.stages) > limit) {
    onDevice = false;
    p.stages = build(false);
  }
  p.placement = onDevice ? "device" : "host";
  for (const auto& s : p.stages) {
    if (s.gpuBytes > p.peakGpuBytes) {
      p.peakGpuBytes = s.gpuBytes;
      p.peakStage = s.stage;
    }
    p.peakHostBytes = std::max(p.peakHostBytes, s.hostBytes);
  }
  p.fits = p.peakGpuBytes <= limit;
  return p;
}

std::string MemoryPlan::toJsonText() const {
  auto gib = [](int64_t b) { return double(b) / kGiB; };
  nlohmann::json j;
  j["parameters"] = parameters;
  j["weight_bytes"] = weightBytes;
  j["weight_gib"] = gib(weightBytes);
  j["layer_bytes"] = layerBytes;
  j["embedding_bytes"] = embeddingBytes;
  j["placement"] = placement;
  j["gpu_bytes"] = gpuBytesAvailable;
  j["reserve_bytes"] = reserveBytes;
  j["peak_gpu_bytes"] = peakGpuBytes;
  j["peak_gpu_gib"] = gib(peakGpuBytes);
  j["peak_stage"] = peakStage;
  j["peak_host_bytes"] = peakHostBytes;
  j["peak_host_gib"] = gib(peakHostBytes);
  j["fits"] = fits;
  for (const auto& s : stages)
    j["stages"].push_back({{"stage", s.stage}, {"gpu_bytes", s.gpuBytes}, {"gpu_gib", gib(s.gpuBytes)},
                           {"host_bytes", s.hostBytes}, {"host_gib", gib(s.hostBytes)}, {"detail", s.detail}});
  return j.dump(2);
}

}  // namespace jq
