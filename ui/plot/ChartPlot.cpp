#include "plot/ChartPlot.h"

#include <QEvent>
#include <QGraphicsScene>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <cmath>

namespace jq::ui {
namespace {

class HoverChartView : public QChartView {
 public:
  HoverChartView(QWidget* parent, std::function<void(const QPointF&)> onMove, std::function<void()> onLeave)
      : QChartView(parent), onMove_(std::move(onMove)), onLeave_(std::move(onLeave)) {
    setMouseTracking(true);
  }

 protected:
  void mouseMoveEvent(QMouseEvent* e) override {
    onMove_(e->position());
    QChartView::mouseMoveEvent(e);
  }
  void leaveEvent(QEvent* e) override {
    onLeave_();
    QChartView::leaveEvent(e);
  }

 private:
  std::function<void(const QPointF&)> onMove_;
  std::function<void()> onLeave_;
};

std::pair<double, double> axisRange(QAbstractAxis* a) {
  if (auto* v = qobject_cast<QValueAxis*>(a)) return {v->min(), v->max()};
  if (auto* l = qobject_cast<QLogValueAxis*>(a)) return {l->min(), l->max()};
  return {0, 0};
}

QAbstractAxis* firstAxis(QChart* chart, Qt::Orientation o) {
  const auto axes = chart->axes(o);
  return axes.isEmpty() ? nullptr : axes.first();
}

}  // namespace

bool isDark(const QPalette& palette) { return palette.color(QPalette::Window).lightness() < 128; }

ChartPlot::ChartPlot(QWidget* parent) : PlotWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  chartView_ = new HoverChartView(this, [this](const QPointF& p) { onHover(p); }, [this] { Q_EMIT hovered(QString()); });
  chartView_->setRenderHint(QPainter::Antialiasing);
  chartView_->setRubberBand(QChartView::RectangleRubberBand);
  chartView_->setMinimumSize(200, 150);
  layout->addWidget(chartView_);
  rezoomTimer_.setSingleShot(true);
  rezoomTimer_.setInterval(150);
  connect(&rezoomTimer_, &QTimer::timeout, this, &ChartPlot::rebuild);
  liveTimer_.setSingleShot(true);
  liveTimer_.setInterval(250);
  connect(&liveTimer_, &QTimer::timeout, this, [this] {
    if (liveDirty_) rebuild();
    liveDirty_ = false;
  });
  rebuild();
}

ChartPlot::~ChartPlot() = default;

QChart* ChartPlot::chart() const {
  if (stale_) const_cast<ChartPlot*>(this)->build();
  return chartView_->chart();
}

void ChartPlot::setSpec(ChartSpec spec) {
  spec_ = std::move(spec);
  view_.reset();
  rebuild();
}

void ChartPlot::appendPoints(const QString& name, const std::vector<QPointF>& points, const QColor& color) {
  auto it = std::find_if(spec_.series.begin(), spec_.series.end(), [&](const XYSeriesSpec& s) { return s.name == name; });
  if (it == spec_.series.end()) {
    XYSeriesSpec s;
    s.name = name;
    s.color = color;
    spec_.series.push_back(s);
    it = spec_.series.end() - 1;
  }
  for (const auto& p : points) {
    it->x.push_back(p.x());
    it->y.push_back(p.y());
  }
  liveDirty_ = true;
  if (!liveTimer_.isActive()) liveTimer_.start();
}

void ChartPlot::setViewRange(const std::optional<QRectF>& range) {
  view_ = range;
  rebuild();
}

void ChartPlot::resetZoom() {
  view_.reset();
  rebuild();
  Q_EMIT viewRangeChanged(QRectF());
}

void ChartPlot::rebuild() {
  if (!isVisible()) {
    stale_ = true;
    return;
  }
  build();
}

void ChartPlot::showEvent(QShowEvent* event) {
  PlotWidget::showEvent(event);
  if (stale_) build();
}

void ChartPlot::build() {
  stale_ = false;
  building_ = true;
  builtColumns_ = columnsFor(chartView_->width());
  QChart* chart = buildChart(spec_, builtColumns_, view_, isDark(palette()));
  QChart* old = chartView_->chart();
  chartView_->setChart(chart);   // QChartView deletes only the default chart; we own the rest
  if (old && old != chart) delete old;
  if (!spec_.isCategory()) {
    for (auto o : {Qt::Horizontal, Qt::Vertical})
      if (auto* a = firstAxis(chart, o)) {
        if (auto* v = qobject_cast<QValueAxis*>(a))
          connect(v, &QValueAxis::rangeChanged, this, &ChartPlot::onAxisRangeChanged);
        if (auto* l = qobject_cast<QLogValueAxis*>(a))
          connect(l, &QLogValueAxis::rangeChanged, this, &ChartPlot::onAxisRangeChanged);
      }
  }
  building_ = false;
}

void ChartPlot::onAxisRangeChanged() {
  if (building_) return;
  auto* x = firstAxis(chart(), Qt::Horizontal);
  auto* y = firstAxis(chart(), Qt::Vertical);
  if (!x || !y) return;
  const auto [x0, x1] = axisRange(x);
  const auto [y0, y1] = axisRange(y);
  view_ = QRectF(QPointF(x0, y0), QPointF(x1, y1));
  Q_EMIT viewRangeChanged(*view_);
  rezoomTimer_.start();   // re-decimate the newly visible window once zooming settles
}

void ChartPlot::onHover(const QPointF& pos) {
  QChart* c = chart();
  if (!c || c->series().isEmpty() || !c->plotArea().contains(pos)) {
    Q_EMIT hovered(QString());
    return;
  }
  const QPointF v = c->mapToValue(pos, c->series().first());
  Q_EMIT hovered(readout_ ? readout_(v)
                          : QStringLiteral("%1, %2").arg(QString::number(v.x(), 'g', 5), QString::number(v.y(), 'g', 5)));
}

void ChartPlot::changeEvent(QEvent* event) {
  PlotWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) rebuild();   // light/dark theme switch
}

void ChartPlot::resizeEvent(QResizeEvent* event) {
  PlotWidget::resizeEvent(event);
  // Re-decimate only when the view got noticeably wider than what the data was reduced for.
  if (!spec_.isCategory() && columnsFor(chartView_->width()) > builtColumns_ * 5 / 4) rezoomTimer_.start();
}

void ChartPlot::renderPlot(QPainter& painter, const QRectF& target, const QFont& font) {
  renderChart(spec_, painter, target, font, view_);
}

}  // namespace jq::ui
