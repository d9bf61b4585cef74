// jointquant — the command-line front end over jq::core, for GPU servers and scripted experiments.
// Argument parsing and wiring only; every computation lives in the core. Errors become one line on stderr
// and a non-zero exit status.
#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "CommandLine.h"
#include "DistributedOptions.h"
#include "ExportCommands.h"
#include "Interrupt.h"
#include "PlanCommand.h"
#include "ProgressPrinter.h"
#include "RunConfigOptions.h"
#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/OutOfMemory.h"
#include "common/Log.h"
#include "data/EvaluationText.h"
#include "eval/PerplexityEvaluator.h"
#include "hub/HubClient.h"
#include "model/LlamaModel.h"
#include "pipeline/QuantizationPipeline.h"
#include "pipeline/RunConfig.h"
#include "tokenizer/Tokenizer.h"

namespace jq::cli {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

at::Device parseDevice(const std::string& name) {
  if (name == "cpu") return at::kCPU;
  if (name.rfind("cuda", 0) == 0) {
    if (!at::hasCUDA())
      throw Error(ErrorKind::Unsupported, "--device " + name + ": this build or machine has no CUDA device");
    return at::Device(name);
  }
  throw Error(ErrorKind::InvalidInput, "unknown device '" + name + "' (cpu, cuda, cuda:N)");
}

AttentionImpl parseAttention(const std::string& name) {
  if (name == "eager") return AttentionImpl::Eager;
  if (name == "sdpa") {
    if (!sdpaAvailable()) throw Error(ErrorKind::Unsupported, "--attention sdpa needs LibTorch 2 or newer");
    return AttentionImpl::Sdpa;
  }
  throw Error(ErrorKind::InvalidInput, "unknown attention implementation '" + name + "' (eager, sdpa)");
}

WeightPlacement parsePlacement(const std::string& name) {
  if (name == "device") return WeightPlacement::Device;
  if (name == "host" || name == "layer-by-layer") return WeightPlacement::Host;
  throw Error(ErrorKind::InvalidInput, "unknown placement '" + name + "' (device, host)");
}

void emitJson(const nlohmann::json& j, const CommandLine& cl) {
  if (!isRootRank()) return;  // a distributed run speaks through rank 0
  const std::string text = j.dump(2) + "\n";
  std::cout << text;
  if (cl.has("json")) writeFileAtomically(cl.get("json"), text);
}

std::string tokenizerPathFor(const std::string& modelOrFile) {
  std::ifstream probe(modelOrFile + "/tokenizer.json");
  return probe ? modelOrFile + "/tokenizer.json" : modelOrFile;
}

ModelOptions modelOptionsFrom(const CommandLine& cl) {
  ModelOptions o;
  if (!cl.get("dtype").empty()) o.dtype = modelDtypeFromName(cl.get("dtype"));
  o.device = parseDevice(cl.get("device"));
  o.placement = parsePlacement(cl.get("placement"));
  o.attention = parseAttention(cl.get("attention"));
  return o;
}

int cmdEval(const std::vector<std::string>& args) {
  CommandLine cl("eval", "Perplexity of a model on a data set (the whole text, non-overlapping windows).",
                 concat(concat(modelOptions(), distributedOptionSpecs()), {
                     {"dataset", "FILE|ID", "evaluation text, or wikitext2 / ptb / c4[:split] from the HF cache", ""},
                     {"format", "FMT", "text, wikitext2, ptb or c4 (default: guessed from the file name)", ""},
                     {"seqlen", "N", "tokens per window", "2048"},
                     {"batch", "N", "windows per forward pass", "1"},
                     {"max-windows", "N", "evaluate only the first N windows (0 = all)", "0"},
                     {"json", "OUT", "also write the JSON result to OUT", ""},
                     {"quiet", "", "no progress on stderr", ""},
                 }));
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  DistributedRun dist(cl);  // --nproc/--rank: join the job, or (launcher mode) run the ranks and return
  if (dist.launched()) return dist.exitCode();
  ProgressPrinter progress(!cl.flag("quiet") && dist.isRoot());
  JobContext job;
  job.progress = progress.callback();
  job.cancel = interruptToken();

  const std::string modelDir = modelDirFrom(cl, job);
  const EvalDataset source = datasetFrom(cl.require("dataset"), cl.get("format"));
  const std::string& dataset = source.path;
  const DatasetFormat format =
      source.format.empty() ? guessDatasetFormat(dataset) : datasetFormatFromName(source.format);
  auto t = Clock::now();
  EvaluationText text = loadEvaluationText(dataset, format);
  Tokenizer tokenizer = Tokenizer::fromFile(tokenizerPathFor(modelDir));
  std::vector<int64_t> tokens = tokenizer.encode(text.text, true, job);
  const double tokenizeSeconds = since(t);
  t = Clock::now();
  LlamaModel model = LlamaModel::load(modelDir, modelOptionsFrom(cl), job);
  const double loadSeconds = since(t);

  PerplexityOptions po;
  po.seqlen = cl.getInt("seqlen");
  po.batchSize = cl.getInt("batch");
  po.maxWindows = text.maxWindows;
  po.textFile = dataset;
  po.tokenizerFile = tokenizerPathFor(modelDir);
  if (const int64_t n = cl.getInt("max-windows"); n > 0) po.maxWindows = std::min(po.maxWindows.value_or(n), n);
  PerplexityResult r = PerplexityEvaluator(po, dist.context()).evaluate(model, tokens, job);
  nlohmann::json j = {{"perplexity", r.perplexity},   {"tokens", r.tokens},
                      {"windows", r.windows},         {"seqlen", r.seqlen},
                      {"seconds", r.seconds},         {"tokens_per_second", r.tokensPerSecond},
                      {"nll_sum", r.nllSum},          {"predicted", r.predicted},
                      {"model", modelDir},            {"dataset", dataset},
                      {"format", datasetFormatName(format)},
                      {"device", cl.get("device")},   {"dtype", std::string(c10::toString(model.dtype()))},
                      {"placement", cl.get("placement")},
                      {"load_seconds", loadSeconds},  {"tokenize_seconds", tokenizeSeconds}};
  emitJson(j, cl);
  return 0;
}

int cmdTokenize(const std::vector<std::string>& args) {
  CommandLine cl("tokenize", "Token ids of a text file, exactly as Hugging Face tokenizers would produce them.",
                 {{"tokenizer", "PATH", "tokenizer.json or a model folder holding one", ""},
                  {"input", "FILE", "text to encode (the whole file as one string)", ""},
                  {"no-special", "", "do not add special tokens (BOS)", ""},
                  {"json", "OUT", "also write the JSON result to OUT", ""}});
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  Tokenizer tokenizer = Tokenizer::fromFile(tokenizerPathFor(cl.require("tokenizer")));
  EvaluationText text = loadEvaluationText(cl.require("input"), DatasetFormat::Text);
  const auto t = Clock::now();
  std::vector<int64_t> ids = tokenizer.encode(text.text, !cl.flag("no-special"));
  nlohmann::json j = {{"count", ids.size()}, {"ids", ids}, {"seconds", since(t)}};
  emitJson(j, cl);
  return 0;
}

int cmdInfo(const std::vector<std::string>& args) {
  CommandLine cl("info", "Validate a checkpoint and show its configuration, size and memory needs.",
                 {{"model", "DIR|ID", "checkpoint folder or Hub model id", ""},
                  {"json", "OUT", "also write the JSON result to OUT", ""}});
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  const std::string dir = modelDirFrom(cl, JobContext());
  LlamaConfig c = LlamaConfig::fromFile(dir + "/config.json");
  nlohmann::json j = nlohmann::json::parse(c.toJsonText());
  j["parameters"] = c.parameterCount();
  for (const char* d : {"float32", "bfloat16"}) {
    const at::ScalarType st = modelDtypeFromName(d);
    j["memory"][d] = {{"weights_bytes", LlamaModel::weightBytes(c, st)},
                      {"largest_layer_bytes", LlamaModel::largestPieceBytes(c, st)}};
  }
  emitJson(j, cl);
  return 0;
}

// The run file of quantize and compare (export writes a checkpoint instead).
const OptionSpec kRunFileOption = {"run", "OUT.h5", "write the HDF5 run file", ""};

int cmdQuantize(const std::vector<std::string>& args) {
  std::vector<OptionSpec> opts = concat(modelOptions(), runConfigOptions());
  insertBefore(opts, "capture-gpu-gib", {kRunFileOption});
  opts.insert(opts.end(), distributedOptionSpecs().begin(), distributedOptionSpecs().end());
  opts.insert(opts.begin(), {"method", "M", "fp, rtn, smoothquant, quarot, dartquant, independent or joint", "fp"});
  CommandLine cl("quantize", "Quantize a model with one method (W4A4 by default) and report its perplexity.", opts);
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  DistributedRun dist(cl);  // --nproc/--rank: join the job, or (launcher mode) run the ranks and return
  if (dist.launched()) return dist.exitCode();
  ProgressPrinter progress(!cl.flag("quiet") && dist.isRoot());
  JobContext job;
  job.progress = progress.callback();
  job.cancel = interruptToken();
  RunConfig config = runConfigFrom(cl, job);
  config.methods = {cl.get("method")};
  QuantizationPipeline pipeline(config, dist.context());
  MethodResult r = pipeline.runMethod(config.methods.front(), job);
  if (cl.has("run")) pipeline.writeRunFile(cl.get("run"), {r}, job);
  emitJson(nlohmann::json::parse(QuantizationPipeline::resultJson(r, pipeline.config())), cl);
  return 0;
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

int cmdCompare(const std::vector<std::string>& args) {
  std::vector<OptionSpec> opts = concat(modelOptions(), runConfigOptions());
  insertBefore(opts, "capture-gpu-gib", {kRunFileOption});
  opts.insert(opts.end(), distributedOptionSpecs().begin(), distributedOptionSpecs().end());
  opts.insert(opts.begin(), {"methods", "LIST", "comma-separated methods", "fp,rtn,quarot,dartquant,independent,joint"});
  opts.push_back({"csv", "OUT", "write the table as CSV", ""});
  CommandLine cl("compare", "Run several methods on the same model and data and tabulate perplexity, calibration "
                 "time, final Whip loss and mean per-layer quantization error.", opts);
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  DistributedRun dist(cl);  // --nproc/--rank: join the job, or (launcher mode) run the ranks and return
  if (dist.launched()) return dist.exitCode();
  ProgressPrinter progress(!cl.flag("quiet") && dist.isRoot());
  JobContext job;
  job.progress = progress.callback();
  job.cancel = interruptToken();
  RunConfig config = runConfigFrom(cl, job);
  config.methods = splitCommaList(cl.get("methods"));
  QuantizationPipeline pipeline(config, dist.context());
  std::vector<MethodResult> results;
  for (const auto& m : config.methods) results.push_back(pipeline.runMethod(m, job));
  if (cl.has("run")) pipeline.writeRunFile(cl.get("run"), results, job);

  nlohmann::json out;
  out["settings"] = nlohmann::json::parse(pipeline.config().toJsonText());
  std::string csv = "method,dataset,perplexity,calibration_seconds,final_loss,mean_quant_error\n";
  std::fprintf(stderr, "\n%-12s %-18s %12s %10s %12s %14s\n", "method", "dataset", "perplexity", "calib s",
               "final loss", "quant error");
  for (const auto& r : results) {
    nlohmann::json j = nlohmann::json::parse(QuantizationPipeline::resultJson(r, pipeline.config()));
    j.erase("settings");
    out["results"].push_back(j);
    for (size_t i = 0; i < r.evaluations.size(); ++i) {
      std::fprintf(stderr, "%-12s %-18s %12.4f %10.2f %12.4f %14.6g\n", r.method.c_str(), r.datasetNames[i].c_str(),
                   r.evaluations[i].perplexity, r.calibrationSeconds, r.finalLoss, r.meanQuantError);
      auto num = [](double v) { return std::isnan(v) ? std::string() : std::to_string(v); };
      csv += csvField(r.method) + "," + csvField(r.datasetNames[i]) + "," + std::to_string(r.evaluations[i].perplexity) +
             "," + std::to_string(r.calibrationSeconds) + "," + num(r.finalLoss) + "," + num(r.meanQuantError) + "\n";
    }
  }
  if (cl.has("csv") && dist.isRoot()) writeFileAtomically(cl.get("csv"), csv);
  emitJson(out, cl);
  return 0;
}

int cmdDownload(std::vector<std::string> args) {
  // The repo id is positional: `jointquant download org/name --include '*.json'`.
  std::string repoId;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    repoId = args[0];
    args.erase(args.begin());
  }
  CommandLine cl("download", "Fetch a model (or data set) repo from the Hugging Face Hub into the HF cache as "
                 "huggingface_hub lays it out (resumable, checksum-verified). Usage: download ORG/NAME [options]",
                 {{"revision", "REV", "branch, tag or commit (default: main, or the @REV of the id)", ""},
                  {"include", "GLOB[,GLOB]", "only files matching these patterns (default: all files)", ""},
                  {"dataset", "", "the id names a data set repo, not a model", ""},
                  {"json", "OUT", "also write the JSON result to OUT", ""},
                  {"quiet", "", "no progress on stderr", ""}});
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  if (repoId.empty()) throw Error(ErrorKind::InvalidInput, "download: which repo? (jointquant download ORG/NAME)");
  const RepoRef ref = RepoRef::parse(repoId);
  DownloadOptions options;
  options.revision = cl.has("revision") ? cl.get("revision") : ref.revision;
  options.include = splitCommaList(cl.get("include"));
  options.type = cl.flag("dataset") ? RepoType::Dataset : RepoType::Model;
  ProgressPrinter progress(!cl.flag("quiet"));
  JobContext job;
  job.progress = progress.callback();
  job.cancel = interruptToken();
  const auto t = Clock::now();
  const SnapshotDownload d = HubClient(HubSettings::fromEnvironment()).downloadSnapshot(ref.id, options, job);
  nlohmann::json files = nlohmann::json::array();
  uint64_t transferred = 0;
  for (const auto& f : d.files) {
    transferred += f.bytesTransferred;
    files.push_back({{"file", f.file}, {"size", f.size}, {"etag", f.etag}, {"cached", f.cached},
                     {"bytes_transferred", f.bytesTransferred}, {"resumed_from", f.resumedFrom}});
  }
  emitJson({{"repo", d.repoId}, {"revision", options.revision}, {"commit", d.commit}, {"snapshot", d.snapshotPath},
            {"files", files}, {"bytes_transferred", transferred}, {"seconds", since(t)}}, cl);
  return 0;
}

const char* kUsage =
    "usage: jointquant [--log-level LEVEL] <command> [options]\n\n"
    "commands:\n"
    "  eval       perplexity of a model on a data set\n"
    "  tokenize   token ids of a text file\n"
    "  info       validate a checkpoint, show config and memory needs\n"
    "  quantize   quantize with one method (fp, rtn, smoothquant, quarot, dartquant, independent, joint)\n"
    "  compare    run several methods on the same data and tabulate them\n"
    "  export     write a rotated (and weight-quantized) model as a Hugging Face checkpoint\n"
    "  export-rotations  write R1/R2 of a run or rotation file for SpinQuant / DartQuant\n"
    "  eval-rotations    evaluate R1/R2 made elsewhere (R.bin, .pt, .safetensors, run file)\n"
    "  plan       memory per stage and GPU of a run (--gpus N), and whether it fits\n"
    "  download   fetch a model from the Hugging Face Hub into the HF cache\n\n"
    "--model also takes a Hub id (org/name[@revision]) resolved in the HF cache (HF_HOME, HF_HUB_CACHE,\n"
    "HF_HUB_OFFLINE); --dataset takes wikitext2, ptb or c4[:split] found there (see docs/hub.md).\n"
    "`jointquant <command> --help` lists a command's options.\n";

}  // namespace
}  // namespace jq::cli

