#include "rotation/HadamardMatrix.h"

#include "common/CudaKernelSwitch.h"

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "common/Error.h"
#include "rotation/FwhtCuda.h"
#include "rotation/HadamardTables.h"

namespace jq {
namespace {

// Cores above this order would make the K×K product dominate the transform and the table huge.
constexpr int64_t kMaxCoreOrder = 4096;

bool isPowerOfTwo(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

int64_t oddPart(int64_t v) {
  while (v > 0 && v % 2 == 0) v /= 2;
  return v;
}

bool isPrime(int64_t q) {
  if (q < 2) return false;
  for (int64_t d = 2; d * d <= q; ++d)
    if (q % d == 0) return false;
  return true;
}

// chi[a] = Legendre symbol (a | q) for a in [0, q).
std::vector<int> legendreTable(int64_t q) {
  std::vector<int> chi(q, -1);
  chi[0] = 0;
  for (int64_t x = 1; x < q; ++x) chi[(x * x) % q] = 1;
  return chi;
}

// Paley I, q prime with q ≡ 3 (mod 4): H = I + [[0, 1ᵀ], [-1, Q]], Q[i][j] = chi(j - i), order q + 1.
std::vector<int8_t> paleyOne(int64_t q) {
  const int64_t k = q + 1;
  const auto chi = legendreTable(q);
  std::vector<int8_t> h(k * k);
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      int v;
      if (i == 0) v = 1;
      else if (j == 0) v = -1;
      else v = chi[((j - i) % q + q) % q] + (i == j ? 1 : 0);
      h[i * k + j] = static_cast<int8_t>(v);
    }
  }
  return h;
}

// Paley II, q prime with q ≡ 1 (mod 4): the symmetric conference matrix C = [[0, 1ᵀ], [1, Q]] of order
// q + 1, then each entry c becomes c·[[1, 1], [1, -1]] and each zero (the diagonal) [[1, -1], [-1, -1]].
std::vector<int8_t> paleyTwo(int64_t q) {
  const int64_t c = q + 1;
  const int64_t k = 2 * c;
  const auto chi = legendreTable(q);
  std::vector<int8_t> h(k * k);
  for (int64_t i = 0; i < c; ++i) {
    for (int64_t j = 0; j < c; ++j) {
      int cij;
      if (i == j) cij = 0;
      else if (i == 0 || j == 0) cij = 1;
      else cij = chi[((j - i) % q + q) % q];
      for (int a = 0; a < 2; ++a) {
        for (int b = 0; b < 2; ++b) {
          int v;
          if (cij == 0) v = (a == 0 && b == 0) ? 1 : -1;
          else v = cij * ((a == 1 && b == 1) ? -1 : 1);
          h[(2 * i + a) * k + (2 * j + b)] = static_cast<int8_t>(v);
        }
      }
    }
  }
  return h;
}

std::vector<int8_t> kronecker(const std::vector<int8_t>& a, int64_t ka, const std::vector<int8_t>& b, int64_t kb) {
  const int64_t k = ka * kb;
  std::vector<int8_t> h(k * k);
  for (int64_t i = 0; i < ka; ++i)
    for (int64_t j = 0; j < ka; ++j)
      for (int64_t r = 0; r < kb; ++r)
        for (int64_t s = 0; s < kb; ++s)
          h[(i * kb + r) * k + (j * kb + s)] = static_cast<int8_t>(a[i * ka + j] * b[r * kb + s]);
  return h;
}

// How to build the core of one order K. Cheap to compute; the matrix itself is built once and cached.
struct CorePlan {
  enum class Kind { Sylvester, Table, PaleyOne, PaleyTwo, Kronecker } kind = Kind::Sylvester;
  int64_t k = 1;
  const detail::HadamardTable* table = nullptr;
  int64_t q = 0;                  // Paley prime
  int64_t left = 0, right = 0;    // Kronecker factors' orders
};

std::optional<CorePlan> planForOddPart(int64_t odd);

std::optional<CorePlan> planForOrder(int64_t k) {
  if (isPowerOfTwo(k)) return CorePlan{CorePlan::Kind::Sylvester, 1, nullptr, 0, 0, 0};
  auto plan = planForOddPart(oddPart(k));
  if (!plan || k % plan->k != 0) return std::nullopt;
  return plan;
}

// The smallest core order with this odd part; ties prefer a published table, then Paley, then Kronecker.
std::optional<CorePlan> planForOddPart(int64_t odd) {
  if (odd == 1) return CorePlan{CorePlan::Kind::Sylvester, 1, nullptr, 0, 0, 0};
  std::optional<CorePlan> best;
  auto consider = [&](const CorePlan& p) {
    if (p.k <= kMaxCoreOrder && (!best || p.k < best->k)) best = p;
  };
  for (const auto& t : detail::publishedHadamardTables())
    if (oddPart(t.order) == odd) consider({CorePlan::Kind::Table, t.order, &t, 0, 0, 0});
  if (isPrime(2 * odd - 1)) consider({CorePlan::Kind::PaleyTwo, 4 * odd, nullptr, 2 * odd - 1, 0, 0});
  for (int64_t k = 4 * odd; k <= kMaxCoreOrder; k *= 2) {
    if (isPrime(k - 1)) {
      consider({CorePlan::Kind::PaleyOne, k, nullptr, k - 1, 0, 0});
      break;
    }
  }
  for (int64_t d = 3; d * d <= odd; d += 2) {
    if (odd % d != 0) continue;
    auto a = planForOddPart(d);
    auto b = planForOddPart(odd / d);
    if (a && b) consider({CorePlan::Kind::Kronecker, a->k * b->k, nullptr, 0, a->k, b->k});
  }
  return best;
}

// The core for n: QuaRot's tables in QuaRot's order first, then the generic plan.
std::optional<CorePlan> planForSize(int64_t n) {
  if (n < 1) return std::nullopt;
  for (const auto& t : detail::publishedHadamardTables())
    if (n % t.order == 0 && isPowerOfTwo(n / t.order)) return CorePlan{CorePlan::Kind::Table, t.order, &t, 0, 0, 0};
  auto plan = planForOddPart(oddPart(n));
  if (!plan || n % plan->k != 0 || !isPowerOfTwo(n / plan->k)) return std::nullopt;
  return plan;
}

std::string describe(const CorePlan& p) {
  switch (p.kind) {
    case CorePlan::Kind::Sylvester: return "Sylvester";
    case CorePlan::Kind::Table: return std::string("Sloane ") + p.table->name;
    case CorePlan::Kind::PaleyOne: return "Paley I (q=" + std::to_string(p.q) + ")";
    case CorePlan::Kind::PaleyTwo: return "Paley II (q=" + std::to_string(p.q) + ")";
    case CorePlan::Kind::Kronecker:
      return "Kronecker(" + describe(*planForOrder(p.left)) + " [" + std::to_string(p.left) + "], " +
             describe(*planForOrder(p.right)) + " [" + std::to_string(p.right) + "])";
  }
  return {};
}

std::vector<int8_t> buildCore(const CorePlan& p) {
  switch (p.kind) {
    case CorePlan::Kind::Sylvester: return {1};
    case CorePlan::Kind::Table: {
      std::vector<int8_t> h(p.k * p.k);
      for (int64_t i = 0; i < p.k; ++i)
        for (int64_t j = 0; j < p.k; ++j) h[i * p.k + j] = p.table->rows[i][j] == '+' ? 1 : -1;
      return h;
    }
    case CorePlan::Kind::PaleyOne: return paleyOne(p.q);
    case CorePlan::Kind::PaleyTwo: return paleyTwo(p.q);
    case CorePlan::Kind::Kronecker:
      return kronecker(buildCore(*planForOrder(p.left)), p.left, buildCore(*planForOrder(p.right)), p.right);
  }
  return {1};
}

// Built cores by order; a core depends only on K (see planForOddPart), so the key is unambiguous.
const std::vector<int8_t>& cachedCore(const CorePlan& p) {
  static std::mutex mutex;
  static std::map<int64_t, std::unique_ptr<const std::vector<int8_t>>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[p.k];
  if (!slot) slot = std::make_unique<const std::vector<int8_t>>(buildCore(p));
  return *slot;
}

at::Tensor sylvester(int64_t m, const at::TensorOptions& options) {
  auto s = at::ones({1, 1}, options);
  while (s.size(0) < m) s = at::cat({at::cat({s, s}, 1), at::cat({s, -s}, 1)}, 0);
  return s;
}

}  // namespace

