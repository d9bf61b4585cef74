// Walsh-Hadamard transform on a CUDA device: for each row length n and dtype, the relative error of
// HadamardMatrix::apply() against the dense product x·Hᵀ (float64) and its effective bandwidth
// (bytes read + written per second) next to a device-to-device copy of the same tensor in the same run.
// Prints one JSON object. Usage: jq_fwht_bench [--device cuda:0] [--bytes 268435456] [--iters 20]
#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "model/RmsNormCuda.h"
#include "quant/ActQuantizer.h"
#include "quant/ActQuantCuda.h"
#include "rotation/FwhtCuda.h"
#include "rotation/HadamardMatrix.h"

namespace {

void sync(const at::Tensor& t) { (void)t.sum().item<double>(); }

template <typename F>
double secondsPerCall(const at::Tensor& out, int iters, F&& f) {
  f();
  sync(out);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) f();
  sync(out);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iters;
}

}  // namespace

int main(int argc, char** argv) {
  std::string device = "cuda:0";
  int64_t bytes = int64_t(1) << 28;
  int iters = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--device") device = argv[i + 1];
    else if (a == "--bytes") bytes = std::atoll(argv[i + 1]);
    else if (a == "--iters") iters = std::atoi(argv[i + 1]);
  }
  const at::Device dev(device);
  nlohmann::json out = {{"device", device}, {"kernel_compiled", jq::fwhtCudaAvailable()}, {"results", nlohmann::json::array()}};
  for (int64_t n : {128, 2048, 4096, 8192, 11008, 14336, 28672}) {
    const jq::HadamardMatrix h(n);
    for (auto dtype : {at::kBFloat16, at::kFloat}) {
      const int64_t elem = dtype == at::kFloat ? 4 : 2;
      const int64_t rows = std::max<int64_t>(1, bytes / (n * elem));
      at::manual_seed(0);
      const auto x = at::randn({rows, n}, at::TensorOptions().device(dev).dtype(at::kFloat)).to(dtype);
      // Error against the dense product in float64 on 64 rows spread over the whole batch, taken from one call on all
      // rows (persistent blocks reach the later rows only in later iterations of their loop).
      const int64_t check = std::min<int64_t>(rows, 64);
      const auto idx = at::arange(0, rows, std::max<int64_t>(1, rows / check), at::TensorOptions().device(dev).dtype(at::kLong));
      const auto xs = x.index_select(0, idx).contiguous();
      const auto ref = at::matmul(xs.to(at::kDouble), h.dense(at::TensorOptions().device(dev).dtype(at::kDouble)).t());
      const auto got = h.apply(x).index_select(0, idx).to(at::kDouble);
      const double relErr = ((got - ref).abs().max() / ref.abs().max()).item<double>();
      const auto gotT = h.applyTransposed(h.apply(xs)).to(at::kDouble);
      const double roundTrip = ((gotT - xs.to(at::kDouble)).abs().max() / xs.to(at::kDouble).abs().max()).item<double>();

      at::Tensor y = h.apply(x);
      const double tKernel = secondsPerCall(y, iters, [&] { y = h.apply(x); });
      at::Tensor c = at::empty_like(x);
      const double tCopy = secondsPerCall(c, iters, [&] { c.copy_(x); });
      const double moved = 2.0 * double(rows) * double(n) * double(elem);
      const double bwKernel = moved / tKernel / 1e9, bwCopy = moved / tCopy / 1e9;
      out["results"].push_back({{"n", n},
                                {"dtype", dtype == at::kFloat ? "float32" : "bfloat16"},
                                {"rows", rows},
                                {"core", h.coreSize()},
                                {"fused_kernel", jq::fwhtCudaSupports(h.coreSize(), h.powerOfTwoSize())},
                                {"max_rel_error_vs_dense", relErr},
                                {"round_trip_rel_error", roundTrip},
                                {"kernel_ms", tKernel * 1e3},
                                {"copy_ms", tCopy * 1e3},
                                {"kernel_GBps", bwKernel},
                                {"copy_GBps", bwCopy},
                                {"ratio_to_copy", bwKernel / bwCopy}});
      std::cerr << "n " << n << " " << (dtype == at::kFloat ? "fp32" : "bf16") << ": " << bwKernel << " GB/s vs copy "
                << bwCopy << " GB/s, rel err " << relErr << "\n";
    }
  }
  // Fused per-token activation fake quantization (4 bits, symmetric) against the LibTorch expression it replaces:
  // mismatching elements (expected 0: the kernel rounds where LibTorch rounds) and time of each.
  out["act_quant"] = nlohmann::json::array();
  for (int64_t n : {2048, 4096, 8192, 14336}) {
    for (auto dtype : {at::kBFloat16, at::kFloat}) {
      const int64_t elem = dtype == at::kFloat ? 4 : 2;
      const int64_t rows = std::max<int64_t>(1, bytes / (n * elem));
      at::manual_seed(1);
      // Heavy-tailed rows with a few outlier channels, as real activations have.
      auto x = at::randn({rows, n}, at::TensorOptions().device(dev).dtype(at::kFloat));
      x.select(1, 7).mul_(40.0);
      x = x.to(dtype);
      jq::ActQuantConfig c;
      c.bits = 4;
      at::Tensor a = jq::fakeQuantizeActivations(x, c);
      at::Tensor b = jq::fakeQuantizeActivationsLibTorch(x, c);
      const int64_t mismatches = (a != b).sum().item<int64_t>();
      const double maxDiff = (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
      const double tKernel = secondsPerCall(a, iters, [&] { a = jq::fakeQuantizeActivations(x, c); });
      const double tTorch = secondsPerCall(b, iters, [&] { b = jq::fakeQuantizeActivationsLibTorch(x, c); });
      at::Tensor cp = at::empty_like(x);
      const double tCopy = secondsPerCall(cp, iters, [&] { cp.copy_(x); });
      out["act_quant"].push_back({{"n", n},
                                  {"dtype", dtype == at::kFloat ? "float32" : "bfloat16"},
                                  {"rows", rows},
                                  {"kernel_compiled", jq::actQuantCudaAvailable()},
                                  {"mismatching_elements", mismatches},
                                  {"max_abs_difference", maxDiff},
                                  {"kernel_ms", tKernel * 1e3},
                                  {"libtorch_ms", tTorch * 1e3},
                                  {"copy_ms", tCopy * 1e3},
                                  {"speedup_vs_libtorch", tTorch / tKernel},
                                  {"kernel_time_over_copy", tKernel / tCopy}});
      std::cerr << "act quant n " << n << " " << (dtype == at::kFloat ? "fp32" : "bf16") << ": " << mismatches
                << " mismatches, kernel " << tKernel * 1e3 << " ms, libtorch " << tTorch * 1e3 << " ms, copy "
                << tCopy * 1e3 << " ms\n";
    }
  }
  // RMSNorm kernel against transformers' LlamaRMSNorm written in LibTorch ops (the rmsNorm() fallback).
  for (int64_t h : {2048, 4096, 8192}) {
    for (auto dtype : {at::kBFloat16, at::kFloat}) {
      at::manual_seed(2);
      const int64_t rows = 8192;
      const auto x = (at::randn({rows, h}, at::TensorOptions().device(dev)) * 3.0).to(dtype);
      const auto w = (at::rand({h}, at::TensorOptions().device(dev)) + 0.5).to(dtype);
      auto reference = [&] {
        const at::Tensor xf = x.to(at::kFloat);
        return w * (xf * at::rsqrt(xf.pow(2).mean(-1, true) + 1e-5)).to(dtype);
      };
      if (!jq::rmsNormCudaSupports(x, w)) continue;
      at::Tensor a = jq::rmsNormCuda(x, w, 1e-5), b = reference();
      const int64_t mismatches = (a != b).sum().item<int64_t>();
      const double maxRel = ((a.to(at::kDouble) - b.to(at::kDouble)).abs().max() / b.to(at::kDouble).abs().max()).item<double>();
      const double tKernel = secondsPerCall(a, iters, [&] { a = jq::rmsNormCuda(x, w, 1e-5); });
      const double tTorch = secondsPerCall(b, iters, [&] { b = reference(); });
      out["rms_norm"].push_back({{"hidden", h}, {"dtype", dtype == at::kFloat ? "float32" : "bfloat16"}, {"rows", rows},
                                 {"mismatching_elements", mismatches}, {"elements", rows * h},
                                 {"max_rel_difference", maxRel}, {"kernel_ms", tKernel * 1e3},
                                 {"libtorch_ms", tTorch * 1e3}, {"speedup_vs_libtorch", tTorch / tKernel}});
      std::cerr << "rms norm h " << h << " " << (dtype == at::kFloat ? "fp32" : "bf16") << ": " << mismatches << " of "
                << rows * h << " elements differ (max rel " << maxRel << "), kernel " << tKernel * 1e3
                << " ms, libtorch " << tTorch * 1e3 << " ms\n";
    }
  }
  std::cout << out.dump(2) << std::endl;
  return 0;
}
