#include "common/CudaKernelSwitch.h"

#include <cstdlib>
#include <cstring>

namespace jq {

bool cudaKernelsEnabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("JQ_DISABLE_CUDA_KERNELS");
    return !(v && *v && std::strcmp(v, "0") != 0);
  }();
  return enabled;
}

}  // namespace jq
