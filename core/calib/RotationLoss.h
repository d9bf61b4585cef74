// Losses that score how well a rotation y = x·R prepares activations for a uniform 4-bit grid. Both are
// functions of the rotated rows y only, built from LibTorch ops, so autograd differentiates them (and,
// through calib/OrthogonalParam.h, the rotation's parameter).
//
// Whip loss (DartQuant, calibrater/r1_base_qr.py):
//   L(y) = mean over rows of Σ_j exp(−|y_j|)
//   Rotations preserve each row's norm, and under that constraint Σ_j exp(−|y_j|) is smallest when all
//   |y_j| are equal, so minimising it pushes values away from 0 and flattens outlier channels.
//
// Sliced-Wasserstein distance to a uniform distribution (SwdUniform), as the DartQuant follow-up work
// defines it (swd_unif: sorted values against the quantiles of U[−b, b], b = √3·RMS):
//   For one sample Y [N, C] (N rows, C channels): b = √3·RMS(Y) over all N·C values, so U[−b, b] has the
//   sample's second moment; then for every channel j the exact squared 2-Wasserstein distance between the
//   empirical distribution of Y[:, j] and U[−b, b],
//       W2²_j = (1/N) Σ_i (y_(i)j − t_i)² + b²/(3N²),   t_i = b·(2i − 1 − N)/N  (i = 1…N),
//   where y_(1)j ≤ … ≤ y_(N)j are the sorted values, t_i the midpoint quantiles and b²/(3N²) the exact
//   within-quantile remainder (it has no gradient); the loss is the mean of W2²_j over the channels.
//   The slices are the C coordinate axes of the rotated space — the directions the per-channel grid
//   quantizes — not random directions: a random-direction SWD of x·R would not depend on R. b depends on
//   Y only through ‖Y‖_F, which an orthogonal R leaves unchanged, so b does not steer the rotation.
//   A batch [B, N, C] is B samples (one item each, e.g. one sequence of one layer); the loss is their mean.
#pragma once

#include <ATen/ATen.h>

#include "calib/RotationTrainSettings.h"

namespace jq {

at::Tensor whipLoss(const at::Tensor& y);        // y [..., C] → scalar
at::Tensor swdUniformLoss(const at::Tensor& y);  // y [N, C] or [B, N, C] → scalar
at::Tensor rotationLoss(RotationLoss kind, const at::Tensor& y);

}  // namespace jq
