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

#include "common/EnvironmentSwitch.h"
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
// Rows of n = K·m, m = 2^LOG_M (the Llama shapes 2048, 4096, 8192, 14336 = 28·512, 28672 = 28·1024): each thread
// holds 64 elements of one segment in registers. Index bits of j ∈ [0, m) are, from the bottom: i (the element
// within a 16-byte vector), ts (the thread within the segment), c (the thread's vector). Their butterflies run
// where the partners are in one thread's registers:
//   1. load the row with 16-byte loads (vector c of thread ts at c·tSeg·V + ts·V) and do the i and c bits;
//   2. exchange through shared memory so that each thread holds whole columns along up to six ts bits, do those
//      bits (a second exchange for the seventh and later ts bits, i.e. m ≥ 8192);
//   3. K > 1: the K×K core along the segments on the tensor cores (below);
//   4. read back in the load layout, scale, and store with 16-byte stores.
// Everything about the layout is a compile-time constant (LOG_M is a template parameter): every shared-memory
// access is a base register plus an immediate offset, which is what keeps 16-bit rows (twice the elements per byte
// of float32) near the copy bandwidth. Shared memory is padded (V floats after every 2^(log2 V + first-exchange
// bits) elements) so that the column reads of step 2 hit 32 different banks.
//
// Step 3 is a matrix product per row: Y[a][j] = Σ_b H_K[a][b]·X[b][j] with X the K×m row after steps 1-2. Each warp
// takes 8-column tiles and runs mma.m16n8k16 (bfloat16 in, float32 accumulate) with H_K (±1, exact in bfloat16,
// zero-padded to a multiple of 16) as the A operand held in registers. X is float32, so it enters as a sum of
// bfloat16 terms cut by truncation: three terms reproduce a float32 exactly, two keep 16 significant bits, far
// below the rounding of a 16-bit output. This costs about one shared-memory read and write per element, where
// the float32 FMA version cost K FMAs per element and was slower than the row-wise kernel.
constexpr int kExMaxThreads = 512;  // per row (__launch_bounds__): 64 floats in registers need up to 128 of them

template <int KC>
struct CoreMasks {
  uint64_t row[KC > 1 ? KC : 1];  // bit b of row a set where H_K[a][b] = +1 (else -1)
};

// E elements per thread (64, or 32 where more, lighter threads hide latency better; see elementsPerThreadFor()).
template <typename T, int LOG_M, int E_>
struct ExShape {
  static constexpr int E = E_;
  static constexpr int LOG_E = E == 64 ? 6 : 5;
  static_assert(E_ == 64 || E_ == 32, "64 or 32 elements per thread");
  static constexpr int V = 16 / int(sizeof(T));  // elements per 16-byte vector
  static constexpr int LV = V == 4 ? 2 : 3;
  static constexpr int C = E / V;  // vectors per thread
  static constexpr int M = 1 << LOG_M;
  static constexpr int LOG_TSEG = LOG_M - LOG_E;  // threads per segment: m / E
  static constexpr int TSEG = 1 << LOG_TSEG;
  static constexpr int GB_A = LOG_TSEG < LOG_E ? LOG_TSEG : LOG_E;  // ts bits of the first exchange
  static constexpr int GB_B = LOG_TSEG - GB_A;                      // of the second
  static_assert(GB_B <= LOG_E, "two exchanges at most");
  static constexpr int PAD_SHIFT = LV + GB_A;
  static constexpr int M_PAD = M + V * (M >> PAD_SHIFT);
  __host__ __device__ static constexpr int pad(int j) { return j + V * (j >> PAD_SHIFT); }
  // Column u of a pass over the bits [p0, p0 + gb) of j: u with gb zero bits inserted at p0. Both pad() and this are
  // additive over disjoint bit sets, so a thread's addresses split into pad(spread(ts)) + compile-time offsets.
  __host__ __device__ static constexpr int spread(int u, int p0, int gb) {
    return (u & ((1 << p0) - 1)) | ((u >> p0) << (p0 + gb));
  }
};

