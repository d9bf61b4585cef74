// PyTorch checkpoint files (`torch.save` zip format) holding a dict of named tensors — how SpinQuant, QuaRot
// and DartQuant exchange rotation matrices. Written with LibTorch's pickler, the files load in Python with
// `torch.load(path)` and `torch.load(path, weights_only=True)` as a plain `dict[str, Tensor]`.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

namespace jq {

// Tensors are detached, copied to the CPU and made contiguous (views do not drag their whole storage along).
// Written atomically (temporary file, then rename). Io on write failure.
void writeTorchTensorDict(const std::string& path, const std::map<std::string, at::Tensor>& tensors);
// Reads a dict of tensors written by torch.save (Python) or writeTorchTensorDict. NotFound when the file is
// missing, InvalidInput naming the file when it is not a torch.save zip archive or holds anything else than a
// dict from strings to tensors.
std::map<std::string, at::Tensor> readTorchTensorDict(const std::string& path);

// SpinQuant's rotation checkpoint (`R.bin`): {"R1": R1, "model.layers.<i>.self_attn.R2": R2 of layer i}.
struct RotationCheckpoint {
  at::Tensor r1;                 // undefined when the file has none
  std::map<int, at::Tensor> r2;  // by layer
};
std::string spinQuantR2Key(int layer);
void writeRotationCheckpoint(const std::string& path, const RotationCheckpoint& rotations);
// Keys other than R1 and the R2 pattern are ignored (logged at debug level).
RotationCheckpoint readRotationCheckpoint(const std::string& path);

}  // namespace jq
