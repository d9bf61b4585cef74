// Captures, layer by layer, the inputs that rotation calibration learns from (DESIGN.md "Whip loss"):
// for every decoder layer the rows entering q_proj and up_proj (R1 data) and o_proj (R2 data), as the
// calibration windows flow through the (norm-fused) FP model. One decoder layer's weights are on the device at
// a time; the captured rows are stored in float32, one item (window) after another, so that every `itemRows`
// consecutive rows are one (window, layer, module) item.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/Job.h"

namespace jq {

class LlamaModel;
struct LlamaConfig;

// Where the captured rows live. Device spares calibration a host-to-device copy of every mini-batch; PinnedHost
// lets those copies run at full DMA speed; DiskCache (a mapped HDF5 scratch file, io/MappedHdf5Cache.h) is for
// captures larger than host memory.
enum class CaptureStorage { Device, PinnedHost, Host, DiskCache };
const char* toString(CaptureStorage s);  // "device", "pinned-host", "host", "disk-cache"

struct CaptureOptions {
  bool r1 = true;                  // q_proj and up_proj inputs
  bool r2 = true;                  // o_proj inputs
  int64_t batchSize = 8;           // windows per forward pass
  // 0: every token of every window. Otherwise this many token positions of each window, drawn at random (seeded,
  // sorted, the same positions for every layer and module), so a large model's capture fits in memory while still
  // seeing every calibration window. An item is then [tokensPerWindow, channels].
  int64_t tokensPerWindow = 0;
  uint64_t seed = 0;
  CaptureStorage storage = CaptureStorage::Host;
  // The rows' dtype. The model's own dtype loses nothing (the hooks see the model's activations) and halves the
  // memory of a bfloat16 model's capture; calibration converts each chunk to float32 on the device.
  at::ScalarType dtype = at::kFloat;
  at::Device device = at::kCPU;    // the GPU for CaptureStorage::Device
  std::string cacheFolder;         // the folder of the scratch file for CaptureStorage::DiskCache
};

struct CapturedActivations {
  std::vector<at::Tensor> r1;  // per layer: [2·n·k, hidden]: the q_proj input items, then the up_proj ones
  std::vector<at::Tensor> r2;  // per layer: [n·k, heads·head_dim]: the o_proj input items
  int64_t itemRows = 0;        // k: rows of one (window, layer, module) item
  CaptureStorage storage = CaptureStorage::Host;
  std::string cachePath;       // DiskCache: the scratch file (deleted when the last tensor is released)
  int64_t bytes = 0;
};

// Bytes the capture holds (shown to the user before a run): rows of every layer in `dtype`.
int64_t captureBytes(const LlamaConfig& config, int64_t windows, int64_t rowsPerWindow, bool r1, bool r2,
                     at::ScalarType dtype = at::kFloat);

// Host memory the operating system says is available now (MemAvailable), in bytes; 0 when unknown.
int64_t availableHostBytes();

// The token positions CaptureOptions::tokensPerWindow keeps: int64 [windows, tokens], each row sorted. Depends only
// on (windows, seqlen, tokens, seed), not on the batch size.
at::Tensor captureTokenPositions(int64_t windows, int64_t seqlen, int64_t tokens, uint64_t seed);

// `calib` int64 [n, seqlen]. Runs the windows through the (norm-fused) model layer by layer, writing each layer's
// rows into storage allocated up front (no second copy of the capture is ever made). Reports stage "capture" per
// layer and honours cancellation; a cancelled capture returns nothing and removes its scratch file.
CapturedActivations captureActivations(const LlamaModel& model, const at::Tensor& calib, const CaptureOptions& options,
                                       const JobContext& job = {});

// Per-channel max |x| of the inputs of q_proj (input_layernorm output) and gate_proj (post_attention_layernorm
// output) of every layer, for SmoothQuant. Returns [layers][0 = attention input, 1 = MLP input] on the host.
std::vector<std::vector<at::Tensor>> captureInputAbsMax(const LlamaModel& model, const at::Tensor& calib,
                                                        int64_t batchSize = 8, const JobContext& job = {});

}  // namespace jq
