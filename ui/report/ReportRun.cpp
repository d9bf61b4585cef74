#include "report/ReportRun.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "backend/CoreBackend.h"
#include "backend/WorkbenchBackend.h"
#include "common/Error.h"
#include "common/Log.h"
#include "io/RunFile.h"

namespace jq::ui {
namespace {

std::vector<double> toVector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU, at::kDouble).contiguous().flatten();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}


QString scalarText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>().empty() ? QStringLiteral("—") : QString::fromStdString(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? QStringLiteral("true") : QStringLiteral("false");
  if (v.is_number_integer()) return QString::number(v.get<long long>());
  if (v.is_number()) return QString::number(v.get<double>(), 'g', 6);
  if (v.is_null()) return QStringLiteral("—");
  return QString::fromStdString(v.dump());
}

// {"r1": {"lr": 0.0015}} -> ("r1.lr", "0.0015"); arrays of scalars become one comma-separated value, arrays of
// objects (the evaluation data sets) list their "path" (or their JSON) the same way.
void flatten(const nlohmann::json& j, const QString& prefix, std::vector<std::pair<QString, QString>>& out) {
  if (j.is_object()) {
    if (j.empty() && !prefix.isEmpty()) out.push_back({prefix, QStringLiteral("—")});
    for (const auto& [k, v] : j.items())
      flatten(v, prefix.isEmpty() ? QString::fromStdString(k) : prefix + '.' + QString::fromStdString(k), out);
    return;
  }
  if (j.is_array()) {
    QStringList parts;
    for (const auto& v : j)
      parts << (v.is_object() && v.contains("path") ? scalarText(v["path"]) : scalarText(v));
    out.push_back({prefix, parts.isEmpty() ? QStringLiteral("—") : parts.join(QStringLiteral(", "))});
    return;
  }
  out.push_back({prefix, scalarText(j)});
}

double num(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::nan("");
}

std::vector<double> numbers(const nlohmann::json& j, const char* key) {
  std::vector<double> v;
  if (j.contains(key) && j[key].is_array())
    for (const auto& x : j[key]) v.push_back(x.is_number() ? x.get<double>() : std::nan(""));
  return v;
}

bool isCalibrated(const QString& m) {
  return m == QLatin1String("dartquant") || m == QLatin1String("independent") || m == QLatin1String("joint");
}

void readStats(const RunFileReader& reader, ReportRun& run) {
  for (const std::string& state : reader.statStates())
    for (int layer : reader.statLayers(state))
      for (const std::string& module : reader.statModules(state, layer)) {
        ReportSiteStats s;
        for (const std::string& name : reader.statNames(state, layer, module)) {
          const auto v = toVector(reader.stat(state, layer, module, name));
          if (name == "absmax") s.absmax = v;
          else if (name == "rms") s.rms = v;
          else if (name == "kurtosis") s.kurtosis = v;
          else if (name == "hist") s.histCounts = v;
          else if (name == "hist_edges") s.histEdges = v;
        }
        if (s.histEdges.size() != s.histCounts.size() + 1) {
          s.histCounts.clear();
          s.histEdges.clear();
        }
        run.stats[{QString::fromStdString(state), layer, QString::fromStdString(module)}] = std::move(s);
      }
  if (!run.stats.empty()) run.statsSource = QStringLiteral("run file");
}

