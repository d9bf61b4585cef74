#include "calib/RotationLoss.h"

#include <cmath>

#include "common/Error.h"

namespace jq {

at::Tensor whipLoss(const at::Tensor& y) {
  if (!y.defined() || y.dim() < 1 || y.numel() == 0)
    throw Error(ErrorKind::InvalidInput, "the Whip loss needs a non-empty tensor [rows, channels]");
  return at::exp(-y.abs()).sum(-1).mean();
}

at::Tensor swdUniformLoss(const at::Tensor& y) {
  if (!y.defined() || (y.dim() != 2 && y.dim() != 3) || y.numel() == 0)
    throw Error(ErrorKind::InvalidInput, "the SWD loss needs a non-empty tensor [rows, channels] or [items, rows, channels]");
  const at::Tensor y3 = y.dim() == 2 ? y.unsqueeze(0) : y;
  const int64_t n = y3.size(1);
  const at::Tensor b = std::sqrt(3.0) * y3.square().mean({1, 2}, /*keepdim=*/true).sqrt();  // [B, 1, 1]
  // Midpoint quantiles of U[−1, 1]: (2i − 1 − N)/N for i = 1…N.
  const at::Tensor u = (at::arange(n, y3.options()) * 2.0 + (1.0 - double(n))) / double(n);
  const at::Tensor t = b * u.view({1, n, 1});
  const at::Tensor sorted = std::get<0>(at::sort(y3, /*dim=*/1));
  const at::Tensor w2 = (sorted - t).square().mean(1) + b.squeeze(-1).square() / (3.0 * double(n) * double(n));
  return w2.mean();
}

at::Tensor rotationLoss(RotationLoss kind, const at::Tensor& y) {
  return kind == RotationLoss::Whip ? whipLoss(y) : swdUniformLoss(y);
}

}  // namespace jq