// Floats between segments in shared memory: K > 1 adds 8, a stride of 8 (mod 32), so that the four segments of a
// warp's exchange (8 threads each at m = 512) and the core's reads of four segments (see coreSegment()) each land
// on their own octet of banks.
template <typename T, int LOG_M, int K, int E>
constexpr int segStrideOf() {
  return ExShape<T, LOG_M, E>::M_PAD + (K > 1 ? 8 : 0);
}

// The segment behind row k of the core's K dimension. The product does not care in which order the K segments
// are summed, so k = 16·t + 8·h + 2·q + d (q the lane's quad index) reads segment 16·t + 8·h + 4·d + q: the four
// quads of a warp then read segments q apart, which the stride of 8 (mod 32) puts on four different bank octets.
__host__ __device__ constexpr int coreSegment(int k) {
  return (k & ~15) | (k & 8) | ((k & 1) << 2) | ((k >> 1) & 3);
}

// Butterflies on GB bits of j starting at bit P0 over this thread's columns u = ts + r·tSeg (r < E / 2^GB).
template <typename S, int GB, int P0>
__device__ __forceinline__ void exchangePass(float* seg, int ts) {
  constexpr int G = 1 << GB;
  constexpr int R = S::E / G;
  const int base = S::pad(S::spread(ts, P0, GB));
  float w[S::E];
#pragma unroll
  for (int r = 0; r < R; ++r)
#pragma unroll
    for (int g = 0; g < G; ++g) w[r * G + g] = seg[base + S::pad(S::spread(r * S::TSEG, P0, GB) | (g << P0))];
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
  for (int r = 0; r < R; ++r)
#pragma unroll
    for (int g = 0; g < G; ++g) seg[base + S::pad(S::spread(r * S::TSEG, P0, GB) | (g << P0))] = w[r * G + g];
}

__device__ __forceinline__ void mmaBf16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
#endif
}

// Step 3 on the whole row in shared memory (see above). TERMS: bfloat16 terms per float32 value (3 or 2).
// Fragment layouts of mma.m16n8k16 (PTX ISA): lane = 4·g + q; A holds rows g, g+8 and columns 2q, 2q+1, 2q+8,
// 2q+9 of its 16×16 tile; B rows (k) 2q, 2q+1, 2q+8, 2q+9 of column g; C/D rows g, g+8 of columns 2q, 2q+1.
template <typename S, int K, int STRIDE, int TERMS>
__device__ __forceinline__ void coreOnTensorCores(float* smem, const CoreMasks<K>& core) {
  constexpr int MT = (K + 15) / 16;  // 16-row tiles of the zero-padded core, both ways
  const int lane = threadIdx.x & 31, g = lane >> 2, q = lane & 3;
  const int warps = int(blockDim.x) >> 5;
  auto entry = [&](int a, int b) -> uint32_t {
    if (a >= K || b >= K) return 0u;
    return ((core.row[a] >> b) & 1) ? 0x3F80u : 0xBF80u;  // bfloat16 +1 / -1
  };
  auto pair = [&](int a, int k) { return entry(a, coreSegment(k)) | (entry(a, coreSegment(k + 1)) << 16); };
  uint32_t h[MT][MT][4];
#pragma unroll
  for (int mt = 0; mt < MT; ++mt)
#pragma unroll
    for (int kt = 0; kt < MT; ++kt) {
      h[mt][kt][0] = pair(mt * 16 + g, kt * 16 + 2 * q);
      h[mt][kt][1] = pair(mt * 16 + g + 8, kt * 16 + 2 * q);
      h[mt][kt][2] = pair(mt * 16 + g, kt * 16 + 2 * q + 8);
      h[mt][kt][3] = pair(mt * 16 + g + 8, kt * 16 + 2 * q + 8);
    }
  for (int tile = int(threadIdx.x >> 5); tile < S::M / 8; tile += warps) {
    const int colB = S::pad(tile * 8 + g);
    float d[MT][4];
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) d[mt][0] = d[mt][1] = d[mt][2] = d[mt][3] = 0.f;
#pragma unroll
    for (int kt = 0; kt < MT; ++kt) {
      float x[4];
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int b = coreSegment(kt * 16 + 2 * q + (e & 1) + (e >> 1) * 8);
        x[e] = b < K ? smem[b * STRIDE + colB] : 0.f;
      }
#pragma unroll
      for (int t = 0; t < TERMS; ++t) {
        uint32_t u[4];
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          u[e] = __float_as_uint(x[e]) & 0xFFFF0000u;  // truncated: exact, and x - it is exact too
          x[e] -= __uint_as_float(u[e]);
        }
        const uint32_t b0 = __byte_perm(u[0], u[1], 0x7632), b1 = __byte_perm(u[2], u[3], 0x7632);
#pragma unroll
        for (int mt = 0; mt < MT; ++mt) mmaBf16(d[mt], h[mt][kt], b0, b1);
      }
    }
    // The warp read every segment of these 8 columns before any lane writes them (mma.sync gathers all lanes).
    const int colD = S::pad(tile * 8 + 2 * q);
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
      const int a = mt * 16 + g;
      if (a < K) *reinterpret_cast<float2*>(smem + a * STRIDE + colD) = make_float2(d[mt][0], d[mt][1]);
      if (a + 8 < K) *reinterpret_cast<float2*>(smem + (a + 8) * STRIDE + colD) = make_float2(d[mt][2], d[mt][3]);
    }
  }
}

