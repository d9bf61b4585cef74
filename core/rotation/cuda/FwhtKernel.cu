// CUDA kernel of FwhtCuda.h. Compiled by nvcc into jq_core_cuda (no precompiled header, no unity build).
//
// One block transforms one row of n = K·m (m = 2^p) with one 16-byte-vectorised read and write of the row in
// global memory (see the layout comment above fwhtRows). K > 1: every output is a ±1 combination of the K values
// of one column j (out[a·m + j] = Σ_b H_K[a][b]·y[b·m + j]); for the K of the Llama shapes (12, 20, 28, 40) a
// thread takes a column into registers and applies H_K from sign bitmasks, so H_K costs no shared-memory traffic;
// other K read H_K from shared memory (slower: 11008 = 172·64 runs at a fraction of the copy bandwidth).
// Short rows (fewer than 32 threads, e.g. head_dim 128 for R3) are packed several to a block so warps stay full.
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <cstdint>
#include <type_traits>

#include "rotation/FwhtCuda.h"

namespace jq {
namespace {

constexpr int kMaxThreads = 1024;
constexpr int kMaxCore = 172;
constexpr int64_t kMaxSharedBytes = 200 * 1024;

struct Shape {
  int k, m, n, e;          // core order, Sylvester size, row length, elements per thread
  int threadsPerRow, rowsPerBlock;
};

int elementsPerThread(int64_t n) { return n / 16 <= kMaxThreads ? 16 : 32; }

Shape shapeFor(int64_t k, int64_t m) {
  Shape s{};
  s.k = int(k);
  s.m = int(m);
  s.n = int(k * m);
  s.e = elementsPerThread(k * m);
  s.threadsPerRow = s.n / s.e;
  s.rowsPerBlock = s.threadsPerRow >= 32 ? 1 : 32 / s.threadsPerRow;
  return s;
}

int64_t sharedBytes(const Shape& s) {
  return (int64_t(s.rowsPerBlock) * s.n + (s.k > 1 ? int64_t(s.k) * s.k : 0)) * int64_t(sizeof(float));
}

template <int KC>
struct CoreMask {
  using type = typename std::conditional<(KC > 32), uint64_t, uint32_t>::type;
};

// Step 4 for a compile-time K: one thread per column j, H_K as bitmasks (bit b of row a set where H_K[a][b] = +1).
template <typename T, int KC>
__device__ void applyCoreFixed(const float* row, T* out, const typename CoreMask<KC>::type* masks, int m, int tid,
                               int threads, float scale, bool store) {
  for (int j = tid; j < m; j += threads) {
    float v[KC];
    float total = 0.f;
#pragma unroll
    for (int b = 0; b < KC; ++b) {
      v[b] = row[b * m + j];
      total += v[b];
    }
#pragma unroll 4
    for (int a = 0; a < KC; ++a) {
      const auto mask = masks[a];
      float plus = 0.f;
#pragma unroll
      for (int b = 0; b < KC; ++b)
        if ((mask >> b) & 1) plus += v[b];
      // Σ_b s_ab·v_b = 2·Σ_{s=+1} v_b − Σ_b v_b
      if (store) out[a * m + j] = static_cast<T>((2.f * plus - total) * scale);
    }
  }
}

// Element layout. A row is K segments of m = 2^p; segment a is handled by tSeg = m/E threads. Thread ts of a
// segment holds C = E/V vectors of V consecutive elements (one 16-byte load each): vector c of thread ts starts
// at c·tSeg·V + ts·V, so a warp reads and writes whole 512-byte spans. The Walsh-Hadamard stages commute (one
// per bit of the element index), so each bit is processed where its partners live:
//   bits of i (within a vector) and of c (across a thread's vectors): in registers;
//   the low bits of ts (lanes of one warp): shuffles;
//   the remaining bits of ts (warps of one segment, when tSeg > 32): in shared memory.
template <typename T, int E, int KC>
__global__ void fwhtRows(const T* __restrict__ x, T* __restrict__ y, const float* __restrict__ core, int64_t rows,
                         int k, int m, int n, float scale) {
  constexpr int V = 16 / int(sizeof(T));
  constexpr int C = E / V;
  extern __shared__ float4 smem4[];
  float* smem = reinterpret_cast<float*>(smem4);
  const int threadsPerRow = n / E;
  const int tSeg = m / E;
  const int local = threadIdx.x / threadsPerRow;
  const int tid = threadIdx.x - local * threadsPerRow;
  const int seg = tid / tSeg;
  const int ts = tid - seg * tSeg;
  const int64_t r = int64_t(blockIdx.x) * (blockDim.x / threadsPerRow) + local;
  const bool valid = r < rows;
  float* row = smem + size_t(local) * n;
  float* coreS = smem + size_t(blockDim.x / threadsPerRow) * n;
  using Mask = typename CoreMask<(KC > 0 ? KC : 1)>::type;
  __shared__ Mask masks[KC > 0 ? KC : 1];

  if (k > 1) {
    for (int i = threadIdx.x; i < k * k; i += blockDim.x) coreS[i] = core[i];
    if (KC > 0)
      for (int a = threadIdx.x; a < KC; a += blockDim.x) {
        Mask mk = 0;
        for (int b = 0; b < KC; ++b)
          if (core[a * KC + b] > 0.f) mk |= Mask(1) << b;
        masks[a] = mk;
      }
  }

  auto offset = [&](int c) { return seg * m + c * tSeg * V + ts * V; };

  float v[E];
  const T* xr = x + (valid ? r : 0) * int64_t(n);
#pragma unroll
  for (int c = 0; c < C; ++c) {
    const uint4 raw = valid ? *reinterpret_cast<const uint4*>(xr + offset(c)) : make_uint4(0, 0, 0, 0);
    const T* t = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int i = 0; i < V; ++i) v[c * V + i] = static_cast<float>(t[i]);
  }
  // Register stages: bits within a vector, then across the thread's vectors.
#pragma unroll
  for (int h = 1; h < E; h <<= 1)
#pragma unroll
    for (int q = 0; q < E; ++q)
      if (!(q & h)) {
        const float a = v[q], b = v[q + h];
        v[q] = a + b;
        v[q + h] = a - b;
      }

