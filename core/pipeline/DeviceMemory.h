// Hands the CUDA caching allocator's unused blocks back to the driver between pipeline stages. LibTorch keeps every
// block it ever allocated; after capture (a second model copy) and calibration (large mini-batches) those blocks
// would stay reserved for GPTQ and evaluation, and the GPU would look (and be, to other processes) that much fuller.
#pragma once

namespace jq {

void releaseCachedDeviceMemory();  // no-op without CUDA

}  // namespace jq
