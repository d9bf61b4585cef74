// R1/R2 in the files other rotation tools read and write, so rotations can travel both ways:
//
//  * SpinQuant (`R.bin`, eval_utils/rotation_utils.py, `--optimized_rotation_path`): one torch.save dict
//    {"R1": [hidden, hidden], "model.layers.<i>.self_attn.R2": [head_dim, head_dim]}; one R2 per layer, shared
//    by every head.
//  * DartQuant (fake_quant/rotation_utils.py, `--r1_path` / `--r2_path`): torch.save dicts with the same keys,
//    R1 in one file and the R2s, [kv_heads, head_dim, head_dim] (one matrix per KV-head group), in another.
//    We write both into one file, which works for both flags because each loader takes only the keys it needs.
//  * safetensors with the same keys and shapes as the DartQuant layout (or the SpinQuant one when asked).
//
// Conventions are the same in all three tools and here (y = x·Wᵀ): readers of the residual W := W·R1, writers
// W := R1ᵀ·W; R2 of group g: v_proj rows W := R2_gᵀ·W, o_proj columns of that group's query heads W := W·R2_g.
// So a matrix is exchanged as is, never transposed. Tensors keep their dtype (float64 stays float64), so a
// round trip is bit-exact.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace jq {

enum class RotationLayout { DartQuant, SpinQuant };
RotationLayout rotationLayoutFromName(const std::string& name);  // "dartquant", "spinquant"; InvalidInput otherwise
const char* rotationLayoutName(RotationLayout layout);

struct RotationSet {
  at::Tensor r1;               // [hidden, hidden], undefined when absent
  std::vector<at::Tensor> r2;  // per layer: [kv_heads, head_dim, head_dim] or [head_dim, head_dim]; empty = none
  std::string r1File, r2File;  // the files they were read from (named in errors); empty when made here
  bool empty() const { return !r1.defined() && r2.empty(); }
};

// "model.layers.<i>.self_attn.R2"
std::string rotationR2Key(int layer);

// By extension: .safetensors → safetensors, anything else (.pt, .bin, .pth) → torch.save zip. Written atomically.
// SpinQuant layout needs every layer's groups to be identical (it has one R2 per layer): Unsupported otherwise,
// naming the layer. Throws InvalidInput for an empty set or an R2 that is not square.
void writeRotationFile(const std::string& path, const RotationSet& rotations,
                       RotationLayout layout = RotationLayout::DartQuant);

// By extension: .h5/.hdf5 → run file (/rotations), .safetensors, else torch.save (torch.load-able dict).
// Keys "R1" and "model.layers.<i>.self_attn.R2" (SpinQuant's raw state-dict names with ".weight" too); other
// keys are ignored. InvalidInput naming the file when it holds no rotation, R2 layers have gaps, or a matrix is
// not square; NotFound when the file is missing.
RotationSet readRotationFile(const std::string& path);
// Several files merged (DartQuant keeps R1 and R2 apart); InvalidInput when two files hold the same matrix.
RotationSet readRotationFiles(const std::vector<std::string>& paths);

}  // namespace jq