int main(int argc, char** argv) {
  using namespace jq::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  installInterruptHandlers();  // Ctrl-C / SIGTERM cancel the running job (exit 130 / 143), see Interrupt.h
  try {
    jq::setLogLevel("warn");
    while (!args.empty() && args[0].rfind("--", 0) == 0) {
      if (args[0] == "--version") return std::puts("jointquant 0.1.0"), 0;
      if (args[0] == "--help" || args[0] == "-h") return std::fputs(kUsage, stdout), 0;
      if (args[0] == "--log-level" && args.size() >= 2) {
        jq::setLogLevel(args[1]);
        args.erase(args.begin(), args.begin() + 2);
        continue;
      }
      throw jq::Error(jq::ErrorKind::InvalidInput, "unknown global option " + args[0]);
    }
    if (args.empty()) return std::fputs(kUsage, stderr), 2;
    const std::map<std::string, std::function<int(const std::vector<std::string>&)>> commands = {
        {"eval", cmdEval}, {"tokenize", cmdTokenize}, {"info", cmdInfo},
        {"quantize", cmdQuantize}, {"compare", cmdCompare},
        {"export", cmdExport}, {"export-rotations", cmdExportRotations}, {"eval-rotations", cmdEvalRotations},
        {"download", cmdDownload}, {"plan", cmdPlan}};
    auto it = commands.find(args[0]);
    if (it == commands.end()) {
      std::fprintf(stderr, "jointquant: unknown command '%s'\n\n%s", args[0].c_str(), kUsage);
      return 2;
    }
    return it->second(std::vector<std::string>(args.begin() + 1, args.end()));
  } catch (const jq::Error& e) {
    std::fprintf(stderr, "jointquant: error: %s\n", e.what());
    return e.kind() == jq::ErrorKind::Cancelled ? cancelledExitCode() : 1;
  } catch (const c10::Error& e) {
    if (jq::isOutOfMemory(e)) {
      std::fprintf(stderr, "jointquant: error: %s\n", jq::outOfMemoryError(e, "").what());
      return 1;
    }
    std::fprintf(stderr, "jointquant: error (LibTorch): %s\n", e.what_without_backtrace());
    return 1;
  } catch (const std::exception& e) {
    if (jq::isOutOfMemory(e)) {
      std::fprintf(stderr, "jointquant: error: %s\n", jq::outOfMemoryError(e, "").what());
      return 1;
    }
    std::fprintf(stderr, "jointquant: error: %s\n", e.what());
    return 1;
  }
}
