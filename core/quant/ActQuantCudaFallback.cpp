// Used when the CUDA kernels are not compiled in (no CUDA toolkit, or JQ_CUDA_KERNELS=OFF).
#include "quant/ActQuantCuda.h"

#ifndef JQ_HAVE_ACTQUANT_CUDA
#include "common/Error.h"

namespace jq {
bool actQuantCudaAvailable() { return false; }
at::Tensor fakeQuantizeSymmetricCuda(const at::Tensor&, int64_t, int64_t, double) {
  throw Error(ErrorKind::Unsupported, "this build has no CUDA activation-quantization kernel");
}
}  // namespace jq
#endif
