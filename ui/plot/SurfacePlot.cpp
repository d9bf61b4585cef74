#include "plot/SurfacePlot.h"

#include <QGuiApplication>
#include <QLabel>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QPainter>
#include <QStackedLayout>
#include <QVBoxLayout>
#include <QtDataVisualization/Q3DCamera>
#include <QtDataVisualization/Q3DSurface>
#include <QtDataVisualization/Q3DTheme>
#include <QtDataVisualization/QSurface3DSeries>
#include <QtDataVisualization/QSurfaceDataProxy>
#include <QtDataVisualization/QValue3DAxis>

#include <cmath>

#include "plot/ChartPlot.h"
#include "plot/ColorMap.h"
#include "plot/Decimation.h"

namespace jq::ui {
namespace {
constexpr float kZoom = 150.0f;   // the default framing leaves most of a side-by-side pane empty
}  // namespace

SurfacePlot::SurfacePlot(QWidget* parent) : PlotWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  titleLabel_ = new QLabel(this);
  titleLabel_->setAlignment(Qt::AlignCenter);
  QFont bold = titleLabel_->font();
  bold.setBold(true);
  titleLabel_->setFont(bold);
  layout->addWidget(titleLabel_);
  stack_ = new QStackedLayout;
  layout->addLayout(stack_, 1);
  note_ = new QLabel(this);
  note_->setAlignment(Qt::AlignCenter);
  note_->setWordWrap(true);
  stack_->addWidget(note_);
  setMinimumSize(240, 200);
  flat_.hide();
}

SurfacePlot::~SurfacePlot() = default;

bool SurfacePlot::openGlAvailable() {
  static const bool available = [] {
    if (QGuiApplication::platformName() == QLatin1String("offscreen") ||
        QGuiApplication::platformName() == QLatin1String("minimal"))
      return false;
    QOpenGLContext ctx;
    if (!ctx.create()) return false;
    QOffscreenSurface surface;
    surface.create();
    return ctx.makeCurrent(&surface);
  }();
  return available;
}

void SurfacePlot::setData(const HeatmapData& data, int maxRows, int maxCols) {
  title_ = data.title;
  titleLabel_->setText(title_);
  rows_ = std::max(1, std::min(maxRows, data.rows));
  cols_ = std::max(1, std::min(maxCols, data.cols));
  pooled_ = maxPool(data.values, data.rows, data.cols, 0, data.rows, 0, data.cols, rows_, cols_);
  rows_ = std::min(rows_, data.rows);
  cols_ = std::min(cols_, data.cols);
  rowStep_ = data.rows > 0 ? double(data.rows) / rows_ : 1.0;
  colStep_ = data.cols > 0 ? double(data.cols) / cols_ : 1.0;
  HeatmapData flat;
  flat.rows = rows_;
  flat.cols = cols_;
  flat.values = pooled_;
  flat.title = data.title;
  flat.xTitle = tr("channel block (%1 channels each)").arg(colStep_, 0, 'g', 3);
  flat.yTitle = tr("token block");
  flat_.setData(std::move(flat));
  note_->setText(openGlAvailable() ? tr("Loading 3D view…")
                                   : tr("The 3D surface needs OpenGL, which this display does not provide.\n"
                                        "The heatmap tab shows the same data."));
  upload();
}

void SurfacePlot::showEvent(QShowEvent* event) {
  PlotWidget::showEvent(event);
  ensureGraph();   // created lazily: a GL window is expensive and the tab may never be opened
}

void SurfacePlot::ensureGraph() {
  if (graph_ || !openGlAvailable()) return;
  graph_ = new Q3DSurface;
  container_ = QWidget::createWindowContainer(graph_, this);
  container_->setMinimumSize(200, 160);
  stack_->addWidget(container_);
  stack_->setCurrentWidget(container_);
  graph_->axisX()->setTitle(tr("channel"));
  graph_->axisZ()->setTitle(tr("token"));
  graph_->axisY()->setTitle(tr("|activation|"));
  for (auto* axis : {graph_->axisX(), graph_->axisY(), graph_->axisZ()}) axis->setTitleVisible(true);
  graph_->setShadowQuality(QAbstract3DGraph::ShadowQualityNone);
  graph_->scene()->activeCamera()->setCameraPreset(Q3DCamera::CameraPresetIsometricRight);
  graph_->scene()->activeCamera()->setZoomLevel(kZoom);
  series_ = new QSurface3DSeries;
  series_->setDrawMode(QSurface3DSeries::DrawSurface);
  series_->setFlatShadingEnabled(false);
  QLinearGradient gradient;
  const ColorMap map = ColorMap::viridis();
  for (int i = 0; i <= 10; ++i) gradient.setColorAt(i / 10.0, map.at(i / 10.0));
  series_->setBaseGradient(gradient);
  series_->setColorStyle(Q3DTheme::ColorStyleRangeGradient);
  graph_->addSeries(series_);
  applyTheme();
  upload();
}

void SurfacePlot::applyTheme() {
  if (!graph_) return;
  graph_->activeTheme()->setType(isDark(palette()) ? Q3DTheme::ThemeEbony : Q3DTheme::ThemeQt);
  QFont f = font();
  f.setPointSize(30);   // labels are textures scaled with the scene: small point sizes come out unreadable
  graph_->activeTheme()->setFont(f);
}

void SurfacePlot::changeEvent(QEvent* event) {
  PlotWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) applyTheme();
}

void SurfacePlot::upload() {
  if (!series_ || pooled_.empty()) return;
  auto* array = new QSurfaceDataArray;
  array->reserve(rows_);
  for (int r = 0; r < rows_; ++r) {
    auto* row = new QSurfaceDataRow(cols_);
    for (int c = 0; c < cols_; ++c)
      (*row)[c].setPosition(QVector3D(float(c * colStep_), pooled_[size_t(r) * cols_ + c], float(r * rowStep_)));
    array->append(row);
  }
  series_->dataProxy()->resetArray(array);
}

void SurfacePlot::resetZoom() {
  if (graph_) {
    graph_->scene()->activeCamera()->setCameraPreset(Q3DCamera::CameraPresetIsometricRight);
    graph_->scene()->activeCamera()->setZoomLevel(kZoom);
  }
}

QImage SurfacePlot::grabSurface(const QSize& size) {
  ensureGraph();
  if (!graph_) return {};
  return graph_->renderToImage(4, size);
}

void SurfacePlot::renderPlot(QPainter& painter, const QRectF& target, const QFont& font) {
  if (graph_) {
    const double scale = std::max(1.0, painter.deviceTransform().m11());
    const QImage img = graph_->renderToImage(4, (target.size() * scale).toSize());
    if (!img.isNull()) {
      painter.drawImage(target, img);
      return;
    }
  }
  flat_.renderPlot(painter, target, font);
}

CsvTable SurfacePlot::csvTable() const {
  CsvTable t;
  t.header << "token" << "channel" << "abs_activation_max";
  for (int r = 0; r < rows_; ++r)
    for (int c = 0; c < cols_; ++c)
      t.rows.push_back({QString::number(int(r * rowStep_)), QString::number(int(c * colStep_)),
                        QString::number(double(pooled_[size_t(r) * cols_ + c]), 'g', 7)});
  return t;
}

}  // namespace jq::ui
