// Round-to-nearest weight quantization, per output channel (QuaRot's WeightQuantizer with perchannel=True,
// itself GPTQ's Quantizer). A weight is [out, in]; every row (or every group of `groupSize` input columns of
// a row) gets its own scale:
//
//   range   min = min(0, min w), max = max(0, max w)
//   sym     s = max(|min|, max, 1e-5) / (2^(b-1)-1)                         z = 0
//   asym    s = max(max - min, 1e-5) / (2^b-1)   (an all-zero row: [-1, 1])  z = round(-min/s)
//   mseClip try min·p, max·p for p = 1 - i/grid, i < maxShrink·grid, keep the p with the smallest
//           Σ|w - q(w)|^norm of the row (p = 1 first, so never worse than no clipping in that norm)
//
// Arithmetic is done in the weight's dtype, as QuaRot does (float16 weights: float16 scales).
#pragma once

#include <ATen/ATen.h>

#include "quant/QuantConfig.h"
#include "quant/QuantParams.h"

namespace jq {

// Parameters for the rows of `w` ([rows, cols]) over all its columns; scale and zero are [rows, 1].
// Ignores c.groupSize (callers pass the group's columns).
QuantParams findWeightQuantParams(const at::Tensor& w, const WeightQuantConfig& c);

struct QuantizedWeight {
  at::Tensor weight;      // fake-quantized: the dequantized values, same shape and dtype as the input
  at::Tensor scale;       // [out, groups] (groups = 1 without grouping); undefined when bits = 16
  at::Tensor zero;        // [out, groups], zeros when symmetric
  at::Tensor groupIndex;  // [in] int64: which column of scale/zero each input column uses
};

// RTN of a [out, in] weight. With groups the last group may be shorter when groupSize does not divide in.
// bits = 16 returns the weight unchanged. Throws jq::Error(InvalidInput) for a non-2-D or integer tensor.
QuantizedWeight quantizeWeightRtn(const at::Tensor& w, const WeightQuantConfig& c);

}  // namespace jq
