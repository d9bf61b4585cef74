#include "quant/QuantParams.h"

#include "common/Error.h"
#include "quant/TensorOps.h"

namespace jq {
namespace {

void check(const at::Tensor& x, const QuantParams& p, const char* what) {
  if (!x.defined() || !p.scale.defined() || !p.zero.defined())
    throw Error(ErrorKind::InvalidInput, std::string(what) + ": tensor or quantization parameters are undefined");
  if (p.bits < 2 || p.bits > 16)
    throw Error(ErrorKind::InvalidInput, std::string(what) + ": " + std::to_string(p.bits) + " bits is outside 2..16");
}

}  // namespace

int64_t quantMin(int bits, bool asymmetric) { return asymmetric ? 0 : -(int64_t(1) << (bits - 1)); }
int64_t quantMax(int bits, bool asymmetric) {
  return asymmetric ? (int64_t(1) << bits) - 1 : (int64_t(1) << (bits - 1)) - 1;
}

at::Tensor quantizeToInt(const at::Tensor& x, const QuantParams& p) {
  check(x, p, "quantize");
  const auto lo = double(quantMin(p.bits, p.asymmetric));
  const auto hi = double(quantMax(p.bits, p.asymmetric));
  auto q = detail::roundHalfEven(x / p.scale.to(x.device()));
  if (p.asymmetric) q = q + p.zero.to(x.device());
  return detail::clampRange(q, lo, hi).to(at::kInt);
}

at::Tensor dequantize(const at::Tensor& q, const QuantParams& p) {
  check(q, p, "dequantize");
  const auto scale = p.scale.to(q.device());
  auto qf = q.to(scale.scalar_type());
  return p.asymmetric ? scale * (qf - p.zero.to(q.device())) : scale * qf;
}

at::Tensor fakeQuantize(const at::Tensor& x, const QuantParams& p) {
  check(x, p, "fake-quantize");
  const auto lo = double(quantMin(p.bits, p.asymmetric));
  const auto hi = double(quantMax(p.bits, p.asymmetric));
  const auto scale = p.scale.to(x.device());
  if (p.asymmetric) {
    const auto zero = p.zero.to(x.device());
    return (scale * (detail::clampRange(detail::roundHalfEven(x / scale) + zero, lo, hi) - zero)).to(x.scalar_type());
  }
  return (scale * detail::clampRange(detail::roundHalfEven(x / scale), lo, hi)).to(x.scalar_type());
}

}  // namespace jq
