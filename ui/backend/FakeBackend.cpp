#include "backend/FakeBackend.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <thread>

#include "common/Error.h"

namespace jq::ui {
namespace {

bool isPowerOfTwo(int n) { return n > 0 && (n & (n - 1)) == 0; }

uint64_t siteSeed(int layer, const std::string& module) {
  return std::hash<std::string>{}(module) * 1000003u + uint64_t(layer) * 7919u + 17u;
}

// In-place orthonormal Walsh-Hadamard transform of one row (length a power of two).
void hadamardRow(float* v, int n) {
  for (int h = 1; h < n; h *= 2)
    for (int i = 0; i < n; i += 2 * h)
      for (int j = i; j < i + h; ++j) {
        const float a = v[j], b = v[j + h];
        v[j] = a + b;
        v[j + h] = a - b;
      }
  const float s = 1.0f / std::sqrt(float(n));
  for (int i = 0; i < n; ++i) v[i] *= s;
}

double quantile(std::vector<double> sorted, double q) {
  if (sorted.empty()) return 0.0;
  const double pos = q * double(sorted.size() - 1);
  const size_t lo = size_t(std::floor(pos));
  const size_t hi = std::min(sorted.size() - 1, lo + 1);
  const double t = pos - double(lo);
  return sorted[lo] * (1.0 - t) + sorted[hi] * t;
}

void sleepChecked(int ms, const jq::JobContext& job, const std::string& stage) {
  // Sleep in small slices so cancellation is noticed promptly even with long simulated steps.
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    job.checkCancelled(stage);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 5)));
  }
  job.checkCancelled(stage);
}

// Synthetic W4A4 WikiText-2 perplexities for a Llama-3.2-1B-sized model. Orders of magnitude follow the
// QuaRot/DartQuant tables (RTN W4A4 diverges, rotations recover most of the gap); the numbers are made up.
double basePerplexity(const std::string& method, bool gptq, int wBits, int aBits) {
  static const std::map<std::string, std::pair<double, double>> table{
      {"fp", {9.76, 9.76}},          {"rtn", {1304.0, 942.0}},     {"smoothquant", {412.0, 263.0}},
      {"quarot", {17.9, 13.9}},      {"dartquant", {15.6, 13.1}},  {"independent", {16.2, 13.4}},
      {"joint", {15.1, 12.8}}};
  const auto it = table.find(method);
  if (it == table.end()) return 0.0;
  const double fp = 9.76;
  const double w4a4 = gptq ? it->second.second : it->second.first;
  if (method == "fp") return fp;
  // More bits shrink the gap to FP geometrically: 8-bit activations are nearly lossless.
  const double bits = 0.5 * double(wBits + aBits);
  const double shrink = std::pow(0.25, std::max(0.0, bits - 4.0));
  return fp + (w4a4 - fp) * shrink;
}

double baseQuantError(const std::string& method) {
  static const std::map<std::string, double> table{{"fp", 0.0},         {"rtn", 0.21},
                                                   {"smoothquant", 0.12}, {"quarot", 0.045},
                                                   {"dartquant", 0.038}, {"independent", 0.040},
                                                   {"joint", 0.035}};
  const auto it = table.find(method);
  return it == table.end() ? 0.0 : it->second;
}

bool learnsRotation(const std::string& method) {
  return method == "dartquant" || method == "independent" || method == "joint";
}

QJsonObject toJson(const CalibrationRequest& r) {
  QJsonArray methods;
  for (const auto& m : r.methods) methods.append(QString::fromStdString(m));
  return QJsonObject{{"methods", methods},
                     {"weight_bits", r.weightBits},
                     {"activation_bits", r.activationBits},
                     {"weight_quantizer", QString::fromStdString(r.weightQuantizer)},
                     {"data_file", QString::fromStdString(r.dataFile)},
                     {"samples", r.samples},
                     {"seq_len", r.seqLen},
                     {"epochs", r.epochs},
                     {"lr", r.learningRate},
                     {"optimizer", QString::fromStdString(r.optimizer)},
                     {"loss", QString::fromStdString(r.loss)},
                     {"device", QString::fromStdString(r.device)},
                     {"seed", QString::number(r.seed)}};
}

