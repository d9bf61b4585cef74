// The report of one or more runs (`jointquant-workbench --report RUN.h5 [RUN2.h5 …] --out report.pdf`):
// settings, perplexity table and chart, R1 loss curves, per-layer loss and quantization error, per-layer outlier
// summaries of the activations and before/after figures of the worst activation site, as a PDF (vector), an HTML
// file (tables + inline SVG) or PNG pages. Needs a QApplication (Qt Charts draws the figures), never a window.
#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <vector>

#include "common/Job.h"
#include "report/ReportDocument.h"
#include "report/ReportRun.h"

namespace jq::ui {

enum class ReportFormat { Pdf, Html, Png };

class ReportBuilder {
  Q_DECLARE_TR_FUNCTIONS(jq::ui::ReportBuilder)

 public:
  explicit ReportBuilder(ReportReadOptions options = {});

  // Reads a run file (jq::Error naming the file when it cannot); the report shows runs in the order added.
  void addRun(const QString& path, const jq::JobContext& job = {});
  void addRun(ReportRun run);
  const std::vector<ReportRun>& runs() const { return runs_; }

  ReportDocument build() const;

  // From the suffix: .pdf, .html/.htm, .png; jq::Error(InvalidInput) for anything else.
  static ReportFormat formatFor(const QString& path);
  // Writes the report; a .png path is a pattern for one file per page ("report-%d.png", or "report.png" gives
  // report-1.png, report-2.png, …). Returns the files written.
  QStringList write(const QString& path, int pngDpi = 150) const;

 private:
  std::vector<ReportRun> runs_;
  ReportReadOptions options_;
};

}  // namespace jq::ui