// The engine's capture: every layer and module, before and (when the file has an R1) after rotation.
void computeStats(const RunFileReader& reader, const ReportReadOptions& options, const nlohmann::json& config,
                  ReportRun& run, const JobContext& job) {
  CoreBackend::Options o;
  o.statWindows = options.statWindows;
  o.statSeqLen = options.statSeqLen;
  o.fuseNormsInOriginal = true;   // "before" = fused and unrotated, as docs/runfile.md defines it (the default)
  if (config.is_object() && config.contains("calibration") && config["calibration"].is_string() &&
      std::filesystem::exists(config["calibration"].get<std::string>()))
    o.calibrationFile = config["calibration"].get<std::string>();
  CoreBackend backend(o);
  const ModelSummary model = backend.loadModel(run.model.toStdString(), job);
  const bool rotated = reader.hasR1();
  if (rotated) (void)backend.openRun(run.path.toStdString(), job);   // makes the file's R1/R2 the rotated basis
  const int total = model.numLayers * int(model.activationModules.size()) * (rotated ? 2 : 1);
  int done = 0;
  for (const Basis basis : {Basis::Original, Basis::Rotated}) {
    if (basis == Basis::Rotated && !rotated) break;
    for (int layer = 0; layer < model.numLayers; ++layer)
      for (const std::string& module : model.activationModules) {
        job.report("report.stats", done++, total, "layer " + std::to_string(layer) + " " + module);
        const ChannelStats c = backend.channelStats({layer, module}, basis, job);
        ReportSiteStats s;
        s.absmax.assign(c.absmax.begin(), c.absmax.end());
        s.rms.assign(c.rms.begin(), c.rms.end());
        s.kurtosis.assign(c.kurtosis.begin(), c.kurtosis.end());
        const size_t bins = c.histogram.counts.size();
        if (bins > 0) {
          s.histCounts = c.histogram.counts;
          for (size_t i = 0; i <= bins; ++i)
            s.histEdges.push_back(c.histogram.lo + (c.histogram.hi - c.histogram.lo) * double(i) / double(bins));
        }
        run.stats[{basis == Basis::Original ? QStringLiteral("before") : QStringLiteral("after"), layer,
                   QString::fromStdString(module)}] = std::move(s);
      }
  }
  run.statsSource = QStringLiteral("computed");
}

}  // namespace

double ReportSiteStats::absmaxMax() const {
  double m = 0.0;
  for (double v : absmax)
    if (std::isfinite(v)) m = std::max(m, v);
  return m;
}

double ReportSiteStats::outlierRatio() const {
  std::vector<double> v;
  for (double a : absmax)
    if (std::isfinite(a)) v.push_back(a);
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  return median > 0 ? v.back() / median : std::nan("");
}

double ReportSiteStats::kurtosisMean() const {
  double s = 0.0;
  int n = 0;
  for (double k : kurtosis)
    if (std::isfinite(k)) {
      s += k;
      ++n;
    }
  return n ? s / n : std::nan("");
}

bool ReportRun::hasStats(const QString& state) const {
  return std::any_of(stats.begin(), stats.end(), [&](const auto& kv) { return std::get<0>(kv.first) == state; });
}

QStringList ReportRun::statModules() const {
  QStringList found;
  for (const auto& kv : stats)
    if (!found.contains(std::get<2>(kv.first))) found << std::get<2>(kv.first);
  QStringList ordered;
  for (const char* m : {"q_proj", "o_proj", "up_proj", "down_proj"})
    if (found.removeAll(QLatin1String(m))) ordered << QLatin1String(m);
  return ordered + found;
}

std::vector<int> ReportRun::statLayers() const {
  std::vector<int> layers;
  for (const auto& kv : stats) layers.push_back(std::get<1>(kv.first));
  std::sort(layers.begin(), layers.end());
  layers.erase(std::unique(layers.begin(), layers.end()), layers.end());
  return layers;
}

const ReportSiteStats* ReportRun::site(const QString& state, int layer, const QString& module) const {
  const auto it = stats.find({state, layer, module});
  return it == stats.end() ? nullptr : &it->second;
}

const ReportMethodMetrics* ReportRun::metricsOf(const QString& method) const {
  for (const auto& m : metrics)
    if (m.method == method) return &m;
  return nullptr;
}

