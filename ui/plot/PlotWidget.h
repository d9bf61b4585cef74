// The project's plot interface: what every figure in the workbench can do, whatever draws it (Qt Charts, our
// own QImage heatmap, the 3D surface). Export and clipboard code only ever sees this.
#pragma once

#include <QFont>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QPainter;

namespace jq::ui {

// The data behind a figure, as it goes to CSV: a header and rows of already formatted cells.
struct CsvTable {
  QStringList header;
  std::vector<QStringList> rows;
};

class PlotWidget : public QWidget {
  Q_OBJECT
 public:
  using QWidget::QWidget;

  virtual QString plotTitle() const = 0;

  // Draws the figure as currently zoomed into `target` of any painter (QImage, QSvgGenerator, QPdfWriter),
  // laid out for `target`'s size in logical (96 dpi) units, with every text in `font`'s family and size, on
  // a light background whatever the UI theme is, from data decimated to the painter's device resolution.
  virtual void renderPlot(QPainter& painter, const QRectF& target, const QFont& font) = 0;

  // Vector formats are not always possible (a 3D surface is only available as a raster image).
  virtual bool isVector() const { return true; }

  // The full-resolution data of the figure.
  virtual CsvTable csvTable() const = 0;

 public Q_SLOTS:
  virtual void resetZoom() = 0;

 Q_SIGNALS:
  // Text describing the data under the mouse ("channel 1234: absmax 41.2"), empty when it leaves.
  void hovered(const QString& readout);
};

}  // namespace jq::ui
