// The uniform quantizer every other file builds on (QuaRot quant_utils.py: sym_quant / asym_quant):
//
//   symmetric  b bits: q = clamp(round(x/s), -2^(b-1), 2^(b-1)-1),      x̂ = s·q
//   asymmetric b bits: q = clamp(round(x/s) + z, 0, 2^b - 1),           x̂ = s·(q - z)
//
// round is round-half-to-even (at::round, like torch.round). How s and z are chosen (ranges, clipping, the
// guards against s = 0) belongs to the weight and activation quantizers, which differ there as QuaRot's do.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace jq {

// Integer grid of a b-bit quantizer: symmetric [-2^(b-1), 2^(b-1)-1], asymmetric [0, 2^b-1].
int64_t quantMin(int bits, bool asymmetric);
int64_t quantMax(int bits, bool asymmetric);

// scale and zero broadcast against the tensor they quantize (e.g. [rows, 1] per row, [rows, groups, 1] per
// group of a [rows, groups, groupSize] view). zero is all zeros for symmetric quantizers.
struct QuantParams {
  at::Tensor scale;
  at::Tensor zero;
  int bits = 4;
  bool asymmetric = false;
};

// Integers on the grid (int32), computed in x's floating dtype before the conversion.
at::Tensor quantizeToInt(const at::Tensor& x, const QuantParams& p);
// s·(q - z) in the scale's dtype.
at::Tensor dequantize(const at::Tensor& q, const QuantParams& p);
// dequantize(quantizeToInt(x)) without the integer round trip, in x's dtype.
at::Tensor fakeQuantize(const at::Tensor& x, const QuantParams& p);

}  // namespace jq
