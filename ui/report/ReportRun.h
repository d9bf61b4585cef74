// One run file as the report needs it: plain Qt/C++ data read through jq::RunFileReader (core/io/RunFile.h),
// so the report's layout and painting code never sees LibTorch.
//
// Activation statistics: a run file may carry /stats/<state>/layer_NN/<module>/... (docs/runfile.md); the
// quantization pipeline does not write them yet. When they are missing and the run's model folder is at hand,
// they can be computed instead with the workbench's engine backend: a few calibration windows through the
// model as loaded ("before") and through the model rotated by the run's stored R1/R2 ("after").
#pragma once

#include <QString>
#include <QStringList>

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "common/Job.h"

namespace jq::ui {

// Per-channel statistics of one module input over the captured tokens.
struct ReportSiteStats {
  std::vector<double> absmax, rms, kurtosis;
  std::vector<double> histCounts;   // equal or unequal bins,
  std::vector<double> histEdges;    // histCounts.size() + 1 edges (empty when no histogram)

  double absmaxMax() const;
  double outlierRatio() const;      // largest channel absmax / median channel absmax
  double kurtosisMean() const;      // over channels with a finite kurtosis
};

struct ReportMethodMetrics {
  QString method;
  double seconds = 0.0;             // all stages except evaluation
  double startLoss = 0.0, finalLoss = 0.0, meanQuantError = 0.0;   // NaN when the method learns nothing
  std::vector<double> layerLoss, layerLossStart, layerQuantError;
};

struct ReportPerplexity {
  QString method;
  QString dataset;                  // datasetLabel() of the evaluation file ("demo-corpus/test.txt")
  double perplexity = 0.0;
  qint64 seqlen = 0;
};

struct ReportCurve {
  QString method;                   // "joint" of "joint/R1"
  QString name;                     // the full name in the file
  std::vector<double> steps, losses;
};

struct ReportRun {
  QString name;                     // the file's stem, shown in legends and table headers
  QString path;
  QString model;                    // the config's model folder ("" when the file has no config)
  QStringList methods;              // in the order the run evaluated them
  // The method whose rotation the file stores (the last calibrated one of a comparison); "" when none.
  QString rotationMethod;
  std::vector<std::pair<QString, QString>> settings;   // flattened config, e.g. {"r1.lr", "0.0015"}
  std::vector<ReportPerplexity> perplexities;
  std::vector<ReportMethodMetrics> metrics;
  std::vector<ReportCurve> curves;   // R1 curves only
  using SiteKey = std::tuple<QString, int, QString>;   // (state "before"/"after", layer, module)
  std::map<SiteKey, ReportSiteStats> stats;
  QString statsSource;              // how `stats` came about, one sentence for the reader; "" when empty

  bool hasStats(const QString& state) const;
  QStringList statModules() const;  // in the canonical order q_proj, o_proj, up_proj, down_proj, then others
  std::vector<int> statLayers() const;
  const ReportSiteStats* site(const QString& state, int layer, const QString& module) const;
  const ReportMethodMetrics* metricsOf(const QString& method) const;
};

struct ReportReadOptions {
  // Compute the statistics with the engine when the file has none and its model folder exists.
  bool computeMissingStats = true;
  int statWindows = 4;              // windows × tokens of calibration text the computed statistics cover
  int statSeqLen = 256;
};

// Reads `path` (jq::Error naming the file when it is missing or not a run file). Honours job.cancel and reports
// progress while statistics are computed.
ReportRun readReportRun(const QString& path, const ReportReadOptions& options, const jq::JobContext& job);

}  // namespace jq::ui
