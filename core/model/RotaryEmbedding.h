// Rotary position embedding exactly as transformers computes it (modeling_rope_utils.py, LlamaRotaryEmbedding):
// inverse frequencies in float32 on the CPU from an int64 arange, optional `llama3` rescaling, angles
// position × frequency in float32, cos/sin in float32 and only then cast to the model dtype; rotate-half layout
// (dimension i pairs with i + head_dim/2, not with i + 1).
#pragma once

#include <ATen/ATen.h>

#include <utility>

#include "model/LlamaConfig.h"

namespace jq {

// cos and sin for a batch of positions: [B or 1, T, head_dim] in the model dtype, on the compute device.
struct RopeCache {
  at::Tensor cos;
  at::Tensor sin;
};

class RotaryEmbedding {
 public:
  RotaryEmbedding() = default;
  // Throws jq::Error(Unsupported) for rope types other than "default" and "llama3".
  explicit RotaryEmbedding(const LlamaConfig& config);

  // [head_dim / 2] float32 on the CPU, llama3 scaling applied.
  const at::Tensor& inverseFrequencies() const { return invFreq_; }

  // `positions` is [T] or [B, T] (any integer dtype, any device). Returns cos/sin for them.
  RopeCache compute(const at::Tensor& positions, at::ScalarType dtype, at::Device device) const;

 private:
  at::Tensor invFreq_;
};

// The frequency computations on their own, for tests and for tools that show the spectrum.
at::Tensor defaultInverseFrequencies(int64_t headDim, double theta);
at::Tensor llama3InverseFrequencies(const at::Tensor& invFreq, const RopeScaling& scaling);

// cat(-x[..., d/2:], x[..., :d/2]).
at::Tensor rotateHalf(const at::Tensor& x);
// x * cos + rotateHalf(x) * sin for x [B, heads, T, head_dim] (cos/sin broadcast over heads).
at::Tensor applyRotary(const at::Tensor& x, const RopeCache& rope);

}  // namespace jq
