// Orthonormal Hadamard matrices of order n = K·2^m and the fast transform that applies them.
//
// Convention (the one QuaRot's matmul_hadU / matmul_hadU_cuda use, so rotations made here are the ones
// QuaRot would make):
//
//     H_n = H_K ⊗ S_{2^m}            S = Sylvester matrix in natural order, S[i][j] = (-1)^popcount(i & j)
//     apply(x)           = x · H_nᵀ / √n   along the last dimension   (QuaRot: matmul_hadU(x))
//     applyTransposed(x) = x · H_n  / √n   the inverse of apply()     (QuaRot: matmul_hadUt(x))
//     dense()            = H_n / √n, so  apply(x) == x.matmul(dense().t())
//
// Indexing: element k·2^m + j of the last dimension is (core index k, Sylvester index j), i.e. x viewed as
// [..., K, 2^m]. S is symmetric; H_K in general is not, which is why the two directions differ.
//
// To keep y = x·Wᵀ unchanged when an online apply() is inserted in front of a linear layer, replace the
// weight by apply(W) (W is [out, in]): apply(x)·apply(W)ᵀ = x·(Hᵀ/√n)(H/√n)·Wᵀ = x·Wᵀ.
//
// Which K: first the orders QuaRot tabulates, tried in QuaRot's order (172, 156, 140, 108, 60, 52, 36, 28,
// 40, 20, 12) so the same n gets the same matrix as in QuaRot; those matrices are N. J. A. Sloane's
// published ones. Otherwise the smallest K with n's odd part that a Paley construction (I: q = K-1 prime,
// q ≡ 3 mod 4; II: q = K/2-1 prime, q ≡ 1 mod 4) or a Kronecker product of constructible cores provides.
// Llama sizes: 768 = 12·64, 1152 = 36·32, 11008 = 172·64, 14336 = 28·512, and every power of two.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace jq {

// True when HadamardMatrix(n) can be built (n ≥ 1). Never throws.
bool supportedHadamardSize(int64_t n);

class HadamardMatrix {
 public:
  // Throws jq::Error(Unsupported) naming n and its odd part when no construction is known.
  explicit HadamardMatrix(int64_t n);

  int64_t size() const { return n_; }
  int64_t coreSize() const { return k_; }            // K (1 for a power of two)
  int64_t powerOfTwoSize() const { return n_ / k_; }  // 2^m
  // Where H_K comes from, e.g. "Sloane had.172.will", "Paley I (q=83)", "Sylvester".
  const std::string& construction() const { return construction_; }

  // H_K with ±1 entries (a [1,1] tensor holding 1 when K = 1). Default float32 on the CPU.
  at::Tensor core(const at::TensorOptions& options = at::kFloat) const;
  // H_n/√n, n×n. Memory n²: meant for small n, tests and building R1/R2, not for online use.
  at::Tensor dense(const at::TensorOptions& options = at::kFloat) const;

  // x·H_nᵀ/√n along the last dimension in O(n log n) (butterflies on 2^m, a dense K×K product).
  // Any leading shape and device; CUDA tensors go through the fused kernel of rotation/FwhtCuda.h when the build
  // has it and the size fits, else through LibTorch operations (same result up to float32 rounding order). float32/float64 are computed in their own dtype; float16/bfloat16 are
  // computed in float32 and rounded once at the end (QuaRot's fp32_had behaviour).
  at::Tensor apply(const at::Tensor& x) const;
  at::Tensor applyTransposed(const at::Tensor& x) const;

 private:
  at::Tensor transform(const at::Tensor& x, bool transposed) const;

  int64_t n_ = 1;
  int64_t k_ = 1;
  std::string construction_;
  std::vector<int8_t> core_;  // K×K row-major ±1
  struct DeviceCores;          // H_K and H_Kᵀ as float32 per CUDA device, made once (copies share it)
  std::shared_ptr<DeviceCores> deviceCores_;
};

// Shorthands: hadamardMatrix(n) == HadamardMatrix(n).dense(); fastHadamardTransform(x) applies the
// matrix of size x.size(-1) (transposed: its inverse).
at::Tensor hadamardMatrix(int64_t n, const at::TensorOptions& options = at::kFloat);
at::Tensor fastHadamardTransform(const at::Tensor& x, bool transposed = false);

}  // namespace jq
