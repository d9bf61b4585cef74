#include "model/DecoderLayer.h"
#include "model/LlamaOps.h"

#include "common/Error.h"

namespace jq {

Linear& DecoderLayer::linear(LinearKind kind) {
  return const_cast<Linear&>(static_cast<const DecoderLayer*>(this)->linear(kind));
}

const Linear& DecoderLayer::linear(LinearKind kind) const {
  switch (kind) {
    case LinearKind::QProj: return qProj;
    case LinearKind::KProj: return kProj;
    case LinearKind::VProj: return vProj;
    case LinearKind::OProj: return oProj;
    case LinearKind::GateProj: return gateProj;
    case LinearKind::UpProj: return upProj;
    case LinearKind::DownProj: return downProj;
    case LinearKind::LmHead: break;
  }
  throw Error(ErrorKind::Internal, std::string("a decoder layer has no projection '") + toString(kind) + "'");
}

namespace {
at::Tensor moved(const at::Tensor& t, at::Device device, at::ScalarType dtype) {
  return t.defined() ? t.to(device, dtype) : t;
}
}  // namespace

DecoderLayer DecoderLayer::to(at::Device device, at::ScalarType dtype) const {
  DecoderLayer out = *this;
  // Layer-by-layer execution brings each group that runs as one GEMM over into one buffer (see packLinears).
  auto moves = [&](const Linear& l) {
    return l.weight.defined() && (l.weight.device() != device || l.weight.scalar_type() != dtype);
  };
  if (moves(qProj) && moves(kProj) && moves(vProj)) packLinears({&out.qProj, &out.kProj, &out.vProj}, device, dtype);
  if (moves(gateProj) && moves(upProj)) packLinears({&out.gateProj, &out.upProj}, device, dtype);
  for (LinearKind kind : kLayerLinearKinds) {
    Linear& l = out.linear(kind);
    l.weight = moved(l.weight, device, dtype);
    l.bias = moved(l.bias, device, dtype);
  }
  out.inputNorm = moved(inputNorm, device, dtype);
  out.postAttentionNorm = moved(postAttentionNorm, device, dtype);
  return out;
}

int64_t DecoderLayer::parameterBytes() const {
  int64_t total = tensorBytes(inputNorm) + tensorBytes(postAttentionNorm);
  for (LinearKind kind : kLayerLinearKinds) total += tensorBytes(linear(kind).weight) + tensorBytes(linear(kind).bias);
  return total;
}

}  // namespace jq
