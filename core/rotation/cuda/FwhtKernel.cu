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

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
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


// ---------------------------------------------------------------------------------------------------------------
// Rows of n = K·m with m ≥ 512 (the Llama shapes: 4096, 8192, 14336 = 28·512, 5120 = 20·256 excepted): each
// thread holds 64 elements of one segment in registers. Index bits of j ∈ [0, m) are, from the bottom: i (the
// element within a 16-byte vector), ts (the thread within the segment), c (the thread's vector). Their butterflies
// run where the partners are in one thread's registers:
//   1. load the row with 16-byte loads (vector c of thread ts at c·tSeg·V + ts·V) and do the i and c bits;
//   2. exchange through shared memory so that each thread holds whole columns along up to six ts bits, do those
//      bits (a second exchange for the seventh and later ts bits, i.e. m ≥ 8192);
//   3. K > 1: each thread takes whole columns along the K segments and applies H_K with its entries as launch
//      parameters (warp-uniform constant-bank operands of the FMAs, no shared-memory traffic for H_K);
//   4. read back in the load layout, scale, and store with 16-byte stores.
// Shared memory is padded (V floats after every 2^(log2 V + group bits) elements, and 8 floats after every segment)
// so that the column reads of step 2 and 3 hit 32 different banks.
constexpr int kExE = 64;           // elements per thread
constexpr int kExMaxThreads = 512;  // per row (__launch_bounds__): 64 floats in registers need up to 128 of them

template <int KC>
struct CoreParam {
  float h[KC > 1 ? KC * KC : 1];
};

struct ExLayout {
  int blockShift;  // log2 of the padded block
  int segStride;   // floats between segments in shared memory
  int V;
  __device__ __forceinline__ int pad(int j) const { return j + V * (j >> blockShift); }
};

// Butterflies on GB bits of j starting at bit p0, over columns u = ts + r·tSeg (r < 64 / 2^GB) of one segment.
template <int GB>
__device__ __forceinline__ void exchangePass(float* seg, const ExLayout& L, int p0, int ts, int tSeg) {
  constexpr int G = 1 << GB;
  constexpr int R = kExE / G;
  float w[kExE];
  const int lowMask = (1 << p0) - 1;
#pragma unroll
  for (int r = 0; r < R; ++r) {
    const int u = ts + r * tSeg;
    const int base = ((u >> p0) << (p0 + GB)) | (u & lowMask);
#pragma unroll
    for (int g = 0; g < G; ++g) w[r * G + g] = seg[L.pad(base | (g << p0))];
  }
#pragma unroll
  for (int h = 1; h < G; h <<= 1)
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
      for (int g = 0; g < G; ++g)
        if (!(g & h)) {
          const float a = w[r * G + g], b = w[r * G + g + h];
          w[r * G + g] = a + b;
          w[r * G + g + h] = a - b;
        }
#pragma unroll
  for (int r = 0; r < R; ++r) {
    const int u = ts + r * tSeg;
    const int base = ((u >> p0) << (p0 + GB)) | (u & lowMask);
#pragma unroll
    for (int g = 0; g < G; ++g) seg[L.pad(base | (g << p0))] = w[r * G + g];
  }
}

__device__ __forceinline__ void exchangePassBits(int gb, float* seg, const ExLayout& L, int p0, int ts, int tSeg) {
  switch (gb) {
    case 1: exchangePass<1>(seg, L, p0, ts, tSeg); break;
    case 2: exchangePass<2>(seg, L, p0, ts, tSeg); break;
    case 3: exchangePass<3>(seg, L, p0, ts, tSeg); break;
    case 4: exchangePass<4>(seg, L, p0, ts, tSeg); break;
    case 5: exchangePass<5>(seg, L, p0, ts, tSeg); break;
    default: exchangePass<6>(seg, L, p0, ts, tSeg); break;
  }
}

