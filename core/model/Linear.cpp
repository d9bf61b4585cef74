#include "model/Linear.h"

#include "common/Error.h"

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

}  // namespace jq