CalibrationRequest requestFromJson(const QJsonObject& o) {
  CalibrationRequest r;
  for (const auto& m : o.value("methods").toArray()) r.methods.push_back(m.toString().toStdString());
  r.weightBits = o.value("weight_bits").toInt(4);
  r.activationBits = o.value("activation_bits").toInt(4);
  r.weightQuantizer = o.value("weight_quantizer").toString("rtn").toStdString();
  r.dataFile = o.value("data_file").toString().toStdString();
  r.samples = o.value("samples").toInt(128);
  r.seqLen = o.value("seq_len").toInt(2048);
  r.epochs = o.value("epochs").toInt(10);
  r.learningRate = o.value("lr").toDouble(1.5e-3);
  r.optimizer = o.value("optimizer").toString("sgd").toStdString();
  r.loss = o.value("loss").toString("whip").toStdString();
  r.device = o.value("device").toString("cpu").toStdString();
  r.seed = o.value("seed").toString("0").toULongLong();
  return r;
}

// JSON has no NaN: methods that learn nothing store null.
QJsonValue number(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); }
double numberOr(const QJsonValue& v) { return v.isDouble() ? v.toDouble() : std::nan(""); }

}  // namespace

ChannelStats computeChannelStats(const std::vector<float>& rows, int tokens, int channels, int topK,
                                 int sampleTokens, int histogramBins) {
  ChannelStats s;
  s.tokens = tokens;
  s.channels = channels;
  s.absmax.assign(channels, 0.0f);
  s.mean.assign(channels, 0.0f);
  s.rms.assign(channels, 0.0f);
  s.kurtosis.assign(channels, 0.0f);
  std::vector<double> sum(channels, 0.0), sumSq(channels, 0.0);
  double globalMax = 0.0;
  for (int t = 0; t < tokens; ++t)
    for (int c = 0; c < channels; ++c) {
      const double v = rows[size_t(t) * channels + c];
      sum[c] += v;
      sumSq[c] += v * v;
      s.absmax[c] = std::max(s.absmax[c], float(std::abs(v)));
      globalMax = std::max(globalMax, std::abs(v));
    }
  std::vector<double> m2(channels, 0.0), m4(channels, 0.0);
  for (int c = 0; c < channels; ++c) s.mean[c] = float(sum[c] / tokens);
  for (int t = 0; t < tokens; ++t)
    for (int c = 0; c < channels; ++c) {
      const double d = rows[size_t(t) * channels + c] - double(s.mean[c]);
      m2[c] += d * d;
      m4[c] += d * d * d * d;
    }
  for (int c = 0; c < channels; ++c) {
    s.rms[c] = float(std::sqrt(sumSq[c] / tokens));
    const double var = m2[c] / tokens;
    s.kurtosis[c] = var > 0 ? float((m4[c] / tokens) / (var * var)) : 0.0f;
  }
  // Symmetric range so "before" and "after" histograms of the same site line up around zero.
  const double edge = globalMax > 0 ? globalMax : 1.0;
  s.histogram.lo = -edge;
  s.histogram.hi = edge;
  s.histogram.counts.assign(histogramBins, 0.0);
  for (float v : rows) {
    int b = int((double(v) + edge) / (2 * edge) * histogramBins);
    s.histogram.counts[std::clamp(b, 0, histogramBins - 1)] += 1.0;
  }
  std::vector<int> order(channels);
  std::iota(order.begin(), order.end(), 0);
  const int k = std::min(topK, channels);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int a, int b) { return s.absmax[a] > s.absmax[b]; });
  s.topChannels.assign(order.begin(), order.begin() + k);
  s.sampleTokens = std::min(sampleTokens, tokens);
  s.sampleRows.assign(rows.begin(), rows.begin() + size_t(s.sampleTokens) * channels);
  return s;
}

LayerSummary summarize(int layer, const ChannelStats& stats) {
  LayerSummary l;
  l.layer = layer;
  std::vector<double> a(stats.absmax.begin(), stats.absmax.end());
  std::sort(a.begin(), a.end());
  if (a.empty()) return l;
  l.absmaxMax = a.back();
  l.absmaxBox = {a.front(), quantile(a, 0.25), quantile(a, 0.5), quantile(a, 0.75), a.back()};
  l.outlierRatio = l.absmaxBox.median > 0 ? l.absmaxMax / l.absmaxBox.median : 0.0;
  l.rmsMean = std::accumulate(stats.rms.begin(), stats.rms.end(), 0.0) / double(stats.rms.size());
  l.kurtosisMean = std::accumulate(stats.kurtosis.begin(), stats.kurtosis.end(), 0.0) / double(stats.kurtosis.size());
  return l;
}

