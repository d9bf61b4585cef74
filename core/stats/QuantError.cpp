#include "stats/QuantError.h"

#include "common/Error.h"

namespace jq {

void QuantError::add(const QuantError& other) {
  sumSquaredError += other.sumSquaredError;
  sumSquares += other.sumSquares;
  count += other.count;
}

double QuantError::mse() const { return count > 0 ? sumSquaredError / double(count) : 0.0; }

double QuantError::relative() const { return sumSquares > 0.0 ? sumSquaredError / sumSquares : 0.0; }

namespace {
void checkQuantArgs(const at::Tensor& x, int bits) {
  if (!x.defined() || !at::isFloatingType(x.scalar_type()) || x.dim() < 1)
    throw Error(ErrorKind::InvalidInput, "per-token quantization needs a floating-point tensor of rank >= 1");
  if (bits < 2 || bits > 16)
    throw Error(ErrorKind::InvalidInput, "per-token quantization supports 2 to 16 bits, got " + std::to_string(bits));
}
}  // namespace

at::Tensor fakeQuantPerTokenSymmetric(const at::Tensor& x, int bits, double clipRatio) {
  checkQuantArgs(x, bits);
  const double maxq = double((int64_t(1) << (bits - 1)) - 1);
  // (max|x|·clip)/maxq in this order, as QuaRot computes it, so the scale rounds the same way.
  at::Tensor scale = x.abs().amax({-1}, /*keepdim=*/true) * clipRatio / maxq;
  scale = at::where(scale == 0, at::ones_like(scale), scale);
  at::Tensor q = at::clamp(at::round(x / scale), -(maxq + 1.0), maxq);
  return q * scale;
}

QuantError perTokenQuantError(const at::Tensor& x, int bits, double clipRatio) {
  checkQuantArgs(x, bits);
  QuantError e;
  if (x.numel() == 0) return e;
  at::NoGradGuard noGrad;
  const at::Tensor xq = fakeQuantPerTokenSymmetric(x, bits, clipRatio);
  const at::Tensor x64 = x.to(at::kDouble);
  const at::Tensor sums = at::stack({(x64 - xq.to(at::kDouble)).square().sum(), x64.square().sum()}).cpu();
  e.sumSquaredError = sums[0].item<double>();
  e.sumSquares = sums[1].item<double>();
  e.count = x.numel();
  return e;
}

}  // namespace jq
