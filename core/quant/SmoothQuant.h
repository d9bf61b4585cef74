// SmoothQuant (Xiao et al. 2023; mit-han-lab/smoothquant, smooth.py): move activation outliers into the weights
// with a per-input-channel scale s, X·Wᵀ = (X/s)·(W·diag(s))ᵀ:
//
//   s_j = clamp( max|X_j|^α / max(max_i |W_ij| over all linears reading X, 1e-5)^(1-α), min 1e-5 )
//
// computed in the weights' dtype like the reference. X/s is folded into whatever produces X (for Llama the
// RMSNorm weight: g := g/s); the weights of every linear reading X become W·diag(s).
#pragma once

#include <ATen/ATen.h>

#include <vector>

#include "quant/QuantConfig.h"

namespace jq {

// max|x| per channel of the last dimension over all other dimensions, in float32 (the reference's act_scales).
// Fold batches together with at::maximum.
at::Tensor channelAbsMax(const at::Tensor& x);

// actAbsMax [in]; weights: the [out_i, in] weights of the linears that read X (at least one).
at::Tensor smoothQuantScales(const at::Tensor& actAbsMax, const std::vector<at::Tensor>& weights,
                             const SmoothQuantConfig& c = {});

at::Tensor smoothActivations(const at::Tensor& x, const at::Tensor& scales);  // x / s along the last dim
at::Tensor smoothWeight(const at::Tensor& w, const at::Tensor& scales);       // W · diag(s)

}  // namespace jq
