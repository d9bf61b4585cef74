// The fused CUDA kernel behind fakeQuantizeActivations() for the W4A4 evaluation's hot path: symmetric per-token
// (or per-group) fake quantization of a CUDA tensor in one read of each row for its range and one read and write
// for the quantize-dequantize, where the LibTorch expression takes about a dozen passes over the activations.
//
// It reproduces the LibTorch path bit for bit: every intermediate (range × clip ratio, scale, x / scale) is rounded
// to the tensor's dtype where LibTorch rounds it, the scale is range × (1/maxq) as LibTorch computes a division by a
// scalar on CUDA, and rounding is half to even. bench/fwht_bench.cpp counts mismatches against the LibTorch path.
//
// Built with the other CUDA kernels (JQ_CUDA_KERNELS); otherwise actQuantCudaAvailable() is false.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace jq {

bool actQuantCudaAvailable();

// x: contiguous CUDA tensor of float32, float16 or bfloat16 whose last dimension is a multiple of groupSize;
// every consecutive groupSize elements share one scale = bf(max|x| · clip) / maxq (bf = rounded to x's dtype),
// scale 1 where the range is 0; q = clamp(round(x / scale), −maxq − 1, maxq); returns scale · q in x's dtype.
at::Tensor fakeQuantizeSymmetricCuda(const at::Tensor& x, int64_t groupSize, int64_t maxq, double clipRatio);

}  // namespace jq
