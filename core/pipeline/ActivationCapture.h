// Captures, layer by layer, the inputs that rotation calibration learns from (DESIGN.md "Whip loss"):
// for every decoder layer the rows entering q_proj and up_proj (R1 data) and o_proj (R2 data), as the
// calibration windows flow through the (norm-fused) FP model. One decoder layer's weights are on the device at
// a time; the captured rows go to host memory in float32, one item (window) after another, so that every
// `seqlen` consecutive rows are one (window, layer, module) item.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "common/Job.h"

namespace jq {

class LlamaModel;

struct CapturedActivations {
  std::vector<at::Tensor> r1;  // per layer: [2·n·seqlen, hidden]: the q_proj input items, then the up_proj ones
  std::vector<at::Tensor> r2;  // per layer: [n·seqlen, heads·head_dim]: the o_proj input items
};

// Bytes the capture will hold on the host (shown to the user before a run).
int64_t captureBytes(const LlamaModel& model, int64_t windows, int64_t seqlen, bool r1, bool r2);

// `calib` int64 [n, seqlen]. Reports stage "capture" per layer, honours cancellation. The rows are kept as
// float32 on `storage`: the host by default; the GPU when they fit, which spares calibration a host-to-device
// copy of every mini-batch.
CapturedActivations captureActivations(const LlamaModel& model, const at::Tensor& calib, bool r1, bool r2,
                                       int64_t batchSize = 8, const JobContext& job = {},
                                       const at::Device& storage = at::kCPU);

// Per-channel max |x| of the inputs of q_proj (input_layernorm output) and gate_proj (post_attention_layernorm
// output) of every layer, for SmoothQuant. Returns [layers][0 = attention input, 1 = MLP input] on the host.
std::vector<std::vector<at::Tensor>> captureInputAbsMax(const LlamaModel& model, const at::Tensor& calib,
                                                        int64_t batchSize = 8, const JobContext& job = {});

}  // namespace jq
