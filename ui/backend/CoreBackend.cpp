#include "backend/CoreBackend.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <sstream>

#include "backend/FakeBackend.h"
#include "common/Error.h"
#include "common/Log.h"
#include "data/CalibrationSampler.h"
#include "data/EvaluationText.h"
#include "hub/HubDataset.h"
#include "io/RunFile.h"
#include "model/LlamaModel.h"
#include "pipeline/ModelRotation.h"
#include "pipeline/QuantizationPipeline.h"
#include "pipeline/RunConfig.h"
#include "rotation/HadamardMatrix.h"
#include "rotation/RandomRotation.h"
#include "stats/ChannelStatsAccumulator.h"
#include "tokenizer/Tokenizer.h"

namespace fs = std::filesystem;

namespace jq::ui {
namespace {

// The inspectable sites; k/v share q_proj's input and gate shares up_proj's, so they are not captured twice.
const std::vector<std::string>& siteModules() {
  static const std::vector<std::string> m{"q_proj", "o_proj", "up_proj", "down_proj"};
  return m;
}

int siteIndex(LinearKind kind) {
  switch (kind) {
    case LinearKind::QProj: return 0;
    case LinearKind::OProj: return 1;
    case LinearKind::UpProj: return 2;
    case LinearKind::DownProj: return 3;
    default: return -1;
  }
}

int siteIndex(const std::string& module) {
  if (module == "q_proj" || module == "k_proj" || module == "v_proj") return 0;
  if (module == "o_proj") return 1;
  if (module == "up_proj" || module == "gate_proj") return 2;
  if (module == "down_proj") return 3;
  return -1;
}

// Statistics windows need only a few thousand tokens: tokenizing a prefix of a large corpus keeps a first
// capture quick (the pipeline still tokenizes the whole file for a calibration).
constexpr size_t kStatTextBytes = 1u << 20;

double secondsExcept(const std::map<std::string, double>& seconds, const std::string& skip) {
  double s = 0.0;
  for (const auto& [stage, v] : seconds)
    if (stage != skip) s += v;
  return s;
}

std::string stem(const std::string& path) { return fs::path(path).stem().string(); }

// Per-channel statistics of one site in the UI's plain form (the core accumulator's moments, top-k, samples).
ChannelStats toUi(const jq::ChannelStats& c, const ActivationSite& site, Basis basis) {
  ChannelStats s;
  s.site = site;
  s.basis = basis;
  s.tokens = c.rows;
  s.channels = int(c.channels);
  s.absmax = c.absmax;
  s.mean = c.mean;
  s.rms = c.rms;
  s.kurtosis = c.kurtosis;
  for (int64_t ch : c.topChannels) s.topChannels.push_back(int(ch));
  s.sampleTokens = int(c.sampleRowCount);
  s.sampleRows = c.sample;
  return s;
}

}  // namespace

struct CoreBackend::Impl {
  Options opt;
  std::mutex mutex;
  std::string modelDir;
  std::unique_ptr<LlamaModel> model;     // as loaded
  std::unique_ptr<LlamaModel> rotated;   // norms fused and rotated by `plan`, built on first use
  RotationPlan plan;
  std::string planSource;
  std::optional<ModelSummary> summary;
  at::Tensor windows;                    // int64 [statWindows, statSeqLen]
  // [basis][layer][site] statistics of the last capture; empty until captured.
  std::map<int, std::vector<std::vector<jq::ChannelStats>>> stats;
  std::map<std::tuple<int, int, int>, Histogram> histograms;   // (basis, layer, site)
  int runCounter = 0;
  std::string scratchDir;                // unpacked data set shards (see resolveData), removed with the backend

  void requireModel(const char* what) const {
    if (!model) throw Error(ErrorKind::InvalidInput, std::string("open a model before ") + what);
  }

  at::Device device() const { return at::Device(opt.device == "cuda" ? std::string("cuda:0") : opt.device); }

  std::string defaultCorpus(const char* file) const {
    const fs::path p = fs::path(modelDir).parent_path() / "demo-corpus" / file;
    return fs::exists(p) ? p.string() : std::string();
  }

