// Hands the CUDA caching allocator's unused blocks back to the driver between pipeline stages. LibTorch keeps every
// block it ever allocated; after capture (a second model copy) and calibration (large mini-batches) those blocks
// would stay reserved for GPTQ and evaluation, and the GPU would look (and be, to other processes) that much fuller.
#pragma once

namespace jq {

void releaseCachedDeviceMemory();  // no-op without CUDA

// The most bytes the caching allocator held from the driver (reserved, i.e. what nvidia-smi shows less the CUDA
// context) on the current CUDA device since the previous call, which starts a new period; -1 without CUDA.
int64_t takePeakDeviceBytes();

}  // namespace jq
