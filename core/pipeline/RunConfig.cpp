#include "pipeline/RunConfig.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "calib/R2Calibrator.h"
#include "common/Error.h"

namespace jq {

const std::vector<std::string>& knownMethods() {
  static const std::vector<std::string> m = {"fp", "rtn", "smoothquant", "quarot", "dartquant", "independent", "joint"};
  return m;
}
bool isRotationMethod(const std::string& m) {
  return m == "quarot" || m == "dartquant" || m == "independent" || m == "joint";
}
bool isCalibratedMethod(const std::string& m) { return m == "dartquant" || m == "independent" || m == "joint"; }

RunConfig::RunConfig() : r2(R2Settings::defaultTrain()) {}

void RunConfig::validate() const {
  auto bad = [](const std::string& what) { throw Error(ErrorKind::InvalidInput, "run configuration: " + what); };
  if (model.empty()) bad("no model given");
  if (methods.empty()) bad("no method given");
  for (const auto& m : methods)
    if (std::find(knownMethods().begin(), knownMethods().end(), m) == knownMethods().end())
      bad("unknown method '" + m + "' (fp, rtn, smoothquant, quarot, dartquant, independent, joint)");
  if (weightQuantizer != "rtn" && weightQuantizer != "gptq") bad("weight quantizer must be rtn or gptq");
  if (nsamples <= 0 || seqlen < 2 || batchSize <= 0) bad("nsamples, seqlen and batch size must be positive");
  if (captureTokens < 0 || captureTokens > seqlen)
    bad("capture tokens must be between 0 (all) and seqlen (" + std::to_string(seqlen) + "), got " +
        std::to_string(captureTokens));
  if (captureHostGiB < 0 || captureDeviceGiB < 0) bad("capture memory limits must not be negative");
  if (maxEvalWindows < 0) bad("max_eval_windows must be 0 (all) or positive");
  if (placement != "device" && placement != "host") bad("placement must be device or host");
  if (attention != "eager" && attention != "sdpa") bad("attention must be eager or sdpa");
  const bool needsCalibration = std::any_of(methods.begin(), methods.end(), [&](const std::string& m) {
    return m == "smoothquant" || isCalibratedMethod(m) || (m != "fp" && weightQuantizer == "gptq" && weight.bits < 16);
  });
  if (needsCalibration && calibration.empty()) bad("these methods need calibration text (--calib)");
  jq::validate(weight);
  jq::validate(gptq);
  jq::validate(act);
  jq::validate(kvK);
  jq::validate(kvV);
  jq::validate(smooth);
  jq::validate(r1);
  jq::validate(r2);
}

void to_json(nlohmann::json& j, const RunConfig& c) {
  nlohmann::json ds = nlohmann::json::array();
  for (const auto& d : c.datasets) ds.push_back({{"path", d.path}, {"format", d.format}});
  auto train = [](const RotationTrainSettings& s) {
    return nlohmann::json{{"loss", toString(s.loss)},
                          {"orthogonalization", toString(s.orthogonalization)},
                          {"init", toString(s.init)},
                          {"optimizer", toString(s.optimizer)},
                          {"lr", s.lr},
                          {"momentum", s.momentum},
                          {"cosine_schedule", s.cosineSchedule},
                          {"epochs", s.epochs},
                          {"batch_items", s.batchItems},
                          {"subset_fraction", s.subsetFraction},
                          {"accumulation_steps", s.accumulationSteps},
                          {"item_rows", s.itemRows},
                          {"seed", s.seed}};
  };
  j = {{"model", c.model},
       {"calibration", c.calibration},
       {"calibration_format", c.calibrationFormat},
       {"datasets", ds},
       {"methods", c.methods},
       {"weight_quantizer", c.weightQuantizer},
       {"weight", c.weight},
       {"gptq", c.gptq},
       {"act", c.act},
       {"kv_k", c.kvK},
       {"kv_v", c.kvV},
       {"smoothquant", c.smooth},
       {"nsamples", c.nsamples},
       {"seqlen", c.seqlen},
       {"seed", c.seed},
       {"batch_size", c.batchSize},
       {"max_eval_windows", c.maxEvalWindows},
       {"r1", train(c.r1)},
       {"r1_layer_weights", c.r1LayerWeights},
       {"calibrate_r2", c.calibrateR2},
       {"r2", train(c.r2)},
       {"device", c.device},
       {"dtype", c.dtype},
       {"placement", c.placement},
       {"attention", c.attention},
       {"capture_device_gib", c.captureDeviceGiB},
       {"capture_host_gib", c.captureHostGiB},
       {"capture_cache_folder", c.captureCacheFolder},
       {"capture_tokens", c.captureTokens},
       {"dump_r1_data", c.dumpR1Data}};
}

namespace {
template <typename T>
void take(const nlohmann::json& j, const char* key, T& out) {
  if (j.contains(key)) out = j.at(key).get<T>();
}
void trainFrom(const nlohmann::json& j, RotationTrainSettings& s) {
  if (j.contains("loss")) s.loss = parseRotationLoss(j.at("loss").get<std::string>());
  if (j.contains("orthogonalization"))
    s.orthogonalization = parseOrthogonalization(j.at("orthogonalization").get<std::string>());
  if (j.contains("init")) s.init = parseRotationInit(j.at("init").get<std::string>());
  if (j.contains("optimizer")) s.optimizer = parseOptimizerKind(j.at("optimizer").get<std::string>());
  take(j, "lr", s.lr);
  take(j, "momentum", s.momentum);
  take(j, "cosine_schedule", s.cosineSchedule);
  take(j, "epochs", s.epochs);
  take(j, "batch_items", s.batchItems);
  take(j, "subset_fraction", s.subsetFraction);
  take(j, "accumulation_steps", s.accumulationSteps);
  take(j, "item_rows", s.itemRows);
  take(j, "seed", s.seed);
}
}  // namespace

void from_json(const nlohmann::json& j, RunConfig& c) {
  take(j, "model", c.model);
  take(j, "calibration", c.calibration);
  take(j, "calibration_format", c.calibrationFormat);
  if (j.contains("datasets")) {
    c.datasets.clear();
    for (const auto& d : j.at("datasets")) c.datasets.push_back({d.at("path").get<std::string>(), d.value("format", "")});
  }
  take(j, "methods", c.methods);
  take(j, "weight_quantizer", c.weightQuantizer);
  take(j, "weight", c.weight);
  take(j, "gptq", c.gptq);
  take(j, "act", c.act);
  take(j, "kv_k", c.kvK);
  take(j, "kv_v", c.kvV);
  take(j, "smoothquant", c.smooth);
  take(j, "nsamples", c.nsamples);
  take(j, "seqlen", c.seqlen);
  take(j, "seed", c.seed);
  take(j, "batch_size", c.batchSize);
  take(j, "max_eval_windows", c.maxEvalWindows);
  if (j.contains("r1")) trainFrom(j.at("r1"), c.r1);
  take(j, "r1_layer_weights", c.r1LayerWeights);
  take(j, "calibrate_r2", c.calibrateR2);
  if (j.contains("r2")) trainFrom(j.at("r2"), c.r2);
  take(j, "device", c.device);
  take(j, "dtype", c.dtype);
  take(j, "dump_r1_data", c.dumpR1Data);
  take(j, "capture_device_gib", c.captureDeviceGiB);
  take(j, "capture_host_gib", c.captureHostGiB);
  take(j, "capture_cache_folder", c.captureCacheFolder);
  take(j, "capture_tokens", c.captureTokens);
  take(j, "placement", c.placement);
  take(j, "attention", c.attention);
}

std::string RunConfig::toJsonText() const { return nlohmann::json(*this).dump(2); }

RunConfig RunConfig::fromJsonText(const std::string& text) {
  try {
    return nlohmann::json::parse(text).get<RunConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::InvalidInput, std::string("run configuration is not valid JSON: ") + e.what());
  }
}

}  // namespace jq
