#include "plot/HeatmapPlot.h"

#include <QMouseEvent>
#include <QPainter>

#include <cmath>

#include "plot/Decimation.h"

namespace jq::ui {
namespace {

QString tickLabel(double v) { return QString::number(v, 'g', 4); }

std::vector<double> logTicks(double lo, double hi) {
  std::vector<double> t;
  for (double e = std::ceil(std::log10(lo) - 1e-9); e <= std::log10(hi) + 1e-9; e += 1.0) t.push_back(std::pow(10.0, e));
  if (t.size() < 2) t = {lo, hi};
  return t;
}

}  // namespace

HeatmapPlot::HeatmapPlot(QWidget* parent) : PlotWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(240, 160);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapPlot::setData(HeatmapData data) {
  data_ = std::move(data);
  maxAbs_ = 0.0f;
  minPositive_ = 0.0f;
  for (float v : data_.values) {
    const float a = std::abs(v);
    maxAbs_ = std::max(maxAbs_, a);
    if (a > 0 && (minPositive_ == 0.0f || a < minPositive_)) minPositive_ = a;
  }
  window_ = QRect(0, 0, data_.cols, data_.rows);
  update();
}

void HeatmapPlot::setLogScale(bool log) {
  log_ = log;
  update();
}

void HeatmapPlot::setColorRange(std::optional<std::pair<double, double>> range) {
  colorRange_ = range;
  update();
}

std::pair<double, double> HeatmapPlot::magnitudeRange() const { return {minPositive_, maxAbs_}; }

std::pair<double, double> HeatmapPlot::colorRange() const {
  if (colorRange_) return *colorRange_;
  // Log scale: four decades below the maximum are enough to see the bulk without the noise floor.
  if (log_) return {std::max(double(minPositive_), double(maxAbs_) * 1e-4), std::max(double(maxAbs_), 1e-6)};
  return {0.0, maxAbs_ > 0 ? double(maxAbs_) : 1.0};
}

void HeatmapPlot::setViewWindow(const QRect& window) {
  window_ = window.intersected(QRect(0, 0, data_.cols, data_.rows));
  if (window_.isEmpty()) window_ = QRect(0, 0, data_.cols, data_.rows);
  update();
}

void HeatmapPlot::resetZoom() {
  window_ = QRect(0, 0, data_.cols, data_.rows);
  update();
  Q_EMIT viewWindowChanged(window_);
}

QImage HeatmapPlot::renderImage(const QSize& size) const {
  if (data_.rows == 0 || data_.cols == 0 || window_.isEmpty()) return {};
  const int outRows = std::max(1, std::min(size.height(), window_.height()));
  const int outCols = std::max(1, std::min(size.width(), window_.width()));
  const auto pooled = maxPool(data_.values, data_.rows, data_.cols, window_.top(), window_.top() + window_.height(),
                              window_.left(), window_.left() + window_.width(), outRows, outCols);
  const int h = std::min(outRows, window_.height()), w = std::min(outCols, window_.width());
  QImage img(w, h, QImage::Format_Indexed8);
  img.setColorTable(colors_.table());
  const auto [lo, hi] = colorRange();
  for (int r = 0; r < h; ++r) {
    uchar* line = img.scanLine(r);
    for (int c = 0; c < w; ++c)
      line[c] = uchar(std::lround(255.0 * ColorMap::normalize(pooled[size_t(r) * w + c], lo, hi, log_)));
  }
  return img;
}

HeatmapPlot::Layout HeatmapPlot::layoutFor(const QRectF& target, const QFont& font) const {
  const QFontMetricsF fm(font);
  const double line = fm.height();
  Layout l;
  l.title = QRectF(target.left(), target.top(), target.width(), line * 1.6);
  const double left = fm.horizontalAdvance("00000") + line * 1.6;   // tick labels + rotated axis title
  const double bottom = line * 2.8;
  const double barWidth = std::max(12.0, line * 0.9);
  const double right = barWidth + fm.horizontalAdvance("0.000e+00") + line * 0.8;
  l.plot = QRectF(target.left() + left, l.title.bottom() + line * 0.3, target.width() - left - right - line * 0.5,
                  target.height() - l.title.height() - bottom - line * 0.3);
  l.bar = QRectF(l.plot.right() + line * 0.6, l.plot.top(), barWidth, l.plot.height());
  return l;
}

void HeatmapPlot::draw(QPainter& p, const QRectF& target, const QFont& font, const QColor& text,
                       double deviceScale) const {
  const Layout l = layoutFor(target, font);
  const QFontMetricsF fm(font);
  p.save();
  p.setFont(font);
  QFont titleFont = font;
  titleFont.setBold(true);
  titleFont.setPointSizeF(font.pointSizeF() + 1);
  p.setFont(titleFont);
  p.setPen(text);
  p.drawText(l.title, Qt::AlignCenter, data_.title);
  p.setFont(font);
  if (l.plot.width() < 10 || l.plot.height() < 10) {
    p.restore();
    return;
  }
  const QSize devicePixels(int(l.plot.width() * deviceScale), int(l.plot.height() * deviceScale));
  QImage img = renderImage(devicePixels);
  if (!img.isNull()) {
    // Cells stay sharp blocks: enlarge with nearest-neighbour here rather than let a PDF/SVG viewer smooth
    // them, and hand vector back ends true colour (indexed images do not survive every PDF reader).
    img = img.convertToFormat(QImage::Format_RGB32);
    if (img.width() < devicePixels.width() || img.height() < devicePixels.height())
      img = img.scaled(devicePixels.boundedTo(QSize(4096, 4096)), Qt::IgnoreAspectRatio, Qt::FastTransformation);
    p.drawImage(l.plot, img);
  }
  p.setPen(QPen(text, 0));
  p.setBrush(Qt::NoBrush);
  p.drawRect(l.plot);

  // Axes: channel ticks along x, token ticks along y, each at cell centres.
  auto xAt = [&](double col) { return l.plot.left() + (col + 0.5 - window_.left()) / window_.width() * l.plot.width(); };
  auto yAt = [&](double row) { return l.plot.top() + (row + 0.5 - window_.top()) / window_.height() * l.plot.height(); };
  const int maxX = std::max(2, int(l.plot.width() / fm.horizontalAdvance("000000")));
  for (double t : niceTicks(window_.left(), window_.left() + window_.width() - 1, maxX)) {
    const double x = xAt(t);
    p.drawLine(QPointF(x, l.plot.bottom()), QPointF(x, l.plot.bottom() + 4));
    p.drawText(QRectF(x - 40, l.plot.bottom() + 4, 80, fm.height()), Qt::AlignHCenter | Qt::AlignTop, tickLabel(t));
  }
  const int maxY = std::max(2, int(l.plot.height() / (fm.height() * 2)));
  for (double t : niceTicks(window_.top(), window_.top() + window_.height() - 1, maxY)) {
    const double y = yAt(t);
    p.drawLine(QPointF(l.plot.left() - 4, y), QPointF(l.plot.left(), y));
    p.drawText(QRectF(l.plot.left() - 6 - 80, y - fm.height() / 2, 80, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
               tickLabel(t));
  }
  p.drawText(QRectF(l.plot.left(), l.plot.bottom() + fm.height() + 6, l.plot.width(), fm.height()), Qt::AlignCenter,
             data_.xTitle);
  p.save();
  p.translate(target.left() + fm.height() * 0.2, l.plot.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-l.plot.height() / 2, 0, l.plot.height(), fm.height()), Qt::AlignCenter, data_.yTitle);
  p.restore();

  // Colour bar with ticks (decades on a log scale).
  const auto [lo, hi] = colorRange();
  QImage bar(1, 256, QImage::Format_Indexed8);
  bar.setColorTable(colors_.table());
  for (int i = 0; i < 256; ++i) bar.scanLine(i)[0] = uchar(255 - i);
  p.drawImage(l.bar, bar.convertToFormat(QImage::Format_RGB32));
  p.drawRect(l.bar);
  const auto ticks = log_ ? logTicks(std::max(lo, 1e-6), hi) : niceTicks(lo, hi, 6);
  for (double t : ticks) {
    const double f = ColorMap::normalize(t, lo, hi, log_);
    const double y = l.bar.bottom() - f * l.bar.height();
    p.drawLine(QPointF(l.bar.right(), y), QPointF(l.bar.right() + 4, y));
    p.drawText(QRectF(l.bar.right() + 6, y - fm.height() / 2, 200, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
               tickLabel(t));
  }
  p.restore();
}

void HeatmapPlot::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QRectF r = rect();
  draw(p, r, font(), palette().color(QPalette::WindowText), devicePixelRatioF());
  if (dragStart_) {
    QColor fill = palette().color(QPalette::Highlight);
    fill.setAlpha(60);
    p.setBrush(fill);
    p.setPen(QPen(palette().color(QPalette::Highlight), 1));
    p.drawRect(QRectF(*dragStart_, dragNow_).normalized());
  }
}

void HeatmapPlot::renderPlot(QPainter& painter, const QRectF& target, const QFont& font) {
  painter.fillRect(target, Qt::white);
  draw(painter, target, font, Qt::black, std::max(1.0, painter.deviceTransform().m11()));
}

std::optional<QPoint> HeatmapPlot::cellAt(const QPointF& pos) const {
  const Layout l = layoutFor(rect(), font());
  if (!l.plot.contains(pos) || window_.isEmpty()) return std::nullopt;
  const int col = window_.left() + int((pos.x() - l.plot.left()) / l.plot.width() * window_.width());
  const int row = window_.top() + int((pos.y() - l.plot.top()) / l.plot.height() * window_.height());
  return QPoint(std::clamp(col, 0, data_.cols - 1), std::clamp(row, 0, data_.rows - 1));
}

void HeatmapPlot::mousePressEvent(QMouseEvent* e) {
  if (e->button() == Qt::RightButton) {
    resetZoom();
    return;
  }
  if (e->button() == Qt::LeftButton && cellAt(e->position())) {
    dragStart_ = e->position();
    dragNow_ = e->position();
  }
}

void HeatmapPlot::mouseMoveEvent(QMouseEvent* e) {
  if (dragStart_) {
    dragNow_ = e->position();
    update();
  }
  const auto cell = cellAt(e->position());
  if (!cell) {
    Q_EMIT hovered(QString());
    return;
  }
  const float v = data_.values[size_t(cell->y()) * data_.cols + cell->x()];
  Q_EMIT hovered(tr("token %1, channel %2: %3").arg(cell->y()).arg(cell->x()).arg(double(v), 0, 'g', 4));
}

void HeatmapPlot::mouseReleaseEvent(QMouseEvent* e) {
  if (!dragStart_ || e->button() != Qt::LeftButton) return;
  const QPointF a = *dragStart_, b = e->position();
  dragStart_.reset();
  update();
  if (std::abs(a.x() - b.x()) < 4 || std::abs(a.y() - b.y()) < 4) return;   // a click, not a drag
  const Layout l = layoutFor(rect(), font());
  auto clampToPlot = [&](QPointF p) {
    return QPointF(std::clamp(p.x(), l.plot.left(), l.plot.right() - 0.01), std::clamp(p.y(), l.plot.top(), l.plot.bottom() - 0.01));
  };
  const auto c1 = cellAt(clampToPlot(QPointF(std::min(a.x(), b.x()), std::min(a.y(), b.y()))));
  const auto c2 = cellAt(clampToPlot(QPointF(std::max(a.x(), b.x()), std::max(a.y(), b.y()))));
  if (!c1 || !c2) return;
  window_ = QRect(QPoint(c1->x(), c1->y()), QPoint(c2->x(), c2->y()));
  update();
  Q_EMIT viewWindowChanged(window_);
}

void HeatmapPlot::leaveEvent(QEvent*) { Q_EMIT hovered(QString()); }

CsvTable HeatmapPlot::csvTable() const {
  CsvTable t;
  t.header << "token";
  for (int c = 0; c < data_.cols; ++c) t.header << QString("ch%1").arg(c);
  for (int r = 0; r < data_.rows; ++r) {
    QStringList row{QString::number(r)};
    for (int c = 0; c < data_.cols; ++c) row << QString::number(double(data_.values[size_t(r) * data_.cols + c]), 'g', 7);
    t.rows.push_back(row);
  }
  return t;
}

}  // namespace jq::ui
