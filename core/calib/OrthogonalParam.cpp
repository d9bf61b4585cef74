#include "calib/OrthogonalParam.h"

#include "common/Error.h"

namespace jq {

namespace {
void checkSquare(const at::Tensor& z, const char* what) {
  if (!z.defined() || (z.dim() != 2 && z.dim() != 3) || z.size(-1) != z.size(-2) ||
      !at::isFloatingType(z.scalar_type()))
    throw Error(ErrorKind::InvalidInput, std::string(what) + " needs a floating [n, n] or [g, n, n] matrix");
}
}  // namespace

at::Tensor qrOrth(const at::Tensor& z) {
  checkSquare(z, "QR-Orth");
  const auto qr = at::linalg_qr(z, "reduced");
  const at::Tensor d = std::get<1>(qr).diagonal(0, -2, -1).detach();
  const at::Tensor s = at::where(d < 0, at::full_like(d, -1.0), at::full_like(d, 1.0));
  return std::get<0>(qr) * s.unsqueeze(-2);
}

at::Tensor cayley(const at::Tensor& z) {
  checkSquare(z, "Cayley");
  const at::Tensor a = (z - z.transpose(-2, -1)) * 0.5;
  const at::Tensor eye = at::eye(z.size(-1), z.options()).expand_as(z);
  // (I − A) and (I + A)⁻¹ commute, so one solve gives the product.
  return at::linalg_solve(eye + a, eye - a);
}

OrthogonalParam::OrthogonalParam(Orthogonalization kind, const at::Tensor& start) : kind_(kind) {
  checkSquare(start, "an orthogonal parameter");
  at::NoGradGuard noGrad;
  if (kind_ == Orthogonalization::QrOrth) {
    z_ = start.detach().clone();
  } else {
    base_ = start.detach().clone();
    z_ = at::zeros_like(base_);
  }
  z_.set_requires_grad(true);
}

at::Tensor OrthogonalParam::matrix() const {
  if (kind_ == Orthogonalization::QrOrth) return qrOrth(z_);
  return at::matmul(base_, cayley(z_));
}

at::Tensor OrthogonalParam::current() const {
  at::NoGradGuard noGrad;
  return matrix().detach();
}

}  // namespace jq
