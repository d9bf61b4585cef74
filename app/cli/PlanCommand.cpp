#include "PlanCommand.h"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "CommandLine.h"
#include "common/AtomicFile.h"
#include "common/Error.h"
#include "model/LlamaConfig.h"
#include "pipeline/RunConfig.h"
#include "plan/MemoryPlan.h"

namespace jq::cli {

int cmdPlan(const std::vector<std::string>& args) {
  CommandLine cl("plan", "Memory per stage and per GPU of a run, and whether it fits, from the model's config alone.",
                 {{"model", "DIR|CONFIG", "checkpoint folder or its config.json", ""},
                  {"gpus", "N", "GPUs (one rank each)", "1"},
                  {"gpu-gib", "G", "memory of one GPU in GiB", "80"},
                  {"dtype", "TYPE", "float32, bfloat16 or float16", "bfloat16"},
                  {"placement", "WHERE", "auto, device or host (layer by layer)", "auto"},
                  {"nsamples", "N", "calibration windows", "128"},
                  {"seqlen", "N", "window length", "2048"},
                  {"batch", "N", "windows per forward pass", "1"},
                  {"method", "M", "fp/rtn (no rotation), quarot (rotation, no capture) or dartquant/independent/joint "
                                  "(capture + R1/R2 + rotation)", "joint"},
                  {"weights", "Q", "rtn or gptq", "rtn"},
                  {"attention", "IMPL", "eager or sdpa", "eager"},
                  {"capture-gpu-gib", "G", "captured rows stay on the GPU up to G GiB (device placement), else host", "16"},
                  {"capture-tokens", "K", "capture K random tokens of each calibration window (0 = all; one GPU)", "0"},
                  {"json", "OUT", "also write the JSON result to OUT", ""}});
  cl.parse(args);
  if (cl.helpRequested()) return std::cout << cl.usage(), 0;
  std::string path = cl.require("model");
  if (std::filesystem::is_directory(path)) path += "/config.json";
  const LlamaConfig config = LlamaConfig::fromFile(path);
  PlanOptions o;
  o.gpus = int(cl.getInt("gpus"));
  o.gpuGiB = cl.getDouble("gpu-gib");
  o.dtype = cl.get("dtype");
  o.placement = cl.get("placement");
  o.nsamples = cl.getInt("nsamples");
  o.seqlen = cl.getInt("seqlen");
  o.batch = cl.getInt("batch");
  const std::string method = cl.get("method");
  o.calibrate = isCalibratedMethod(method);
  o.rotate = isRotationMethod(method);
  o.gptq = cl.get("weights") == "gptq";
  o.eagerAttention = cl.get("attention") != "sdpa";
  o.captureDeviceGiB = cl.getDouble("capture-gpu-gib");
  o.captureTokens = cl.getInt("capture-tokens");
  const MemoryPlan plan = planMemory(config, o);
  nlohmann::json j = nlohmann::json::parse(plan.toJsonText());
  j["config"] = path;
  j["gpus"] = o.gpus;
  j["method"] = method;
  const std::string text = j.dump(2) + "\n";
  std::cout << text;
  if (cl.has("json")) writeFileAtomically(cl.get("json"), text);
  return 0;
}

}  // namespace jq::cli