FakeBackend::FakeBackend() : FakeBackend(Options{}) {}

FakeBackend::FakeBackend(Options options) : opt_(options) {
  if (!isPowerOfTwo(opt_.hiddenSize) || !isPowerOfTwo(opt_.intermediateSize))
    throw jq::Error(jq::ErrorKind::InvalidInput, "FakeBackend sizes must be powers of two");
}

std::string FakeBackend::description() const { return "synthetic demo data (no model is computed)"; }

void FakeBackend::requireModel(const char* what) const {
  if (!model_) throw jq::Error(jq::ErrorKind::InvalidInput, std::string("open a model before ") + what);
}

int FakeBackend::channelsOf(const std::string& module) const {
  return module == "down_proj" ? opt_.intermediateSize : opt_.hiddenSize;
}

std::vector<int> FakeBackend::plantedOutlierChannels() const {
  // Fixed ids spread over the hidden size, like the handful of persistent outlier dims of Llama models.
  const int n = opt_.hiddenSize;
  return {int(0.047 * n), int(0.254 * n), int(0.383 * n), int(0.611 * n), int(0.738 * n), int(0.902 * n)};
}

ModelSummary FakeBackend::loadModel(const std::string& dir, const jq::JobContext& job) {
  const int steps = 10;
  for (int i = 0; i < steps; ++i) {
    job.report("load", i, steps, "shard 1/1");
    sleepChecked(opt_.loadDelayMs / steps, job, "load");
  }
  job.report("load", steps, steps);
  ModelSummary m;
  m.path = dir;
  m.architecture = "LlamaForCausalLM";
  m.hiddenSize = opt_.hiddenSize;
  m.intermediateSize = opt_.intermediateSize;
  m.numLayers = opt_.numLayers;
  m.headDim = 64;
  m.numHeads = std::max(1, opt_.hiddenSize / m.headDim);
  m.numKvHeads = std::max(1, m.numHeads / 4);
  m.vocabSize = 128256;
  m.maxPositions = 131072;
  m.ropeTheta = 500000.0;
  m.ropeScaling = "llama3 (factor 32)";
  m.rmsNormEps = 1e-5;
  m.tiedEmbeddings = true;
  // Embedding (tied) + per layer: q,o (h×h), k,v (h×kv·d), gate/up/down (3·h×i), two norms; final norm.
  const int64_t h = m.hiddenSize, i = m.intermediateSize, kv = int64_t(m.numKvHeads) * m.headDim;
  const int64_t perLayer = 2 * h * h + 2 * h * kv + 3 * h * i + 2 * h;
  m.parameterCount = int64_t(m.vocabSize) * h + int64_t(m.numLayers) * perLayer + h;
  m.dtype = "bfloat16";
  // Layer by layer the device holds the larger of one decoder layer and the embedding/head.
  m.memory = {{"cpu", uint64_t(m.parameterCount) * 2u, false},
              {"cuda", uint64_t(m.parameterCount) * 2u, false},
              {"cuda", uint64_t(std::max(perLayer, int64_t(m.vocabSize) * h)) * 2u, true}};
  m.activationModules = {"q_proj", "o_proj", "up_proj", "down_proj"};
  std::lock_guard<std::mutex> lock(mutex_);
  model_ = m;
  summaryCache_.clear();
  return m;
}

