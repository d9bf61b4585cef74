// Elementwise helpers that behave the same on every device and LibTorch version. LibTorch 1.13 has no CPU
// float16 kernels for round and clamp; these fall back to exact equivalents (maximum/minimum, or rounding in
// float32, which is exact for values that are already float16), so quantizers can compute in the tensor's own
// dtype everywhere, as QuaRot does on the GPU. Internal to the quant module.
#pragma once

#include <ATen/ATen.h>

namespace jq::detail {

at::Tensor roundHalfEven(const at::Tensor& x);                      // torch.round
at::Tensor clampMin(const at::Tensor& x, double lo);                // x.clamp(min=lo)
at::Tensor clampMax(const at::Tensor& x, double hi);                // x.clamp(max=hi)
at::Tensor clampRange(const at::Tensor& x, double lo, double hi);   // x.clamp(lo, hi)

}  // namespace jq::detail
