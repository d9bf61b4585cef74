// The fused CUDA Walsh–Hadamard kernel behind HadamardMatrix::apply() on CUDA tensors.
//
// One thread block transforms one row of n = K·2^p elements with one read and one write of the row in global
// memory: the Sylvester butterflies on each of the K segments, then the K×K core and the 1/√n scale. The dense
// K×K product that the LibTorch path runs as a separate GEMM would cost two more passes over the data. Rows of
// n = K·m with m ≥ 512 (K = 1, 12, 20, 28, 40) take a kernel that does every butterfly in registers, moves data
// between threads through shared-memory exchanges only, and applies the core on the tensor cores (sm_80 and up);
// other rows take one that packs several rows per block.
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

// rows: contiguous CUDA tensor [rows, k·m] of float32, float16 or bfloat16. The core, float32 [k, k] row-major,
// once on the host (coreHost) and once on the rows' device (coreDevice), such that
// out[a·m + j] = scale · Σ_b core[a][b] · butterfly(x)[b·m + j] (both undefined when k = 1). Returns a new tensor of
// the input's dtype. The butterflies run in float32; the tensor-core core takes its float32 inputs as exact sums of
// three bfloat16 terms for float32 rows (two for 16-bit rows: 16 significant bits, far below their rounding) and
// accumulates in float32. The result is rounded to the output dtype once, like the LibTorch path.
at::Tensor fwhtCuda(const at::Tensor& rows, const at::Tensor& coreHost, const at::Tensor& coreDevice, int64_t k,
                    int64_t m, double scale);

}  // namespace jq