std::vector<float> FakeBackend::activations(const ActivationSite& site, Basis basis) const {
  const int n = channelsOf(site.module);
  const int tokens = opt_.tokens;
  const double depth = opt_.numLayers > 1 ? double(site.layer) / double(opt_.numLayers - 1) : 0.0;
  std::mt19937_64 rng(siteSeed(site.layer, site.module));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::lognormal_distribution<float> channelScale(0.0f, 0.35f), tokenScale(0.0f, 0.2f);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> scale(n), tok(tokens);
  for (auto& s : scale) s = channelScale(rng);
  for (auto& t : tok) t = tokenScale(rng);

  std::vector<float> rows(size_t(tokens) * n);
  for (int t = 0; t < tokens; ++t)
    for (int c = 0; c < n; ++c) rows[size_t(t) * n + c] = normal(rng) * scale[c] * tok[t];

  // Residual-stream inputs (after RMSNorm) carry persistent outlier channels that grow with depth;
  // attention outputs far fewer; down_proj inputs a "massive activation" on the BOS token.
  if (site.module == "q_proj" || site.module == "up_proj" || site.module == "o_proj") {
    const double strength = site.module == "o_proj" ? 2.0 + 3.0 * depth : 8.0 + 40.0 * depth;
    const auto outliers = plantedOutlierChannels();
    for (size_t k = 0; k < outliers.size(); ++k) {
      const int c = outliers[k];
      const float sign = (k % 2 == 0) ? 1.0f : -1.0f;
      const float f = float(strength * (1.0 - 0.12 * double(k)));
      for (int t = 0; t < tokens; ++t)
        rows[size_t(t) * n + c] = sign * f * (0.7f + 0.6f * uniform(rng)) * tok[t] + normal(rng) * scale[c];
    }
  } else if (site.module == "down_proj" && site.layer >= 1) {
    const int c1 = int(0.3 * n), c2 = int(0.77 * n);
    rows[c1] = float(120.0 + 380.0 * depth);
    rows[c2] = -float(60.0 + 200.0 * depth);
  }

  if (basis == Basis::Rotated) {
    // Randomized Hadamard (QuaRot's R1): flip signs with a fixed random diagonal, then H/sqrt(n).
    std::mt19937_64 signRng(uint64_t(n) * 2654435761u);
    std::vector<float> signs(n);
    for (auto& s : signs) s = (signRng() & 1u) ? 1.0f : -1.0f;
    for (int t = 0; t < tokens; ++t) {
      float* row = rows.data() + size_t(t) * n;
      for (int c = 0; c < n; ++c) row[c] *= signs[c];
      hadamardRow(row, n);
    }
  }
  return rows;
}

ChannelStats FakeBackend::channelStats(const ActivationSite& site, Basis basis, const jq::JobContext& job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requireModel("inspecting activations");
    if (site.layer < 0 || site.layer >= opt_.numLayers)
      throw jq::Error(jq::ErrorKind::InvalidInput, "no such layer", {model_->path, site.module, site.layer});
    const auto& mods = model_->activationModules;
    if (std::find(mods.begin(), mods.end(), site.module) == mods.end())
      throw jq::Error(jq::ErrorKind::NotFound, "no activation site named '" + site.module + "'",
                      {model_->path, {}, site.layer});
  }
  job.report("capture", 0, 1, "layer " + std::to_string(site.layer) + " " + site.module);
  job.checkCancelled("capture");
  const auto rows = activations(site, basis);
  ChannelStats s = computeChannelStats(rows, opt_.tokens, channelsOf(site.module), opt_.topK, opt_.sampleTokens, 80);
  s.site = site;
  s.basis = basis;
  job.report("capture", 1, 1);
  return s;
}

std::vector<LayerSummary> FakeBackend::layerSummaries(const std::string& module, Basis basis,
                                                      const jq::JobContext& job) {
  const auto key = std::make_tuple(module, int(basis));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requireModel("summarising layers");
    auto it = summaryCache_.find(key);
    if (it != summaryCache_.end()) return it->second;
  }
  std::vector<LayerSummary> out;
  for (int l = 0; l < opt_.numLayers; ++l) {
    job.report("summary", l, opt_.numLayers, module + " layer " + std::to_string(l));
    job.checkCancelled("summary");
    const auto rows = activations({l, module}, basis);
    out.push_back(summarize(l, computeChannelStats(rows, opt_.tokens, channelsOf(module), 1, 0, 1)));
  }
  job.report("summary", opt_.numLayers, opt_.numLayers);
  std::lock_guard<std::mutex> lock(mutex_);
  summaryCache_[key] = out;
  return out;
}

