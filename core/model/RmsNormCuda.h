// The fused CUDA kernel behind rmsNorm() (model/LlamaOps.h) on CUDA tensors.
//
// transformers' LlamaRMSNorm is six element-wise passes in float32 (cast up, square, mean, scale, cast down,
// multiply by the weight): at the Llama-3-8B shape the two norms of a layer moved about 1.3 GB per 4096 tokens, some
// 9 % of the FP evaluation time. The kernel reads each row once and writes it once, in the same rounding order:
// y = w * cast(x * rsqrt(mean(x²) + eps)), the mean and the normalisation in float32, the cast to the model dtype
// before the product with the weight (which rounds once more, in that dtype). Only the order of the float32 sum of
// squares differs from LibTorch's reduction, i.e. the last bit of the variance.
//
// Built only when the CUDA toolkit is found (JQ_CUDA_KERNELS); otherwise rmsNormCudaSupports() is false and
// rmsNorm() takes its LibTorch path, which computes the same thing.
#pragma once

#include <ATen/ATen.h>

namespace jq {

// True when the kernel is compiled in and takes these tensors: x contiguous CUDA [..., hidden] of float32,
// float16 or bfloat16, 16-byte aligned, weight [hidden] of the same dtype on the same device, and a hidden size the
// kernel's row layout covers (a multiple of 8 elements, at most 8192·2 per row).
bool rmsNormCudaSupports(const at::Tensor& x, const at::Tensor& weight);

at::Tensor rmsNormCuda(const at::Tensor& x, const at::Tensor& weight, double eps);

}  // namespace jq
