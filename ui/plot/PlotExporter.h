// Figure export for any PlotWidget: PNG at a chosen pixel size and DPI, SVG and PDF as vector drawings with
// a chosen font and the same physical size, the data as CSV, and the clipboard (image + CSV text).
// Every format is drawn from the plot's data again (not grabbed from the screen), on a white background.
#pragma once

#include <QFont>
#include <QImage>
#include <QSize>
#include <QString>

#include "plot/PlotWidget.h"

namespace jq::ui {

enum class ExportFormat { Png, Svg, Pdf, Csv };

struct ExportOptions {
  QSize pixels{1600, 1000};   // PNG size; SVG and PDF get the same physical size, pixels / dpi inches
  int dpi = 300;
  QFont font{QStringLiteral("DejaVu Sans"), 10};   // point size: printed size at `dpi`
};

class PlotExporter {
 public:
  // From the file suffix (.png .svg .pdf .csv, case-insensitive); throws jq::Error(InvalidInput) otherwise.
  static ExportFormat formatFor(const QString& path);

  // Writes the file; throws jq::Error(Io) naming the file when it cannot be written.
  static void exportPlot(PlotWidget& plot, const QString& path, const ExportOptions& options);
  static void exportPlot(PlotWidget& plot, const QString& path, ExportFormat format, const ExportOptions& options);

  static QImage renderImage(PlotWidget& plot, const ExportOptions& options);
  static QString toCsv(const CsvTable& table);
  static void copyToClipboard(PlotWidget& plot, const ExportOptions& options);

  // Plot coordinates are laid out at 96 units per inch whatever the output, so a 10 pt label takes the same
  // share of the figure in PNG, SVG and PDF.
  static constexpr double kLayoutDpi = 96.0;
  static QSizeF layoutSize(const ExportOptions& options);
};

}  // namespace jq::ui