template <typename T, int KC>
__global__ void __launch_bounds__(kExMaxThreads) fwhtRowsExchange(const T* __restrict__ x, T* __restrict__ y, int m,
                                                                  int logTSeg, float scale, CoreParam<KC> core) {
  constexpr int V = 16 / int(sizeof(T));
  constexpr int LV = V == 4 ? 2 : 3;
  constexpr int C = kExE / V;
  constexpr int K = KC > 1 ? KC : 1;
  extern __shared__ float4 smem4[];
  float* smem = reinterpret_cast<float*>(smem4);
  const int tSeg = 1 << logTSeg;
  const int seg = threadIdx.x >> logTSeg;
  const int ts = threadIdx.x & (tSeg - 1);
  const int n = K * m;
  const T* xr = x + int64_t(blockIdx.x) * n + seg * m;
  T* yr = y + int64_t(blockIdx.x) * n + seg * m;
  const int gbA = logTSeg < 6 ? logTSeg : 6;
  ExLayout L;
  L.V = V;
  L.blockShift = LV + gbA;
  L.segStride = m + V * (m >> L.blockShift) + (K > 1 ? 8 : 0);
  float* s = smem + seg * L.segStride;

  // 1. Load; butterflies on the i and c bits.
  float v[kExE];
#pragma unroll
  for (int c = 0; c < C; ++c) {
    const uint4 raw = *reinterpret_cast<const uint4*>(xr + c * tSeg * V + ts * V);
    const T* t = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int i = 0; i < V; ++i) v[c * V + i] = static_cast<float>(t[i]);
  }
#pragma unroll
  for (int h = 1; h < kExE; h <<= 1)
#pragma unroll
    for (int q = 0; q < kExE; ++q)
      if (!(q & h)) {
        const float a = v[q], b = v[q + h];
        v[q] = a + b;
        v[q + h] = a - b;
      }
#pragma unroll
  for (int c = 0; c < C; ++c)
#pragma unroll
    for (int i = 0; i < V; i += 4)
      *reinterpret_cast<float4*>(s + L.pad(c * tSeg * V + ts * V + i)) =
          make_float4(v[c * V + i], v[c * V + i + 1], v[c * V + i + 2], v[c * V + i + 3]);
  __syncthreads();

  // 2. The ts bits: up to six per exchange.
  exchangePassBits(gbA, s, L, LV, ts, tSeg);
  __syncthreads();
  if (logTSeg > 6) {
    exchangePassBits(logTSeg - 6, s, L, LV + 6, ts, tSeg);
    __syncthreads();
  }

  // 3. The K×K core along the segments.
  if (K > 1) {
    for (int j = threadIdx.x; j < m; j += blockDim.x) {
      const int pj = L.pad(j);
      float col[K];
#pragma unroll
      for (int b = 0; b < K; ++b) col[b] = smem[b * L.segStride + pj];
#pragma unroll
      for (int a = 0; a < K; ++a) {
        float acc = 0.f;
#pragma unroll
        for (int b = 0; b < K; ++b) acc = fmaf(core.h[a * K + b], col[b], acc);
        smem[a * L.segStride + pj] = acc;
      }
    }
    __syncthreads();
  }

  // 4. Store in the load layout.
#pragma unroll
  for (int c = 0; c < C; ++c) {
    uint4 raw;
    T* t = reinterpret_cast<T*>(&raw);
#pragma unroll
    for (int i = 0; i < V; i += 4) {
      const float4 f = *reinterpret_cast<const float4*>(s + L.pad(c * tSeg * V + ts * V + i));
      t[i] = static_cast<T>(f.x * scale);
      t[i + 1] = static_cast<T>(f.y * scale);
      t[i + 2] = static_cast<T>(f.z * scale);
      t[i + 3] = static_cast<T>(f.w * scale);
    }
    *reinterpret_cast<uint4*>(yr + c * tSeg * V + ts * V) = raw;
  }
}

int log2Exact(int64_t v) {
  int l = 0;
  while ((int64_t(1) << l) < v) ++l;
  return (int64_t(1) << l) == v ? l : -1;
}

bool exchangeSupports(int64_t k, int64_t m) {
  // K > 1 compiles and is exact, but measured slower than the row-wise kernel's core (H200: 14336 = 28·512 at 14 %
  // of the copy bandwidth in bfloat16 against 25 %), so those sizes stay with the row-wise kernel for now.
  if (k != 1 && !std::getenv("JQ_FWHT_EXCHANGE_CORE")) return false;
  if (!(k == 1 || k == 12 || k == 20 || k == 28)) return false;
  if (m < 512 || log2Exact(m) < 0) return false;
  const int64_t threads = k * (m / kExE);
  if (threads > kExMaxThreads || threads % 32 != 0) return false;
  const int logTSeg = log2Exact(m / kExE);
  const int gbA = std::min(logTSeg, 6);
  const int64_t segStride = m + 8 * (m >> (2 + gbA)) + (k > 1 ? 8 : 0);  // the larger (float32) padding
  return k * segStride * int64_t(sizeof(float)) <= kMaxSharedBytes;
}