RunResult FakeBackend::calibrate(const CalibrationRequest& request, const jq::JobContext& job) {
  ModelSummary model;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requireModel("calibrating");
    model = *model_;
    ++runCounter_;
  }
  if (request.methods.empty()) throw jq::Error(jq::ErrorKind::InvalidInput, "choose at least one method to run");
  for (const auto& m : request.methods)
    if (std::find(allMethods().begin(), allMethods().end(), m) == allMethods().end())
      throw jq::Error(jq::ErrorKind::InvalidInput, "unknown method '" + m + "'");
  if (request.epochs < 1) throw jq::Error(jq::ErrorKind::InvalidInput, "epochs must be at least 1");

  RunResult run;
  run.name = "run " + std::to_string(runCounter_) + " (W" + std::to_string(request.weightBits) + "A" +
             std::to_string(request.activationBits) + " " + (request.weightQuantizer == "gptq" ? "GPTQ" : "RTN") + ")";
  run.request = request;
  const bool gptq = request.weightQuantizer == "gptq";
  const int learnSteps = request.epochs * opt_.stepsPerEpoch;
  const int evalSteps = 5;
  int64_t total = 0;
  for (const auto& m : request.methods) total += (learnsRotation(m) ? learnSteps : 2) + evalSteps;
  int64_t done = 0;
  std::mt19937_64 rng(request.seed * 31u + 7u);
  std::normal_distribution<double> noise(0.0, 1.0);
  const double n = model.hiddenSize;
  const int L = model.numLayers;

  for (const auto& method : request.methods) {
    const auto start = std::chrono::steady_clock::now();
    const std::string stage = "calibrate." + method;
    double finalLoss = std::nan("");
    // Whip loss of a Hadamard-rotated row is about 0.55·n and a uniform-like one about 0.47·n.
    const double l0 = 0.56 * n, lInf = (method == "joint" ? 0.465 : method == "dartquant" ? 0.47 : 0.475) * n;
    if (learnsRotation(method)) {
      for (int s = 0; s < learnSteps; ++s) {
        sleepChecked(opt_.stepDelayMs, job, stage);
        double progress = double(s) / double(learnSteps);
        if (method == "independent") {
          // Greedy, layer by layer: each layer's segment restarts from where the previous one ended.
          const double seg = progress * L;
          progress = (seg - std::floor(seg)) * 0.6 + std::floor(seg) / L * 0.4;
        }
        const double loss = lInf + (l0 - lInf) * std::exp(-5.0 * progress) + 0.004 * n * noise(rng) * (1.0 - progress);
        finalLoss = loss;
        run.curves.push_back({method, double(s), loss});
        jq::ProgressEvent e;
        e.stage = stage;
        e.current = ++done;
        e.total = total;
        e.detail = method + " epoch " + std::to_string(s / opt_.stepsPerEpoch + 1) + "/" + std::to_string(request.epochs);
        e.series = method;
        e.step = double(s);
        e.value = loss;
        job.report(e);
      }
    } else {
      for (int s = 0; s < 2; ++s) {
        sleepChecked(opt_.stepDelayMs * 2, job, stage);
        job.report(stage, ++done, total, method);
      }
    }
    for (int s = 0; s < evalSteps; ++s) {
      sleepChecked(opt_.stepDelayMs, job, "eval");
      job.report("eval", ++done, total, method + " wikitext2 window " + std::to_string(s + 1));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double qErrSum = 0.0;
    if (method != "fp") {
      for (int l = 0; l < L; ++l) {
        const double depth = L > 1 ? double(l) / (L - 1) : 0.0;
        LayerMetric lm;
        lm.method = method;
        lm.layer = l;
        // RTN and SmoothQuant rotate nothing: the rotation objective does not apply to them.
        const bool rotates = method != "rtn" && method != "smoothquant";
        lm.lossBefore = rotates ? l0 * (1.0 + 0.02 * depth) : std::nan("");
        lm.lossAfter = learnsRotation(method) ? lInf * (1.0 + 0.015 * depth) : lm.lossBefore;
        lm.quantErrorBefore = 0.21 * (0.6 + 0.8 * depth);
        // Without a rotation the error stays (RTN) or shrinks by the smoothing (SmoothQuant).
        lm.quantErrorAfter = method == "rtn"           ? lm.quantErrorBefore
                             : method == "smoothquant" ? lm.quantErrorBefore * 0.55
                                                       : baseQuantError(method) * (0.7 + 0.6 * depth) * (1.0 + 0.03 * noise(rng));
        qErrSum += lm.quantErrorAfter;
        run.layers.push_back(lm);
      }
    }
    MethodResult r;
    r.method = method;
    r.dataset = "synthetic (WikiText-2-like)";
    r.perplexity = basePerplexity(method, gptq, request.weightBits, request.activationBits) *
                   (method == "fp" ? 1.0 : 1.0 + 0.004 * noise(rng));
    r.seconds = seconds;
    r.finalLoss = finalLoss;
    r.quantError = method == "fp" ? 0.0 : qErrSum / L;
    run.methods.push_back(r);
  }
  job.report("done", total, total);
  if (!request.outputPath.empty()) {
    saveRun(run, request.outputPath);
    run.path = request.outputPath;
  }
  return run;
}

