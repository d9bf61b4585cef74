// A Qt Charts view of a ChartSpec: rubber-band zoom (right click zooms out), hover readout, re-decimation of
// the visible window after a zoom, optional live updates, and export through the PlotWidget interface.
#pragma once

#include <QTimer>

#include <functional>
#include <optional>

#include "plot/ChartSpec.h"
#include "plot/PlotWidget.h"

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
QT_END_NAMESPACE

namespace jq::ui {

class ChartPlot : public PlotWidget {
  Q_OBJECT
 public:
  explicit ChartPlot(QWidget* parent = nullptr);
  ~ChartPlot() override;

  // Replaces what is shown and forgets the zoom.
  void setSpec(ChartSpec spec);
  const ChartSpec& spec() const { return spec_; }

  // Live curves: appends to the XY series named `name` (created with `color` if missing) and redraws at
  // most every `liveIntervalMs`, so a calibration streaming points does not rebuild the chart per point.
  void appendPoints(const QString& name, const std::vector<QPointF>& points, const QColor& color = {});
  int liveIntervalMs() const { return liveTimer_.interval(); }

  // Turns the data coordinates under the mouse into text; default: "x, y".
  void setReadout(std::function<QString(const QPointF&)> readout) { readout_ = std::move(readout); }

  std::optional<QRectF> viewRange() const { return view_; }
  // Shows `range` (x left..right, y top..bottom in data units) without emitting viewRangeChanged:
  // used to mirror a partner plot's zoom.
  void setViewRange(const std::optional<QRectF>& range);

  QChart* chart() const;   // the on-screen chart (built now if it was deferred), for tests
  QString plotTitle() const override { return spec_.title; }
  void renderPlot(QPainter& painter, const QRectF& target, const QFont& font) override;
  CsvTable csvTable() const override { return csvOf(spec_); }

 public Q_SLOTS:
  void resetZoom() override;

 Q_SIGNALS:
  // The user zoomed (or reset: `range` is null). Connect to a partner's setViewRange to synchronise axes.
  void viewRangeChanged(const QRectF& range);

 protected:
  void changeEvent(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void showEvent(QShowEvent* event) override;

 private:
  // Building a QChart costs the UI thread milliseconds per chart; a panel refreshes many plots at once, most
  // of them on hidden tabs. So a hidden plot only remembers that its chart is stale and builds it when shown.
  void rebuild();
  void build();
  void onAxisRangeChanged();
  void onHover(const QPointF& pos);
  int columnsFor(int width) const { return std::max(200, width); }

  ChartSpec spec_;
  std::optional<QRectF> view_;
  QChartView* chartView_ = nullptr;
  bool building_ = false;
  bool stale_ = false;
  int builtColumns_ = 0;
  QTimer rezoomTimer_;   // re-decimates after zoom or resize settles
  QTimer liveTimer_;
  bool liveDirty_ = false;
  std::function<QString(const QPointF&)> readout_;
};

// True when the palette is a dark one (charts then use the dark theme).
bool isDark(const QPalette& palette);

}  // namespace jq::ui
