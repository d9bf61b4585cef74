#include "model/Linear.h"

#include "common/EnvironmentSwitch.h"
#include "common/Error.h"

#include <utility>
#include <vector>

namespace jq {

const char* toString(LinearKind kind) {
  switch (kind) {
    case LinearKind::QProj: return "q_proj";
    case LinearKind::KProj: return "k_proj";
    case LinearKind::VProj: return "v_proj";
    case LinearKind::OProj: return "o_proj";
    case LinearKind::GateProj: return "gate_proj";
    case LinearKind::UpProj: return "up_proj";
    case LinearKind::DownProj: return "down_proj";
    case LinearKind::LmHead: return "lm_head";
  }
  return "?";
}

std::string checkpointName(int layer, LinearKind kind, bool bias) {
  const std::string suffix = bias ? ".bias" : ".weight";
  if (kind == LinearKind::LmHead) return "lm_head" + suffix;
  const bool attention = kind == LinearKind::QProj || kind == LinearKind::KProj || kind == LinearKind::VProj ||
                         kind == LinearKind::OProj;
  return "model.layers." + std::to_string(layer) + (attention ? ".self_attn." : ".mlp.") + toString(kind) + suffix;
}

void Linear::appendInputTransform(TensorTransform next) {
  if (!next) return;
  if (!inputTransform) {
    inputTransform = std::move(next);
    return;
  }
  inputTransform = [first = std::move(inputTransform), second = std::move(next)](const at::Tensor& x) {
    return second(first(x));
  };
}

at::Tensor Linear::forward(const at::Tensor& x) const {
  const at::Tensor in = inputTransform ? inputTransform(x) : x;
  return at::linear(in, weight, bias);
}

void allocatePackedLinears(const std::vector<std::pair<Linear*, int64_t>>& group, int64_t in,
                           const at::TensorOptions& options) {
  int64_t rows = 0;
  for (const auto& member : group) rows += member.second;
  const at::Tensor buffer = at::empty({rows, in}, options);
  int64_t offset = 0;
  for (const auto& [linear, count] : group) {
    linear->weight = buffer.narrow(0, offset, count);
    offset += count;
  }
}

void packLinears(std::initializer_list<Linear*> group, at::Device device, at::ScalarType dtype) {
  int64_t in = -1;
  std::vector<std::pair<Linear*, int64_t>> members;
  std::vector<at::Tensor> weights;
  for (Linear* l : group) {
    if (!l->weight.defined() || l->weight.dim() != 2) return;
    if (in < 0) in = l->weight.size(1);
    if (l->weight.size(1) != in) return;
    members.emplace_back(l, l->weight.size(0));
    weights.push_back(l->weight);
  }
  allocatePackedLinears(members, in, at::TensorOptions().device(device).dtype(dtype));
  for (size_t i = 0; i < members.size(); ++i) members[i].first->weight.copy_(weights[i]);
}

at::Tensor fusedWeight(std::initializer_list<const Linear*> group) {
  // Off unless JQ_FUSED_PROJECTIONS=1. Measured on an H200 (bf16, SDPA, bench/results/gpu_speed_session4_h200):
  // the wide GEMMs were fast, but the element-wise work on their column slices (rotary embedding of q/k, SiLU·up)
  // lost more than they gained: FP evaluation 4 % slower at the 1B and 8B shapes.
  static const bool on = environmentIs("JQ_FUSED_PROJECTIONS", "1");
  if (!on) return {};
  const at::Tensor& first = (*group.begin())->weight;
  if (!first.defined() || first.dim() != 2) return {};
  int64_t rows = 0;
  const char* next = static_cast<const char*>(first.data_ptr());
  for (const Linear* l : group) {
    const at::Tensor& w = l->weight;
    if (!w.defined() || l->bias.defined() || l->inputTransform || w.dim() != 2 || !w.is_contiguous() ||
        w.scalar_type() != first.scalar_type() || w.device() != first.device() || w.size(1) != first.size(1) ||
        !w.is_alias_of(first) || static_cast<const char*>(w.data_ptr()) != next)
      return {};
    rows += w.size(0);
    next += w.numel() * int64_t(w.element_size());
  }
  return first.as_strided({rows, first.size(1)}, {first.size(1), 1});
}

}  // namespace jq
