// How to build the model that is exported (or evaluated with imported rotations): a RunConfig's model, data and
// quantizer settings, one method, and optionally R1/R2 read from files made elsewhere (SpinQuant, DartQuant, a run
// file) instead of the method's own.
//
// Why not QuantizationPipeline::prepareModel as is: its rotation methods always attach the online R4 Hadamard
// (and R3 with KV quantization), which no transformers checkpoint can hold. Here the rotations are taken from the
// pipeline (or the files) and applied without online parts unless asked for; R1 and R2 fuse exactly into the
// weights, so the FP-rotated model keeps the original function and the W4 model is what our evaluator measures.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/Job.h"
#include "eval/PerplexityEvaluator.h"
#include "export/RotationFiles.h"
#include "pipeline/QuantizationPipeline.h"
#include "pipeline/RunConfig.h"

namespace jq {

class LlamaModel;

struct ExportRecipe {
  RunConfig run;                          // model, calibration, weight/act/KV settings, seed, device, dtype
  std::string method = "fp";              // fp, rtn, smoothquant, quarot, dartquant, independent, joint
  std::vector<std::string> rotationFiles; // R1/R2 from these files replace the method's (see RotationFiles.h)
  bool onlineR4 = false;                  // online Hadamard on the down_proj input (evaluation only)
  bool forExport = true;                  // refuse what a transformers checkpoint cannot express
};

struct PreparedModel {
  std::unique_ptr<LlamaModel> model;
  RotationSet rotations;    // what was fused into the weights (empty for unrotated methods)
  MethodResult calibration; // the pipeline's result when it calibrated/chose the rotations (losses, timings)
  std::string description;  // e.g. "quarot R1+R2 fused, W4 rtn"
};

// Throws Unsupported, before any work, when `forExport` and the recipe needs an online op (activation or KV-cache
// quantization, R4); InvalidInput for an unknown method or mismatched rotation shapes (naming file and layer).
PreparedModel prepareModel(const ExportRecipe& recipe, const JobContext& job = {});
void checkRecipe(const ExportRecipe& recipe);

// Perplexity of `model` on every dataset of `run` exactly as the pipeline evaluates it (seqlen, batch, format,
// max_eval_windows).
std::vector<PerplexityResult> evaluateDatasets(const LlamaModel& model, const RunConfig& run,
                                               const JobContext& job = {});

}  // namespace jq
