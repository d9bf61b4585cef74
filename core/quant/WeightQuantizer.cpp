#include "quant/WeightQuantizer.h"

#include <limits>
#include <vector>

#include "common/Error.h"
#include "quant/TensorOps.h"

namespace jq {
namespace {

void checkWeight(const at::Tensor& w, const char* what) {
  if (!w.defined() || w.dim() != 2 || w.size(0) == 0 || w.size(1) == 0)
    throw Error(ErrorKind::InvalidInput, std::string(what) + " needs a non-empty 2-D weight [out, in]" +
                                             (w.defined() ? ", got " + std::to_string(w.dim()) + "-D" : ""));
  if (!at::isFloatingType(w.scalar_type()))
    throw Error(ErrorKind::InvalidInput, std::string(what) + " needs a floating-point weight, got " + c10::toString(w.scalar_type()));
}

at::Tensor groupIndexFor(int64_t columns, int64_t groupSize, const at::Device& device) {
  std::vector<int64_t> idx(columns);
  for (int64_t c = 0; c < columns; ++c) idx[c] = groupSize > 0 ? c / groupSize : 0;
  return at::tensor(idx, at::kLong).to(device);
}

}  // namespace

QuantParams findWeightQuantParams(const at::Tensor& w, const WeightQuantConfig& c) {
  checkWeight(w, "weight quantization");
  const double maxq = double(quantMax(c.bits, c.asymmetric));
  const auto zeros = at::zeros({w.size(0)}, w.options());
  auto xmin = at::minimum(w.amin(1), zeros);
  auto xmax = at::maximum(w.amax(1), zeros);

  QuantParams p;
  p.bits = c.bits;
  p.asymmetric = c.asymmetric;
  if (!c.asymmetric) {
    xmax = detail::clampMin(at::maximum(xmin.abs(), xmax), 1e-5);
    p.scale = xmax / maxq;
    p.zero = at::zeros_like(p.scale);
  } else {
    const auto bothZero = (xmin == 0).logical_and(xmax == 0);
    xmin = xmin.masked_fill(bothZero, -1.0);
    xmax = xmax.masked_fill(bothZero, 1.0);
    p.scale = detail::clampMin(xmax - xmin, 1e-5) / maxq;
    p.zero = detail::roundHalfEven(-xmin / p.scale);
  }

  if (c.mseClip) {
    auto best = at::full({w.size(0)}, std::numeric_limits<double>::infinity(), w.options());
    const int steps = static_cast<int>(c.mseMaxShrink * c.mseGrid);
    for (int i = 0; i < steps; ++i) {
      const double shrink = 1.0 - double(i) / double(c.mseGrid);
      QuantParams trial;
      trial.bits = c.bits;
      trial.asymmetric = c.asymmetric;
      if (!c.asymmetric) {
        trial.scale = xmax * shrink / maxq;
        trial.zero = at::zeros_like(trial.scale);
      } else {
        const auto lo = xmin * shrink;
        const auto hi = xmax * shrink;
        trial.scale = (hi - lo) / maxq;
        trial.zero = detail::roundHalfEven(-lo / trial.scale);
      }
      QuantParams rowwise{trial.scale.unsqueeze(1), trial.zero.unsqueeze(1), c.bits, c.asymmetric};
      const auto err = (fakeQuantize(w, rowwise) - w).abs_().pow_(c.mseNorm).sum(1);
      const auto better = err < best;
      best = at::where(better, err, best);
      p.scale = at::where(better, trial.scale, p.scale);
      p.zero = at::where(better, trial.zero, p.zero);
    }
  }
  p.scale = p.scale.unsqueeze(1);
  p.zero = p.zero.unsqueeze(1);
  return p;
}

QuantizedWeight quantizeWeightRtn(const at::Tensor& w, const WeightQuantConfig& c) {
  validate(c);
  checkWeight(w, "RTN weight quantization");
  QuantizedWeight out;
  if (c.bits >= 16) {
    out.weight = w;
    return out;
  }
  const int64_t columns = w.size(1);
  const int64_t groupSize = c.groupSize > 0 ? std::min(c.groupSize, columns) : columns;
  out.weight = at::empty_like(w);
  std::vector<at::Tensor> scales, zeros;
  for (int64_t g0 = 0; g0 < columns; g0 += groupSize) {
    const int64_t width = std::min(groupSize, columns - g0);
    const auto slice = w.narrow(1, g0, width);
    const auto p = findWeightQuantParams(slice, c);
    out.weight.narrow(1, g0, width).copy_(fakeQuantize(slice, p));
    scales.push_back(p.scale);
    zeros.push_back(p.zero);
  }
  out.scale = at::cat(scales, 1);
  out.zero = at::cat(zeros, 1);
  out.groupIndex = groupIndexFor(columns, groupSize, w.device());
  return out;
}

}  // namespace jq
