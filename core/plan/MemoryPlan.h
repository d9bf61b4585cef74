// Memory planning before a run (`jointquant plan`): for a model config, a run's settings and a number of GPUs,
// the bytes each stage of the pipeline needs on every GPU and on the host, and whether the peak fits a GPU.
//
// Every figure is a formula of the config (see MemoryPlan.cpp for each one, with the pipeline code it models):
//   weights      parameterCount × dtype size. Placement "device": the whole model on every GPU (each rank holds a
//                copy: ranks split windows, not weights); "host": weights in host memory, one decoder layer (or the
//                embedding / lm_head, whichever is larger) on the GPU at a time. Rotated methods untie a tied
//                lm_head (one more vocab × hidden matrix from capture / rotation on).
//   capture      the q_proj/up_proj/o_proj input rows of this rank's calibration windows in the model's dtype, for
//                every layer (ActivationCapture): ceil(nsamples / gpus) windows of K rows (K = captureTokens when
//                0 < K < seqlen, else seqlen); on the GPU when the placement is device and they fit
//                captureDeviceGiB, else on the host (pinned memory up to --capture-host-gib, beyond it a scratch
//                file: the plan counts both as host). Capture borrows the method's own model (one copy of the
//                weights), fuses its RMSNorms first (one weight at a time in float64) and keeps every local
//                window's hidden state. The captured rows then stay where they are until the run ends.
//   R1 / R2      Device placement parks the weights on the host meanwhile: the GPU holds the captured rows (when
//                they are there) and one chunk of rows in float32, whatever the capture's dtype, ≈ 5 copies for
//                the forward/backward. A chunk is whole items (K rows) of one layer, at most
//                min(chunkRows, chunkBytes / (channels × 4)) rows (RotationTrainer's chunkRowsFor).
//   rotate       weights back on the GPU, the captured rows, and the larger of R1's evaluation on the capture (a
//                chunk as above) and one weight rotated in float64 (the embedding / lm_head for Llama).
//   GPTQ         one Hessian (in × in, float32) and its inverse, one weight in float32, and the hidden states of
//                every calibration window (GPTQ runs on all windows on every rank).
//   eval         the hidden state, the MLP intermediate and the attention scores of `batch` windows, and the
//                logits with their float32 log-softmax (PerplexityEvaluator).
// A stage fits when its GPU bytes plus a fixed reserve (CUDA context, cuBLAS workspace, allocator slack) stay within
// the GPU's memory. The plan assumes CUDA GPUs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jq {

struct LlamaConfig;

struct PlanOptions {
  int gpus = 1;
  double gpuGiB = 80.0;            // memory of one GPU
  std::string dtype = "bfloat16";  // float32, bfloat16, float16: the weights' and the captured rows' dtype
  std::string placement = "auto";  // device, host, or auto (device when the device plan fits, else host)
  int64_t nsamples = 128;          // calibration windows (over all ranks)
  int64_t seqlen = 2048;
  int64_t batch = 1;               // windows per forward pass
  bool calibrate = true;           // capture + R1 + R2 (dartquant / independent / joint)
  bool rotate = true;              // rotation applied (quarot and the calibrated methods; implied by calibrate)
  bool gptq = false;
  int64_t captureTokens = 0;       // RunConfig::captureTokens: rows kept per window (0 = seqlen); one GPU only
  double captureDeviceGiB = 16.0;  // RunConfig::captureDeviceGiB
  int64_t chunkRows = 131072;      // RotationTrainSettings::chunkRows
  int64_t chunkBytes = int64_t(1) << 30;  // RotationTrainSettings::chunkBytes (of float32 rows)
  bool eagerAttention = true;      // eager keeps [batch, heads, seqlen, seqlen] float32 scores; sdpa does not
};

struct StagePlan {
  std::string stage;      // weights, capture, calibrate.R1, calibrate.R2, rotate, gptq, eval
  int64_t gpuBytes = 0;   // per GPU, everything resident during the stage
  int64_t hostBytes = 0;  // per process
  std::string detail;     // what the bytes are
};

struct MemoryPlan {
  int64_t parameters = 0;
  int64_t weightBytes = 0;       // parameters × dtype size
  int64_t layerBytes = 0;        // one decoder layer
  int64_t embeddingBytes = 0;    // vocab × hidden (one of embed_tokens / lm_head)
  int64_t captureRowsPerWindow = 0;  // K (calibrated plans)
  int64_t captureBytes = 0;      // this rank's captured rows, model dtype (0 without calibration)
  bool captureOnGpu = false;     // else host memory (or its scratch file)
  std::string placement;         // the one planned ("device" or "host")
  int64_t gpuBytesAvailable = 0; // gpuGiB
  int64_t reserveBytes = 0;      // kept free per GPU
  std::vector<StagePlan> stages;
  int64_t peakGpuBytes = 0;
  int64_t peakHostBytes = 0;
  std::string peakStage;
  bool fits = false;

  std::string toJsonText() const;  // every number above, in bytes and GiB
};

// Bytes kept free on every GPU by the plan: the CUDA context, cuBLAS workspaces and caching-allocator slack.
inline constexpr int64_t kPlanGpuReserveBytes = int64_t(3) << 29;  // 1.5 GiB

// Throws jq::Error(InvalidInput) for gpus < 1, a non-positive size, captureTokens outside [0, seqlen] or an unknown
// dtype / placement; jq::Error(Unsupported) for captureTokens with more than one GPU (as the pipeline does).
MemoryPlan planMemory(const LlamaConfig& config, const PlanOptions& options);

}  // namespace jq