  // A data field's value: a file, or a data set id (wikitext2, ptb, c4[:split]) found in the Hugging Face caches
  // exactly as `jointquant --dataset` finds it; gzip'd shards are unpacked into a scratch folder of this backend.
  EvalDataset resolveData(const std::string& fileOrId) {
    if (scratchDir.empty())
      scratchDir = (fs::temp_directory_path() / ("jointquant-workbench-" + std::to_string(::getpid()))).string();
    const DatasetArgument d = resolveDatasetArgument(HubSettings::fromEnvironment(), fileOrId, "", scratchDir);
    return {d.path, d.format};
  }

  EvalDataset calibrationData(const std::string& requested) {
    std::string f = !requested.empty() ? requested : !opt.calibrationFile.empty() ? opt.calibrationFile
                                                                                  : defaultCorpus("train.txt");
    if (f.empty())
      throw Error(ErrorKind::InvalidInput,
                  "no calibration text: choose a calibration data file in the settings (none next to " + modelDir + ")");
    return resolveData(f);
  }

  std::vector<EvalDataset> evaluationData() {
    std::vector<EvalDataset> out;
    for (const auto& f : opt.evaluationFiles) out.push_back(resolveData(f));
    if (!out.empty()) return out;
    const std::string f = defaultCorpus("test.txt");
    if (f.empty())
      throw Error(ErrorKind::InvalidInput,
                  "no evaluation text: start the workbench with --eval FILE (none next to " + modelDir + ")");
    return {{f, ""}};
  }

  ~Impl() {
    std::error_code ec;
    if (!scratchDir.empty()) fs::remove_all(scratchDir, ec);
  }

  void resetRotation() {
    const LlamaConfig& c = model->config();
    plan = RotationPlan{};
    plan.r1 = randomHadamardMatrix(c.hiddenSize, opt.statSeed, at::kDouble);
    const at::Tensor h = hadamardMatrix(c.headDim, at::kDouble);
    for (int64_t i = 0; i < c.numHiddenLayers; ++i)
      plan.r2.push_back(h.unsqueeze(0).expand({c.numKeyValueHeads, c.headDim, c.headDim}).contiguous());
    plan.onlineR4 = true;
    planSource = "random Hadamard (seed " + std::to_string(opt.statSeed) + ")";
  }

  // A new rotated basis: drop everything computed in the old one.
  void setRotation(const at::Tensor& r1, const std::vector<at::Tensor>& r2, const std::string& source) {
    const LlamaConfig& c = model->config();
    if (r1.dim() != 2 || r1.size(0) != c.hiddenSize || r1.size(1) != c.hiddenSize) {
      JQ_WARN("ignoring the R1 of " << source << ": it does not fit hidden size " << c.hiddenSize);
      return;
    }
    resetRotation();
    plan.r1 = r1.to(at::kCPU, at::kDouble);
    if (int64_t(r2.size()) == c.numHiddenLayers)
      for (size_t i = 0; i < r2.size(); ++i) plan.r2[i] = r2[i].to(at::kCPU, at::kDouble);
    planSource = source;
    rotated.reset();
    stats.erase(int(Basis::Rotated));
    for (auto it = histograms.begin(); it != histograms.end();)
      it = std::get<0>(it->first) == int(Basis::Rotated) ? histograms.erase(it) : std::next(it);
    JQ_INFO("rotated basis is now " << source);
  }

  ModelOptions modelOptions() const {
    ModelOptions o;
    o.device = device();
    return o;
  }

  LlamaModel& modelFor(Basis basis, const JobContext& job) {
    if (basis == Basis::Original) return *model;
    if (!rotated) {
      auto m = std::make_unique<LlamaModel>(LlamaModel::load(modelDir, modelOptions(), job));
      fuseRmsNorms(*m);
      applyRotation(*m, plan);
      rotated = std::move(m);
    }
    return *rotated;
  }

