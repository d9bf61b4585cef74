// |activation| over token × channel as a 3D surface (Qt Data Visualization), the classic figure of the
// rotation papers. The surface needs OpenGL: without it (e.g. the offscreen platform of the tests) the
// widget shows a note instead and export still works from the pooled data as a flat image.
#pragma once

#include "plot/HeatmapPlot.h"
#include "plot/PlotWidget.h"

class QLabel;
class QStackedLayout;

QT_BEGIN_NAMESPACE
class Q3DSurface;
class QSurface3DSeries;
QT_END_NAMESPACE

namespace jq::ui {

class SurfacePlot : public PlotWidget {
  Q_OBJECT
 public:
  explicit SurfacePlot(QWidget* parent = nullptr);
  ~SurfacePlot() override;

  // Shows |data| pooled to at most maxRows × maxCols cells (max-pooling keeps outliers).
  void setData(const HeatmapData& data, int maxRows = 64, int maxCols = 128);

  // Whether a GL context can be made on this platform (checked once).
  static bool openGlAvailable();
  bool hasSurface() const { return graph_ != nullptr; }
  QWidget* surfaceWidget() const { return container_; }   // where the GL view sits inside this widget

  // The 3D view as an image (for screenshots: a GL window is not part of QWidget::grab()).
  QImage grabSurface(const QSize& size);

  QString plotTitle() const override { return title_; }
  void renderPlot(QPainter& painter, const QRectF& target, const QFont& font) override;
  bool isVector() const override { return false; }
  CsvTable csvTable() const override;

 public Q_SLOTS:
  void resetZoom() override;

 protected:
  void showEvent(QShowEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  void ensureGraph();
  void upload();
  void applyTheme();

  QStackedLayout* stack_ = nullptr;
  QLabel* note_ = nullptr;
  QLabel* titleLabel_ = nullptr;
  Q3DSurface* graph_ = nullptr;
  QWidget* container_ = nullptr;
  QSurface3DSeries* series_ = nullptr;
  QString title_;
  int rows_ = 0, cols_ = 0;
  std::vector<float> pooled_;
  double rowStep_ = 1.0, colStep_ = 1.0;
  HeatmapPlot flat_;   // not shown: draws the export when no GL is available
};

}  // namespace jq::ui