  // Lanes of one warp: ts's low bits.
  const int lane = threadIdx.x & 31;
  const int lanes = tSeg < 32 ? tSeg : 32;
  for (int hl = 1; hl < lanes; hl <<= 1) {
    const bool upper = lane & hl;
#pragma unroll
    for (int q = 0; q < E; ++q) {
      const float other = __shfl_xor_sync(0xffffffffu, v[q], hl);
      v[q] = upper ? other - v[q] : v[q] + other;
    }
  }

  const bool sharedStages = tSeg > 32;
  if (k == 1 && !sharedStages) {
    if (valid) {
      T* yr = y + r * int64_t(n);
#pragma unroll
      for (int c = 0; c < C; ++c) {
        uint4 raw;
        T* t = reinterpret_cast<T*>(&raw);
#pragma unroll
        for (int i = 0; i < V; ++i) t[i] = static_cast<T>(v[c * V + i] * scale);
        *reinterpret_cast<uint4*>(yr + offset(c)) = raw;
      }
    }
    return;
  }

  // To shared memory at the natural index (16-byte stores: conflict-free phases of eight lanes).
#pragma unroll
  for (int c = 0; c < C; ++c)
#pragma unroll
    for (int i = 0; i < V; i += 4)
      *reinterpret_cast<float4*>(row + offset(c) + i) =
          make_float4(v[c * V + i], v[c * V + i + 1], v[c * V + i + 2], v[c * V + i + 3]);
  __syncthreads();
  // Warps of one segment: element distances V·32·2^s.
  for (int h = V * 32; h < V * tSeg; h <<= 1) {
    for (int p = tid; p < n / 2; p += threadsPerRow) {
      const int i = (p / h) * 2 * h + (p % h);
      const float a = row[i], b = row[i + h];
      row[i] = a + b;
      row[i + h] = a - b;
    }
    __syncthreads();
  }

