// Seeded random rotations: QuaRot's two R1 modes ("hadamard" and "random") and the sign vectors behind them.
//
// Every draw happens on the CPU in float64 from an explicit generator, then moves to the requested device
// and dtype: the same seed gives bit-identical matrices on every machine and device, and the draws equal
// PyTorch's CPU ones (torch.Generator().manual_seed(seed)) for the same calls:
//   randomSigns         torch.randint(0, 2, (n,), generator=g).double() * 2 - 1
//   randomOrthogonal    torch.randn(n, n, dtype=torch.float64, generator=g), then QR
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace jq {

// A CPU generator seeded like torch.Generator().manual_seed(seed).
at::Generator makeCpuGenerator(uint64_t seed);

// n values of ±1 (float64, CPU).
at::Tensor randomSigns(int64_t n, at::Generator& generator);

// QuaRot's random_hadamard_matrix: R = diag(s)·H_nᵀ/√n with s = randomSigns(n), H_n as in
// HadamardMatrix.h. Orthogonal; x·R = HadamardMatrix(n).apply(x * s), which is how it is applied online.
// Throws jq::Error(Unsupported) when no Hadamard matrix of order n exists here.
at::Tensor randomHadamardMatrix(int64_t n, at::Generator& generator, const at::TensorOptions& options = at::kFloat);
at::Tensor randomHadamardMatrix(int64_t n, uint64_t seed, const at::TensorOptions& options = at::kFloat);

// Haar-distributed orthogonal matrix (QuaRot's random_orthogonal_matrix): Q of the QR decomposition of a
// standard Gaussian n×n matrix, with column j multiplied by sign(R_jj) so the factorisation is the unique one
// with a positive diagonal; without that fix LAPACK's Q is biased (its Q_00 is never positive).
at::Tensor randomOrthogonalMatrix(int64_t n, at::Generator& generator, const at::TensorOptions& options = at::kFloat);
at::Tensor randomOrthogonalMatrix(int64_t n, uint64_t seed, const at::TensorOptions& options = at::kFloat);

}  // namespace jq