template <typename T, int KC>
void launchExchange(const at::Tensor& rows, at::Tensor& out, const at::Tensor& coreHost, int64_t k, int64_t m,
                    float scale) {
  CoreParam<KC> core{};
  if (KC > 1) {
    const at::Tensor c = coreHost.to(at::kCPU, at::kFloat).contiguous();
    TORCH_CHECK(c.numel() == KC * KC, "fwhtCuda: core of ", c.numel(), " entries for K = ", KC);
    std::copy(c.data_ptr<float>(), c.data_ptr<float>() + KC * KC, core.h);
  }
  constexpr int V = 16 / int(sizeof(T));
  constexpr int LV = V == 4 ? 2 : 3;
  const int logTSeg = log2Exact(m / kExE);
  const int gbA = std::min(logTSeg, 6);
  const int64_t segStride = m + V * (m >> (LV + gbA)) + (k > 1 ? 8 : 0);
  const int64_t smem = k * segStride * int64_t(sizeof(float));
  auto kernel = fwhtRowsExchange<T, KC>;
  if (smem > 48 * 1024)
    C10_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
  const dim3 grid(unsigned(rows.size(0)));
  const dim3 block(unsigned(k * (m / kExE)));
  kernel<<<grid, block, size_t(smem), at::cuda::getCurrentCUDAStream()>>>(
      static_cast<const T*>(rows.data_ptr()), static_cast<T*>(out.data_ptr()), int(m), logTSeg, scale, core);
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

template <typename T>
void launchExchangeCore(const at::Tensor& rows, at::Tensor& out, const at::Tensor& coreHost, int64_t k, int64_t m,
                        float scale) {
  switch (k) {
    case 12: return launchExchange<T, 12>(rows, out, coreHost, k, m, scale);
    case 20: return launchExchange<T, 20>(rows, out, coreHost, k, m, scale);
    case 28: return launchExchange<T, 28>(rows, out, coreHost, k, m, scale);
    default: return launchExchange<T, 1>(rows, out, coreHost, k, m, scale);
  }
}

}  // namespace

bool fwhtCudaAvailable() { return true; }

bool fwhtCudaSupports(int64_t k, int64_t m) {
  if (exchangeSupports(k, m)) return true;
  if (k < 1 || k > kMaxCore || m < 32 || (m & (m - 1)) != 0) return false;
  const Shape s = shapeFor(k, m);
  return s.n % s.e == 0 && s.m % s.e == 0 && s.threadsPerRow <= kMaxThreads &&
         (s.threadsPerRow % 32 == 0 || 32 % s.threadsPerRow == 0) && sharedBytes(s) <= kMaxSharedBytes;
}

at::Tensor fwhtCuda(const at::Tensor& rows, const at::Tensor& coreHost, const at::Tensor& coreDevice, int64_t k,
                    int64_t m, double scale) {
  TORCH_CHECK(rows.is_cuda() && rows.is_contiguous() && rows.dim() == 2 && rows.size(1) == k * m,
              "fwhtCuda: expected a contiguous CUDA tensor [rows, ", k * m, "]");
  TORCH_CHECK(fwhtCudaSupports(k, m), "fwhtCuda: unsupported size ", k, "x", m);
  TORCH_CHECK(reinterpret_cast<uintptr_t>(rows.data_ptr()) % 16 == 0, "fwhtCuda: rows must be 16-byte aligned");
  const c10::cuda::CUDAGuard guard(rows.device());
  auto out = at::empty_like(rows);
  if (rows.size(0) == 0) return out;
  // JQ_FWHT_ROWWISE=1 keeps the earlier kernel for every size (to measure one against the other).
  static const bool rowwiseOnly = std::getenv("JQ_FWHT_ROWWISE") && std::string(std::getenv("JQ_FWHT_ROWWISE")) == "1";
  if (!rowwiseOnly && exchangeSupports(k, m)) {
    switch (rows.scalar_type()) {
      case at::kFloat: launchExchangeCore<float>(rows, out, coreHost, k, m, float(scale)); break;
      case at::kHalf: launchExchangeCore<c10::Half>(rows, out, coreHost, k, m, float(scale)); break;
      case at::kBFloat16: launchExchangeCore<c10::BFloat16>(rows, out, coreHost, k, m, float(scale)); break;
      default: TORCH_CHECK(false, "fwhtCuda: unsupported dtype ", rows.scalar_type());
    }
    return out;
  }
  const at::Tensor core = k > 1 ? coreDevice.to(rows.device(), at::kFloat).contiguous() : at::Tensor();
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
