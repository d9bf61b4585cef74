#include "ExportCommands.h"

#include <ATen/ATen.h>

#include <cctype>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "CommandLine.h"
#include "ProgressPrinter.h"
#include "calib/RotationTrainSettings.h"
#include "common/AtomicFile.h"
#include "common/Error.h"
#include "export/ExportRecipe.h"
#include "export/HfCheckpointExport.h"
#include "export/RotationFiles.h"
#include "model/LlamaModel.h"

namespace jq::cli {

namespace {

using ExportClock = std::chrono::steady_clock;

void emitExportJson(const nlohmann::json& j, const CommandLine& cl) {
  const std::string text = j.dump(2) + "\n";
  std::cout << text;
  if (cl.has("json")) writeFileAtomically(cl.get("json"), text);
}

std::vector<std::string> splitCommaList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// "2GB" (10^9, as transformers reads it), "500MB", "1GiB", "64MiB", or plain bytes.
int64_t parseShardSize(const std::string& text) {
  size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(text, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  std::string unit = text.substr(pos);
  for (char& c : unit) c = char(std::toupper(static_cast<unsigned char>(c)));
  double mult = 0;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KB") mult = 1e3;
  else if (unit == "MB") mult = 1e6;
  else if (unit == "GB") mult = 1e9;
  else if (unit == "KIB") mult = 1024.0;
  else if (unit == "MIB") mult = 1024.0 * 1024;
  else if (unit == "GIB") mult = 1024.0 * 1024 * 1024;
  if (pos == 0 || mult == 0 || !(value > 0))
    throw Error(ErrorKind::InvalidInput, "--shard-size '" + text + "': expected e.g. 2GB, 500MB, 1GiB or a byte count");
  return int64_t(value * mult);
}

const std::vector<OptionSpec> kRecipeModelOptions = {
    {"model", "DIR", "checkpoint folder (config.json, *.safetensors, tokenizer.json)", ""},
    {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
    {"dtype", "TYPE", "compute dtype: float32, bfloat16 or float16 (default: the checkpoint's)", ""},
    {"placement", "WHERE", "device or host (layer by layer)", "device"},
    {"attention", "IMPL", "eager or sdpa", "eager"},
};

// The settings of `jointquant quantize` that shape the model (weights, calibration, rotation training).
std::vector<OptionSpec> recipeOptions(const std::string& wBits, const std::string& aBits) {
  std::vector<OptionSpec> o = kRecipeModelOptions;
  const std::vector<OptionSpec> rest = {
      {"rotations", "FILE[,FILE]", "R1/R2 from SpinQuant R.bin, DartQuant .pt files, .safetensors or a run file", ""},
      {"calib", "FILE", "calibration (train) text: GPTQ and rotation calibration", ""},
      {"calib-format", "FMT", "format of --calib (default: guessed)", ""},
      {"dataset", "FILE[,FILE]", "evaluation text(s): our perplexity of the model", ""},
      {"format", "FMT", "format of the evaluation texts (default: guessed)", ""},
      {"w-bits", "N", "weight bits (16 = not quantized)", wBits},
      {"a-bits", "N", "activation bits (16 = not quantized)", aBits},
      {"kv-bits", "N", "KV-cache bits (16 = not quantized)", "16"},
      {"weights", "Q", "weight quantizer: rtn or gptq", "rtn"},
      {"w-groupsize", "N", "weight group size along the input (-1 = per channel)", "-1"},
      {"w-asym", "", "asymmetric weights", ""},
      {"w-clip", "", "MSE clipping search for weights", ""},
      {"a-asym", "", "asymmetric activations", ""},
      {"a-clip", "R", "activation clip ratio", "1.0"},
      {"kv-asym", "", "asymmetric KV cache", ""},
      {"act-order", "", "GPTQ act-order", ""},
      {"nsamples", "N", "calibration windows", "128"},
      {"seqlen", "N", "window length (calibration and evaluation)", "2048"},
      {"batch", "N", "windows per forward pass", "1"},
      {"seed", "N", "seed of calibration sampling, Hadamard signs, rotation training", "0"},
      {"epochs", "N", "rotation calibration epochs (R1 and R2)", "10"},
      {"lr", "LR", "R1 learning rate", "0.0015"},
      {"r2-lr", "LR", "R2 learning rate", "0.001"},
      {"optimizer", "OPT", "sgd or adam", "sgd"},
      {"loss", "L", "whip or swd", "whip"},
      {"orth", "P", "qr or cayley", "qr"},
      {"init", "I", "hadamard or random", "hadamard"},
      {"subset", "F", "share of R1 items per epoch", "0.1"},
      {"batch-items", "N", "items per calibration mini-batch", "64"},
      {"no-r2", "", "no R2 calibration (Hadamard R2 instead)", ""},
      {"json", "OUT", "also write the JSON result to OUT", ""},
      {"quiet", "", "no progress on stderr", ""},
  };
  o.insert(o.end(), rest.begin(), rest.end());
  return o;
}

ExportRecipe recipeFrom(const CommandLine& cl) {
  ExportRecipe r;
  RunConfig& c = r.run;
  c.model = cl.require("model");
  c.calibration = cl.get("calib");
  c.calibrationFormat = cl.get("calib-format");
  for (const auto& d : splitCommaList(cl.get("dataset"))) c.datasets.push_back({d, cl.get("format")});
  c.weight.bits = int(cl.getInt("w-bits"));
  c.weight.groupSize = cl.getInt("w-groupsize");
  c.weight.asymmetric = cl.flag("w-asym");
  c.weight.mseClip = cl.flag("w-clip");
  c.weightQuantizer = cl.get("weights");
  c.gptq.actOrder = cl.flag("act-order");
  c.act.bits = int(cl.getInt("a-bits"));
  c.act.asymmetric = cl.flag("a-asym");
  c.act.clipRatio = cl.getDouble("a-clip");
  c.kvK.bits = c.kvV.bits = int(cl.getInt("kv-bits"));
  c.kvK.asymmetric = c.kvV.asymmetric = cl.flag("kv-asym");
  c.nsamples = cl.getInt("nsamples");
  c.seqlen = cl.getInt("seqlen");
  c.batchSize = cl.getInt("batch");
  c.seed = uint64_t(cl.getInt("seed"));
  c.r1.epochs = c.r2.epochs = int(cl.getInt("epochs"));
  c.r1.lr = cl.getDouble("lr");
  c.r2.lr = cl.getDouble("r2-lr");
  c.r1.optimizer = c.r2.optimizer = parseOptimizerKind(cl.get("optimizer"));
  c.r1.loss = c.r2.loss = parseRotationLoss(cl.get("loss") == "swd" ? "swd_uniform" : cl.get("loss"));
  const std::string orth = cl.get("orth") == "qr" ? "qr_orth" : cl.get("orth");
  c.r1.orthogonalization = c.r2.orthogonalization = parseOrthogonalization(orth);
  c.r1.init = c.r2.init = parseRotationInit(cl.get("init"));
  c.r1.subsetFraction = cl.getDouble("subset");
  c.r1.batchItems = c.r2.batchItems = int(cl.getInt("batch-items"));
  c.r1.seed = c.r2.seed = c.seed;
  c.calibrateR2 = !cl.flag("no-r2");
  c.device = cl.get("device");
  c.dtype = cl.get("dtype");
  c.placement = cl.get("placement");
  c.attention = cl.get("attention");
  r.rotationFiles = splitCommaList(cl.get("rotations"));
  return r;
}

nlohmann::json rotationsJson(const RotationSet& r) {
  nlohmann::json j = nlohmann::json::object();
  j["r1"] = r.r1.defined() ? nlohmann::json(r.r1.sizes().vec()) : nlohmann::json();
  j["r1_dtype"] = r.r1.defined() ? std::string(c10::toString(r.r1.scalar_type())) : std::string();
  j["r2_layers"] = r.r2.size();
  j["r2_shape"] = r.r2.empty() ? nlohmann::json() : nlohmann::json(r.r2.front().sizes().vec());
  return j;
}

void addEvaluations(const RunConfig& run, const std::vector<PerplexityResult>& evals, nlohmann::json& j) {
  nlohmann::json ds = nlohmann::json::array();
  for (size_t i = 0; i < evals.size(); ++i) {
    const auto& e = evals[i];
    ds.push_back({{"dataset", run.datasets[i].path}, {"perplexity", e.perplexity}, {"tokens", e.tokens},
                  {"windows", e.windows}, {"seqlen", e.seqlen}, {"nll_sum", e.nllSum}, {"predicted", e.predicted}});
  }
  j["datasets"] = ds;
  if (!evals.empty()) j["perplexity"] = evals.front().perplexity;
}

double secondsSince(ExportClock::time_point t) {
  return std::chrono::duration<double>(ExportClock::now() - t).count();
}

}  // namespace

int cmdExport(const std::vector<std::string>& args) {
  std::vector<OptionSpec> opts = recipeOptions("16", "16");
  opts.insert(opts.begin(), {
      {"out", "DIR", "output folder (must not exist unless --overwrite)", ""},
      {"method", "M", "fp, rtn, smoothquant, quarot, dartquant, independent or joint (ignored with --rotations)", "fp"},
      {"shard-size", "SIZE", "largest safetensors shard (2GB = 2*10^9 bytes, as transformers)", "2GB"},
      {"out-dtype", "TYPE", "dtype of the written weights (default: the model's)", ""},
      {"overwrite", "", "replace an existing output folder", ""},
      {"rotations-out", "FILE", "also write the fused R1/R2 (.pt/.bin torch.save, or .safetensors)", ""},
      {"layout", "L", "layout of --rotations-out: dartquant or spinquant", "dartquant"},
  });
  CommandLine cl("export",
                 "Write a rotated (R1+R2 fused, norms fused) and optionally weight-quantized model as a Hugging Face "
                 "checkpoint that transformers loads unchanged. Online operations (R3, R4, activation or KV-cache "
                 "quantization) cannot be expressed in such a checkpoint and are refused.",
                 opts);
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  ProgressPrinter progress(!cl.flag("quiet"));
  JobContext job;
  job.progress = progress.callback();
  ExportRecipe recipe = recipeFrom(cl);
  recipe.method = cl.get("method");
  const std::string out = cl.require("out");
  HfExportOptions eo;
  eo.maxShardBytes = parseShardSize(cl.get("shard-size"));
  eo.dtype = cl.get("out-dtype");
  eo.overwrite = cl.flag("overwrite");
  checkRecipe(recipe);  // refuse online-only settings before any work
  if (cl.has("rotations-out") && recipe.rotationFiles.empty() && !isRotationMethod(recipe.method))
    throw Error(ErrorKind::InvalidInput, "--rotations-out: method '" + recipe.method + "' has no rotation to write");
  rotationLayoutFromName(cl.get("layout"));  // a typo fails now, not after the export

  auto t = ExportClock::now();
  PreparedModel prepared = prepareModel(recipe, job);
  const double prepareSeconds = secondsSince(t);
  nlohmann::json j;
  j["out"] = out;
  j["method"] = recipe.rotationFiles.empty() ? recipe.method : std::string("imported");
  j["rotation_files"] = recipe.rotationFiles;
  j["description"] = prepared.description;
  j["rotations"] = rotationsJson(prepared.rotations);
  j["exact"] = true;  // nothing online was dropped: transformers computes what our evaluator measures
  j["w_bits"] = recipe.run.weight.bits;
  j["weights"] = recipe.run.weightQuantizer;
  j["settings"] = nlohmann::json::parse(recipe.run.toJsonText());

  t = ExportClock::now();
  addEvaluations(recipe.run, evaluateDatasets(*prepared.model, recipe.run, job), j);
  j["eval_seconds"] = secondsSince(t);

  nlohmann::json provenance = j;
  provenance["tool"] = "jointquant export";
  eo.provenanceJson = provenance.dump(2) + "\n";
  t = ExportClock::now();
  HfExportResult res = exportHfCheckpoint(*prepared.model, recipe.run.model, out, eo, job);
  j["shards"] = res.shards;
  j["total_size"] = res.totalBytes;
  j["total_parameters"] = res.totalParameters;
  j["dtype"] = res.dtype;
  j["copied_files"] = res.copiedFiles;
  j["prepare_seconds"] = prepareSeconds;
  j["export_seconds"] = secondsSince(t);
  if (cl.has("rotations-out")) {
    if (prepared.rotations.empty())
      throw Error(ErrorKind::InvalidInput, "--rotations-out: method '" + recipe.method + "' has no rotation to write");
    writeRotationFile(cl.get("rotations-out"), prepared.rotations, rotationLayoutFromName(cl.get("layout")));
    j["rotations_out"] = cl.get("rotations-out");
    j["layout"] = cl.get("layout");
  }
  emitExportJson(j, cl);
  return 0;
}

int cmdExportRotations(const std::vector<std::string>& argsIn) {
  // The input may come first as a plain argument: `export-rotations RUN.h5 --out R.bin`.
  std::vector<std::string> args = argsIn;
  std::string input;
  if (!args.empty() && args[0].rfind("-", 0) != 0) {
    input = args[0];
    args.erase(args.begin());
  }
  CommandLine cl("export-rotations",
                 "Write the R1/R2 of a run file (or of a .pt/.bin/.safetensors rotation file) in the layout SpinQuant "
                 "(R.bin: --optimized_rotation_path) or DartQuant (--r1_path and --r2_path, both this file) load. "
                 "Usage: jointquant export-rotations RUN.h5 --out FILE.{pt,bin,safetensors} [--layout L]",
                 {{"in", "FILE[,FILE]", "run file (.h5) or rotation file(s); may be given as the first argument", ""},
                  {"out", "FILE", ".pt/.bin (torch.save) or .safetensors", ""},
                  {"layout", "L", "dartquant (R2 per KV-head group) or spinquant (one R2 per layer)", "dartquant"},
                  {"json", "OUT", "also write the JSON result to OUT", ""}});
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  if (!input.empty() && cl.has("in"))
    throw Error(ErrorKind::InvalidInput, "export-rotations: the input is given twice (argument and --in)");
  if (input.empty()) input = cl.require("in");
  const RotationSet r = readRotationFiles(splitCommaList(input));
  const RotationLayout layout = rotationLayoutFromName(cl.get("layout"));
  const std::string out = cl.require("out");
  writeRotationFile(out, r, layout);
  nlohmann::json j = {{"in", input}, {"out", out}, {"layout", rotationLayoutName(layout)}};
  j["rotations"] = rotationsJson(r);
  emitExportJson(j, cl);
  return 0;
}

int cmdEvalRotations(const std::vector<std::string>& args) {
  std::vector<OptionSpec> opts = recipeOptions("4", "4");
  opts.push_back({"no-r4", "", "no online Hadamard on the down_proj input", ""});
  CommandLine cl("eval-rotations",
                 "Perplexity of the model with R1/R2 from files made elsewhere (SpinQuant R.bin, DartQuant .pt, "
                 ".safetensors or a run file), fused as QuaRot does, with online R4 (and R3 with KV quantization) and "
                 "W/A/KV fake quantization (W4A4 by default).",
                 opts);
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  ProgressPrinter progress(!cl.flag("quiet"));
  JobContext job;
  job.progress = progress.callback();
  ExportRecipe recipe = recipeFrom(cl);
  if (recipe.rotationFiles.empty()) throw Error(ErrorKind::InvalidInput, "eval-rotations: --rotations is required");
  if (recipe.run.datasets.empty()) throw Error(ErrorKind::InvalidInput, "eval-rotations: --dataset is required");
  recipe.forExport = false;
  recipe.onlineR4 = !cl.flag("no-r4");
  const auto t = ExportClock::now();
  PreparedModel prepared = prepareModel(recipe, job);
  nlohmann::json j;
  j["method"] = "imported";
  j["rotation_files"] = recipe.rotationFiles;
  j["description"] = prepared.description;
  j["rotations"] = rotationsJson(prepared.rotations);
  addEvaluations(recipe.run, evaluateDatasets(*prepared.model, recipe.run, job), j);
  j["seconds"] = secondsSince(t);
  j["settings"] = nlohmann::json::parse(recipe.run.toJsonText());
  emitExportJson(j, cl);
  return 0;
}

}  // namespace jq::cli
