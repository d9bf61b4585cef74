// Settings of every quantizer, as plain fields so RunConfig can hold and serialise them. Defaults are QuaRot's
// (fake_quant/utils.py) except `bits`, which QuaRot leaves at 16 (off) and we set to the W4A4 target; a `bits`
// of 16 still means "leave this tensor in floating point", as in QuaRot.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>

namespace jq {

struct WeightQuantConfig {
  int bits = 4;                // 2..8, or 16 = off
  bool asymmetric = false;     // QuaRot --w_asym
  int64_t groupSize = -1;      // columns per group along the input dimension; -1 = one scale per output row
  bool mseClip = false;        // QuaRot --w_clip: search the clipping range that minimises ‖x - q(x)‖_norm^norm
  int mseGrid = 100;           // shrink steps p = 1 - i/grid ...
  double mseMaxShrink = 0.8;   // ... for i < maxShrink·grid (p from 1.0 down to 0.21)
  double mseNorm = 2.4;        // error exponent of the search (GPTQ/QuaRot's Quantizer default)
};

// GPTQ (Frantar et al. 2022) as QuaRot runs it (fake_quant/gptq_utils.py).
struct GptqConfig {
  int64_t blockSize = 128;     // columns updated lazily together
  double percDamp = 0.01;      // λ = percDamp · mean(diag H) added to the diagonal (QuaRot --percdamp)
  bool actOrder = false;       // QuaRot --act_order: quantize columns in order of decreasing diag(H)
  // Groups with act-order: false (QuaRot) = groups are consecutive runs of the *permuted* columns, parameters
  // taken when the run starts; true = groups of the original column order, parameters taken up front from W.
  bool staticGroups = false;
};

// Per-token activation quantizer (QuaRot's ActQuantizer): one scale per row of the last dimension, or per
// group of `groupSize` elements along it.
struct ActQuantConfig {
  int bits = 4;                // 2..8, or 16 = off (QuaRot --a_bits)
  bool asymmetric = false;     // QuaRot --a_asym
  double clipRatio = 1.0;      // range scaled by this, in (0, 1] (QuaRot --a_clip_ratio)
  int64_t groupSize = -1;      // must divide the last dimension; -1 = whole row
  // QuaRot widens the range to contain 0 on its per-token path (the formula in DESIGN.md) but not on its
  // group-wise path (used for the V cache when --v_groupsize is set). false reproduces the latter.
  bool rangeIncludesZero = true;
};

// KV cache: per token and per head (groups of head_dim along the last dimension), as QuaRot quantizes K
// (QKRotationWrapper, head-wise) and V (v_proj output quantizer with v_groupsize = head_dim).
struct KvQuantConfig {
  int bits = 4;                // QuaRot --k_bits / --v_bits
  bool asymmetric = false;     // QuaRot --k_asym / --v_asym
  double clipRatio = 1.0;      // QuaRot --k_clip_ratio / --v_clip_ratio
  bool rangeIncludesZero = true;  // see ActQuantConfig; QuaRot's V path with asymmetric groups uses false
};

// SmoothQuant (Xiao et al. 2023, mit-han-lab/smoothquant smooth.py).
struct SmoothQuantConfig {
  double alpha = 0.5;          // migration strength, in [0, 1]
};

// Throw jq::Error(InvalidInput) naming the field and its bad value.
void validate(const WeightQuantConfig& c);
void validate(const GptqConfig& c);
void validate(const ActQuantConfig& c);
void validate(const KvQuantConfig& c);
void validate(const SmoothQuantConfig& c);

// JSON with the field names above; from_json keeps the default of every absent key and validates.
void to_json(nlohmann::json& j, const WeightQuantConfig& c);
void from_json(const nlohmann::json& j, WeightQuantConfig& c);
void to_json(nlohmann::json& j, const GptqConfig& c);
void from_json(const nlohmann::json& j, GptqConfig& c);
void to_json(nlohmann::json& j, const ActQuantConfig& c);
void from_json(const nlohmann::json& j, ActQuantConfig& c);
void to_json(nlohmann::json& j, const KvQuantConfig& c);
void from_json(const nlohmann::json& j, KvQuantConfig& c);
void to_json(nlohmann::json& j, const SmoothQuantConfig& c);
void from_json(const nlohmann::json& j, SmoothQuantConfig& c);

}  // namespace jq
