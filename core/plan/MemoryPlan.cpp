// The formulas of planMemory(), stage by stage, with the pipeline code each one models (MemoryPlan.h sums them up).
// Notation, per rank: e = dtype size in bytes, H = hidden, I = intermediate, V = vocab, L = layers,
// Q = heads × head_dim (o_proj's input width), T = seqlen, B = batch, n = ceil(nsamples / gpus) calibration
// windows, K = captured rows per window = captureTokens when 0 < captureTokens < T, else T
// (RunConfig::captureRowsPerWindow(); the pipeline refuses captureTokens with more than one process).
//
//   W      parameterCount × e. "Resident" below: W (W') on each GPU with placement device, else the largest piece
//          moved there at a time, max(one layer, V·H·e).
//   W'     W + V·H·e when a rotated method unties a tied lm_head (fuseRmsNorms → untieEmbeddings), else W.
//   F64    2·N·8 + N·e with N = max(V·H, I·H): the largest weight scaled or rotated in float64, its float64
//          result and that result in the model's dtype (ModelRotation.cpp: scaleColumns, rightMul / leftMulT on
//          the model's compute device; scaleColumns where the weight lives).
//   C      L · n·K · (2H + Q) · e: the q_proj + up_proj rows (R1) and o_proj rows (R2) of every layer in the
//          MODEL's dtype (captureBytes(..., model.dtype()), ActivationCapture.cpp). On the GPU (Cgpu) when the
//          placement is device and C ≤ captureDeviceGiB, else on the host (Chost: pinned memory up to
//          captureHostGiB, 0 = 70 % of MemAvailable, beyond that a scratch file; counted as host here)
//          (QuantizationPipeline::captured). They stay there until the run ends (the pipeline's cache).
//   r(c)   min(chunkRows, chunkBytes / (c·4)) rows of c float32 channels (chunkRowsFor, RotationTrainer.cpp); a chunk
//          is whole K-row items of one layer: K · min(items of the layer on this rank, max(1, r(c) / K)) rows.
//          Training chunks (≤ batchItems items of one layer group) are never larger than the chunks of the
//          start/final evaluation of each layer, which run in the same stage.
//
//   weights       GPU: resident W. Host: W with placement host.
//   capture       capture borrows the method's model (no second copy) and fuses its RMSNorms before the first
//                 window. GPU: resident W' + max(F64 [device placement], Cgpu + n·T·H·e [every local window's
//                 hidden state, forEachLayerPass] + B·T·(2I + 4H)·e + eager scores B·heads·T²·4).
//                 Host: Chost with placement device; W' + max(F64, Chost) with placement host (the fusion runs
//                 there, before the rows are allocated).
//   calibrate.R1  no weights on the GPU: device placement moves them to the host (LlamaModel::moveWeightsTo,
//                 "park" in QuantizationPipeline.cpp), host placement never brings a layer. GPU: Cgpu +
//                 5 float32 copies of a chunk of c1 = K·min(2n, max(1, r(H)/K)) rows × H + 8·H²·4 (R, its
//                 gradient, momentum, the orthogonalization's work). Host: W' + Chost.
//   calibrate.R2  GPU: Cgpu + 5 float32 copies of c2 = K·min(n, max(1, r(Q)/K)) rows × Q. Host: W' + Chost.
//   rotate        (rotated methods) weights back on the GPU. GPU: W' with placement device + Cgpu
//                 + max(5·c1·H·4 [calibrated methods: evaluateR1 on the capture], F64). Host: Chost, + W' + F64
//                 with placement host.
//   gptq          GPU: resident W' + Cgpu + one layer + nsamples·T·H·e + 3·w²·4 + 2·max(H, I)·w·4 (w = the
//                 widest input). Host: W' with placement host, + Chost.
//   eval          GPU: resident W' (+ one layer with placement host) + Cgpu + 4·B·T·H·e + B·T·3I·e
//                 + eager 2·B·heads·T²·4 + logits B·T·V·e + 2·B·(T−1)·V·4. Host: as gptq.
#include "plan/MemoryPlan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

#include "common/Error.h"
#include "model/LlamaConfig.h"

