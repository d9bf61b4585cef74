// One switch for the project's own CUDA kernels (Walsh-Hadamard, activation fake quantization): setting
// JQ_DISABLE_CUDA_KERNELS=1 in the environment makes every caller take its LibTorch path instead, so a benchmark
// or a bug report can compare the two in the same build.
#pragma once

namespace jq {

bool cudaKernelsEnabled();  // read once from the environment

}  // namespace jq
