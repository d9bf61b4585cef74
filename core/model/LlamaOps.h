// The stateless pieces of the Llama forward pass, each rounding exactly where transformers' eager code does
// (modeling_llama.py: LlamaRMSNorm, repeat_kv, eager_attention_forward). Usable one at a time by layer-wise
// algorithms and by tests.
#pragma once

#include <ATen/ATen.h>

namespace jq {

enum class AttentionImpl {
  Eager,  // transformers' "eager": scores in the model dtype, softmax in float32, cast back (the reference)
  Sdpa,   // at::scaled_dot_product_attention with is_causal (LibTorch >= 2.0; falls back to Eager before)
};

const char* toString(AttentionImpl impl);
// Whether this build's LibTorch has at::scaled_dot_product_attention.
bool sdpaAvailable();

// Whether this LibTorch can multiply `dtype` matrices on `device` (probed once per pair). LibTorch 1.13 has
// no float16 matmul on the CPU; the model then refuses to run with a clear error instead of a c10::Error.
bool matmulSupported(at::ScalarType dtype, at::Device device);

// Bytes of a tensor's elements (0 for an undefined tensor).
int64_t tensorBytes(const at::Tensor& t);

// weight * (x * rsqrt(mean(x^2) + eps)).to(x.dtype), the statistics in float32.
at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps);

// [B, kv_heads, T, D] -> [B, kv_heads * groups, T, D], each KV head repeated for its group of query heads
// (query head h reads KV head h / groups).
at::Tensor repeatKv(const at::Tensor& x, int64_t groups);

// Causal self-attention without padding. q [B, H, T, D], k and v [B, KV, T, D] with H a multiple of KV.
// Scale 1/sqrt(D). Returns [B, H, T, D] in q's dtype.
at::Tensor causalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, AttentionImpl impl);

}  // namespace jq
