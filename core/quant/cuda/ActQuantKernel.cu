// CUDA kernel of ActQuantCuda.h. One warp per group (a token's row, or a KV head): a vectorised pass for max |x|
// reduced with shuffles, then a second pass (served from L1/L2: a row is at most tens of KiB) that writes the
// quantized-dequantized values. No shared memory, no block-wide synchronisation.
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <cstdint>

#include "quant/ActQuantCuda.h"

namespace jq {
namespace {

constexpr int kWarpsPerBlock = 8;

// Rounds a float to T's precision and back (the value LibTorch would store in a T tensor).
template <typename T>
__device__ __forceinline__ float roundTo(float v) {
  return static_cast<float>(static_cast<T>(v));
}

template <typename T, bool Vectorised>
__global__ void fakeQuantGroups(const T* __restrict__ x, T* __restrict__ y, int64_t groups, int g, float clip,
                                float invMaxq, float lo, float hi) {
  constexpr int V = 16 / int(sizeof(T));
  const int lane = threadIdx.x & 31;
  const int64_t group = int64_t(blockIdx.x) * kWarpsPerBlock + (threadIdx.x >> 5);
  if (group >= groups) return;
  const T* xg = x + group * int64_t(g);
  T* yg = y + group * int64_t(g);

  float amax = 0.f;
  if (Vectorised) {
    for (int i = lane * V; i < g; i += 32 * V) {
      const uint4 raw = *reinterpret_cast<const uint4*>(xg + i);
      const T* t = reinterpret_cast<const T*>(&raw);
#pragma unroll
      for (int j = 0; j < V; ++j) amax = fmaxf(amax, fabsf(static_cast<float>(t[j])));
    }
  } else {
    for (int i = lane; i < g; i += 32) amax = fmaxf(amax, fabsf(static_cast<float>(xg[i])));
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, o));

  // LibTorch: range = bf(max · clip); scale = bf(range · bf-less (1/maxq)); scale = 1 where range == 0.
  const float range = roundTo<T>(amax * clip);
  float scale = roundTo<T>(range * invMaxq);
  if (range == 0.f) scale = 1.f;
  auto quant = [&](T v) {
    const float q = fminf(fmaxf(nearbyintf(roundTo<T>(static_cast<float>(v) / scale)), lo), hi);
    return static_cast<T>(scale * q);
  };
  if (Vectorised) {
    for (int i = lane * V; i < g; i += 32 * V) {
      uint4 raw = *reinterpret_cast<const uint4*>(xg + i);
      T* t = reinterpret_cast<T*>(&raw);
#pragma unroll
      for (int j = 0; j < V; ++j) t[j] = quant(t[j]);
      *reinterpret_cast<uint4*>(yg + i) = raw;
    }
  } else {
    for (int i = lane; i < g; i += 32) yg[i] = quant(xg[i]);
  }
}

template <typename T>
void launch(const at::Tensor& x, at::Tensor& y, int64_t g, float clip, float invMaxq, float lo, float hi) {
  const int64_t groups = x.numel() / g;
  const dim3 grid(unsigned((groups + kWarpsPerBlock - 1) / kWarpsPerBlock));
  const dim3 block(32 * kWarpsPerBlock);
  constexpr int V = 16 / int(sizeof(T));
  const bool vec = g % V == 0 && reinterpret_cast<uintptr_t>(x.data_ptr()) % 16 == 0 &&
                   reinterpret_cast<uintptr_t>(y.data_ptr()) % 16 == 0;
  auto stream = at::cuda::getCurrentCUDAStream();
  const T* xp = static_cast<const T*>(x.data_ptr());
  T* yp = static_cast<T*>(y.data_ptr());
  if (vec)
    fakeQuantGroups<T, true><<<grid, block, 0, stream>>>(xp, yp, groups, int(g), clip, invMaxq, lo, hi);
  else
    fakeQuantGroups<T, false><<<grid, block, 0, stream>>>(xp, yp, groups, int(g), clip, invMaxq, lo, hi);
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

}  // namespace

bool actQuantCudaAvailable() { return true; }

at::Tensor fakeQuantizeSymmetricCuda(const at::Tensor& x, int64_t groupSize, int64_t maxq, double clipRatio) {
  TORCH_CHECK(x.is_cuda() && x.is_contiguous(), "fakeQuantizeSymmetricCuda: expected a contiguous CUDA tensor");
  TORCH_CHECK(groupSize > 0 && x.numel() % groupSize == 0 && groupSize < (int64_t(1) << 30),
              "fakeQuantizeSymmetricCuda: bad group size ", groupSize);
  const c10::cuda::CUDAGuard guard(x.device());
  at::Tensor y = at::empty_like(x);
  if (x.numel() == 0) return y;
  // The divisor is a host scalar: LibTorch multiplies by its reciprocal computed in float.
  const float invMaxq = 1.0f / float(maxq);
  const float lo = -float(maxq) - 1.f, hi = float(maxq);
  switch (x.scalar_type()) {
    case at::kFloat: launch<float>(x, y, groupSize, float(clipRatio), invMaxq, lo, hi); break;
    case at::kHalf: launch<c10::Half>(x, y, groupSize, float(clipRatio), invMaxq, lo, hi); break;
    case at::kBFloat16: launch<c10::BFloat16>(x, y, groupSize, float(clipRatio), invMaxq, lo, hi); break;
    default: TORCH_CHECK(false, "fakeQuantizeSymmetricCuda: unsupported dtype ", x.scalar_type());
  }
  return y;
}

}  // namespace jq