// BOUND/MINB: the launch bounds. (kExMaxThreads, 1) caps registers at 128 per thread; a K > 1 row's block is
// smaller (224 threads at 28·512), and (block size, 2) lets the compiler use up to 146 (JQ_FWHT_WIDE=1, measurement).
template <typename T, int LOG_M, int KC, int E, int BOUND = kExMaxThreads, int MINB = 1>
__global__ void __launch_bounds__(BOUND, MINB)
    fwhtRowsExchange(const T* __restrict__ x, T* __restrict__ y, float scale, CoreMasks<KC> core) {
  using S = ExShape<T, LOG_M, E>;
  constexpr int K = KC > 1 ? KC : 1;
  constexpr int STRIDE = segStrideOf<T, LOG_M, K, E>();
  constexpr int V = S::V;
  extern __shared__ float4 smem4[];
  float* smem = reinterpret_cast<float*>(smem4);
  const int seg = int(threadIdx.x) >> S::LOG_TSEG;
  const int ts = int(threadIdx.x) & (S::TSEG - 1);
  const int64_t first = int64_t(blockIdx.x) * (K * S::M) + int64_t(seg) * S::M + ts * V;
  const T* xr = x + first;
  T* yr = y + first;
  float* s = smem + seg * STRIDE + S::pad(ts * V);

  // 1. Load; butterflies on the i and c bits.
  float v[E];
#pragma unroll
  for (int c = 0; c < S::C; ++c) {
    const uint4 raw = *reinterpret_cast<const uint4*>(xr + c * S::TSEG * V);
    const T* t = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int i = 0; i < V; ++i) v[c * V + i] = static_cast<float>(t[i]);
  }
#pragma unroll
  for (int h = 1; h < E; h <<= 1)
#pragma unroll
    for (int q = 0; q < E; ++q)
      if (!(q & h)) {
        const float a = v[q], b = v[q + h];
        v[q] = a + b;
        v[q + h] = a - b;
      }
#pragma unroll
  for (int c = 0; c < S::C; ++c)
#pragma unroll
    for (int i = 0; i < V; i += 4)
      *reinterpret_cast<float4*>(s + S::pad(c * S::TSEG * V) + i) =
          make_float4(v[c * V + i], v[c * V + i + 1], v[c * V + i + 2], v[c * V + i + 3]);
  __syncthreads();

  // 2. The ts bits: up to log2(E) per exchange.
  exchangePass<S, S::GB_A, S::LV>(smem + seg * STRIDE, ts);
  __syncthreads();
  if constexpr (S::GB_B > 0) {
    exchangePass<S, S::GB_B, S::LV + S::GB_A>(smem + seg * STRIDE, ts);
    __syncthreads();
  }

  // 3. The K×K core along the segments.
  if constexpr (K > 1) {
    coreOnTensorCores<S, K, STRIDE, sizeof(T) == 4 ? 3 : 2>(smem, core);
    __syncthreads();
  }

  // 4. Store in the load layout.
