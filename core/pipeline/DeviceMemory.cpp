#include "pipeline/DeviceMemory.h"

#ifdef JQ_HAVE_TORCH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace jq {

void releaseCachedDeviceMemory() {
#ifdef JQ_HAVE_TORCH_CUDA
  if (c10::cuda::device_count() > 0) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
}

int64_t takePeakDeviceBytes() {
#ifdef JQ_HAVE_TORCH_CUDA
  if (c10::cuda::device_count() == 0) return -1;
  try {
    const auto device = c10::cuda::current_device();
    // Index 0 of the stat arrays is the aggregate over pool kinds, in LibTorch 1.13 and 2.x alike.
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device);
    const int64_t peak = stats.reserved_bytes[0].peak;
    c10::cuda::CUDACachingAllocator::resetPeakStats(device);
    return peak;
  } catch (const c10::Error&) {
    return -1;  // the allocator is set up on the first CUDA allocation; before it there is nothing to report
  }
#else
  return -1;
#endif
}

}  // namespace jq
