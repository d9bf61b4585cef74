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

}  // namespace jq
