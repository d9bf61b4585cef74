// A token × channel map of |activation| drawn as a QImage through a colour table (Qt Charts has no heatmap),
// with its own axes and colour bar, linear or log colour scale, drag-to-zoom, hover readout and export.
// Zoomed-out views max-pool the cells so a single outlier channel stays visible at any size.
#pragma once

#include <QImage>
#include <QRect>

#include <optional>
#include <vector>

#include "plot/ColorMap.h"
#include "plot/PlotWidget.h"

namespace jq::ui {

struct HeatmapData {
  int rows = 0;                 // tokens (y)
  int cols = 0;                 // channels (x)
  std::vector<float> values;    // row-major rows × cols; shown as |value|
  QString title, xTitle, yTitle;
};

class HeatmapPlot : public PlotWidget {
  Q_OBJECT
 public:
  explicit HeatmapPlot(QWidget* parent = nullptr);

  void setData(HeatmapData data);   // resets the zoom; keeps the scale settings
  const HeatmapData& data() const { return data_; }

  void setLogScale(bool log);
  bool logScale() const { return log_; }
  // Magnitude range of the colour bar; unset = the data's own. Set it on two plots to compare them.
  void setColorRange(std::optional<std::pair<double, double>> range);
  std::pair<double, double> colorRange() const;
  // Smallest positive and largest |value| of the data.
  std::pair<double, double> magnitudeRange() const;

  // Visible window: x = first channel, y = first token, width/height in cells.
  QRect viewWindow() const { return window_; }
  void setViewWindow(const QRect& window);   // no signal: used to mirror a partner plot

  // The colour-mapped (pooled) image of the visible window at most `size` cells large.
  QImage renderImage(const QSize& size) const;

  QString plotTitle() const override { return data_.title; }
  void renderPlot(QPainter& painter, const QRectF& target, const QFont& font) override;
  CsvTable csvTable() const override;
  QSize sizeHint() const override { return {480, 320}; }

 public Q_SLOTS:
  void resetZoom() override;

 Q_SIGNALS:
  void viewWindowChanged(const QRect& window);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  struct Layout {
    QRectF title, plot, bar;
  };
  Layout layoutFor(const QRectF& target, const QFont& font) const;
  void draw(QPainter& p, const QRectF& target, const QFont& font, const QColor& text, double deviceScale) const;
  std::optional<QPoint> cellAt(const QPointF& pos) const;

  HeatmapData data_;
  float maxAbs_ = 0.0f, minPositive_ = 0.0f;
  bool log_ = false;
  std::optional<std::pair<double, double>> colorRange_;
  QRect window_;
  ColorMap colors_ = ColorMap::viridis();
  std::optional<QPointF> dragStart_;
  QPointF dragNow_;
};

}  // namespace jq::ui
