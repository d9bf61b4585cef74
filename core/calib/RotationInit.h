// Starting rotations for calibration.
//
// The Hadamard start is QuaRot's random_hadamard_matrix (the one DartQuant's `--init_mode hadamard` uses):
// diag(s)·H_nᵀ/√n with random signs s, H_n from core/rotation (rotation/HadamardMatrix.h: Sylvester for
// powers of two, H_K ⊗ Sylvester for sizes such as 3072 = 12·256). The signs come from the calibration's
// own SeededRng, so they are not the ones rotation/RandomRotation.h would draw for the same seed.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

#include "calib/RotationTrainSettings.h"
#include "calib/SeededRng.h"
#include "rotation/HadamardMatrix.h"

namespace jq {

// Throws jq::Error(Unsupported) for an n that has no Hadamard matrix here (an odd n > 1, for instance).
at::Tensor randomSignHadamard(int64_t n, SeededRng& rng, const at::TensorOptions& options = at::kFloat);
at::Tensor randomOrthogonal(int64_t n, SeededRng& rng, const at::TensorOptions& options = at::kFloat);
at::Tensor initialRotation(RotationInit init, int64_t n, SeededRng& rng,
                           const at::TensorOptions& options = at::kFloat);

}  // namespace jq
