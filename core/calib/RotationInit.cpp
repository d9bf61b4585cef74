#include "calib/RotationInit.h"

#include <cmath>
#include <vector>

#include "calib/OrthogonalParam.h"
#include "common/Error.h"

namespace jq {

at::Tensor randomSignHadamard(int64_t n, SeededRng& rng, const at::TensorOptions& options) {
  const at::Tensor ht = HadamardMatrix(n).dense(at::kDouble).t();  // throws Unsupported before any draw
  std::vector<double> s(static_cast<size_t>(n));
  for (auto& v : s) v = double(rng.sign());
  const at::Tensor signs = at::from_blob(s.data(), {n, 1}, at::kDouble);
  return (signs * ht).to(options.device(), options.dtype().toScalarType());
}

at::Tensor randomOrthogonal(int64_t n, SeededRng& rng, const at::TensorOptions& options) {
  if (n < 1) throw Error(ErrorKind::InvalidInput, "a random rotation needs size >= 1");
  std::vector<double> g(size_t(n * n));
  for (auto& v : g) v = rng.normal();
  at::NoGradGuard noGrad;
  // QR of a Gaussian matrix with diag(R) > 0 is Haar-distributed (Mezzadri 2007).
  const at::Tensor q = qrOrth(at::from_blob(g.data(), {n, n}, at::kDouble).clone());
  return q.to(options.device(), options.dtype().toScalarType());
}

at::Tensor initialRotation(RotationInit init, int64_t n, SeededRng& rng, const at::TensorOptions& options) {
  return init == RotationInit::Hadamard ? randomSignHadamard(n, rng, options) : randomOrthogonal(n, rng, options);
}

}  // namespace jq
