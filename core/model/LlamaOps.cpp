#include "model/LlamaOps.h"

#include <torch/version.h>

#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "common/CudaKernelSwitch.h"
#include "common/EnvironmentSwitch.h"
#include "common/Error.h"
#include "model/RmsNormCuda.h"

namespace jq {

int64_t tensorBytes(const at::Tensor& t) { return t.defined() ? t.numel() * int64_t(t.element_size()) : 0; }

const char* toString(AttentionImpl impl) { return impl == AttentionImpl::Sdpa ? "sdpa" : "eager"; }

bool sdpaAvailable() {
#if TORCH_VERSION_MAJOR >= 2
  return true;
#else
  return false;
#endif
}

bool matmulSupported(at::ScalarType dtype, at::Device device) {
  static std::mutex mutex;
  static std::map<std::pair<int, int>, bool> known;
  const std::pair<int, int> key{int(dtype), int(device.type())};
  std::lock_guard<std::mutex> lock(mutex);
  auto it = known.find(key);
  if (it != known.end()) return it->second;
  bool ok = true;
  try {
    const at::Tensor a = at::ones({2, 2}, at::TensorOptions().dtype(dtype).device(device));
    (void)at::linear(a.unsqueeze(0), a, a[0]);
  } catch (const std::exception&) {
    ok = false;
  }
  known[key] = ok;
  return ok;
}

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  if (x.is_cuda() && cudaKernelsEnabled() && rmsNormCudaSupports(x, weight)) return rmsNormCuda(x, weight, eps);
  const at::Tensor xf = x.to(at::kFloat);
  const at::Tensor variance = xf.pow(2).mean(-1, /*keepdim=*/true);
  const at::Tensor normed = xf * at::rsqrt(variance + eps);
  return weight * normed.to(x.scalar_type());
}

at::Tensor repeatKv(const at::Tensor& x, int64_t groups) {
  if (groups == 1) return x;
  const int64_t b = x.size(0), kv = x.size(1), t = x.size(2), d = x.size(3);
  return x.unsqueeze(2).expand({b, kv, groups, t, d}).reshape({b, kv * groups, t, d});
}

at::Tensor causalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, AttentionImpl impl) {
  if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4 || k.sizes() != v.sizes() || q.size(0) != k.size(0) ||
      q.size(2) != k.size(2) || q.size(3) != k.size(3) || k.size(1) == 0 || q.size(1) % k.size(1) != 0)
    throw Error(ErrorKind::InvalidInput, "attention needs q [B, H, T, D] and k, v [B, KV, T, D] with H a multiple "
                                         "of KV");
  const int64_t groups = q.size(1) / k.size(1);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5)
  // From 2.5 SDPA takes the KV heads as they are (enable_gqa), as transformers asks for when it can: no
  // repeated copy of K and V in memory.
  // JQ_SDPA_GQA=0 repeats the KV heads instead (to measure one against the other).
  static const bool gqa = !environmentIs("JQ_SDPA_GQA", "0");
  if (impl == AttentionImpl::Sdpa && groups > 1 && gqa)
    return at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true, c10::nullopt, /*enable_gqa=*/true);
#endif
  const at::Tensor keys = repeatKv(k, groups);
  const at::Tensor values = repeatKv(v, groups);

#if TORCH_VERSION_MAJOR >= 2
  if (impl == AttentionImpl::Sdpa) {
    // Default scale is 1/sqrt(D), as the eager path; the 6-argument form exists in every 2.x release.
    return at::scaled_dot_product_attention(q, keys, values, {}, 0.0, /*is_causal=*/true);
  }
#else
  (void)impl;  // LibTorch 1.x has no public SDPA: the eager path is the same function
#endif

  const double scaling = std::pow(double(q.size(3)), -0.5);
  at::Tensor scores = at::matmul(q, keys.transpose(2, 3)) * scaling;
  const int64_t t = q.size(2);
  // transformers adds finfo(dtype).min above the diagonal; after the float32 softmax both that and -inf give
  // exactly zero weight, and unmasked scores are untouched either way.
  const at::Tensor future = at::ones({t, t}, q.options().dtype(at::kBool)).triu(1);
  scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
  const at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  return at::matmul(probs, values);
}

}  // namespace jq