#pragma unroll
  for (int c = 0; c < S::C; ++c) {
    uint4 raw;
    T* t = reinterpret_cast<T*>(&raw);
#pragma unroll
    for (int i = 0; i < V; i += 4) {
      const float4 f = *reinterpret_cast<const float4*>(s + S::pad(c * S::TSEG * V) + i);
      t[i] = static_cast<T>(f.x * scale);
      t[i + 1] = static_cast<T>(f.y * scale);
      t[i + 2] = static_cast<T>(f.z * scale);
      t[i + 3] = static_cast<T>(f.w * scale);
    }
    *reinterpret_cast<uint4*>(yr + c * S::TSEG * V) = raw;
  }
}

int log2Exact(int64_t v) {
  int l = 0;
  while ((int64_t(1) << l) < v) ++l;
  return (int64_t(1) << l) == v ? l : -1;
}

bool tensorCoresPresent() {
  static const bool present = at::cuda::getCurrentDeviceProperties()->major >= 8;  // bfloat16 mma: sm_80 and up
  return present;
}

// The (K, log2 m, E) triples compiled for the exchange kernel: K·m/E threads, a multiple of 32 and at most 512.
bool exchangeCompiled(int64_t k, int logM, int e) {
  const int64_t threads = k * ((int64_t(1) << logM) / e);
  if (threads > kExMaxThreads || threads % 32 != 0 || logM > 14 || logM < 9) return false;
  if (e == 32) return k == 1;  // the core's bank layout assumes 64 (segStrideOf)
  return k == 1 || k == 12 || k == 20 || k == 28 || k == 40;
}

// Elements per thread: 64 (fewer exchanges per element), or 32 where 64 leaves fewer than 32 threads (K = 1,
// m = 1024). Measured on an H200 (bench/results/kernels_session4_h200.json): 32 was no faster anywhere else, and
// slower at 2048-4096 in bfloat16. JQ_FWHT_E=32|64 forces one (for measurement).
int elementsPerThreadFor(int64_t k, int logM, int64_t /*elementBytes*/) {
  static const int forced = std::getenv("JQ_FWHT_E") ? std::atoi(std::getenv("JQ_FWHT_E")) : 0;
  if ((forced == 32 || forced == 64) && exchangeCompiled(k, logM, forced)) return forced;
  return exchangeCompiled(k, logM, 64) ? 64 : 32;
}

bool exchangeSupports(int64_t k, int64_t m, int64_t elementBytes) {
  const int logM = log2Exact(m);
  if (logM < 0) return false;
  const int e = elementsPerThreadFor(k, logM, elementBytes);
  if (!exchangeCompiled(k, logM, e)) return false;
  if (k > 1 && !tensorCoresPresent()) return false;
  const int logTSeg = logM - (e == 64 ? 6 : 5);
  const int gbA = std::min(logTSeg, e == 64 ? 6 : 5);
  const int64_t segStride = m + 4 * (m >> (2 + gbA)) + (k > 1 ? 8 : 0);  // float32: the larger
  return k * segStride * int64_t(sizeof(float)) <= kMaxSharedBytes;
}

