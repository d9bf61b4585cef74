// A chart described as plain data. Panels fill a ChartSpec and never touch Qt Charts: the same spec is drawn
// on screen (decimated to the view), re-drawn for export at the export's resolution, and written to CSV in
// full. That keeps Qt Charts' quirks (log axes, OpenGL series missing from SVG/PDF) in one place.
#pragma once

#include <QColor>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

#include "backend/WorkbenchBackend.h"
#include "plot/PlotWidget.h"

QT_BEGIN_NAMESPACE
class QChart;
class QPainter;
QT_END_NAMESPACE

namespace jq::ui {

struct XYSeriesSpec {
  enum class Style { Line, Area, Step, Scatter };
  QString name;
  std::vector<double> x, y;   // x ascending (except for Scatter)
  QColor color;
  Style style = Style::Line;
  double markerSize = 9.0;    // Scatter only
  double lineWidth = 1.5;
};

struct BarSetSpec {
  QString name;
  std::vector<double> values;   // one per category
  QColor color;
};

struct BoxSeriesSpec {
  QString name;
  std::vector<BoxStats> boxes;  // one per category
  QColor color;
};

struct ChartSpec {
  QString title, xTitle, yTitle;
  bool logY = false;            // values ≤ 0 are clamped just above zero (log axes cannot show them)
  bool integerX = false;        // x labels without decimals (layers, channels, steps)
  bool legend = true;
  bool yFromZero = false;       // linear axis starts at 0 when all values are ≥ 0 (counts, magnitudes)
  std::vector<XYSeriesSpec> series;
  // Category charts (bars or box plots): categories along x. Not combined with `series`.
  QStringList categories;
  std::vector<BarSetSpec> bars;
  std::vector<BoxSeriesSpec> boxes;
  // Fixed axis ranges, e.g. to give "before" and "after" the same y scale. Empty = fit the data.
  std::optional<std::pair<double, double>> xRange, yRange;

  bool isCategory() const { return !categories.isEmpty(); }
  // Smallest positive and largest y over every series/bar/box, for shared ranges.
  std::pair<double, double> yExtent() const;
};

// Builds a new chart (caller owns it). `columns` bounds the points per XY series (min/max envelope),
// `view` is the visible window in data units (empty: the whole spec), `dark` picks the chart theme.
QChart* buildChart(const ChartSpec& spec, int columns, const std::optional<QRectF>& view, bool dark);

// Every text of a chart in `font`'s family (titles one step larger and bold).
void applyChartFont(QChart* chart, const QFont& font);

// Draws `spec` into `target` of any painter (image, SVG, PDF) on the light theme, laid out for target's size in
// logical 96 dpi units and decimated to the painter's device resolution: what figure export and reports share.
void renderChart(const ChartSpec& spec, QPainter& painter, const QRectF& target, const QFont& font,
                 const std::optional<QRectF>& view = std::nullopt);

CsvTable csvOf(const ChartSpec& spec);

}  // namespace jq::ui
