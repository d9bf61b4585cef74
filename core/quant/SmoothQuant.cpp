#include "quant/SmoothQuant.h"

#include <cmath>

#include "common/Error.h"
#include "quant/TensorOps.h"

namespace jq {
namespace {

void checkScales(const at::Tensor& t, const at::Tensor& s, const char* what) {
  if (!t.defined() || !s.defined() || t.dim() < 1 || s.dim() != 1 || t.size(-1) != s.size(0))
    throw Error(ErrorKind::InvalidInput, std::string(what) + ": the last dimension must equal the number of smoothing scales (" +
                                             (s.defined() ? std::to_string(s.numel()) : std::string("none")) + ")");
}

}  // namespace

at::Tensor channelAbsMax(const at::Tensor& x) {
  if (!x.defined() || x.dim() < 1 || x.numel() == 0)
    throw Error(ErrorKind::InvalidInput, "channel abs-max needs a non-empty tensor");
  return std::get<0>(x.reshape({-1, x.size(-1)}).abs().max(0)).to(at::kFloat);
}

at::Tensor smoothQuantScales(const at::Tensor& actAbsMax, const std::vector<at::Tensor>& weights, const SmoothQuantConfig& c) {
  validate(c);
  if (weights.empty()) throw Error(ErrorKind::InvalidInput, "SmoothQuant needs at least one weight reading the activation");
  if (!actAbsMax.defined() || actAbsMax.dim() != 1)
    throw Error(ErrorKind::InvalidInput, "SmoothQuant needs a 1-D per-channel activation abs-max");
  const int64_t in = actAbsMax.size(0);
  std::vector<at::Tensor> columnMax;
  for (size_t i = 0; i < weights.size(); ++i) {
    const auto& w = weights[i];
    if (!w.defined() || w.dim() != 2 || w.size(1) != in)
      throw Error(ErrorKind::InvalidInput, "SmoothQuant weight " + std::to_string(i) + " must be [out, " +
                                               std::to_string(in) + "] to read the smoothed activation");
    columnMax.push_back(std::get<0>(w.abs().max(0)));
  }
  const auto& ref = weights.front();
  const auto weightScales = detail::clampMin(std::get<0>(at::stack(columnMax, 0).max(0)), 1e-5);
  const auto act = actAbsMax.to(ref.options());
  return detail::clampMin(act.pow(c.alpha) / weightScales.pow(1.0 - c.alpha), 1e-5);
}

at::Tensor smoothActivations(const at::Tensor& x, const at::Tensor& scales) {
  checkScales(x, scales, "SmoothQuant activations");
  return x / scales.to(x.options());
}

at::Tensor smoothWeight(const at::Tensor& w, const at::Tensor& scales) {
  checkScales(w, scales, "SmoothQuant weight");
  return w * scales.to(w.options()).unsqueeze(0);
}

}  // namespace jq