  T* yr = y + (valid ? r : 0) * int64_t(n);
  if (k == 1) {
    if (!valid) return;
#pragma unroll
    for (int c = 0; c < C; ++c) {
      uint4 raw;
      T* t = reinterpret_cast<T*>(&raw);
#pragma unroll
      for (int i = 0; i < V; ++i) t[i] = static_cast<T>(row[offset(c) + i] * scale);
      *reinterpret_cast<uint4*>(yr + offset(c)) = raw;
    }
    return;
  }
  if (KC > 0) {
    applyCoreFixed<T, (KC > 0 ? KC : 1)>(row, yr, masks, m, tid, threadsPerRow, scale, valid);
    return;
  }
  if (!valid) return;
  for (int i = tid; i < n; i += threadsPerRow) {
    const int a = i / m, j = i - a * m;
    const float* ca = coreS + a * k;
    float acc = 0.f;
    for (int b = 0; b < k; ++b) acc += ca[b] * row[b * m + j];
    yr[i] = static_cast<T>(acc * scale);
  }
}

template <typename T, int E, int KC>
void launchWith(const at::Tensor& rows, at::Tensor& out, const at::Tensor& core, const Shape& s, float scale) {
  auto kernel = fwhtRows<T, E, KC>;
  const int64_t smem = sharedBytes(s);
  if (smem > 48 * 1024)
    C10_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
  const int64_t numRows = rows.size(0);
  const dim3 grid(unsigned((numRows + s.rowsPerBlock - 1) / s.rowsPerBlock));
  const dim3 block(unsigned(s.threadsPerRow * s.rowsPerBlock));
  kernel<<<grid, block, size_t(smem), at::cuda::getCurrentCUDAStream()>>>(
      static_cast<const T*>(rows.data_ptr()), static_cast<T*>(out.data_ptr()),
      s.k > 1 ? core.data_ptr<float>() : nullptr, numRows, s.k, s.m, s.n, scale);
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

template <typename T, int E>
void launchCore(const at::Tensor& rows, at::Tensor& out, const at::Tensor& core, const Shape& s, float scale) {
  // The cores of the Llama shapes that take the register path (QuaRot's tables: 12·2^p, 20·2^p, 28·2^p, 40·2^p).
  switch (s.k) {
    case 12: return launchWith<T, E, 12>(rows, out, core, s, scale);
    case 20: return launchWith<T, E, 20>(rows, out, core, s, scale);
    case 28: return launchWith<T, E, 28>(rows, out, core, s, scale);
    case 40: return launchWith<T, E, 40>(rows, out, core, s, scale);
    default: return launchWith<T, E, 0>(rows, out, core, s, scale);
  }
}

template <typename T>
void launch(const at::Tensor& rows, at::Tensor& out, const at::Tensor& core, const Shape& s, float scale) {
  if (s.e == 16)
    launchCore<T, 16>(rows, out, core, s, scale);
  else
    launchCore<T, 32>(rows, out, core, s, scale);
}

}  // namespace

bool fwhtCudaAvailable() { return true; }

bool fwhtCudaSupports(int64_t k, int64_t m) {
  if (k < 1 || k > kMaxCore || m < 32 || (m & (m - 1)) != 0) return false;
  const Shape s = shapeFor(k, m);
  return s.n % s.e == 0 && s.m % s.e == 0 && s.threadsPerRow <= kMaxThreads &&
         (s.threadsPerRow % 32 == 0 || 32 % s.threadsPerRow == 0) && sharedBytes(s) <= kMaxSharedBytes;
}

at::Tensor fwhtCuda(const at::Tensor& rows, const at::Tensor& coreRowMajor, int64_t k, int64_t m, double scale) {
  TORCH_CHECK(rows.is_cuda() && rows.is_contiguous() && rows.dim() == 2 && rows.size(1) == k * m,
              "fwhtCuda: expected a contiguous CUDA tensor [rows, ", k * m, "]");
  TORCH_CHECK(fwhtCudaSupports(k, m), "fwhtCuda: unsupported size ", k, "x", m);
  TORCH_CHECK(reinterpret_cast<uintptr_t>(rows.data_ptr()) % 16 == 0, "fwhtCuda: rows must be 16-byte aligned");
  const c10::cuda::CUDAGuard guard(rows.device());
  auto out = at::empty_like(rows);
  if (rows.size(0) == 0) return out;
  const at::Tensor core = k > 1 ? coreRowMajor.to(rows.device(), at::kFloat).contiguous() : at::Tensor();
  const Shape s = shapeFor(k, m);
  switch (rows.scalar_type()) {
    case at::kFloat: launch<float>(rows, out, core, s, float(scale)); break;
    case at::kHalf: launch<c10::Half>(rows, out, core, s, float(scale)); break;
    case at::kBFloat16: launch<c10::BFloat16>(rows, out, core, s, float(scale)); break;
    default: TORCH_CHECK(false, "fwhtCuda: unsupported dtype ", rows.scalar_type());
  }
  return out;
}

}  // namespace jq