namespace jq {

namespace {

constexpr int64_t kF32 = 4;
constexpr int64_t kF64 = 8;
constexpr double kGiB = double(int64_t(1) << 30);

int64_t dtypeSize(const std::string& d) {
  if (d == "float32") return 4;
  if (d == "bfloat16" || d == "float16") return 2;
  throw Error(ErrorKind::InvalidInput, "plan: unknown dtype '" + d + "' (float32, bfloat16, float16)");
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string gibText(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", double(bytes) / kGiB);
  return buf;
}

// The parameters of one decoder layer (as LlamaConfig::parameterCount() counts them).
int64_t layerParameters(const LlamaConfig& c) {
  const int64_t h = c.hiddenSize, q = c.numAttentionHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim;
  int64_t attn = h * q + 2 * h * kv + q * h;
  if (c.attentionBias) attn += q + 2 * kv + h;
  int64_t mlp = 3 * h * c.intermediateSize;
  if (c.mlpBias) mlp += 2 * c.intermediateSize + h;
  return attn + mlp + 2 * h;
}

// Rows of one calibration chunk of `channels` float32 columns: whole items of `itemRows` rows, at most
// min(chunkRows, chunkBytes / (channels·4)) rows but at least one item (RotationTrainer.cpp: chunkRowsFor and
// its callers), and no more than the layer's `items` on this rank.
int64_t chunkRowsOf(const PlanOptions& o, int64_t channels, int64_t itemRows, int64_t items) {
  const int64_t bound = std::max<int64_t>(1, std::min(o.chunkRows, o.chunkBytes / (channels * kF32)));
  return itemRows * std::min(items, std::max<int64_t>(1, bound / itemRows));
}

}  // namespace

MemoryPlan planMemory(const LlamaConfig& c, const PlanOptions& o) {
  if (o.gpus < 1) throw Error(ErrorKind::InvalidInput, "plan: --gpus must be at least 1");
  if (!(o.gpuGiB > 0)) throw Error(ErrorKind::InvalidInput, "plan: --gpu-gib must be positive");
  if (o.nsamples < 1 || o.seqlen < 2 || o.batch < 1)
    throw Error(ErrorKind::InvalidInput, "plan: nsamples, seqlen and batch must be positive (seqlen at least 2)");
  if (o.placement != "auto" && o.placement != "device" && o.placement != "host")
    throw Error(ErrorKind::InvalidInput, "plan: unknown placement '" + o.placement + "' (auto, device, host)");
  if (o.captureTokens < 0 || o.captureTokens > o.seqlen)
    throw Error(ErrorKind::InvalidInput, "plan: --capture-tokens must be between 0 (all) and seqlen (" +
                                             std::to_string(o.seqlen) + "), got " + std::to_string(o.captureTokens));
  if (o.calibrate && o.captureTokens > 0 && o.gpus > 1)
    throw Error(ErrorKind::Unsupported, "plan: --capture-tokens needs one process (the pipeline refuses it with "
                                        "several GPUs)");
  if (o.chunkRows < 1 || o.chunkBytes < 1 || o.captureDeviceGiB < 0)
    throw Error(ErrorKind::InvalidInput, "plan: chunk bounds must be positive and the capture limit not negative");
  const int64_t e = dtypeSize(o.dtype);
  const int64_t H = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize, L = c.numHiddenLayers;
  const int64_t Q = c.numAttentionHeads * c.headDim;  // o_proj input width
  const int64_t T = o.seqlen, B = o.batch;
  const bool rotate = o.rotate || o.calibrate;

  MemoryPlan p;
  p.parameters = c.parameterCount();
  p.weightBytes = p.parameters * e;
  p.layerBytes = layerParameters(c) * e;
  p.embeddingBytes = V * H * e;
  p.gpuBytesAvailable = int64_t(o.gpuGiB * kGiB);
  p.reserveBytes = kPlanGpuReserveBytes;

  // Rotated methods untie a tied lm_head when they fuse the norms: one more vocab × hidden matrix from then on.
  const int64_t fusedWeights = p.weightBytes + (rotate && c.tieWordEmbeddings ? p.embeddingBytes : 0);
  // The largest weight in float64, its float64 product, and the product in the model's dtype.
  const int64_t widestWeight = std::max(V * H, I * H);
  const int64_t f64 = 2 * widestWeight * kF64 + widestWeight * e;

  const int64_t nLocal = ceilDiv(o.nsamples, o.gpus);
  const int64_t K = o.captureTokens > 0 && o.captureTokens < T ? o.captureTokens : T;
  const int64_t captured = o.calibrate ? L * nLocal * K * (2 * H + Q) * e : 0;
  if (o.calibrate) {
    p.captureRowsPerWindow = K;
    p.captureBytes = captured;
  }
  const int64_t c1 = chunkRowsOf(o, H, K, 2 * nLocal);  // R1 items per layer: q_proj and up_proj of each window
  const int64_t c2 = chunkRowsOf(o, Q, K, nLocal);      // R2: o_proj of each window
  const int64_t r1Chunk = 5 * c1 * H * kF32;
  const int64_t r1Work = r1Chunk + 8 * H * H * kF32;
  const int64_t r2Work = 5 * c2 * Q * kF32;

  auto build = [&](bool onDevice) {
    std::vector<StagePlan> st;
    // Weights resident on each GPU: the whole model, or the largest piece that is moved there at a time.
    const int64_t piece = std::max(p.layerBytes, p.embeddingBytes);
    const int64_t resident = onDevice ? p.weightBytes : piece;
    const int64_t host = onDevice ? 0 : p.weightBytes;
    const int64_t residentF = rotate ? (onDevice ? fusedWeights : piece) : resident;
    const int64_t hostF = rotate ? (onDevice ? 0 : fusedWeights) : host;
    st.push_back({"weights", resident, host,
                  onDevice ? "whole model on every GPU (ranks split windows, not weights)"
                           : "weights on the host, one layer (or embedding/lm_head) on the GPU at a time"});
    const bool captureOnGpu = o.calibrate && onDevice && double(captured) <= o.captureDeviceGiB * kGiB;
    const int64_t capGpu = captureOnGpu ? captured : 0, capHost = o.calibrate && !captureOnGpu ? captured : 0;
    const std::string capWhere = captureOnGpu ? "on the GPU" : "on the host";
    const int64_t evalHidden = B * T * H * e;
    if (o.calibrate) {
      // Every local window's hidden state stays on the GPU through the layer-by-layer pass; the layer's own
      // working set is that of a forward of `batch` windows.
      const int64_t hiddenAll = nLocal * T * H * e;
      const int64_t layerWork = B * T * (2 * I + 4 * H) * e + (o.eagerAttention ? B * c.numAttentionHeads * T * T * kF32 : 0);
      const int64_t fuse = onDevice ? f64 : 0, pass = capGpu + hiddenAll + layerWork;
      st.push_back({"capture", residentF + std::max(fuse, pass), hostF + (onDevice ? capHost : std::max(f64, capHost)),
                    std::to_string(nLocal) + " windows x " + std::to_string(K) + " rows per rank: " +
                        gibText(captured) + " of " + o.dtype + " rows " + capWhere +
                        "; the method's own weights (no second copy); largest: " +
                        (fuse > pass ? "fusing the norms, one weight in float64"
                                     : "the rows, every window's hidden state and one layer's forward")});
      const std::string weightsWhere =
          onDevice ? "weights parked on the host" : "weights on the host";
      st.push_back({"calibrate.R1", capGpu + r1Work, fusedWeights + capHost,
                    weightsWhere + "; captured rows " + capWhere + "; 5 float32 copies of a chunk of " +
                        std::to_string(c1) + " rows"});
      st.push_back({"calibrate.R2", capGpu + r2Work, fusedWeights + capHost,
                    weightsWhere + "; captured rows " + capWhere + "; 5 float32 copies of a chunk of " +
                        std::to_string(c2) + " rows"});
    }
    if (rotate) {
      st.push_back({"rotate", (onDevice ? fusedWeights : 0) + capGpu + std::max(o.calibrate ? r1Chunk : 0, f64),
                    hostF + capHost + (onDevice ? 0 : f64),
                    std::string(o.calibrate ? "weights back; R1 evaluated on the captured rows, then " : "") +
                        "one weight at a time rotated in float64"});
    }
    if (o.gptq) {
      const int64_t widest = std::max({H, Q, I});
      const int64_t hiddenAll = o.nsamples * T * H * e;  // GPTQ runs all windows on every rank
      const int64_t work = 3 * widest * widest * kF32 + 2 * std::max(H, I) * widest * kF32;
      st.push_back({"gptq", residentF + capGpu + p.layerBytes + hiddenAll + work, hostF + capHost,
                    "hidden states of all " + std::to_string(o.nsamples) + " windows, one Hessian (" +
                        std::to_string(widest) + "^2 float32) and its inverse" +
                        (o.calibrate ? "; captured rows still " + capWhere : "")});
    }
    const int64_t logits = B * T * V * e + 2 * B * (T - 1) * V * kF32;  // logits, float32 copy, log-softmax
    const int64_t attn = o.eagerAttention ? B * c.numAttentionHeads * T * T * kF32 * 2 : 0;
    st.push_back({"eval",
                  residentF + (onDevice ? 0 : p.layerBytes) + capGpu + evalHidden * 4 + B * T * 3 * I * e + attn + logits,
                  hostF + capHost,
                  std::to_string(B) + " window(s) per forward: activations, attention scores, logits" +
                      (o.calibrate ? "; captured rows still " + capWhere : "")});
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
  p.captureOnGpu = o.calibrate && onDevice && double(captured) <= o.captureDeviceGiB * kGiB;
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
  if (captureRowsPerWindow > 0) {
    j["capture_rows_per_window"] = captureRowsPerWindow;
    j["capture_bytes"] = captureBytes;
    j["capture_gib"] = gib(captureBytes);
    j["capture_on_gpu"] = captureOnGpu;
  }
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
