#include "rotation/RandomRotation.h"

#include <ATen/CPUGeneratorImpl.h>

#include <tuple>

#include "common/Error.h"
#include "rotation/HadamardMatrix.h"

namespace jq {
namespace {

void requirePositiveSize(int64_t n, const char* what) {
  if (n < 1) throw Error(ErrorKind::InvalidInput, std::string(what) + " needs a size of at least 1, got " + std::to_string(n));
}

const at::TensorOptions kCpuDouble = at::TensorOptions().dtype(at::kDouble).device(at::kCPU);

}  // namespace

at::Generator makeCpuGenerator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

at::Tensor randomSigns(int64_t n, at::Generator& generator) {
  requirePositiveSize(n, "random sign vector");
  auto bits = at::randint(0, 2, {n}, generator, at::TensorOptions().dtype(at::kLong).device(at::kCPU));
  return bits.to(at::kDouble).mul_(2).sub_(1);
}

at::Tensor randomHadamardMatrix(int64_t n, at::Generator& generator, const at::TensorOptions& options) {
  requirePositiveSize(n, "random Hadamard matrix");
  HadamardMatrix h(n);  // throws before drawing, so an unsupported n leaves the generator untouched
  auto signs = randomSigns(n, generator);
  return h.apply(at::diag(signs)).to(options);
}

at::Tensor randomHadamardMatrix(int64_t n, uint64_t seed, const at::TensorOptions& options) {
  auto g = makeCpuGenerator(seed);
  return randomHadamardMatrix(n, g, options);
}

at::Tensor randomOrthogonalMatrix(int64_t n, at::Generator& generator, const at::TensorOptions& options) {
  requirePositiveSize(n, "random orthogonal matrix");
  auto gaussian = at::randn({n, n}, generator, kCpuDouble);
  at::Tensor q, r;
  std::tie(q, r) = at::linalg_qr(gaussian);
  auto d = r.diagonal();
  auto sign = at::where(d < 0, at::full_like(d, -1.0), at::full_like(d, 1.0));
  return q.mul(sign.unsqueeze(0)).to(options);
}

at::Tensor randomOrthogonalMatrix(int64_t n, uint64_t seed, const at::TensorOptions& options) {
  auto g = makeCpuGenerator(seed);
  return randomOrthogonalMatrix(n, g, options);
}

}  // namespace jq
