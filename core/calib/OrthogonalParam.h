// Unconstrained parameters Z that always yield an orthogonal R, so plain SGD/Adam can train rotations.
//
// QrOrth (DartQuant's "QR-Orth"): R = Q of the QR decomposition of Z, with the sign convention made
//   unique: columns of Q are flipped so that diag(R_qr) > 0 (then QR(Z) = Z for an orthogonal Z, so a
//   Hadamard start is exactly the Hadamard matrix). DartQuant takes LAPACK's Q as it comes (its signs
//   depend on the Householder convention); the flips change no loss here, which sees only |y|.
//   Gradients flow through LibTorch's QR backward (square Z, full rank).
// Cayley: R = R0·(I − A)(I + A)⁻¹ with A = (Z − Zᵀ)/2 and Z starting at 0, i.e. the Cayley map taken
//   around the starting rotation R0 (Hadamard or random), so Z = 0 is the start and R stays exactly
//   orthogonal for any Z (I + A is never singular for skew A). This is the Cayley *parameterisation*
//   trained by ordinary SGD/Adam; SpinQuant's Cayley SGD (a Stiefel-manifold optimizer with a fixed-point
//   Cayley retraction, train_utils/optimizer.py) is a different algorithm and is not implemented here.
//   It reaches every R0·Q with Q ∈ SO(n) that has no eigenvalue −1.
//
// Both accept a single [n, n] matrix or a batch [g, n, n] (R2: one matrix per KV-head group).
#pragma once

#include <ATen/ATen.h>

#include "calib/RotationTrainSettings.h"

namespace jq {

at::Tensor qrOrth(const at::Tensor& z);  // Q·diag(sign(diag R)), differentiable
at::Tensor cayley(const at::Tensor& z);  // (I − A)(I + A)⁻¹, A = (Z − Zᵀ)/2, differentiable

class OrthogonalParam {
 public:
  // `start`: the orthogonal matrix (or batch) to start from; its dtype and device are the parameter's.
  OrthogonalParam(Orthogonalization kind, const at::Tensor& start);

  at::Tensor& parameter() { return z_; }  // Z, requires grad: hand it to the optimizer
  at::Tensor matrix() const;              // R(Z), with the autograd graph back to Z
  at::Tensor current() const;             // R(Z) detached

 private:
  Orthogonalization kind_;
  at::Tensor base_;  // R0 (Cayley only)
  at::Tensor z_;
};

}  // namespace jq
