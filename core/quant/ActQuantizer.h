// Dynamic activation quantization (QuaRot's ActQuantizer): parameters are computed from the tensor itself at
// every call, one set per token (row of the last dimension) or per group of `groupSize` elements of it:
//
//   range   min, max of the row/group; widened to contain 0 when rangeIncludesZero; then × clipRatio
//   sym     s = max(|min|, max) / (2^(b-1)-1), s = 1 where that is 0                     z = 0
//   asym    s = (max - min) / (2^b-1), an all-zero range becomes [-1, 1]                 z = round(-min/s)
//
// With rangeIncludesZero = false a constant non-zero group would give s = 0 (QuaRot divides by it); here such
// a group falls back to the range widened to 0. Arithmetic is in the input's dtype, as QuaRot does.
#pragma once

#include <ATen/ATen.h>

#include "quant/QuantConfig.h"
#include "quant/QuantParams.h"

namespace jq {

struct QuantizedActivation {
  at::Tensor values;  // int32, the input's shape
  at::Tensor scale;   // [..., groups]: the input's leading shape, one per group (1 group without grouping)
  at::Tensor zero;    // [..., groups]
};

// Integers and parameters (bits must be < 16). Throws jq::Error(InvalidInput) when groupSize does not divide
// the last dimension or the tensor is not floating point.
QuantizedActivation quantizeActivations(const at::Tensor& x, const ActQuantConfig& c);

// Quantize-dequantize in x's dtype and shape; bits = 16 returns x.
at::Tensor fakeQuantizeActivations(const at::Tensor& x, const ActQuantConfig& c);

// The same as a LibTorch expression on any device, never the fused CUDA kernel that fakeQuantizeActivations() uses
// for symmetric quantization of CUDA tensors (quant/ActQuantCuda.h): the reference the kernel is checked against.
at::Tensor fakeQuantizeActivationsLibTorch(const at::Tensor& x, const ActQuantConfig& c);

// KV cache per token and head: x is [..., heads·headDim] or [..., headDim] (e.g. [batch, heads, seq, headDim]);
// every headDim-long slice of the last dimension gets its own parameters.
at::Tensor fakeQuantizeKvCache(const at::Tensor& x, int64_t headDim, const KvQuantConfig& c);

}  // namespace jq
