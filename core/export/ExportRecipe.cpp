#include "export/ExportRecipe.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "common/Error.h"
#include "common/Log.h"
#include "data/CalibrationSampler.h"
#include "data/EvaluationText.h"
#include "export/HfCheckpointExport.h"
#include "model/LlamaModel.h"
#include "pipeline/ModelQuantizer.h"
#include "pipeline/ModelRotation.h"
#include "tokenizer/Tokenizer.h"

namespace jq {

namespace {

std::string recipeTokenizerFile(const RunConfig& run) {
  const std::string p = run.model + "/tokenizer.json";
  if (!std::filesystem::exists(p)) throw Error(ErrorKind::NotFound, "model folder has no tokenizer.json", {p, {}, {}});
  return p;
}

// The calibration windows exactly as QuantizationPipeline samples them (same text, tokenizer, seed), so GPTQ here
// sees the same data as `jointquant quantize`.
at::Tensor recipeCalibrationWindows(const RunConfig& run, const JobContext& job) {
  if (run.calibration.empty()) throw Error(ErrorKind::InvalidInput, "GPTQ needs calibration text (--calib)");
  const DatasetFormat f =
      run.calibrationFormat.empty() ? guessDatasetFormat(run.calibration) : datasetFormatFromName(run.calibrationFormat);
  EvaluationText text = loadEvaluationText(run.calibration, f);
  Tokenizer tokenizer = Tokenizer::fromFile(recipeTokenizerFile(run));
  std::vector<int64_t> ids = tokenizer.encode(text.text, true, job);
  CalibrationSamplerOptions o;
  o.samples = run.nsamples;
  o.seqlen = run.seqlen;
  o.seed = run.seed;
  o.textFile = run.calibration;
  return sampleCalibrationWindows(ids, o);
}

void checkRotationShapes(const RotationSet& rot, const LlamaConfig& c) {
  if (rot.r1.defined() && (rot.r1.dim() != 2 || rot.r1.size(0) != c.hiddenSize || rot.r1.size(1) != c.hiddenSize))
    throw Error(ErrorKind::InvalidInput, "R1 has shape " + std::string(c10::str(rot.r1.sizes())) + " but the model's "
                "hidden size is " + std::to_string(c.hiddenSize), {rot.r1File, "R1", {}});
  if (rot.r2.empty()) return;
  if (int64_t(rot.r2.size()) != c.numHiddenLayers)
    throw Error(ErrorKind::InvalidInput, "the rotations hold R2 for " + std::to_string(rot.r2.size()) +
                " layers but the model has " + std::to_string(c.numHiddenLayers), {rot.r2File, {}, {}});
  for (size_t l = 0; l < rot.r2.size(); ++l) {
    const at::Tensor& t = rot.r2[l];
    const bool ok = t.size(-1) == c.headDim && t.size(-2) == c.headDim &&
                    (t.dim() == 2 || (t.dim() == 3 && t.size(0) == c.numKeyValueHeads));
    if (!ok)
      throw Error(ErrorKind::InvalidInput, "R2 has shape " + std::string(c10::str(t.sizes())) + "; expected [" +
                  std::to_string(c.headDim) + ", " + std::to_string(c.headDim) + "] or [" +
                  std::to_string(c.numKeyValueHeads) + ", " + std::to_string(c.headDim) + ", " +
                  std::to_string(c.headDim) + "]", {rot.r2File, rotationR2Key(int(l)), int(l)});
  }
}

}  // namespace

void checkRecipe(const ExportRecipe& recipe) {
  if (std::find(knownMethods().begin(), knownMethods().end(), recipe.method) == knownMethods().end())
    throw Error(ErrorKind::InvalidInput, "unknown method '" + recipe.method +
                "' (fp, rtn, smoothquant, quarot, dartquant, independent, joint)");
  if (!recipe.forExport) return;
  auto refuse = [](const std::string& what) {
    throw Error(ErrorKind::Unsupported, what + " is an online operation that a Hugging Face checkpoint cannot "
                "express (transformers' Llama has no place for it); export with it off, or evaluate it here instead");
  };
  if (recipe.onlineR4) refuse("R4 (the Hadamard on the down_proj input)");
  if (recipe.run.act.bits < 16) refuse("activation quantization (--a-bits " + std::to_string(recipe.run.act.bits) + ")");
  if (recipe.run.kvK.bits < 16 || recipe.run.kvV.bits < 16)
    refuse("KV-cache quantization (and the R3 Hadamard it needs)");
}

PreparedModel prepareModel(const ExportRecipe& recipe, const JobContext& job) {
  checkRecipe(recipe);
  RunConfig run = recipe.run;
  run.methods = {recipe.method};
  PreparedModel out;
  const bool rotated = !recipe.rotationFiles.empty() || isRotationMethod(recipe.method);
  std::ostringstream desc;

  if (!rotated) {
    // Unrotated methods (fp, rtn, smoothquant) carry no online transform of their own: the pipeline builds them.
    QuantizationPipeline pipeline(run);
    out.model = pipeline.prepareModel(recipe.method, out.calibration, job);
    desc << recipe.method;
  } else {
    if (!recipe.rotationFiles.empty()) {
      out.rotations = readRotationFiles(recipe.rotationFiles);
      desc << "imported rotations";
    } else {
      // The method's own R1/R2 (random Hadamard or calibrated), from the pipeline with quantization off.
      RunConfig choose = run;
      choose.weight.bits = 16;
      choose.act.bits = 16;
      choose.kvK.bits = choose.kvV.bits = 16;
      QuantizationPipeline pipeline(choose);
      { auto discarded = pipeline.prepareModel(recipe.method, out.calibration, job); }
      out.rotations.r1 = out.calibration.r1;
      out.rotations.r2 = out.calibration.r2;
      desc << recipe.method;
    }
    QuantizationPipeline loader(run);
    out.model = std::make_unique<LlamaModel>(loader.loadModel(job));
    const LlamaConfig& c = out.model->config();
    checkRotationShapes(out.rotations, c);
    fuseRmsNorms(*out.model);
    RotationPlan plan;
    plan.r1 = out.rotations.r1.defined() ? out.rotations.r1.to(at::kCPU, at::kDouble) : at::Tensor();
    for (const auto& t : out.rotations.r2) plan.r2.push_back(t.to(at::kCPU, at::kDouble));
    plan.onlineR4 = recipe.onlineR4;
    plan.onlineR3 = !recipe.forExport && run.kvK.bits < 16;
    applyRotation(*out.model, plan);
    desc << (out.rotations.r1.defined() ? " R1" : "") << (out.rotations.r2.empty() ? "" : " R2") << " fused"
         << (plan.onlineR4 ? ", online R4" : "") << (plan.onlineR3 ? ", online R3" : "");
    if (run.weight.bits < 16) {
      if (run.weightQuantizer == "gptq")
        quantizeWeightsGptq(*out.model, recipeCalibrationWindows(run, job), run.weight, run.gptq, run.batchSize, job);
      else
        quantizeWeightsRtn(*out.model, run.weight, job);
    }
    if (!recipe.forExport) {
      attachActivationQuantizers(*out.model, run.act);
      attachKvCacheQuantizers(*out.model, run.kvK, run.kvV);
    }
  }
  if (recipe.method != "fp" || rotated) {
    if (run.weight.bits < 16) desc << ", W" << run.weight.bits << " " << run.weightQuantizer;
    if (!recipe.forExport && run.act.bits < 16) desc << ", A" << run.act.bits;
    if (!recipe.forExport && run.kvK.bits < 16) desc << ", KV" << run.kvK.bits;
  }
  out.description = desc.str();
  if (recipe.forExport) requireExportable(*out.model);
  return out;
}

std::vector<PerplexityResult> evaluateDatasets(const LlamaModel& model, const RunConfig& run, const JobContext& job) {
  std::vector<PerplexityResult> out;
  if (run.datasets.empty()) return out;
  Tokenizer tokenizer = Tokenizer::fromFile(recipeTokenizerFile(run));
  for (const EvalDataset& d : run.datasets) {
    const DatasetFormat f = d.format.empty() ? guessDatasetFormat(d.path) : datasetFormatFromName(d.format);
    EvaluationText text = loadEvaluationText(d.path, f);
    const std::vector<int64_t> tokens = tokenizer.encode(text.text, true, job);
    PerplexityOptions po;
    po.seqlen = run.seqlen;
    po.batchSize = run.batchSize;
    po.maxWindows = text.maxWindows;
    po.textFile = d.path;
    po.tokenizerFile = recipeTokenizerFile(run);
    if (run.maxEvalWindows > 0)
      po.maxWindows = std::min<int64_t>(po.maxWindows.value_or(run.maxEvalWindows), run.maxEvalWindows);
    out.push_back(PerplexityEvaluator(po).evaluate(model, tokens, job));
  }
  return out;
}

}  // namespace jq
