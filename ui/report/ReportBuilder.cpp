#include "report/ReportBuilder.h"

#include <QDateTime>
#include <QFileInfo>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "common/Error.h"
#include "plot/ColorMap.h"

namespace jq::ui {
namespace {

QString number(double v, char format, int precision) {
  return std::isfinite(v) ? QString::number(v, format, precision) : QStringLiteral("—");
}

// Perplexities read best with two decimals, until a broken (unrotated W4A4) model reaches thousands.
QString perplexityText(double v) { return std::isfinite(v) && v < 1e5 ? QString::number(v, 'f', 2) : number(v, 'g', 4); }

// A log axis only pays off over a decade or more (Qt labels only powers of ten; chart code falls back to a
// linear axis otherwise): decide here too, so titles and captions say which scale the reader sees.
bool spansDecade(const std::vector<double>& values) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
  for (double v : values)
    if (std::isfinite(v) && v > 0) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  return hi > 0 && std::floor(std::log10(hi * 1.5)) - std::ceil(std::log10(lo / 1.5)) >= 1.0;
}

// The canonical method order first (as the CLI and the workbench list them), then anything else.
QStringList orderedMethods(const std::vector<ReportRun>& runs) {
  static const QStringList canonical{"fp", "rtn", "smoothquant", "quarot", "dartquant", "independent", "joint"};
  QStringList all;
  for (const auto& r : runs)
    for (const auto& m : r.methods)
      if (!all.contains(m)) all << m;
  QStringList out;
  for (const auto& m : canonical)
    if (all.contains(m)) out << m;
  for (const auto& m : all)
    if (!out.contains(m)) out << m;
  return out;
}

QStringList datasetsOf(const std::vector<ReportRun>& runs) {
  QStringList d;
  for (const auto& r : runs)
    for (const auto& p : r.perplexities)
      if (!d.contains(p.dataset)) d << p.dataset;
  return d;
}

double perplexityOf(const ReportRun& run, const QString& method, const QString& dataset) {
  for (const auto& p : run.perplexities)
    if (p.method == method && p.dataset == dataset) return p.perplexity;
  return std::nan("");
}

// The site whose outliers the rotation removed the most of, measured by max/median channel absmax before.
struct Site {
  int layer = -1;
  QString module;
};

Site worstSite(const ReportRun& run, const QStringList& modules) {
  Site best;
  double worst = -1.0;
  for (int layer : run.statLayers())
    for (const QString& m : modules) {
      const ReportSiteStats* b = run.site(QStringLiteral("before"), layer, m);
      if (!b || !run.site(QStringLiteral("after"), layer, m)) continue;
      const double r = b->outlierRatio();
      if (std::isfinite(r) && r > worst) {
        worst = r;
        best = {layer, m};
      }
    }
  return best;
}

}  // namespace

ReportBuilder::ReportBuilder(ReportReadOptions options) : options_(options) {}

void ReportBuilder::addRun(const QString& path, const jq::JobContext& job) {
  runs_.push_back(readReportRun(path, options_, job));
}

void ReportBuilder::addRun(ReportRun run) { runs_.push_back(std::move(run)); }

ReportFormat ReportBuilder::formatFor(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == "pdf") return ReportFormat::Pdf;
  if (suffix == "html" || suffix == "htm") return ReportFormat::Html;
  if (suffix == "png") return ReportFormat::Png;
  throw jq::Error(jq::ErrorKind::InvalidInput,
                  "unknown report format '" + suffix.toStdString() + "' (use .pdf, .html or .png)",
                  {path.toStdString(), {}, {}});
}

QStringList ReportBuilder::write(const QString& path, int pngDpi) const {
  const ReportFormat format = formatFor(path);
  const ReportDocument doc = build();
  switch (format) {
    case ReportFormat::Pdf: doc.writePdf(path); return {path};
    case ReportFormat::Html: doc.writeHtml(path); return {path};
    case ReportFormat::Png: return doc.writePngs(path, pngDpi);
  }
  return {};
}

