#include "pipeline/QuantizationPipeline.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "calib/R1Calibrator.h"
#include "calib/R2Calibrator.h"
#include "common/Error.h"
#include "common/Log.h"
#include "data/CalibrationSampler.h"
#include "data/EvaluationText.h"
#include "dist/DistributedContext.h"
#include "io/RunFile.h"
#include "io/SafetensorsFile.h"
#include "model/LlamaModel.h"
#include "pipeline/ActivationCapture.h"
#include "pipeline/DeviceMemory.h"
#include "pipeline/ModelQuantizer.h"
#include "pipeline/ModelRotation.h"
#include "quant/SmoothQuant.h"
#include "rotation/HadamardMatrix.h"
#include "rotation/RandomRotation.h"
#include "stats/ChannelStatsAccumulator.h"
#include "tokenizer/Tokenizer.h"

namespace jq {

namespace {
using Clock = std::chrono::steady_clock;
double elapsedSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string baseName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

at::Device deviceFromName(const std::string& name) {
  if (name == "cpu") return at::kCPU;
  if (name.rfind("cuda", 0) == 0 && !at::hasCUDA())
    throw Error(ErrorKind::Unsupported, "device '" + name + "' requested but this build or machine has no CUDA");
  return at::Device(name);
}

std::string tokenizerFile(const std::string& modelDir) {
  const std::string p = modelDir + "/tokenizer.json";
  if (!std::filesystem::exists(p)) throw Error(ErrorKind::NotFound, "model folder has no tokenizer.json", {p, {}, {}});
  return p;
}
}  // namespace

namespace {
// The calibration windows this rank captures and calibrates on: all of them in one process.
CalibrationShard captureShardOf(const DistributedContext& dist, int64_t windows) {
  return dist.isDistributed() ? CalibrationShard::of(dist, windows) : CalibrationShard::whole();
}
}  // namespace

struct QuantizationPipeline::Cache {
  std::unique_ptr<Tokenizer> tokenizer;
  std::map<size_t, std::vector<int64_t>> tokens;
  std::map<size_t, std::optional<int64_t>> maxWindows;
  at::Tensor calib;
  std::unique_ptr<CapturedActivations> captured;
  int64_t capturedHeads = 0;  // attention heads of the captured model (o_proj rows are heads × head_dim)
  double captureSeconds = 0.0;
};

QuantizationPipeline::QuantizationPipeline(RunConfig config)
    : QuantizationPipeline(std::move(config), DistributedContext::single()) {}

QuantizationPipeline::QuantizationPipeline(RunConfig config, const DistributedContext& dist)
    : config_(std::move(config)), dist_(&dist), cache_(new Cache) {
  config_.validate();
  if (dist_->isDistributed()) {
    if (config_.device.rfind("cuda", 0) == 0) config_.device = dist_->device().str();
    if (!config_.dumpR1Data.empty())
      throw Error(ErrorKind::Unsupported, "--dump-r1-data writes one process's captured rows: run it with one process");
    if (config_.captureTokens > 0)
      throw Error(ErrorKind::Unsupported, "token subsets of the capture (captureTokens) are drawn per run of windows; "
                                          "use one process or capture every token");
  }
  const int64_t itemRows = config_.captureRowsPerWindow();
  config_.r1.itemRows = itemRows;
  config_.r2.itemRows = itemRows;
  if (config_.r1.device.empty()) config_.r1.device = config_.device;
  if (config_.r2.device.empty()) config_.r2.device = config_.device;
}

QuantizationPipeline::~QuantizationPipeline() = default;

LlamaModel QuantizationPipeline::loadModel(const JobContext& job) const {
  ModelOptions o;
  if (!config_.dtype.empty()) o.dtype = modelDtypeFromName(config_.dtype);
  o.device = deviceFromName(config_.device);
  o.placement = config_.placement == "host" ? WeightPlacement::Host : WeightPlacement::Device;
  o.attention = config_.attention == "sdpa" ? AttentionImpl::Sdpa : AttentionImpl::Eager;
  return LlamaModel::load(config_.model, o, job);
}

const std::vector<int64_t>& QuantizationPipeline::datasetTokens(size_t i, const JobContext& job) {
  auto it = cache_->tokens.find(i);
  if (it != cache_->tokens.end()) return it->second;
  if (!cache_->tokenizer) cache_->tokenizer = std::make_unique<Tokenizer>(Tokenizer::fromFile(tokenizerFile(config_.model)));
  const EvalDataset& d = config_.datasets.at(i);
  const DatasetFormat f = d.format.empty() ? guessDatasetFormat(d.path) : datasetFormatFromName(d.format);
  EvaluationText text = loadEvaluationText(d.path, f);
  cache_->maxWindows[i] = text.maxWindows;
  return cache_->tokens[i] = cache_->tokenizer->encode(text.text, true, job);
}

const at::Tensor& QuantizationPipeline::calibrationWindows(const JobContext& job) {
  if (cache_->calib.defined()) return cache_->calib;
  if (config_.calibration.empty()) throw Error(ErrorKind::InvalidInput, "this method needs calibration text (--calib)");
  if (!cache_->tokenizer) cache_->tokenizer = std::make_unique<Tokenizer>(Tokenizer::fromFile(tokenizerFile(config_.model)));
  const DatasetFormat f = config_.calibrationFormat.empty() ? guessDatasetFormat(config_.calibration)
                                                           : datasetFormatFromName(config_.calibrationFormat);
  EvaluationText text = loadEvaluationText(config_.calibration, f);
  std::vector<int64_t> ids = cache_->tokenizer->encode(text.text, true, job);
  CalibrationSamplerOptions o;
  o.samples = config_.nsamples;
  o.seqlen = config_.seqlen;
  o.seed = config_.seed;
  o.textFile = config_.calibration;
  cache_->calib = sampleCalibrationWindows(ids, o);
  return cache_->calib;
}

const CapturedActivations& QuantizationPipeline::captured(const JobContext& job, LlamaModel* methodModel) {
  if (cache_->captured) return *cache_->captured;
  // Distributed: each rank captures its own block of calibration windows (see captureShardOf()).
  const int64_t windows = calibrationWindows(job).size(0);
  const ShardRange mine = dist_->isDistributed() ? CalibrationShard::of(*dist_, windows).mine : ShardRange{0, windows};
  const at::Tensor calib = calibrationWindows(job).slice(0, mine.begin, mine.end);
  const auto t0 = Clock::now();
  // The method's freshly loaded model, norm-fused, is exactly the model to capture from: borrowing it spares a
  // second copy of the weights on the device (fusing again later multiplies by ones).
  std::optional<LlamaModel> own;
  if (!methodModel) own.emplace(loadModel(job));
  LlamaModel& model = methodModel ? *methodModel : *own;
  fuseRmsNorms(model);
  CaptureOptions o;
  o.batchSize = config_.batchSize;
  o.tokensPerWindow = config_.captureTokens;
  o.seed = config_.seed;
  const int64_t rowsPerWindow = config_.captureRowsPerWindow();
  o.dtype = model.dtype();
  const int64_t bytes = captureBytes(model.config(), calib.size(0), rowsPerWindow, o.r1, o.r2, o.dtype);
  constexpr double kGiB = double(int64_t(1) << 30);
  const int64_t available = availableHostBytes();  // 0 = unknown: no limit
  const double hostLimit = config_.captureHostGiB > 0 ? config_.captureHostGiB * kGiB
                           : available > 0            ? 0.7 * double(available)
                                                      : HUGE_VAL;
  if (model.device().is_cuda() && config_.placement == "device" && double(bytes) <= config_.captureDeviceGiB * kGiB) {
    o.storage = CaptureStorage::Device;
    o.device = model.device();
  } else if (double(bytes) <= hostLimit) {
    o.storage = model.device().is_cuda() ? CaptureStorage::PinnedHost : CaptureStorage::Host;
  } else {
    o.storage = CaptureStorage::DiskCache;
    o.cacheFolder = config_.captureCacheFolder.empty() ? std::filesystem::temp_directory_path().string()
                                                       : config_.captureCacheFolder;
  }
  // Said before the first window runs, so a user can stop a run that would not fit.
  const std::string where = o.storage == CaptureStorage::DiskCache ? "a scratch file in " + o.cacheFolder
                                                                   : std::string(toString(o.storage)) + " memory";
  JQ_INFO("capturing activations: " << calib.size(0) << " windows x " << rowsPerWindow << " tokens x "
                                    << model.numLayers() << " layers needs " << double(bytes) / kGiB << " GiB, held in "
                                    << where);
  job.report("capture", 0, model.numLayers(),
             "needs " + std::to_string(int64_t(std::ceil(double(bytes) / (1 << 20)))) + " MiB in " + where);
  cache_->capturedHeads = model.config().numAttentionHeads;
  cache_->captured = std::make_unique<CapturedActivations>(captureActivations(model, calib, o, job));
  cache_->captureSeconds = elapsedSince(t0);
  return *cache_->captured;
}

void QuantizationPipeline::evaluateRotationOnCapture(const at::Tensor& r1, MethodResult& r, const JobContext& job,
                                                     LlamaModel* methodModel) {
  const CapturedActivations& cap = captured(job, methodModel);
  releaseCachedDeviceMemory();
  const int64_t hidden = cap.r1.front().size(-1);
  at::Tensor rot = r1.defined() ? r1 : at::eye(hidden, at::kFloat);
  std::vector<RotationEval> evals = evaluateR1(rot.to(at::kFloat), cap.r1, config_.r1, job,
                                                 captureShardOf(*dist_, cache_->calib.size(0)));
  r.layerLoss.clear();
  r.layerQuantError.clear();
  double lossSum = 0, qeSum = 0;
  for (const auto& e : evals) {
    r.layerLoss.push_back(e.loss);
    r.layerQuantError.push_back(e.quant.mse());
    lossSum += e.loss;
    qeSum += e.quant.mse();
  }
  r.finalLoss = lossSum;
  r.meanQuantError = qeSum / double(evals.size());
}

namespace {

// Closes a stage's memory period: the peak since the previous stage ended (or the method started).
void notePeak(MethodResult& r, const std::string& stage) {
  const int64_t peak = takePeakDeviceBytes();
  if (peak >= 0) r.peakDeviceMiB[stage] = double(peak) / double(1 << 20);
}

}  // namespace

std::unique_ptr<LlamaModel> QuantizationPipeline::prepareModel(const std::string& method, MethodResult& r,
                                                               const JobContext& job) {
  r.method = method;
  (void)takePeakDeviceBytes();  // the method's first period starts here
  auto t = Clock::now();
  auto model = std::make_unique<LlamaModel>(loadModel(job));
  r.seconds["load"] = elapsedSince(t);
  notePeak(r, "load");
  if (method == "fp") return model;
  const LlamaConfig& c = model->config();

  if (method == "smoothquant") {
    t = Clock::now();
    const auto absMax = captureInputAbsMax(*model, calibrationWindows(job), config_.batchSize, job);
    for (int i = 0; i < model->numLayers(); ++i) {
      DecoderLayer& L = model->layer(i);
      auto migrate = [&](at::Tensor& norm, std::vector<Linear*> readers, const at::Tensor& actMax) {
        std::vector<at::Tensor> ws;
        for (Linear* lin : readers) ws.push_back(lin->weight.to(at::kCPU, at::kFloat));
        const at::Tensor s = smoothQuantScales(actMax, ws, config_.smooth).to(at::kDouble);
        norm = (norm.to(at::kCPU, at::kDouble) / s).to(norm.device(), norm.scalar_type());
        for (Linear* lin : readers)
          lin->weight = (lin->weight.to(at::kCPU, at::kDouble) * s.unsqueeze(0)).to(lin->weight.device(),
                                                                                     lin->weight.scalar_type());
      };
      migrate(L.inputNorm, {&L.qProj, &L.kProj, &L.vProj}, absMax[i][0]);
      migrate(L.postAttentionNorm, {&L.gateProj, &L.upProj}, absMax[i][1]);
    }
    r.seconds["smoothquant"] = elapsedSince(t);
    notePeak(r, "smoothquant");
    r.calibrationSeconds += r.seconds["smoothquant"];
  }

  if (isRotationMethod(method)) {
    RotationPlan plan;
    bool scoredOnCapture = false;  // the final R1 already scored on the captured rows
    if (isCalibratedMethod(method)) {
      const CapturedActivations& cap = captured(job, model.get());
      releaseCachedDeviceMemory();
      r.seconds["capture"] = cache_->captureSeconds;
      notePeak(r, "capture");
      r.captureBytes = cap.bytes;
      r.captureStorage = toString(cap.storage);
      r.calibrationSeconds += cache_->captureSeconds;
      // R1 and R2 learn from the captured rows alone: meanwhile the weights wait on the host and leave the GPU to
      // the calibration's mini-batches (Llama-3-8B: 15 GiB, moved in a few seconds each way).
      const bool park = model->device().is_cuda() && model->options().placement == WeightPlacement::Device;
      if (park) {
        t = Clock::now();
        model->moveWeightsTo(at::kCPU);
        releaseCachedDeviceMemory();
        JQ_INFO("weights moved to the host for calibration in " << elapsedSince(t) << " s");
      }
      t = Clock::now();
      R1Settings s1;
      s1.mode = parseR1Mode(method);
      s1.train = config_.r1;
      s1.layerWeights = config_.r1LayerWeights;
      R1Result r1 = R1Calibrator(s1).run(cap.r1, job, captureShardOf(*dist_, cache_->calib.size(0)));
      releaseCachedDeviceMemory();
      r.seconds["calibrate.R1"] = elapsedSince(t);
      notePeak(r, "calibrate.R1");
      r.calibrationSeconds += r.seconds["calibrate.R1"];
      r.r1 = r1.r1.to(at::kCPU);
      r.r1Curve = r1.curve;
      r.perLayerR1 = r1.perLayerR1;
      r.layerLossStart = r1.layerLossStart;
      for (const auto& q : r1.layerQuantStart) r.layerQuantErrorStart.push_back(q.mse());
      r.startLoss = 0;
      for (double v : r1.layerLossStart) r.startLoss += v;
      if (!config_.dumpR1Data.empty()) {
        std::map<std::string, at::Tensor> dump;
        for (size_t l = 0; l < cap.r1.size(); ++l)
          dump[runFileLayerName(int(l))] = cap.r1[l].to(at::kCPU, at::kFloat).contiguous();
        dump["r1_start"] = r1.start.to(at::kCPU, at::kFloat).contiguous();
        dump["r1_final"] = r1.r1.to(at::kCPU, at::kFloat).contiguous();
        writeSafetensors(config_.dumpR1Data, dump, {{"method", method}, {"item_rows", std::to_string(config_.r1.itemRows)}});
      }
      if (config_.calibrateR2) {
        t = Clock::now();
        R2Settings s2;
        s2.train = config_.r2;
        s2.numHeads = c.numAttentionHeads;
        s2.numKvHeads = c.numKeyValueHeads;
        R2Result r2 = R2Calibrator(s2).run(cap.r2, job, captureShardOf(*dist_, cache_->calib.size(0)));
        releaseCachedDeviceMemory();
        r.seconds["calibrate.R2"] = elapsedSince(t);
        notePeak(r, "calibrate.R2");
        r.calibrationSeconds += r.seconds["calibrate.R2"];
        for (auto& m : r2.rotations) r.r2.push_back(m.to(at::kCPU));
        r.r2Curves.assign(c.numHiddenLayers, {});
        for (const auto& p : r2.curve)
          if (p.layer >= 0 && p.layer < c.numHiddenLayers) r.r2Curves[p.layer].push_back(p);
      }
      if (park) {
        // The final R1 scored on the captured rows while the weights are still away (it needs only the rows).
        t = Clock::now();
        evaluateRotationOnCapture(r.r1, r, job, model.get());
        scoredOnCapture = true;
        r.seconds["score"] = elapsedSince(t);
        notePeak(r, "score");
        releaseCachedDeviceMemory();
        t = Clock::now();
        model->moveWeightsTo(model->device());
        JQ_INFO("weights back on " << model->device().str() << " in " << elapsedSince(t) << " s");
      }
    } else {
      r.r1 = randomHadamardMatrix(c.hiddenSize, config_.seed, at::kDouble);
    }
    if (r.r2.empty()) {
      const at::Tensor h = hadamardMatrix(c.headDim, at::kDouble);
      for (int i = 0; i < c.numHiddenLayers; ++i) r.r2.push_back(h.unsqueeze(0).expand({c.numKeyValueHeads, c.headDim, c.headDim}).contiguous());
    }
    if (!config_.calibration.empty() && !scoredOnCapture) {
      // The model is about to be norm-fused and rotated: capture may borrow it (an unrotated baseline may not).
      evaluateRotationOnCapture(r.r1, r, job, model.get());
      if (!isCalibratedMethod(method)) r.seconds["capture"] = cache_->captureSeconds;
    }
    t = Clock::now();
    fuseRmsNorms(*model);
    plan.r1 = r.r1;
    plan.r2 = r.r2;
    plan.onlineR4 = true;
    plan.onlineR3 = config_.kvK.bits < 16;
    applyRotation(*model, plan);
    releaseCachedDeviceMemory();
    r.seconds["rotate"] = elapsedSince(t);
    notePeak(r, "rotate");
  } else if (!config_.calibration.empty() && method != "smoothquant") {
    // Unrotated baseline on the same captured data, for the loss / quantization-error columns.
    evaluateRotationOnCapture(at::Tensor(), r, job);
  }

  if (config_.weight.bits < 16) {
    t = Clock::now();
    if (config_.weightQuantizer == "gptq") {
      quantizeWeightsGptq(*model, calibrationWindows(job), config_.weight, config_.gptq, config_.batchSize, job);
      releaseCachedDeviceMemory();
      r.seconds["gptq"] = elapsedSince(t);
      notePeak(r, "gptq");
    } else {
      quantizeWeightsRtn(*model, config_.weight, job);
      r.seconds["rtn"] = elapsedSince(t);
      notePeak(r, "rtn");
    }
  }
  attachActivationQuantizers(*model, config_.act);
  attachKvCacheQuantizers(*model, config_.kvK, config_.kvV);
  return model;
}

MethodResult QuantizationPipeline::runMethod(const std::string& method, const JobContext& job) {
  MethodResult r;
  std::unique_ptr<LlamaModel> model = prepareModel(method, r, job);
  const auto t = Clock::now();
  for (size_t i = 0; i < config_.datasets.size(); ++i) {
    const std::vector<int64_t>& tokens = datasetTokens(i, job);
    PerplexityOptions po;
    po.seqlen = config_.seqlen;
    po.batchSize = config_.batchSize;
    po.maxWindows = cache_->maxWindows[i];
    po.textFile = config_.datasets[i].path;
    po.tokenizerFile = tokenizerFile(config_.model);
    if (config_.maxEvalWindows > 0)
      po.maxWindows = std::min<int64_t>(po.maxWindows.value_or(config_.maxEvalWindows), config_.maxEvalWindows);
    r.datasetNames.push_back(baseName(config_.datasets[i].path));
    r.evaluations.push_back(PerplexityEvaluator(po, *dist_).evaluate(*model, tokens, job));
  }
  r.seconds["eval"] = elapsedSince(t);
  notePeak(r, "eval");
  JQ_INFO(method << " done");
  return r;
}

std::vector<MethodResult> QuantizationPipeline::runAll(const JobContext& job) {
  std::vector<MethodResult> out;
  for (const auto& m : config_.methods) out.push_back(runMethod(m, job));
  return out;
}

std::string QuantizationPipeline::resultJson(const MethodResult& r, const RunConfig& config) {
  nlohmann::json j;
  j["method"] = r.method;
  for (size_t i = 0; i < r.evaluations.size(); ++i) {
    const auto& e = r.evaluations[i];
    j["datasets"].push_back({{"dataset", r.datasetNames[i]}, {"perplexity", e.perplexity}, {"tokens", e.tokens},
                             {"windows", e.windows}, {"seqlen", e.seqlen}, {"seconds", e.seconds}});
  }
  if (!r.evaluations.empty()) j["perplexity"] = r.evaluations.front().perplexity;
  j["seconds"] = r.seconds;
  j["calibration_seconds"] = r.calibrationSeconds;
  if (!r.peakDeviceMiB.empty()) j["peak_device_mib"] = r.peakDeviceMiB;
  if (!r.captureStorage.empty())
    j["capture"] = {{"bytes", r.captureBytes}, {"storage", r.captureStorage},
                    {"tokens_per_window", config.captureRowsPerWindow()}};
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
  j["start_loss"] = num(r.startLoss);
  j["final_loss"] = num(r.finalLoss);
  j["mean_quant_error"] = num(r.meanQuantError);
  j["layer_loss"] = r.layerLoss;
  j["layer_loss_start"] = r.layerLossStart;
  j["layer_quant_error"] = r.layerQuantError;
  j["settings"] = nlohmann::json::parse(config.toJsonText());
  return j.dump();
}

namespace {

std::map<std::string, at::Tensor> statTensors(const ChannelStats& s) {
  auto f32 = [](const std::vector<float>& v) { return at::tensor(at::ArrayRef<float>(v), at::kFloat); };
  return {{"absmax", f32(s.absmax)},
          {"mean", f32(s.mean)},
          {"rms", f32(s.rms)},
          {"kurtosis", f32(s.kurtosis)},
          {"hist", at::tensor(at::ArrayRef<int64_t>(s.histCounts), at::kLong)},
          {"hist_edges", at::tensor(at::ArrayRef<double>(s.histEdges), at::kDouble)}};
}

}  // namespace

void QuantizationPipeline::writeActivationStats(RunFileWriter& w, const MethodResult& r, const JobContext& job) const {
  if (!cache_->captured || !r.r1.defined()) return;
  const CapturedActivations& cap = *cache_->captured;
  for (size_t l = 0; l < cap.r1.size(); ++l) {
    job.checkCancelled("activation statistics");
    job.report("stats", int64_t(l) + 1, int64_t(cap.r1.size()), "layer " + std::to_string(l + 1));
    const int64_t half = cap.r1[l].size(0) / 2;  // q_proj items first, then up_proj (ActivationCapture.h)
    const at::Tensor r1 = r.r1.to(cap.r1[l].device(), at::kFloat);
    // The capture is in the model's dtype; statistics are taken in float32 like everything else in the run file.
    const at::Tensor rowsR1 = cap.r1[l].to(at::kFloat);
    for (const auto& [module, rows] : {std::pair<std::string, at::Tensor>{"q_proj", rowsR1.slice(0, 0, half)},
                                      std::pair<std::string, at::Tensor>{"up_proj", rowsR1.slice(0, half)}}) {
      w.setModuleStats("before", int(l), module, statTensors(computeChannelStats(rows)));
      w.setModuleStats("after", int(l), module, statTensors(computeChannelStats(at::matmul(rows, r1))));
    }
    if (l < cap.r2.size()) {
      const at::Tensor rowsR2 = cap.r2[l].to(at::kFloat);
      w.setModuleStats("before", int(l), "o_proj", statTensors(computeChannelStats(rowsR2)));
      if (l < r.r2.size())
        w.setModuleStats("after", int(l), "o_proj",
                         statTensors(computeChannelStats(rotateHeads(rowsR2, r.r2[l].to(rowsR2.device(), at::kFloat), cache_->capturedHeads))));
    }
  }
}

void QuantizationPipeline::writeRunFile(const std::string& path, const std::vector<MethodResult>& results,
                                        const JobContext& job) const {
  if (!dist_->isRoot()) return;  // one file per run: rank 0's
  RunFileWriter w(path);
  w.setConfigJson(config_.toJsonText());
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& r : results) {
    metrics.push_back(nlohmann::json::parse(resultJson(r, config_)));
    for (size_t i = 0; i < r.evaluations.size(); ++i)
      w.addPerplexity({r.method, r.datasetNames[i], r.evaluations[i].perplexity, r.evaluations[i].seqlen});
    for (const auto& [stage, s] : r.seconds) w.addTiming({r.method + "/" + stage, s});
    auto toCurve = [](const std::vector<LossPoint>& pts) {
      LossCurve c;
      for (const auto& p : pts) {
        c.steps.push_back(double(p.step));
        c.losses.push_back(p.loss);
      }
      return c;
    };
    if (!r.r1Curve.empty()) w.setCurve(r.method + "/R1", toCurve(r.r1Curve));
    for (size_t l = 0; l < r.r2Curves.size(); ++l)
      if (!r.r2Curves[l].empty()) w.setCurve(r.method + "/R2/" + runFileLayerName(int(l)), toCurve(r.r2Curves[l]));
  }
  w.setMetricsJson(metrics.dump());
  // Rotations: those of the single method, or of the last calibrated one in a comparison.
  const MethodResult* withRotation = nullptr;
  for (const auto& r : results)
    if (r.r1.defined() && (results.size() == 1 || isCalibratedMethod(r.method))) withRotation = &r;
  if (withRotation) {
    w.setR1(withRotation->r1);
    for (size_t l = 0; l < withRotation->r2.size(); ++l) w.setR2(int(l), withRotation->r2[l]);
    writeActivationStats(w, *withRotation, job);
  }
  w.commit(job);
}

}  // namespace jq