  const at::Tensor& statWindowsFor(const JobContext& job) {
    if (windows.defined()) return windows;
    const EvalDataset data = calibrationData({});
    const DatasetFormat format =
        data.format.empty() ? guessDatasetFormat(data.path) : datasetFormatFromName(data.format);
    std::string text = loadEvaluationText(data.path, format).text;
    if (text.size() > kStatTextBytes) text.resize(kStatTextBytes);
    const Tokenizer tok = Tokenizer::fromFile(modelDir);
    const std::vector<int64_t> ids = tok.encode(text, false, job);
    CalibrationSamplerOptions o;
    o.samples = opt.statWindows;
    o.seqlen = std::min<int64_t>(opt.statSeqLen, int64_t(ids.size()) - 1);
    o.seed = opt.statSeed;
    windows = sampleCalibrationWindows(ids, o);
    return windows;
  }

  // Runs the statistics windows through the model of `basis`; each hooked input is reduced as it passes.
  // With `histSite` set, only that site's histogram is accumulated over [lo, hi] (the second pass).
  void runCapture(Basis basis, const JobContext& job, const std::tuple<int, int>* histSite = nullptr,
                  double lo = 0, double hi = 0) {
    LlamaModel& m = modelFor(basis, job);
    const at::Tensor& ids = statWindowsFor(job);
    const int L = m.numLayers();
    ChannelStatsSettings settings;
    settings.topK = opt.topK;
    settings.sampleRows = opt.sampleTokens;
    // Built one by one: a copied accumulator would share its running-sum tensors with the original.
    std::vector<std::vector<ChannelStatsAccumulator>> acc(histSite ? 0 : size_t(L));
    for (auto& layerAcc : acc)
      for (size_t i = 0; i < siteModules().size(); ++i) layerAcc.emplace_back(settings);
    at::Tensor hist;
    const int id = m.addHook(HookPoint::LinearInput, [&](int layer, LinearKind kind, const at::Tensor& x) {
      const int s = siteIndex(kind);
      if (layer >= L || s < 0) return;
      job.checkCancelled("capture");
      if (!histSite) {
        acc[size_t(layer)][size_t(s)].add(x.detach());
      } else if (std::get<0>(*histSite) == layer && std::get<1>(*histSite) == s) {
        const at::Tensor h = at::histc(x.detach().to(at::kFloat).flatten(), opt.histogramBins, lo, hi);
        hist = hist.defined() ? hist + h : h;
      }
    });
    try {
      at::NoGradGuard noGrad;
      for (int64_t w = 0; w < ids.size(0); ++w) {
        job.checkCancelled("capture");
        job.report("capture", w, ids.size(0), "window " + std::to_string(w + 1));
        (void)m.forward(ids.slice(0, w, w + 1).to(m.device()));
      }
    } catch (...) {
      m.removeHook(id);
      throw;
    }
    m.removeHook(id);
    job.report("capture", ids.size(0), ids.size(0));
    if (!histSite) {
      auto& out = stats[int(basis)];
      out.assign(size_t(L), {});
      for (int l = 0; l < L; ++l)
        for (auto& a : acc[size_t(l)]) out[size_t(l)].push_back(a.result());
    } else {
      Histogram h;
      h.lo = lo;
      h.hi = hi;
      const at::Tensor c = hist.to(at::kCPU, at::kDouble).contiguous();
      h.counts.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
      histograms[{int(basis), std::get<0>(*histSite), std::get<1>(*histSite)}] = h;
    }
  }

  const std::vector<std::vector<jq::ChannelStats>>& statsFor(Basis basis, const JobContext& job) {
    auto it = stats.find(int(basis));
    if (it == stats.end()) {
      runCapture(basis, job);
      it = stats.find(int(basis));
    }
    return it->second;
  }
};

CoreBackend::CoreBackend() : CoreBackend(Options{}) {}
CoreBackend::CoreBackend(Options options) : impl_(std::make_unique<Impl>()) { impl_->opt = std::move(options); }
CoreBackend::~CoreBackend() = default;

std::string CoreBackend::description() const {
  std::string d = "LibTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR);
  d += at::hasCUDA() ? " / CUDA" : " / CPU";
  return d;
}

std::string CoreBackend::rotationSource() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->planSource;
}