ReportDocument ReportBuilder::build() const {
  QStringList names;
  for (const auto& r : runs_) names << QFileInfo(r.path).fileName();
  const QString subtitle =
      tr("Generated %1 from %2")
          .arg(QLocale().toString(QDateTime::currentDateTime(), QLocale::ShortFormat), names.join(QStringLiteral(", ")));
  ReportDocument doc(tr("JointQuant report"), subtitle);
  doc.setContinuedLabel(tr("(continued)"));
  const QStringList methods = orderedMethods(runs_);
  const QStringList datasets = datasetsOf(runs_);
  const bool several = runs_.size() > 1;
  auto runLabel = [&](const ReportRun& r) { return r.name; };

  // --- Runs and settings
  doc.addHeading(tr("1. Runs and settings"));
  {
    std::vector<QStringList> rows;
    for (const auto& r : runs_)
      rows.push_back({r.name, r.model.isEmpty() ? QStringLiteral("—") : r.model, r.methods.join(QStringLiteral(", ")),
                      r.rotationMethod.isEmpty() ? tr("none") : r.rotationMethod});
    doc.addTable(tr("Table 1: the runs in this report."), {tr("Run"), tr("Model"), tr("Methods"), tr("Stored rotation")},
                 rows);
  }
  {
    QStringList keys;
    for (const auto& r : runs_)
      for (const auto& [k, v] : r.settings)
        if (!keys.contains(k)) keys << k;
    std::vector<QStringList> rows;
    bool anyDiffers = false;
    for (const QString& k : keys) {
      QStringList row{k};
      for (const auto& r : runs_) {
        QString value = QStringLiteral("—");
        for (const auto& [key, v] : r.settings)
          if (key == k) value = v;
        row << value;
      }
      // Where runs differ is what a comparison is about: mark those settings.
      if (several && row.mid(1).removeDuplicates() < row.size() - 2) {
        row[0] = QStringLiteral("▸ ") + row[0];
        anyDiffers = true;
      }
      rows.push_back(row);
    }
    QStringList header{tr("Setting")};
    for (const auto& r : runs_) header << runLabel(r);
    if (!several && rows.size() > 12) {
      // One run: setting/value pairs side by side, half the length.
      const size_t half = (rows.size() + 1) / 2;
      std::vector<QStringList> paired;
      for (size_t i = 0; i < half; ++i)
        paired.push_back(rows[i] + (i + half < rows.size() ? rows[i + half] : QStringList{QString(), QString()}));
      rows = paired;
      header = header + header;
    }
    if (rows.empty())
      doc.addParagraph(tr("The run files hold no configuration."));
    else
      doc.addTable(anyDiffers ? tr("Table 2: settings of each run, as stored in the run file's configuration; ▸ marks "
                                   "the settings that differ between runs.")
                              : tr("Table 2: settings of each run, as stored in the run file's configuration."),
                   header, rows);
  }

  // --- Perplexity
  doc.addHeading(tr("2. Perplexity"));
  if (datasets.isEmpty()) {
    doc.addParagraph(tr("The run files hold no perplexity measurements."));
  } else {
    std::vector<QStringList> rows;
    for (const QString& m : methods)
      for (const QString& d : datasets) {
        QStringList row{m, d};
        bool any = false;
        for (const auto& r : runs_) {
          const double v = perplexityOf(r, m, d);
          any = any || std::isfinite(v);
          row << perplexityText(v);
        }
        if (any) rows.push_back(row);
      }
    QStringList header{tr("Method"), tr("Dataset")};
    std::vector<bool> right{false, false};
    for (const auto& r : runs_) {
      header << (several ? tr("Perplexity (%1)").arg(runLabel(r)) : tr("Perplexity"));
      right.push_back(true);
    }
    doc.addTable(tr("Table 3: perplexity of every method (lower is better), exp of the mean next-token loss over "
                    "non-overlapping windows of the evaluation text."),
                 header, rows, right);

    std::vector<double> all;
    for (const auto& r : runs_)
      for (const auto& p : r.perplexities) all.push_back(p.perplexity);
    const bool logScale = spansDecade(all);
    std::vector<ChartSpec> charts;
    for (const QString& d : datasets) {
      ChartSpec spec;
      spec.title = tr("Perplexity by method (%1)").arg(d);
      spec.xTitle = tr("method");
      spec.yTitle = logScale ? tr("perplexity (log scale)") : tr("perplexity");
      spec.logY = logScale;
      for (const QString& m : methods)
        if (std::any_of(runs_.begin(), runs_.end(), [&](const ReportRun& r) { return std::isfinite(perplexityOf(r, m, d)); }))
          spec.categories << m;
      for (size_t i = 0; i < runs_.size(); ++i) {
        BarSetSpec set;
        set.name = runLabel(runs_[i]);
        set.color = seriesColor(int(i));
        for (const QString& m : spec.categories) set.values.push_back(perplexityOf(runs_[i], m, d));
        spec.bars.push_back(set);
      }
      spec.legend = several;
      if (!spec.categories.isEmpty()) charts.push_back(spec);
    }
    doc.addFigure(logScale ? tr("Figure 1: perplexity by method on a logarithmic scale; unrotated W4A4 models are "
                                "often orders of magnitude worse than the rest.")
                           : tr("Figure 1: perplexity by method (lower is better)."),
                  charts, 1, 260);
  }

  // --- Calibration: cost, losses, curves
  doc.addHeading(tr("3. Calibration"));
  {
    std::vector<QStringList> rows;
    for (const auto& r : runs_)
      for (const auto& m : r.metrics)
        rows.push_back({r.name, m.method, number(m.seconds, 'f', 1), number(m.startLoss, 'g', 5),
                        number(m.finalLoss, 'g', 5), number(m.meanQuantError, 'g', 3)});
    if (!rows.empty())
      doc.addTable(tr("Table 4: time (all stages except evaluation); Whip loss summed over layers with the method's R1 at "
                      "the start and the end of its optimization (one value for methods that learn nothing); mean "
                      "relative quantization error of the activations over layers."),
                   {tr("Run"), tr("Method"), tr("Time (s)"), tr("Start loss"), tr("Final loss"), tr("Quant. error")},
                   rows, {false, false, true, true, true, true});
  }
  {
    std::vector<ChartSpec> charts;
    for (const auto& r : runs_) {
      if (r.curves.empty()) continue;
      ChartSpec spec;
      spec.title = several ? tr("R1 calibration loss (%1)").arg(r.name) : tr("R1 calibration loss");
      spec.xTitle = tr("optimizer step");
      spec.yTitle = tr("loss");
      spec.integerX = true;
      for (const QString& m : methods)
        for (const auto& c : r.curves)
          if (c.method == m) {
            XYSeriesSpec s;
            s.name = m;
            s.color = methodColor(m);
            s.lineWidth = 1.6;
            s.x = c.steps;
            s.y = c.losses;
            spec.series.push_back(s);
          }
      charts.push_back(spec);
    }
    if (charts.empty())
      doc.addParagraph(tr("No method of these runs learned a rotation, so there are no loss curves."));
    else
      doc.addFigure(tr("Figure 2: loss of the learned R1 per optimizer step, one curve per method."), charts,
                    charts.size() > 1 ? 2 : 1, 260);
  }
  {
    std::vector<ChartSpec> charts;
    for (const auto& r : runs_) {
      ChartSpec loss;
      loss.title = several ? tr("Whip loss per layer (%1)").arg(r.name) : tr("Whip loss per layer");
      loss.xTitle = tr("layer");
      loss.yTitle = tr("loss");
      loss.integerX = true;
      ChartSpec err;
      err.title = several ? tr("Activation quantization error per layer (%1)").arg(r.name)
                          : tr("Activation quantization error per layer");
      err.xTitle = tr("layer");
      std::vector<double> errors;
      for (const auto& m : r.metrics) errors.insert(errors.end(), m.layerQuantError.begin(), m.layerQuantError.end());
      err.logY = spansDecade(errors);
      err.yTitle = err.logY ? tr("relative MSE (log scale)") : tr("relative MSE");
      err.integerX = true;
      bool startShown = false;
      for (const QString& m : methods) {
        const ReportMethodMetrics* mm = r.metricsOf(m);
        if (!mm) continue;
        if (!mm->layerLossStart.empty() && !startShown) {
          XYSeriesSpec s;
          s.name = tr("Hadamard start");
          s.color = QColor("#999999");
          s.lineWidth = 1.0;
          for (size_t l = 0; l < mm->layerLossStart.size(); ++l) {
            s.x.push_back(double(l));
            s.y.push_back(mm->layerLossStart[l]);
          }
          loss.series.push_back(s);
          startShown = true;
        }
        auto line = [&](const std::vector<double>& v, ChartSpec& spec) {
          if (v.empty()) return;
          XYSeriesSpec s;
          s.name = m;
          s.color = methodColor(m);
          s.lineWidth = 1.8;
          for (size_t l = 0; l < v.size(); ++l) {
            s.x.push_back(double(l));
            s.y.push_back(v[l]);
          }
          spec.series.push_back(s);
        };
        line(mm->layerLoss, loss);
        line(mm->layerQuantError, err);
      }
      if (!loss.series.empty()) charts.push_back(loss);
      if (!err.series.empty()) charts.push_back(err);
    }
    if (!charts.empty())
      doc.addFigure(tr("Figure 3: per layer, the Whip loss of each method's R1 (top; grey: the random Hadamard it "
                       "starts from) and the relative error of the quantized activations after each method (bottom)."),
                    charts, 1, 220);
  }

  // --- Activations: per-layer outlier summaries and before/after figures, per run (each has its own rotation)
  doc.addHeading(tr("4. Activation outliers"));
  int table = 5, figure = 4;
  for (size_t i = 0; i < runs_.size(); ++i) {
    const ReportRun& r = runs_[i];
    if (several) doc.addParagraph(tr("Run %1:").arg(r.name));
    // Runs that differ only after calibration (e.g. RTN vs GPTQ weights) store the same rotation: say so once.
    const auto same = std::find_if(runs_.begin(), runs_.begin() + long(i), [&](const ReportRun& o) {
      return !r.stats.empty() && o.stats.size() == r.stats.size() &&
             std::equal(o.stats.begin(), o.stats.end(), r.stats.begin(), [](const auto& a, const auto& b) {
               return a.first == b.first && a.second.absmax == b.second.absmax && a.second.histCounts == b.second.histCounts;
             });
    });
    if (same != runs_.begin() + long(i)) {
      doc.addParagraph(tr("The activation statistics of %1 are identical to those of %2 shown above (the same "
                          "rotation).").arg(r.name, same->name));
      continue;
    }
    if (r.stats.empty()) {
      doc.addParagraph(r.model.isEmpty() || !QFileInfo(r.model).isDir()
                           ? tr("%1 holds no activation statistics, and its model folder is not available to "
                                "compute them.").arg(QFileInfo(r.path).fileName())
                           : tr("%1 holds no activation statistics.").arg(QFileInfo(r.path).fileName()));
      continue;
    }
    const bool after = r.hasStats(QStringLiteral("after"));
    const QString rotation = r.rotationMethod.isEmpty() ? tr("the run's rotation") : tr("the %1 rotation").arg(r.rotationMethod);
    doc.addParagraph(r.statsSource == QLatin1String("run file")
                         ? tr("Statistics of the inputs of each decoder layer's linear modules, as stored in the run "
                              "file; \"after\" is the model rotated by %1.").arg(rotation)
                         : tr("The run file stores no activation statistics; they were computed for this report from "
                              "%1 windows of %2 tokens of calibration text through the model with its RMSNorm weights "
                              "fused into the linear layers (\"before\") and through the same model rotated by %3 "
                              "stored in the file (\"after\"), so the two differ by the rotation alone.")
                               .arg(options_.statWindows).arg(options_.statSeqLen).arg(rotation));
    const QStringList modules = r.statModules();
    std::vector<QStringList> rows;
    for (const QString& m : modules)
      for (int layer : r.statLayers()) {
        const ReportSiteStats* b = r.site(QStringLiteral("before"), layer, m);
        const ReportSiteStats* a = r.site(QStringLiteral("after"), layer, m);
        if (!b && !a) continue;
        auto val = [](const ReportSiteStats* s, double (ReportSiteStats::*f)() const) {
          return s ? (s->*f)() : std::nan("");
        };
        rows.push_back({m, QString::number(layer), number(val(b, &ReportSiteStats::absmaxMax), 'g', 4),
                        number(val(a, &ReportSiteStats::absmaxMax), 'g', 4),
                        number(val(b, &ReportSiteStats::outlierRatio), 'f', 1),
                        number(val(a, &ReportSiteStats::outlierRatio), 'f', 1),
                        number(val(b, &ReportSiteStats::kurtosisMean), 'f', 2),
                        number(val(a, &ReportSiteStats::kurtosisMean), 'f', 2)});
      }
    doc.addTable(tr("Table %1: per-layer outlier summary: the largest channel max |x|, its ratio to the median "
                    "channel (max/median) and the mean channel kurtosis (a Gaussian channel has 3), before and "
                    "after rotation.").arg(table++),
                 {tr("Module"), tr("Layer"), tr("max |x| before"), tr("after"), tr("max/median before"), tr("after"),
                  tr("kurtosis before"), tr("after")},
                 rows, {false, true, true, true, true, true, true, true});

    std::vector<ChartSpec> perModule;
    for (const QString& m : modules) {
      ChartSpec spec;
      spec.title = tr("%1 input: max/median channel").arg(m);
      spec.xTitle = tr("layer");
      spec.integerX = true;
      std::vector<double> ratios;
      for (const auto& kv : r.stats)
        if (std::get<2>(kv.first) == m) ratios.push_back(kv.second.outlierRatio());
      spec.logY = spansDecade(ratios);
      spec.yTitle = spec.logY ? tr("ratio (log scale)") : tr("ratio");
      for (const QString& state : {QStringLiteral("before"), QStringLiteral("after")}) {
        if (state == QLatin1String("after") && !after) continue;
        XYSeriesSpec s;
        s.name = state == QLatin1String("before") ? tr("before rotation") : tr("after rotation");
        s.color = state == QLatin1String("before") ? beforeColor() : afterColor();
        s.lineWidth = 2.0;
        for (int layer : r.statLayers())
          if (const ReportSiteStats* st = r.site(state, layer, m)) {
            s.x.push_back(layer);
            s.y.push_back(st->outlierRatio());
          }
        spec.series.push_back(s);
      }
      perModule.push_back(spec);
    }
    doc.addFigure(tr("Figure %1: how far the largest channel stands out from the median channel, per layer and "
                     "module input, before and after rotation.").arg(figure++),
                  perModule, 2, 210);

    const Site worst = worstSite(r, modules);
    if (worst.layer < 0) continue;
    const ReportSiteStats& b = *r.site(QStringLiteral("before"), worst.layer, worst.module);
    const ReportSiteStats& a = *r.site(QStringLiteral("after"), worst.layer, worst.module);
    const QString where = tr("layer %1 %2 input").arg(worst.layer).arg(worst.module);
    std::vector<ChartSpec> charts;
    const double top = std::max(b.absmaxMax(), a.absmaxMax()) * 1.05;
    for (int side = 0; side < 2; ++side) {
      const ReportSiteStats& s = side == 0 ? b : a;
      ChartSpec spec;
      spec.title = side == 0 ? tr("max |x| per channel, before") : tr("max |x| per channel, after");
      spec.xTitle = tr("channel");
      spec.yTitle = tr("max |x|");
      spec.integerX = true;
      spec.legend = false;
      spec.yRange = std::make_pair(0.0, top > 0 ? top : 1.0);
      XYSeriesSpec series;
      series.style = XYSeriesSpec::Style::Area;
      series.color = side == 0 ? beforeColor() : afterColor();
      for (size_t c = 0; c < s.absmax.size(); ++c) {
        series.x.push_back(double(c));
        series.y.push_back(s.absmax[c]);
      }
      spec.series.push_back(series);
      charts.push_back(spec);
    }
    if (!b.histCounts.empty() && !a.histCounts.empty()) {
      double lo = std::min(b.histEdges.front(), a.histEdges.front());
      double hi = std::max(b.histEdges.back(), a.histEdges.back());
      double peak = 1.0;
      for (const auto* s : {&b, &a})
        for (double c : s->histCounts) peak = std::max(peak, c);
      for (int side = 0; side < 2; ++side) {
        const ReportSiteStats& s = side == 0 ? b : a;
        ChartSpec spec;
        spec.title = side == 0 ? tr("Histogram of x, before") : tr("Histogram of x, after");
        spec.xTitle = tr("x");
        spec.yTitle = tr("count (log scale)");
        spec.logY = true;
        spec.legend = false;
        spec.xRange = std::make_pair(lo, hi);
        spec.yRange = std::make_pair(0.5, peak * 2.0);
        XYSeriesSpec series;
        series.style = XYSeriesSpec::Style::Step;
        series.color = side == 0 ? beforeColor() : afterColor();
        series.x.assign(s.histEdges.begin(), s.histEdges.end() - 1);
        series.y = s.histCounts;
        spec.series.push_back(series);
        charts.push_back(spec);
      }
    }
    doc.addFigure(tr("Figure %1: %2, the site with the strongest outliers before rotation: per-channel max |x| and "
                     "the histogram of all values, before (left) and after (right) rotation, on shared scales.")
                      .arg(figure++)
                      .arg(where),
                  charts, 2, 220);
  }
  return doc;
}

}  // namespace jq::ui