struct HadamardMatrix::DeviceCores {
  std::mutex mutex;
  std::map<std::pair<int, bool>, at::Tensor> cores;  // (device index, transposed)
};

bool supportedHadamardSize(int64_t n) { return planForSize(n).has_value(); }

HadamardMatrix::HadamardMatrix(int64_t n) : n_(n) {
  auto plan = planForSize(n);
  if (!plan) {
    throw Error(ErrorKind::Unsupported,
                "no Hadamard matrix of order " + std::to_string(n) + " is available (need n = K*2^m with K = 1, " +
                    "a QuaRot/Sloane order 12..172, or a Paley/Kronecker-constructible order; odd part of n is " +
                    std::to_string(oddPart(std::max<int64_t>(n, 1))) + ")");
  }
  k_ = plan->k;
  construction_ = describe(*plan);
  core_ = cachedCore(*plan);
  deviceCores_ = std::make_shared<DeviceCores>();
}


at::Tensor HadamardMatrix::core(const at::TensorOptions& options) const {
  auto t = at::empty({k_, k_}, at::TensorOptions().dtype(at::kChar));
  std::copy(core_.begin(), core_.end(), t.data_ptr<int8_t>());
  return t.to(options);
}

at::Tensor HadamardMatrix::dense(const at::TensorOptions& options) const {
  const auto cpu = options.device(at::kCPU);
  auto h = at::kron(core(cpu), sylvester(n_ / k_, cpu));
  return h.mul_(1.0 / std::sqrt(static_cast<double>(n_))).to(options);
}