ModelSummary CoreBackend::loadModel(const std::string& dir, const jq::JobContext& job) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl& d = *impl_;
  auto m = std::make_unique<LlamaModel>(LlamaModel::load(dir, d.modelOptions(), job));
  if (d.opt.fuseNormsInOriginal) fuseRmsNorms(*m);
  // Only a successful load replaces the previous model and everything derived from it.
  d.model = std::move(m);
  d.modelDir = dir;
  d.rotated.reset();
  d.windows = at::Tensor();
  d.stats.clear();
  d.histograms.clear();
  d.resetRotation();

  const LlamaConfig& c = d.model->config();
  ModelSummary s;
  s.path = dir;
  s.architecture = c.architecture;
  s.hiddenSize = int(c.hiddenSize);
  s.intermediateSize = int(c.intermediateSize);
  s.numLayers = int(c.numHiddenLayers);
  s.numHeads = int(c.numAttentionHeads);
  s.numKvHeads = int(c.numKeyValueHeads);
  s.headDim = int(c.headDim);
  s.vocabSize = int(c.vocabSize);
  s.maxPositions = int(c.maxPositionEmbeddings);
  s.ropeTheta = c.ropeTheta;
  if (c.ropeScaling.type != "default") {
    std::ostringstream r;
    r << c.ropeScaling.type << " (factor " << c.ropeScaling.factor << ")";
    s.ropeScaling = r.str();
  }
  s.rmsNormEps = c.rmsNormEps;
  s.tiedEmbeddings = c.tieWordEmbeddings;
  s.parameterCount = c.parameterCount();
  s.dtype = c.dtype;
  const uint64_t all = uint64_t(LlamaModel::weightBytes(c, d.model->dtype()));
  const uint64_t piece = uint64_t(LlamaModel::largestPieceBytes(c, d.model->dtype()));
  const std::string loadedOn = d.device().is_cuda() ? "cuda" : "cpu";
  s.memory = {{loadedOn, all, false}, {loadedOn == "cpu" ? "cuda" : "cpu", all, false}, {"cuda", piece, true}};
  s.activationModules = siteModules();
  d.summary = s;
  JQ_INFO("workbench: loaded " << dir << " (" << s.parameterCount << " parameters)");
  return s;
}

ChannelStats CoreBackend::channelStats(const ActivationSite& site, Basis basis, const jq::JobContext& job) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl& d = *impl_;
  d.requireModel("inspecting activations");
  const int s = siteIndex(site.module);
  if (s < 0)
    throw Error(ErrorKind::NotFound, "no activation site named '" + site.module + "'", {d.modelDir, {}, site.layer});
  if (site.layer < 0 || site.layer >= d.model->numLayers())
    throw Error(ErrorKind::InvalidInput, "no such layer", {d.modelDir, site.module, site.layer});
  const jq::ChannelStats& c = d.statsFor(basis, job)[size_t(site.layer)][size_t(s)];
  ChannelStats out = toUi(c, site, basis);
  const auto key = std::make_tuple(int(basis), site.layer, s);
  if (!d.histograms.count(key)) {
    // Symmetric around zero, as FakeBackend does, so both bases of a site line up.
    double edge = 0.0;
    for (float a : c.absmax) edge = std::max(edge, double(a));
    if (!(edge > 0.0)) edge = 1.0;
    const std::tuple<int, int> hs{site.layer, s};
    d.runCapture(basis, job, &hs, -edge, edge);
  }
  out.histogram = d.histograms.at(key);
  return out;
}

std::vector<LayerSummary> CoreBackend::layerSummaries(const std::string& module, Basis basis,
                                                      const jq::JobContext& job) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl& d = *impl_;
  d.requireModel("inspecting activations");
  const int s = siteIndex(module);
  if (s < 0)
    throw Error(ErrorKind::NotFound, "no activation site named '" + module + "'", {d.modelDir, {}, std::nullopt});
  const auto& all = d.statsFor(basis, job);
  std::vector<LayerSummary> out;
  for (size_t l = 0; l < all.size(); ++l) {
    ChannelStats ui = toUi(all[l][size_t(s)], {int(l), module}, basis);
    // A constant channel has NaN kurtosis; the mean is over the others.
    std::vector<float> k;
    for (float v : ui.kurtosis)
      if (std::isfinite(v)) k.push_back(v);
    ui.kurtosis = k.empty() ? std::vector<float>{0.0f} : k;
    out.push_back(summarize(int(l), ui));
  }
  return out;
}

