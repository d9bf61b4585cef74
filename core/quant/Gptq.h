// GPTQ (Frantar et al., "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers",
// 2022) as QuaRot runs it (fake_quant/gptq_utils.py, from IST-DASLab/gptq). For a linear y = x·Wᵀ it quantizes
// W one input column at a time and spreads each column's rounding error over the columns not yet quantized,
// weighted by the inverse Hessian of ‖X·Wᵀ - X·Ŵᵀ‖², H = 2/N·XᵀX.
//
// Steps, all as the reference does them:
//   - quantizer parameters without groups come from the whole W, taken before dead columns are zeroed;
//   - dead columns (diag H = 0): H_jj := 1, W[:, j] := 0;
//   - act-order: columns sorted by decreasing diag H, W and H permuted;
//   - damp: H += percDamp · mean(diag H) · I;  U = upper Cholesky factor of H⁻¹ (via chol → chol-inverse → chol);
//   - blocks of blockSize columns: inside a block every column's error (w - q)/U_jj updates the rest of the block
//     at once; the columns after the block are updated once per block (the lazy batch update);
//   - groups (dynamic, QuaRot's): when a group starts, its parameters are computed from the current W over the
//     group's columns, as stored at the start of the current block (GPTQ's behaviour when groupSize is not a
//     multiple of blockSize). With act-order the groups are runs of the permuted order. staticGroups: computed up
//     front, after dead-column zeroing, from the original column order.
// Internally float32 (float64 when W is float64), the result in W's dtype.
#pragma once

#include <ATen/ATen.h>

#include "common/Error.h"
#include "common/Job.h"
#include "quant/QuantConfig.h"
#include "quant/WeightQuantizer.h"

namespace jq {

// Streaming H = 2/N · Σ xᵀx over calibration inputs of one linear layer, exactly as GPTQ.add_batch:
// before each batch of t samples H *= N/(N+t), N += t, then H += (√(2/N)·x)ᵀ(√(2/N)·x).
// A sample is one sequence: a [tokens, columns] input is one sample, [batch, tokens, columns] is `batch`
// samples (higher ranks: every leading index is a sample). The scale of H does not change GPTQ's result.
class GptqHessian {
 public:
  // dtype float32 as the reference (float64 for reference computations in tests).
  explicit GptqHessian(int64_t columns, at::ScalarType dtype = at::kFloat);

  // x: [..., tokens, columns] on any device; H lives on the device of the first batch.
  void addBatch(const at::Tensor& x);

  int64_t columns() const { return columns_; }
  int64_t sampleCount() const { return samples_; }
  // [columns, columns]; zeros on the CPU before the first batch.
  at::Tensor hessian() const;

 private:
  int64_t columns_;
  at::ScalarType dtype_;
  int64_t samples_ = 0;
  at::Tensor h_;
};

struct GptqResult : QuantizedWeight {
  // Σ (w - q)² / U_jj² / 2 over all entries: GPTQ's own estimate of the output error it introduced.
  double loss = 0.0;
};

// weight [out, in], hessian [in, in] (e.g. GptqHessian::hessian()). scale/zero are [out, groups] in the compute
// dtype; groupIndex maps each original input column to its group (not monotonic with act-order).
// bits = 16 returns the weight unchanged. Reports progress per block under stage "gptq", honours cancellation.
// Throws jq::Error(InvalidInput) with `where` as context when shapes disagree, when the damped Hessian is not
// positive definite, or when the result contains NaN.
GptqResult gptqQuantize(const at::Tensor& weight, const at::Tensor& hessian, const WeightQuantConfig& quant,
                        const GptqConfig& gptq = {}, const JobContext& job = {}, const ErrorContext& where = {});

}  // namespace jq
