#include "quant/ActQuantizer.h"

#include "common/Error.h"
#include "quant/ActQuantCuda.h"
#include "quant/TensorOps.h"
#include "common/CudaKernelSwitch.h"

namespace jq {
namespace {

// x viewed as [..., groups, groupSize].
at::Tensor grouped(const at::Tensor& x, int64_t groupSize) {
  const int64_t n = x.size(-1);
  auto shape = x.sizes().vec();
  shape.back() = n / groupSize;
  shape.push_back(groupSize);
  return x.reshape(shape);
}

int64_t checkedGroupSize(const at::Tensor& x, const ActQuantConfig& c) {
  validate(c);
  if (!x.defined() || x.dim() < 1 || x.size(-1) == 0)
    throw Error(ErrorKind::InvalidInput, "activation quantization needs a tensor with a non-empty last dimension");
  if (!at::isFloatingType(x.scalar_type()))
    throw Error(ErrorKind::InvalidInput,
                std::string("activation quantization needs a floating-point tensor, got ") + c10::toString(x.scalar_type()));
  const int64_t n = x.size(-1);
  const int64_t g = c.groupSize > 0 ? c.groupSize : n;
  if (n % g != 0)
    throw Error(ErrorKind::InvalidInput, "activation group size " + std::to_string(g) +
                                             " does not divide the last dimension " + std::to_string(n));
  return g;
}

// Parameters for xg = [..., groups, groupSize], shaped [..., groups, 1].
QuantParams actParams(const at::Tensor& xg, const ActQuantConfig& c) {
  const double maxq = double(quantMax(c.bits, c.asymmetric));
  auto xmin = xg.amin(-1, true);
  auto xmax = xg.amax(-1, true);
  if (c.rangeIncludesZero) {
    xmin = detail::clampMax(xmin, 0);
    xmax = detail::clampMin(xmax, 0);
  } else {
    const auto constant = xmin == xmax;
    xmin = at::where(constant, detail::clampMax(xmin, 0), xmin);
    xmax = at::where(constant, detail::clampMin(xmax, 0), xmax);
  }
  xmin = xmin * c.clipRatio;
  xmax = xmax * c.clipRatio;

  QuantParams p;
  p.bits = c.bits;
  p.asymmetric = c.asymmetric;
  if (!c.asymmetric) {
    xmax = at::maximum(xmin.abs(), xmax);
    p.scale = (xmax / maxq).masked_fill(xmax == 0, 1.0);
    p.zero = at::zeros_like(p.scale);
  } else {
    const auto bothZero = (xmin == 0).logical_and(xmax == 0);
    xmin = xmin.masked_fill(bothZero, -1.0);
    xmax = xmax.masked_fill(bothZero, 1.0);
    p.scale = (xmax - xmin) / maxq;
    p.zero = detail::roundHalfEven(-xmin / p.scale);
  }
  return p;
}

}  // namespace

QuantizedActivation quantizeActivations(const at::Tensor& x, const ActQuantConfig& c) {
  const int64_t g = checkedGroupSize(x, c);
  if (c.bits >= 16) throw Error(ErrorKind::InvalidInput, "activation quantization to integers needs bits < 16");
  const auto xg = grouped(x, g);
  const auto p = actParams(xg, c);
  QuantizedActivation out;
  out.values = quantizeToInt(xg, p).reshape(x.sizes());
  out.scale = p.scale.squeeze(-1);
  out.zero = p.zero.squeeze(-1);
  return out;
}

at::Tensor fakeQuantizeActivations(const at::Tensor& x, const ActQuantConfig& c) {
  const int64_t g = checkedGroupSize(x, c);
  if (c.bits >= 16) return x;
  // Symmetric ranges are the same with or without widening to contain 0 (max(|min|, max) = max |x| either way).
  if (!c.asymmetric && x.is_cuda() && actQuantCudaAvailable() && cudaKernelsEnabled() &&
      (x.scalar_type() == at::kFloat || x.scalar_type() == at::kHalf || x.scalar_type() == at::kBFloat16))
    return fakeQuantizeSymmetricCuda(x.contiguous(), g, quantMax(c.bits, false), c.clipRatio);
  return fakeQuantizeActivationsLibTorch(x, c);
}

at::Tensor fakeQuantizeActivationsLibTorch(const at::Tensor& x, const ActQuantConfig& c) {
  const int64_t g = checkedGroupSize(x, c);
  if (c.bits >= 16) return x;
  const auto xg = grouped(x, g);
  return fakeQuantize(xg, actParams(xg, c)).reshape(x.sizes());
}

at::Tensor fakeQuantizeKvCache(const at::Tensor& x, int64_t headDim, const KvQuantConfig& c) {
  validate(c);
  if (headDim < 1) throw Error(ErrorKind::InvalidInput, "KV-cache quantization needs a positive head_dim, got " + std::to_string(headDim));
  if (x.defined() && x.dim() >= 1 && x.size(-1) % headDim != 0)
    throw Error(ErrorKind::InvalidInput, "KV-cache last dimension " + std::to_string(x.size(-1)) +
                                             " is not a multiple of head_dim " + std::to_string(headDim));
  ActQuantConfig a;
  a.bits = c.bits;
  a.asymmetric = c.asymmetric;
  a.clipRatio = c.clipRatio;
  a.groupSize = headDim;
  a.rangeIncludesZero = c.rangeIncludesZero;
  return fakeQuantizeActivations(x, a);
}

}  // namespace jq
