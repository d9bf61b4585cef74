#include "ExportCommands.h"

#include <ATen/ATen.h>

#include <cctype>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "CommandLine.h"
#include "Interrupt.h"
#include "ProgressPrinter.h"
#include "RunConfigOptions.h"
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

// The options of export and eval-rotations: those of every command that builds a RunConfig, and --rotations.
std::vector<OptionSpec> recipeOptions(const RunConfigDefaults& defaults) {
  std::vector<OptionSpec> o = concat(modelOptions(), runConfigOptions(defaults));
  const OptionSpec rotations = {"rotations", "FILE[,FILE]",
                                 "R1/R2 from SpinQuant R.bin, DartQuant .pt files, .safetensors or a run file", ""};
  insertBefore(o, "calib", {rotations});
  return o;
}

// What export and eval-rotations start with: the options parsed, a job that reports progress on stderr and stops
// on Ctrl-C, and the recipe the options describe. After --help (answered here) there is nothing else to do.
class RecipeCommand {
 public:
  RecipeCommand(const std::string& name, const std::string& summary, std::vector<OptionSpec> options,
                const std::vector<std::string>& args)
      : cl(name, summary, std::move(options)) {
    cl.parse(args);
    if (cl.helpRequested()) {
      std::cout << cl.usage();
      return;
    }
    progress_.emplace(!cl.flag("quiet"));
    job.progress = progress_->callback();
    job.cancel = interruptToken();
    recipe.run = runConfigFrom(cl, job, /*requireDataset=*/false);
    recipe.rotationFiles = splitCommaList(cl.get("rotations"));
  }

  CommandLine cl;
  JobContext job;
  ExportRecipe recipe;

 private:
  std::optional<ProgressPrinter> progress_;
};

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
  std::vector<OptionSpec> opts = recipeOptions({/*wBits=*/"16", /*aBits=*/"16"});
  opts.insert(opts.begin(), {
      {"out", "DIR", "output folder (must not exist unless --overwrite)", ""},
      {"method", "M", "fp, rtn, smoothquant, quarot, dartquant, independent or joint (ignored with --rotations)", "fp"},
      {"shard-size", "SIZE", "largest safetensors shard (2GB = 2*10^9 bytes, as transformers)", "2GB"},
      {"out-dtype", "TYPE", "dtype of the written weights (default: the model's)", ""},
      {"overwrite", "", "replace an existing output folder", ""},
      {"rotations-out", "FILE", "also write the fused R1/R2 (.pt/.bin torch.save, or .safetensors)", ""},
      {"layout", "L", "layout of --rotations-out: dartquant or spinquant", "dartquant"},
  });
  RecipeCommand command(
      "export",
      "Write a rotated (R1+R2 fused, norms fused) and optionally weight-quantized model as a Hugging Face "
      "checkpoint that transformers loads unchanged. Online operations (R3, R4, activation or KV-cache "
      "quantization) cannot be expressed in such a checkpoint and are refused.",
      opts, args);
  if (command.cl.helpRequested()) return 0;
  const CommandLine& cl = command.cl;
  const JobContext& job = command.job;
  ExportRecipe& recipe = command.recipe;
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
  std::vector<OptionSpec> opts = recipeOptions({/*wBits=*/"4", /*aBits=*/"4"});
  opts.push_back({"no-r4", "", "no online Hadamard on the down_proj input", ""});
  RecipeCommand command(
      "eval-rotations",
      "Perplexity of the model with R1/R2 from files made elsewhere (SpinQuant R.bin, DartQuant .pt, "
      ".safetensors or a run file), fused as QuaRot does, with online R4 (and R3 with KV quantization) and "
      "W/A/KV fake quantization (W4A4 by default).",
      opts, args);
  if (command.cl.helpRequested()) return 0;
  const CommandLine& cl = command.cl;
  const JobContext& job = command.job;
  ExportRecipe& recipe = command.recipe;
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
