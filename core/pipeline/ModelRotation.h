// The rotation algebra of DESIGN.md applied to a LlamaModel (y = x·Wᵀ, W is [out, in]):
//
//   fuseRmsNorms     W := W·diag(g), g := 1 for every RMSNorm and the linears it feeds (q,k,v ← input_layernorm,
//                    gate,up ← post_attention_layernorm, lm_head ← model.norm). Unties tied embeddings first: the
//                    embedding must not absorb the final norm.
//   R1 (residual)    E := E·R1; readers (q,k,v,gate,up,lm_head) W := W·R1; writers (o,down) W := R1ᵀ·W, b := b·R1.
//   R2 (per layer)   one head_dim×head_dim matrix per KV-head group g: v_proj rows of group g W := R2_gᵀ·W (b := b·R2_g);
//                    o_proj columns of every query head h of group g W := W·R2_g.
//   R4 (online)      W_down := apply(W_down) and the down_proj input gets apply() (HadamardMatrix's convention).
//   R3 (online)      q and k get apply() along head_dim after RoPE: q·kᵀ is unchanged.
// Everything is computed in float64 and rounded once to the model dtype (as QuaRot does). The FP model's
// function is unchanged up to rounding; a test checks the logits.
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace jq {

class LlamaModel;

// Requires nothing; idempotent only in the sense that a second call fuses g = 1 (a no-op).
void fuseRmsNorms(LlamaModel& model);
bool normsAreFused(const LlamaModel& model);  // every norm weight is exactly 1

struct RotationPlan {
  at::Tensor r1;               // [hidden, hidden] orthogonal, or undefined = no R1
  std::vector<at::Tensor> r2;  // empty, or one per layer: [kv_heads, head_dim, head_dim] (or [head_dim, head_dim],
                               // shared by every group)
  bool onlineR3 = false;       // Hadamard on q and k after RoPE (for KV-cache quantization)
  bool onlineR4 = false;       // Hadamard on the down_proj input
};

// Applies `plan` to a model whose norms are fused (throws jq::Error(InvalidInput) otherwise, or when a matrix has
// the wrong shape or is not orthogonal to 1e-3 in float64). Online transforms are appended to the existing ones.
void applyRotation(LlamaModel& model, const RotationPlan& plan);

}  // namespace jq