ReportRun readReportRun(const QString& path, const ReportReadOptions& options, const JobContext& job) {
  job.checkCancelled("report");
  const RunFileReader reader(path.toStdString());
  ReportRun run;
  run.path = path;
  run.name = QFileInfo(path).completeBaseName();

  nlohmann::json config;
  const std::string configText = reader.configJson();
  if (!configText.empty()) {
    config = nlohmann::json::parse(configText, nullptr, false);
    if (config.is_discarded())
      throw Error(ErrorKind::InvalidInput, "the run's configuration attribute is not JSON", {path.toStdString(), {}, {}});
    flatten(config, QString(), run.settings);
    if (config.is_object()) {
      if (config.contains("model") && config["model"].is_string())
        run.model = QString::fromStdString(config["model"].get<std::string>());
      if (config.contains("methods") && config["methods"].is_array())
        for (const auto& m : config["methods"])
          if (m.is_string()) run.methods << QString::fromStdString(m.get<std::string>());
    }
  }

  // Perplexity rows name the evaluation file without its folder; the configuration has the full path.
  std::map<std::string, std::string> datasetPaths;
  if (config.is_object() && config.contains("datasets") && config["datasets"].is_array())
    for (const auto& d : config["datasets"])
      if (d.is_object() && d.contains("path") && d["path"].is_string())
        datasetPaths[std::filesystem::path(d["path"].get<std::string>()).filename().string()] = d["path"].get<std::string>();
  for (const PerplexityRow& p : reader.perplexities()) {
    const auto known = datasetPaths.find(std::filesystem::path(p.dataset).filename().string());
    const std::string label = datasetLabel(known != datasetPaths.end() ? known->second : p.dataset);
    run.perplexities.push_back({QString::fromStdString(p.method), QString::fromStdString(label), p.perplexity, p.seqlen});
    if (!run.methods.contains(QString::fromStdString(p.method))) run.methods << QString::fromStdString(p.method);
  }

  const std::string metricsText = reader.metricsJson();
  const nlohmann::json metrics = metricsText.empty() ? nlohmann::json() : nlohmann::json::parse(metricsText, nullptr, false);
  if (metrics.is_array())
    for (const auto& j : metrics) {
      if (!j.is_object() || !j.contains("method") || !j["method"].is_string()) continue;
      ReportMethodMetrics m;
      m.method = QString::fromStdString(j["method"].get<std::string>());
      m.seconds = std::nan("");
      if (j.contains("seconds") && j["seconds"].is_object()) {
        m.seconds = 0.0;
        for (const auto& [stage, v] : j["seconds"].items())
          if (stage != "eval" && v.is_number()) m.seconds += v.get<double>();
      }
      m.startLoss = num(j, "start_loss");
      m.finalLoss = num(j, "final_loss");
      m.meanQuantError = num(j, "mean_quant_error");
      m.layerLoss = numbers(j, "layer_loss");
      m.layerLossStart = numbers(j, "layer_loss_start");
      m.layerQuantError = numbers(j, "layer_quant_error");
      run.metrics.push_back(std::move(m));
    }

  for (const std::string& name : reader.curveNames()) {
    const auto slash = name.find('/');
    if (slash == std::string::npos || name.substr(slash) != "/R1") continue;
    const LossCurve c = reader.curve(name);
    ReportCurve curve;
    curve.method = QString::fromStdString(name.substr(0, slash));
    curve.name = QString::fromStdString(name);
    curve.steps = c.steps;
    curve.losses = c.losses;
    run.curves.push_back(std::move(curve));
  }

  // The pipeline stores the rotation of the single method it ran, or of the last calibrated method of a
  // comparison (QuantizationPipeline::writeRunFile).
  if (reader.hasR1()) {
    if (run.methods.size() == 1) run.rotationMethod = run.methods.front();
    for (const QString& m : run.methods)
      if (isCalibrated(m)) run.rotationMethod = m;
  }

  readStats(reader, run);
  if (run.stats.empty() && options.computeMissingStats && !run.model.isEmpty() &&
      std::filesystem::is_directory(run.model.toStdString())) {
    try {
      computeStats(reader, options, config, run, job);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Cancelled) throw;
      JQ_WARN("report: no activation statistics for " << path.toStdString() << ": " << e.what());
      run.stats.clear();
      run.statsSource.clear();
    }
  }
  return run;
}

}  // namespace jq::ui
