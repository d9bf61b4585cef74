// CUDA kernel of RmsNormCuda.h. Compiled by nvcc into jq_core_cuda (no precompiled header, no unity build).
//
// One block per row; each thread holds VPT 16-byte vectors of the row in registers, so the row is read once: the
// sum of squares (warp shuffles, then one shared-memory step across warps), then the normalised, weighted row.
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <cstdint>

#include "model/RmsNormCuda.h"

namespace jq {
namespace {

constexpr int kMaxThreads = 1024;

template <typename T, int VPT>
__global__ void rmsNormRows(const T* __restrict__ x, const T* __restrict__ w, T* __restrict__ y, int hidden,
                            float invHidden, float eps) {
  constexpr int V = 16 / int(sizeof(T));
  const int64_t row = blockIdx.x;
  const T* xr = x + row * hidden;
  T* yr = y + row * hidden;
  float v[VPT * V];
  float squares = 0.f;
#pragma unroll
  for (int p = 0; p < VPT; ++p) {
    const uint4 raw = *reinterpret_cast<const uint4*>(xr + (p * int(blockDim.x) + int(threadIdx.x)) * V);
    const T* t = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int i = 0; i < V; ++i) {
      v[p * V + i] = static_cast<float>(t[i]);
      squares = fmaf(v[p * V + i], v[p * V + i], squares);
    }
  }
  __shared__ float perWarp[kMaxThreads / 32];
  const int lane = int(threadIdx.x) & 31, warp = int(threadIdx.x) >> 5;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) squares += __shfl_xor_sync(0xffffffffu, squares, o);
  if (lane == 0) perWarp[warp] = squares;
  __syncthreads();
  if (warp == 0) {
    float s = lane < int(blockDim.x >> 5) ? perWarp[lane] : 0.f;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
    if (lane == 0) perWarp[0] = s;
  }
  __syncthreads();
  // LibTorch's mean multiplies the float32 sum by 1/N; rsqrt as torch.rsqrt on CUDA.
  const float scale = rsqrtf(perWarp[0] * invHidden + eps);
#pragma unroll
  for (int p = 0; p < VPT; ++p) {
    const int col = (p * int(blockDim.x) + int(threadIdx.x)) * V;
    const uint4 wraw = *reinterpret_cast<const uint4*>(w + col);
    const T* wt = reinterpret_cast<const T*>(&wraw);
    uint4 out;
    T* o = reinterpret_cast<T*>(&out);
#pragma unroll
    for (int i = 0; i < V; ++i) {
      const T normed = static_cast<T>(v[p * V + i] * scale);  // transformers casts before the weight product
      o[i] = static_cast<T>(static_cast<float>(wt[i]) * static_cast<float>(normed));
    }
    *reinterpret_cast<uint4*>(yr + col) = out;
  }
}

// Vectors per thread: the fewest that keep a row within kMaxThreads threads, with whole warps.
int vectorsPerThread(int64_t hidden, int64_t elementBytes) {
  const int64_t vectors = hidden * elementBytes / 16;
  if (hidden * elementBytes % 16 != 0) return 0;
  for (int vpt : {1, 2, 4, 8}) {
    if (vectors % vpt != 0) continue;
    const int64_t threads = vectors / vpt;
    if (threads <= kMaxThreads && threads % 32 == 0) return vpt;
  }
  return 0;
}

template <typename T, int VPT>
void launch(const at::Tensor& x, const at::Tensor& w, at::Tensor& y, int64_t rows, int64_t hidden, double eps) {
  constexpr int V = 16 / int(sizeof(T));
  const int threads = int(hidden / V / VPT);
  rmsNormRows<T, VPT><<<unsigned(rows), unsigned(threads), 0, at::cuda::getCurrentCUDAStream()>>>(
      static_cast<const T*>(x.data_ptr()), static_cast<const T*>(w.data_ptr()), static_cast<T*>(y.data_ptr()),
      int(hidden), 1.f / float(hidden), float(eps));
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

template <typename T>
void launchFor(const at::Tensor& x, const at::Tensor& w, at::Tensor& y, int64_t rows, int64_t hidden, double eps) {
  switch (vectorsPerThread(hidden, sizeof(T))) {
    case 1: return launch<T, 1>(x, w, y, rows, hidden, eps);
    case 2: return launch<T, 2>(x, w, y, rows, hidden, eps);
    case 4: return launch<T, 4>(x, w, y, rows, hidden, eps);
    case 8: return launch<T, 8>(x, w, y, rows, hidden, eps);
    default: TORCH_CHECK(false, "rmsNormCuda: no row layout for hidden size ", hidden);
  }
}

bool aligned(const at::Tensor& t) { return reinterpret_cast<uintptr_t>(t.data_ptr()) % 16 == 0; }

}  // namespace

bool rmsNormCudaSupports(const at::Tensor& x, const at::Tensor& weight) {
  if (!x.defined() || !weight.defined() || !x.is_cuda() || x.dim() < 1 || !x.is_contiguous() ||
      !weight.is_contiguous() || weight.dim() != 1 || weight.device() != x.device() ||
      weight.scalar_type() != x.scalar_type() || weight.size(0) != x.size(-1) || x.numel() == 0)
    return false;
  const auto st = x.scalar_type();
  if (st != at::kFloat && st != at::kHalf && st != at::kBFloat16) return false;
  return vectorsPerThread(x.size(-1), x.element_size()) > 0 && aligned(x) && aligned(weight);
}

at::Tensor rmsNormCuda(const at::Tensor& x, const at::Tensor& weight, double eps) {
  TORCH_CHECK(rmsNormCudaSupports(x, weight), "rmsNormCuda: unsupported tensors");
  const c10::cuda::CUDAGuard guard(x.device());
  at::Tensor y = at::empty_like(x);
  const int64_t hidden = x.size(-1), rows = x.numel() / hidden;
  switch (x.scalar_type()) {
    case at::kFloat: launchFor<float>(x, weight, y, rows, hidden, eps); break;
    case at::kHalf: launchFor<c10::Half>(x, weight, y, rows, hidden, eps); break;
    case at::kBFloat16: launchFor<c10::BFloat16>(x, weight, y, rows, hidden, eps); break;
    default: TORCH_CHECK(false, "rmsNormCuda: unsupported dtype ", x.scalar_type());
  }
  return y;
}

}  // namespace jq
