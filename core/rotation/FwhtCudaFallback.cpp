// Used when the CUDA kernel is not compiled in (no CUDA toolkit, or JQ_CUDA_KERNELS=OFF).
#include "rotation/FwhtCuda.h"

#ifndef JQ_HAVE_FWHT_CUDA
#include "common/Error.h"

namespace jq {
bool fwhtCudaAvailable() { return false; }
bool fwhtCudaSupports(int64_t, int64_t) { return false; }
at::Tensor fwhtCuda(const at::Tensor&, const at::Tensor&, const at::Tensor&, int64_t, int64_t, double) {
  throw Error(ErrorKind::Unsupported, "this build has no CUDA Walsh-Hadamard kernel (configure with a CUDA toolkit)");
}
}  // namespace jq
#endif
