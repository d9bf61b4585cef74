// How much an activation loses to W4A4's activation quantizer: per-token (per-row) symmetric b-bit fake
// quantization, the QuaRot default for activations, and the squared error it leaves.
//
// Formula (DESIGN.md, "Quantizers"): per row, s = max|x|·clip/(2^(b-1)-1),
// q = clamp(round(x/s), -2^(b-1), 2^(b-1)-1), x̂ = q·s; round is half-to-even (torch.round, as QuaRot).
// A row of zeros gets s = 1 so it quantizes to itself instead of dividing by zero.
//
// Written here rather than taken from core/quant because that module did not exist yet when stats was
// written; it is the same formula and can be swapped for core/quant's activation quantizer.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace jq {

// Sums rather than means, so errors from batches of different sizes combine exactly.
struct QuantError {
  double sumSquaredError = 0.0;  // Σ (x - x̂)²
  double sumSquares = 0.0;       // Σ x²
  int64_t count = 0;             // number of elements

  void add(const QuantError& other);
  double mse() const;       // Σ(x - x̂)² / count; 0 when empty
  double relative() const;  // Σ(x - x̂)² / Σx²; 0 when Σx² is 0
};

// x̂ for every row of x (last dimension = one token's channels). Computed in x's own dtype, as the model
// would quantize its activations; any device.
at::Tensor fakeQuantPerTokenSymmetric(const at::Tensor& x, int bits = 4, double clipRatio = 1.0);

// The error of fakeQuantPerTokenSymmetric on x, accumulated in float64 on x's device; only three scalars
// reach the host. Throws jq::Error(InvalidInput) for a non-floating x or bits outside [2, 16].
QuantError perTokenQuantError(const at::Tensor& x, int bits = 4, double clipRatio = 1.0);

}  // namespace jq
