// Used when the CUDA kernel is not compiled in (no CUDA toolkit, or JQ_CUDA_KERNELS=OFF).
#include "model/RmsNormCuda.h"

#ifndef JQ_HAVE_RMSNORM_CUDA
#include "common/Error.h"

namespace jq {
bool rmsNormCudaSupports(const at::Tensor&, const at::Tensor&) { return false; }
at::Tensor rmsNormCuda(const at::Tensor&, const at::Tensor&, double) {
  throw Error(ErrorKind::Unsupported, "this build has no CUDA RMSNorm kernel (configure with a CUDA toolkit)");
}
}  // namespace jq
#endif