template <typename T, int LOG_M, int KC, int E>
void launchExchange(const at::Tensor& rows, at::Tensor& out, const at::Tensor& coreHost, float scale) {
  constexpr int K = KC > 1 ? KC : 1;
  CoreMasks<KC> core{};
  if (K > 1) {
    const at::Tensor c = coreHost.to(at::kCPU, at::kFloat).contiguous();
    TORCH_CHECK(c.numel() == K * K, "fwhtCuda: core of ", c.numel(), " entries for K = ", K);
    const float* p = c.data_ptr<float>();
    for (int a = 0; a < K; ++a)
      for (int b = 0; b < K; ++b) {
        TORCH_CHECK(p[a * K + b] == 1.f || p[a * K + b] == -1.f, "fwhtCuda: the core must have entries +-1");
        if (p[a * K + b] > 0.f) core.row[a] |= uint64_t(1) << b;
      }
  }
  const int64_t smem = int64_t(K) * segStrideOf<T, LOG_M, K, E>() * int64_t(sizeof(float));
  static const bool wide = environmentIs("JQ_FWHT_WIDE", "1");
  constexpr int kThreads = K * ExShape<T, LOG_M, E>::TSEG;
  auto kernel = K > 1 && wide ? fwhtRowsExchange<T, LOG_M, KC, E, kThreads, 2> : fwhtRowsExchange<T, LOG_M, KC, E>;
  if (smem > 48 * 1024)
    C10_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
  const dim3 grid(unsigned(rows.size(0)));
  const dim3 block(unsigned(K * ExShape<T, LOG_M, E>::TSEG));
  kernel<<<grid, block, size_t(smem), at::cuda::getCurrentCUDAStream()>>>(
      static_cast<const T*>(rows.data_ptr()), static_cast<T*>(out.data_ptr()), scale, core);
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

template <typename T>
void launchExchangeFor(const at::Tensor& rows, at::Tensor& out, const at::Tensor& coreHost, int64_t k, int64_t m,
                       float scale) {
  const int logM = log2Exact(m);
  const int e = elementsPerThreadFor(k, logM, int64_t(sizeof(T)));
  switch ((e == 64 ? 100000 : 0) + k * 100 + logM) {
    case 100111: return launchExchange<T, 11, 1, 64>(rows, out, coreHost, scale);
    case 100112: return launchExchange<T, 12, 1, 64>(rows, out, coreHost, scale);
    case 100113: return launchExchange<T, 13, 1, 64>(rows, out, coreHost, scale);
    case 100114: return launchExchange<T, 14, 1, 64>(rows, out, coreHost, scale);
    case 101209: return launchExchange<T, 9, 12, 64>(rows, out, coreHost, scale);
    case 101210: return launchExchange<T, 10, 12, 64>(rows, out, coreHost, scale);
    case 101211: return launchExchange<T, 11, 12, 64>(rows, out, coreHost, scale);
    case 102009: return launchExchange<T, 9, 20, 64>(rows, out, coreHost, scale);
    case 102010: return launchExchange<T, 10, 20, 64>(rows, out, coreHost, scale);
    case 102809: return launchExchange<T, 9, 28, 64>(rows, out, coreHost, scale);
    case 102810: return launchExchange<T, 10, 28, 64>(rows, out, coreHost, scale);
    case 104009: return launchExchange<T, 9, 40, 64>(rows, out, coreHost, scale);
    case 110: return launchExchange<T, 10, 1, 32>(rows, out, coreHost, scale);
    case 111: return launchExchange<T, 11, 1, 32>(rows, out, coreHost, scale);
    case 112: return launchExchange<T, 12, 1, 32>(rows, out, coreHost, scale);
    case 113: return launchExchange<T, 13, 1, 32>(rows, out, coreHost, scale);
    case 114: return launchExchange<T, 14, 1, 32>(rows, out, coreHost, scale);
    default: TORCH_CHECK(false, "fwhtCuda: no exchange kernel for ", k, "x", m, " with ", e, " elements per thread");
  }
}

}  // namespace

bool fwhtCudaAvailable() { return true; }

bool fwhtCudaSupports(int64_t k, int64_t m) {
  if (exchangeSupports(k, m, 4) && exchangeSupports(k, m, 2)) return true;
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
  static const bool rowwiseOnly = environmentIs("JQ_FWHT_ROWWISE", "1");
  if (!rowwiseOnly && exchangeSupports(k, m, int64_t(rows.element_size()))) {
    switch (rows.scalar_type()) {
      case at::kFloat: launchExchangeFor<float>(rows, out, coreHost, k, m, float(scale)); break;
      case at::kHalf: launchExchangeFor<c10::Half>(rows, out, coreHost, k, m, float(scale)); break;
      case at::kBFloat16: launchExchangeFor<c10::BFloat16>(rows, out, coreHost, k, m, float(scale)); break;
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