RunResult CoreBackend::calibrate(const CalibrationRequest& request, const jq::JobContext& job) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl& d = *impl_;
  d.requireModel("calibrating");
  if (request.methods.empty()) throw Error(ErrorKind::InvalidInput, "choose at least one method to run");

  RunConfig rc;
  rc.model = d.modelDir;
  const EvalDataset calibration = d.calibrationData(request.dataFile);
  rc.calibration = calibration.path;
  rc.calibrationFormat = calibration.format;
  rc.datasets = d.evaluationData();
  rc.methods = request.methods;
  rc.weightQuantizer = request.weightQuantizer;
  rc.weight.bits = request.weightBits;
  rc.act.bits = request.activationBits;
  rc.nsamples = request.samples;
  rc.seqlen = request.seqLen;
  rc.seed = request.seed;
  rc.r1.epochs = request.epochs;
  rc.r1.lr = request.learningRate;
  rc.r1.optimizer = parseOptimizerKind(request.optimizer);
  rc.r1.loss = parseRotationLoss(request.loss == "swd" ? "swd_uniform" : request.loss);
  rc.r1.seed = request.seed;
  rc.device = request.device;
  rc.validate();

  RunResult run;
  ++d.runCounter;
  run.request = request;
  run.path = request.outputPath;
  run.name = !request.outputPath.empty()
                 ? stem(request.outputPath)
                 : "run " + std::to_string(d.runCounter) + " (W" + std::to_string(request.weightBits) + "A" +
                       std::to_string(request.activationBits) + " " +
                       (request.weightQuantizer == "gptq" ? "GPTQ" : "RTN") + ")";

  QuantizationPipeline pipeline(rc);
  std::vector<jq::MethodResult> results;
  for (const auto& method : request.methods) {
    // The engine names its curves "<mode>/R1" and "R2/layer_NN"; the UI draws one live curve per method: R1.
    JobContext inner;
    inner.cancel = job.cancel;
    inner.progress = [&](const ProgressEvent& e) {
      ProgressEvent f = e;
      if (!e.series.empty()) {
        const bool r1 = e.series.size() > 3 && e.series.compare(e.series.size() - 3, 3, "/R1") == 0;
        if (r1 && std::isfinite(e.value)) {
          f.series = method;
          run.curves.push_back({method, e.step, e.value});
        } else {
          f.series.clear();
          f.value = std::nan("");
        }
      }
      f.detail = f.detail.empty() ? method : method + ": " + f.detail;
      job.report(f);
    };
    results.push_back(pipeline.runMethod(method, inner));
    const jq::MethodResult& r = results.back();
    MethodResult m;
    m.method = method;
    m.dataset = rc.datasets.empty() ? std::string() : datasetLabel(rc.datasets.front().path);
    m.perplexity = r.evaluations.empty() ? std::nan("") : r.evaluations.front().perplexity;
    m.seconds = secondsExcept(r.seconds, "eval");
    m.finalLoss = isCalibratedMethod(method) ? r.finalLoss : std::nan("");
    m.quantError = r.meanQuantError;
    run.methods.push_back(m);
    for (size_t l = 0; l < r.layerLoss.size(); ++l) {
      LayerMetric lm;
      lm.method = method;
      lm.layer = int(l);
      lm.lossAfter = r.layerLoss[l];
      lm.lossBefore = l < r.layerLossStart.size() ? r.layerLossStart[l] : r.layerLoss[l];
      lm.quantErrorAfter = l < r.layerQuantError.size() ? r.layerQuantError[l] : std::nan("");
      lm.quantErrorBefore = l < r.layerQuantErrorStart.size() ? r.layerQuantErrorStart[l] : lm.quantErrorAfter;
      run.layers.push_back(lm);
    }
  }
  if (!request.outputPath.empty()) pipeline.writeRunFile(request.outputPath, results, job);

  // The newest learned rotation becomes the "rotated" basis of the activation views.
  for (auto it = results.rbegin(); it != results.rend(); ++it)
    if (isCalibratedMethod(it->method) && it->r1.defined()) {
      d.setRotation(it->r1, it->r2, "learned (" + it->method + ")");
      break;
    }
  return run;
}

