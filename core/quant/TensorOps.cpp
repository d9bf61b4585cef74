#include "quant/TensorOps.h"

namespace jq::detail {
namespace {

bool needsFallback(const at::Tensor& x) { return x.scalar_type() == at::kHalf && x.device().is_cpu(); }

at::Tensor scalarLike(const at::Tensor& x, double v) { return at::scalar_tensor(v, x.options()); }

}  // namespace

at::Tensor roundHalfEven(const at::Tensor& x) {
  return needsFallback(x) ? at::round(x.to(at::kFloat)).to(x.scalar_type()) : at::round(x);
}

at::Tensor clampMin(const at::Tensor& x, double lo) {
  return needsFallback(x) ? at::maximum(x, scalarLike(x, lo)) : x.clamp_min(lo);
}

at::Tensor clampMax(const at::Tensor& x, double hi) {
  return needsFallback(x) ? at::minimum(x, scalarLike(x, hi)) : x.clamp_max(hi);
}

at::Tensor clampRange(const at::Tensor& x, double lo, double hi) {
  return needsFallback(x) ? at::minimum(at::maximum(x, scalarLike(x, lo)), scalarLike(x, hi)) : at::clamp(x, lo, hi);
}

}  // namespace jq::detail
