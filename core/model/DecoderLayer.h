// The weights of one Llama decoder layer plus its extension slots, as plain mutable data.
//   h   = x + o_proj(attention(rope(q_proj(n1)), rope(k_proj(n1)), v_proj(n1))),  n1 = input_layernorm(x)
//   out = h + down_proj(silu(gate_proj(n2)) * up_proj(n2)),                       n2 = post_attention_layernorm(h)
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <utility>

#include "model/Linear.h"

namespace jq {

// Receives q [B, heads, T, head_dim] and k [B, kv_heads, T, head_dim] after RoPE and returns both
// (same shapes): the place for the online R3 Hadamard and K-cache fake quantization.
using QkTransform = std::function<std::pair<at::Tensor, at::Tensor>(const at::Tensor& q, const at::Tensor& k)>;

struct DecoderLayer {
  Linear qProj, kProj, vProj, oProj;
  Linear gateProj, upProj, downProj;
  at::Tensor inputNorm;          // input_layernorm.weight [hidden]
  at::Tensor postAttentionNorm;  // post_attention_layernorm.weight [hidden]

  QkTransform qkTransform;        // empty = identity
  TensorTransform valueTransform;  // v [B, kv_heads, T, head_dim] before attention (V-cache quantization)

  Linear& linear(LinearKind kind);  // throws jq::Error(Internal) for LmHead
  const Linear& linear(LinearKind kind) const;

  // A copy whose tensors are on `device` in `dtype` (tensors already there are shared, not copied);
  // transforms are carried along. This is how layer-by-layer execution brings one layer to the GPU.
  DecoderLayer to(at::Device device, at::ScalarType dtype) const;
  int64_t parameterBytes() const;
};

}  // namespace jq
