// The fused CUDA Walsh–Hadamard kernel behind HadamardMatrix::apply() on CUDA tensors.
//
// One thread block transforms one row of n = K·2^m elements held in shared memory: the Sylvester butterflies
// on each of the K segments (the first three stages in registers, the rest in shared memory), then the K×K
// core and the 1/√n scale, with one read and one write of the row in global memory. The dense K×K product
// that the LibTorch path runs as a separate GEMM would cost two more passes over the data.
//
// Built only when the CUDA toolkit is found (JQ_CUDA_KERNELS); otherwise fwhtCudaAvailable() is false and
// HadamardMatrix uses its LibTorch path, which computes the same transform.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace jq {

// True when the kernel was compiled in (it still needs a CUDA tensor and a supported size at run time).
bool fwhtCudaAvailable();

// True when the kernel handles rows of n = k·m elements (m a power of two ≥ 8; the row fits in shared memory).
bool fwhtCudaSupports(int64_t k, int64_t m);

// rows: contiguous CUDA tensor [rows, k·m] of float32, float16 or bfloat16. coreRowMajor: float32 CUDA tensor
// [k, k] such that out[a·m + j] = scale · Σ_b core[a][b] · butterfly(x)[b·m + j]. Returns a new tensor of the
// input's dtype; the arithmetic is float32 throughout (rounded once, like the LibTorch path).
at::Tensor fwhtCuda(const at::Tensor& rows, const at::Tensor& coreRowMajor, int64_t k, int64_t m, double scale);

}  // namespace jq
