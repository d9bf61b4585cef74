// Quantization of a whole LlamaModel, as QuaRot's fake-quant pipeline does it:
//  * weights per output channel with RTN, or GPTQ layer by layer: calibration windows flow through the model one
//    decoder layer at a time; inside a layer the projections are quantized in QuaRot's sequential groups
//    ({q,k,v}, {o}, {gate,up}, {down}), each group's Hessian taken from the inputs that the already-quantized
//    earlier groups produce; the layer's quantized output feeds the next layer. Online Hadamards (R4) already
//    attached are part of the inputs, activation quantizers are attached afterwards (so GPTQ sees FP inputs).
//  * activations per token on every projection input except lm_head (appended to the input transforms);
//  * KV cache per head: K after RoPE (and after an online R3), V before attention.
// lm_head and the embedding stay unquantized.
#pragma once

#include <ATen/ATen.h>

#include "common/Job.h"
#include "quant/QuantConfig.h"

namespace jq {

class LlamaModel;

struct WeightQuantSummary {
  double seconds = 0.0;
  double gptqLoss = 0.0;  // sum of GPTQ's own error estimates (0 for RTN)
};

// RTN of every decoder-layer projection.
WeightQuantSummary quantizeWeightsRtn(LlamaModel& model, const WeightQuantConfig& config, const JobContext& job = {});

// GPTQ with calibration windows `calib` [n, seqlen] (int64). `batchSize` windows per forward pass.
WeightQuantSummary quantizeWeightsGptq(LlamaModel& model, const at::Tensor& calib, const WeightQuantConfig& config,
                                       const GptqConfig& gptq, int64_t batchSize = 8, const JobContext& job = {});

void attachActivationQuantizers(LlamaModel& model, const ActQuantConfig& config);
void attachKvCacheQuantizers(LlamaModel& model, const KvQuantConfig& k, const KvQuantConfig& v);

}  // namespace jq