void FakeBackend::saveRun(const RunResult& run, const std::string& path) {
  QJsonArray methods, curves, layers;
  for (const auto& m : run.methods)
    methods.append(QJsonObject{{"method", QString::fromStdString(m.method)},
                               {"dataset", QString::fromStdString(m.dataset)},
                               {"perplexity", number(m.perplexity)},
                               {"seconds", number(m.seconds)},
                               {"final_loss", number(m.finalLoss)},
                               {"quant_error", number(m.quantError)}});
  for (const auto& c : run.curves)
    curves.append(QJsonArray{QString::fromStdString(c.series), c.step, c.loss});
  for (const auto& l : run.layers)
    layers.append(QJsonObject{{"method", QString::fromStdString(l.method)},
                              {"layer", l.layer},
                              {"loss_before", number(l.lossBefore)},
                              {"loss_after", number(l.lossAfter)},
                              {"qerr_before", l.quantErrorBefore},
                              {"qerr_after", l.quantErrorAfter}});
  QJsonObject root{{"format", "jointquant-fake-run/1"},
                   {"name", QString::fromStdString(run.name)},
                   {"config", toJson(run.request)},
                   {"metrics", methods},
                   {"curves", curves},
                   {"layers", layers}};
  QFile f(QString::fromStdString(path));
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
    throw jq::Error(jq::ErrorKind::Io, "cannot write the run file: " + f.errorString().toStdString(), {path, {}, {}});
  f.write(QJsonDocument(root).toJson());
}

RunResult FakeBackend::openRun(const std::string& path, const jq::JobContext& job) {
  job.report("open", 0, 1, path);
  QFile f(QString::fromStdString(path));
  if (!f.exists()) throw jq::Error(jq::ErrorKind::NotFound, "the run file does not exist", {path, {}, {}});
  if (!f.open(QIODevice::ReadOnly))
    throw jq::Error(jq::ErrorKind::Io, "cannot read the run file: " + f.errorString().toStdString(), {path, {}, {}});
  QJsonParseError err{};
  const auto doc = QJsonDocument::fromJson(f.readAll(), &err);
  if (err.error != QJsonParseError::NoError || !doc.isObject() ||
      doc.object().value("format").toString() != "jointquant-fake-run/1")
    throw jq::Error(jq::ErrorKind::InvalidInput, "not a run file written by the workbench", {path, {}, {}});
  const auto root = doc.object();
  RunResult run;
  run.path = path;
  run.name = QFileInfo(f).completeBaseName().toStdString();
  run.request = requestFromJson(root.value("config").toObject());
  for (const auto& v : root.value("metrics").toArray()) {
    const auto o = v.toObject();
    run.methods.push_back({o.value("method").toString().toStdString(), o.value("dataset").toString().toStdString(),
                           numberOr(o.value("perplexity")), numberOr(o.value("seconds")),
                           numberOr(o.value("final_loss")), numberOr(o.value("quant_error"))});
  }
  for (const auto& v : root.value("curves").toArray()) {
    const auto a = v.toArray();
    run.curves.push_back({a.at(0).toString().toStdString(), a.at(1).toDouble(), a.at(2).toDouble()});
  }
  for (const auto& v : root.value("layers").toArray()) {
    const auto o = v.toObject();
    run.layers.push_back({o.value("method").toString().toStdString(), o.value("layer").toInt(),
                          numberOr(o.value("loss_before")), numberOr(o.value("loss_after")),
                          o.value("qerr_before").toDouble(), o.value("qerr_after").toDouble()});
  }
  job.report("open", 1, 1);
  return run;
}

}  // namespace jq::ui