at::Tensor HadamardMatrix::apply(const at::Tensor& x) const { return transform(x, false); }
at::Tensor HadamardMatrix::applyTransposed(const at::Tensor& x) const { return transform(x, true); }

at::Tensor HadamardMatrix::transform(const at::Tensor& x, bool transposed) const {
  if (!x.defined() || x.dim() < 1 || x.size(-1) != n_) {
    throw Error(ErrorKind::InvalidInput, "Hadamard transform of order " + std::to_string(n_) +
                                             " needs a tensor whose last dimension is " + std::to_string(n_) +
                                             (x.defined() && x.dim() >= 1 ? ", got " + std::to_string(x.size(-1)) : ""));
  }
  if (!at::isFloatingType(x.scalar_type())) {
    throw Error(ErrorKind::InvalidInput, std::string("Hadamard transform needs a floating-point tensor, got ") +
                                             c10::toString(x.scalar_type()));
  }
  const auto st = x.scalar_type();
  const auto computeType = (st == at::kHalf || st == at::kBFloat16) ? at::kFloat : st;
  const int64_t m = n_ / k_;
  if (x.is_cuda() && st != at::kDouble && fwhtCudaAvailable() && cudaKernelsEnabled() && fwhtCudaSupports(k_, m)) {
    at::Tensor hk, hkHost;
    if (k_ > 1) {
      // out[a] = Σ_b M[a][b]·y[b]: M = H_K for apply(), H_Kᵀ for applyTransposed() (see the GEMM below).
      // Kept on the host too: one kernel takes the core as launch parameters, the other reads it from the device.
      std::lock_guard<std::mutex> lock(deviceCores_->mutex);
      at::Tensor& host = deviceCores_->cores[{-1, transposed}];
      if (!host.defined()) {
        auto c = core(at::kFloat);
        host = (transposed ? c.t() : c).contiguous();
      }
      at::Tensor& slot = deviceCores_->cores[{int(x.get_device()), transposed}];
      if (!slot.defined()) slot = host.to(x.device());
      hk = slot;
      hkHost = host;
    }
    auto rows = x.contiguous().view({-1, n_});
    if (reinterpret_cast<uintptr_t>(rows.data_ptr()) % 16 != 0) rows = rows.clone();  // the kernel loads 16 bytes
    return fwhtCuda(rows, hkHost, hk, k_, m, 1.0 / std::sqrt(static_cast<double>(n_))).view(x.sizes());
  }
  const int64_t rows = x.numel() / m;  // batch × K
  auto y = x.to(computeType).contiguous().view({rows, m});
  // Butterflies over the bits of the Sylvester index, lowest first: pairs (j, j + h) → (a + b, a - b).
  for (int64_t h = 1; h < m; h *= 2) {
    auto v = y.view({rows, m / (2 * h), 2, h});
    auto a = v.select(2, 0);
    auto b = v.select(2, 1);
    y = at::stack({a + b, a - b}, 2).view({rows, m});
  }
  if (k_ > 1) {
    // H_K acts on the core index: with the Sylvester index moved inward, one [batch·2^m, K]·[K, K] GEMM
    // (a batched matmul would materialise H_K once per batch row).
    auto hk = core(x.options().dtype(computeType));
    if (!transposed) hk = hk.t();
    y = at::matmul(y.view({rows / k_, k_, m}).transpose(1, 2), hk).transpose(1, 2);
  }
  y = y.div(std::sqrt(static_cast<double>(n_)));
  return y.reshape(x.sizes()).to(st);
}

at::Tensor hadamardMatrix(int64_t n, const at::TensorOptions& options) { return HadamardMatrix(n).dense(options); }

at::Tensor fastHadamardTransform(const at::Tensor& x, bool transposed) {
  if (!x.defined() || x.dim() < 1) throw Error(ErrorKind::InvalidInput, "Hadamard transform of an empty tensor");
  HadamardMatrix h(x.size(-1));
  return transposed ? h.applyTransposed(x) : h.apply(x);
}

}  // namespace jq