RunResult CoreBackend::openRun(const std::string& path, const jq::JobContext& job) {
  job.checkCancelled("open run");
  RunFileReader reader(path);
  RunResult run;
  run.path = path;
  run.name = stem(path);
  const std::string configText = reader.configJson();
  if (!configText.empty()) {
    const RunConfig c = RunConfig::fromJsonText(configText);
    CalibrationRequest& q = run.request;
    q.methods = c.methods;
    q.weightBits = c.weight.bits;
    q.activationBits = c.act.bits;
    q.weightQuantizer = c.weightQuantizer;
    q.dataFile = c.calibration;
    q.samples = int(c.nsamples);
    q.seqLen = int(c.seqlen);
    q.epochs = c.r1.epochs;
    q.learningRate = c.r1.lr;
    q.optimizer = toString(c.r1.optimizer);
    q.loss = c.r1.loss == RotationLoss::Whip ? "whip" : "swd";
    q.device = c.device;
    q.seed = c.seed;
    q.outputPath = path;
  }
  // Perplexity rows name the evaluation file without its folder; the configuration has the full path.
  std::map<std::string, std::string> datasetPaths;
  if (!configText.empty())
    for (const auto& d : RunConfig::fromJsonText(configText).datasets) datasetPaths[fs::path(d.path).filename().string()] = d.path;
  // Perplexities come one row per (method, dataset); the table shows the first data set of each method.
  std::map<std::string, size_t> index;
  for (const PerplexityRow& p : reader.perplexities()) {
    if (index.count(p.method)) continue;
    index[p.method] = run.methods.size();
    MethodResult m;
    m.method = p.method;
    m.dataset = datasetLabel(datasetPaths.count(p.dataset) ? datasetPaths[p.dataset] : p.dataset);
    m.perplexity = p.perplexity;
    m.finalLoss = std::nan("");
    m.quantError = std::nan("");
    run.methods.push_back(m);
  }
  const std::string metricsText = reader.metricsJson();
  if (!metricsText.empty()) {
    const nlohmann::json metrics = nlohmann::json::parse(metricsText, nullptr, false);
    auto num = [](const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); };
    if (metrics.is_array())
      for (const auto& j : metrics) {
        const std::string method = j.value("method", std::string());
        const auto it = index.find(method);
        if (it == index.end()) continue;
        MethodResult& m = run.methods[it->second];
        if (j.contains("seconds") && j["seconds"].is_object()) {
          std::map<std::string, double> s;
          for (const auto& [k, v] : j["seconds"].items()) s[k] = num(v);
          m.seconds = secondsExcept(s, "eval");
        }
        if (isCalibratedMethod(method) && j.contains("final_loss")) m.finalLoss = num(j["final_loss"]);
        if (j.contains("mean_quant_error")) m.quantError = num(j["mean_quant_error"]);
        const auto arr = [&](const char* k) {
          std::vector<double> v;
          if (j.contains(k) && j[k].is_array())
            for (const auto& x : j[k]) v.push_back(num(x));
          return v;
        };
        const auto loss = arr("layer_loss"), lossStart = arr("layer_loss_start"), qe = arr("layer_quant_error");
        for (size_t l = 0; l < loss.size(); ++l) {
          LayerMetric lm;
          lm.method = method;
          lm.layer = int(l);
          lm.lossAfter = loss[l];
          lm.lossBefore = l < lossStart.size() ? lossStart[l] : loss[l];
          lm.quantErrorAfter = l < qe.size() ? qe[l] : std::nan("");
          lm.quantErrorBefore = std::nan("");   // not stored in the run file's metrics
          run.layers.push_back(lm);
        }
      }
  }
  for (const std::string& name : reader.curveNames()) {
    const auto slash = name.find('/');
    if (slash == std::string::npos || name.substr(slash) != "/R1") continue;
    const LossCurve c = reader.curve(name);
    for (size_t i = 0; i < c.steps.size() && i < c.losses.size(); ++i)
      run.curves.push_back({name.substr(0, slash), c.steps[i], c.losses[i]});
  }

  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->model && reader.hasR1()) {
    std::vector<at::Tensor> r2;
    for (int l : reader.r2Layers()) r2.push_back(reader.r2(l));
    impl_->setRotation(reader.r1(), r2, "run file " + path);
  }
  return run;
}

}  // namespace jq::ui
