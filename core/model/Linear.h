// One projection of a Llama model, y = x W^T + b, as plain mutable data.
// Rotation and quantization code changes a model by *replacing* `weight`/`bias` (never by subclassing), and
// plugs online operations (Hadamard R4, activation fake-quant) into `inputTransform` without the model
// knowing what they are.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace jq {

enum class LinearKind { QProj, KProj, VProj, OProj, GateProj, UpProj, DownProj, LmHead };

// The seven projections of a decoder layer, in the order the forward pass runs them.
inline constexpr LinearKind kLayerLinearKinds[] = {LinearKind::QProj,    LinearKind::KProj,  LinearKind::VProj,
                                                   LinearKind::OProj,    LinearKind::GateProj, LinearKind::UpProj,
                                                   LinearKind::DownProj};

// "q_proj", "k_proj", ..., "down_proj", "lm_head": the module names transformers uses.
const char* toString(LinearKind kind);

// The transformers checkpoint name of a projection's weight (or bias), e.g.
// ("model.layers.3.self_attn.q_proj.weight"). `layer` is ignored for LmHead.
std::string checkpointName(int layer, LinearKind kind, bool bias = false);

// Maps a tensor to a tensor of the same shape; an empty function means identity.
using TensorTransform = std::function<at::Tensor(const at::Tensor&)>;

struct Linear {
  at::Tensor weight;  // [out, in]
  at::Tensor bias;    // [out], or undefined when the projection has none
  // Applied to the input right before the matmul; the model's input hooks see its result, i.e. exactly
  // what multiplies `weight`. When `weight` is replaced by W H for an online transform H, set this to H.
  TensorTransform inputTransform;

  int64_t outFeatures() const { return weight.size(0); }
  int64_t inFeatures() const { return weight.size(1); }
  bool hasBias() const { return bias.defined(); }

  // Runs `next` after the existing input transform (e.g. a Hadamard, then fake quantization).
  void appendInputTransform(TensorTransform next);
  // inputTransform (if any), then x W^T + b. Hooks are the model's business, not the Linear's.
  at::Tensor forward(const at::Tensor& x) const;
};

// Projections that read the same input (q/k/v; gate/up) can run as one GEMM when their weights are consecutive row
// blocks of one contiguous buffer: one wide product, the input read once. Opt-in (JQ_FUSED_PROJECTIONS=1): on an
// H200 the element-wise work on the output's column slices cost more than the wide GEMM saved (see Linear.cpp).
// packLinears() moves the group's weights (to `device` in `dtype`) into one new buffer and makes each weight a
// view of its rows; a group whose weights are missing or differ in input width is left as it is.
void packLinears(std::initializer_list<Linear*> group, at::Device device, at::ScalarType dtype);
// The same layout without a copy, for weights about to be read into it: each Linear's weight becomes a view of its
// `rows` (in group order) of one new, uninitialised [sum of rows, in] buffer made with `options`.
void allocatePackedLinears(const std::vector<std::pair<Linear*, int64_t>>& group, int64_t in,
                           const at::TensorOptions& options);
// The group's buffer as one [sum of out, in] matrix while the packing holds and nothing needs the projections
// apart (no bias, no input transform); otherwise an undefined tensor, and the caller runs them one by one.
// Replacing a weight (rotation, quantization) simply ends the packing for that group.
at::Tensor fusedWeight(std::initializer_list<const Linear*> group);

}  // namespace jq
