#include "plot/ChartSpec.h"

#include <QEvent>
#include <QGraphicsScene>
#include <QPainter>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QBoxPlotSeries>
#include <QtCharts/QBoxSet>
#include <QtCharts/QChart>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

#include "plot/ColorMap.h"
#include "plot/Decimation.h"

namespace jq::ui {
namespace {

constexpr double kLogFloor = 1e-6;

std::vector<double> stepped(const std::vector<double>& v, bool isX) {
  // A histogram/bar outline: each value held until the next x.
  std::vector<double> out;
  if (v.empty()) return out;
  out.reserve(2 * v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (isX) {
      out.push_back(v[i]);
      out.push_back(i + 1 < v.size() ? v[i + 1] : v[i] + (v.size() > 1 ? v[i] - v[i - 1] : 1.0));
    } else {
      out.push_back(v[i]);
      out.push_back(v[i]);
    }
  }
  return out;
}

// Ticks at round numbers (1, 2, 5 × 10^k) whatever the range, instead of Qt's even split of the range.
// Integer axes (layers, steps, channels) never tick between integers: with "%.0f" labels a 0.5 step would print
// every number twice.
void setNiceTicks(QValueAxis* axis, double lo, double hi, int maxTicks, bool integer = false) {
  const auto t = niceTicks(lo, hi, maxTicks);
  if (t.size() < 2) return;
  const double step = integer ? std::max(1.0, std::round(t[1] - t[0])) : t[1] - t[0];
  axis->setTickType(QValueAxis::TicksDynamic);
  axis->setTickAnchor(integer ? std::ceil(t[0]) : t[0]);
  axis->setTickInterval(step);
}

// On the dark chart theme the palette's deep blue (and other dark hues) nearly vanish into the background:
// such colours are lightened there, keeping their hue so legends still match the tables' method colours.
QColor onTheme(const QColor& c, bool dark) {
  if (!dark || !c.isValid() || c.lightnessF() >= 0.55) return c;
  QColor l = c.toHsl();
  l.setHslF(l.hslHueF(), l.hslSaturationF(), 0.62, l.alphaF());
  return l.toRgb();
}

QString numberCell(double v) { return std::isfinite(v) ? QString::number(v, 'g', 8) : QString(); }

}  // namespace

std::pair<double, double> ChartSpec::yExtent() const {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  auto take = [&](double v) {
    if (!std::isfinite(v)) return;
    if (logY && v <= 0) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (const auto& s : series)
    for (double v : s.y) take(v);
  for (const auto& b : bars)
    for (double v : b.values) take(v);
  for (const auto& b : boxes)
    for (const auto& x : b.boxes) {
      take(x.min);
      take(x.max);
    }
  if (!std::isfinite(lo)) return {logY ? 1.0 : 0.0, logY ? 10.0 : 1.0};
  return {lo, hi};
}

QChart* buildChart(const ChartSpec& spec, int columns, const std::optional<QRectF>& view, bool dark) {
  auto* chart = new QChart;
  chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setTitle(spec.title);
  chart->legend()->setVisible(spec.legend);
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));

  // A log axis labels only powers of ten: over less than a decade it would show one label or none, so such
  // data (perplexities 110–150, errors 0.01–0.02) gets a linear axis instead.
  bool logY = spec.logY;
  if (logY && !spec.yRange) {
    const auto [lo, hi] = spec.yExtent();
    logY = std::floor(std::log10(hi * 1.5)) - std::ceil(std::log10(lo / 1.5)) >= 1.0;
  }

  // --- y axis (shared by every kind of chart)
  QAbstractAxis* yAxis = nullptr;
  double yLo, yHi;
  if (view) {
    yLo = view->top();
    yHi = view->bottom();
  } else if (spec.yRange) {
    yLo = spec.yRange->first;
    yHi = spec.yRange->second;
  } else {
    auto [lo, hi] = spec.yExtent();
    if (logY) {
      yLo = lo / 1.5;
      yHi = hi * 1.5;
    } else {
      const double pad = (hi - lo) * 0.05 + (hi == lo ? 1.0 : 0.0);
      yLo = ((spec.isCategory() || spec.yFromZero) && lo >= 0) ? 0.0 : lo - pad;
      yHi = hi + pad;
    }
  }
  if (logY) {
    auto* a = new QLogValueAxis;
    a->setBase(10.0);
    a->setLabelFormat("%g");   // the default format prints nothing useful for small values
    a->setMinorTickCount(-1);  // minor ticks at 2..9 × 10^k
    yLo = std::max(yLo, kLogFloor);
    yHi = std::max(yHi, yLo * 10.0);
    a->setRange(yLo, yHi);
    yAxis = a;
  } else {
    auto* a = new QValueAxis;
    a->setRange(yLo, yHi);
    if (!view && !spec.yRange) {
      a->applyNiceNumbers();
      yLo = a->min();
      yHi = a->max();
    }
    a->setLabelFormat("%g");
    setNiceTicks(a, yLo, yHi, 6);
    yAxis = a;
  }
  yAxis->setTitleText(spec.yTitle);
  chart->addAxis(yAxis, Qt::AlignLeft);

  const double clampLo = logY ? std::max(kLogFloor, yLo) : -std::numeric_limits<double>::infinity();

  if (spec.isCategory()) {
    auto* xAxis = new QBarCategoryAxis;
    xAxis->append(spec.categories);
    xAxis->setTitleText(spec.xTitle);
    chart->addAxis(xAxis, Qt::AlignBottom);
    if (!spec.bars.empty()) {
      auto* bs = new QBarSeries;
      for (const auto& b : spec.bars) {
        auto* set = new QBarSet(b.name);
        for (double v : b.values) set->append(std::isfinite(v) ? std::max(v, clampLo) : clampLo);
        if (b.color.isValid()) {
          set->setColor(onTheme(b.color, dark));
          set->setBorderColor(onTheme(b.color, dark).darker(130));
        }
        bs->append(set);
      }
      chart->addSeries(bs);
      bs->attachAxis(xAxis);
      bs->attachAxis(yAxis);
    }
    for (const auto& b : spec.boxes) {
      auto* bs = new QBoxPlotSeries;
      bs->setName(b.name);
      for (size_t i = 0; i < b.boxes.size(); ++i) {
        const auto& x = b.boxes[i];
        auto* set = new QBoxSet(std::max(x.min, clampLo), std::max(x.q1, clampLo), std::max(x.median, clampLo),
                                std::max(x.q3, clampLo), std::max(x.max, clampLo),
                                i < size_t(spec.categories.size()) ? spec.categories[int(i)] : QString());
        bs->append(set);
      }
      if (b.color.isValid()) {
        QColor fill = onTheme(b.color, dark);
        fill.setAlpha(150);
        bs->setBrush(fill);
        bs->setPen(QPen(onTheme(b.color, dark).darker(140), 1.2));
      }
      bs->setBoxWidth(0.6);
      chart->addSeries(bs);
      bs->attachAxis(xAxis);
      bs->attachAxis(yAxis);
    }
    return chart;
  }

  // --- XY chart
  double xLo = std::numeric_limits<double>::infinity(), xHi = -xLo;
  for (const auto& s : spec.series)
    for (double v : s.x) {
      xLo = std::min(xLo, v);
      xHi = std::max(xHi, v);
    }
  if (!std::isfinite(xLo)) {
    xLo = 0;
    xHi = 1;
  }
  if (spec.xRange) {
    xLo = spec.xRange->first;
    xHi = spec.xRange->second;
  }
  if (view) {
    xLo = view->left();
    xHi = view->right();
  }
  if (xHi <= xLo) xHi = xLo + 1;
  auto* xAxis = new QValueAxis;
  xAxis->setRange(xLo, xHi);
  xAxis->setTitleText(spec.xTitle);
  xAxis->setLabelFormat(spec.integerX ? "%.0f" : "%g");
  setNiceTicks(xAxis, xLo, xHi, 7, spec.integerX);
  chart->addAxis(xAxis, Qt::AlignBottom);

  for (const auto& s : spec.series) {
    QAbstractSeries* added = nullptr;
    if (s.style == XYSeriesSpec::Style::Scatter) {
      auto* sc = new QScatterSeries;
      sc->setName(s.name);
      sc->setMarkerSize(s.markerSize);
      sc->setMarkerShape(QScatterSeries::MarkerShapeCircle);
      for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
        if (s.x[i] >= xLo && s.x[i] <= xHi) sc->append(s.x[i], std::max(s.y[i], clampLo));
      if (s.color.isValid()) {
        sc->setColor(onTheme(s.color, dark));
        sc->setBorderColor(onTheme(s.color, dark).darker(150));
      }
      added = sc;
    } else {
      const bool step = s.style == XYSeriesSpec::Style::Step;
      const auto xs = step ? stepped(s.x, true) : s.x;
      const auto ys = step ? stepped(s.y, false) : s.y;
      const auto pts = decimateMinMax(xs, ys, columns, xLo, xHi);
      auto* line = new QLineSeries;
      QList<QPointF> list;
      list.reserve(qsizetype(pts.size()));
      for (const auto& p : pts)
        if (std::isfinite(p.y())) list.push_back(QPointF(p.x(), std::max(p.y(), clampLo)));
      line->replace(list);
      QPen pen(onTheme(s.color.isValid() ? s.color : seriesColor(0), dark), s.lineWidth);
      line->setPen(pen);
      line->setName(s.name);
      if (s.style == XYSeriesSpec::Style::Area) {
        auto* lower = new QLineSeries;
        QList<QPointF> base;
        base.reserve(list.size());
        const double baseline = logY ? std::max(yLo, kLogFloor) : std::max(yLo, 0.0);
        for (const auto& p : list) base.push_back(QPointF(p.x(), baseline));
        lower->replace(base);
        auto* area = new QAreaSeries(line, lower);
        // QAreaSeries does not own its upper and lower series (its constructor only makes `line` its QObject
        // parent), so they outlived every chart with an area (LSan in tst_report; every rebuild of an on-screen
        // area chart). Make them children of the area, first taking the area out from under `line`.
        area->setParent(chart);
        line->setParent(area);
        lower->setParent(area);
        area->setName(s.name);
        QColor fill = onTheme(s.color.isValid() ? s.color : QColor(Qt::gray), dark);
        fill.setAlpha(170);
        area->setBrush(fill);
        area->setPen(QPen(fill.darker(120), 1.0));
        added = area;
      } else {
        added = line;
      }
    }
    chart->addSeries(added);
    added->attachAxis(xAxis);
    added->attachAxis(yAxis);
    if (s.name.isEmpty())
      for (auto* marker : chart->legend()->markers(added)) marker->setVisible(false);
  }
  return chart;
}

void applyChartFont(QChart* chart, const QFont& font) {
  QFont title = font;
  title.setPointSizeF(font.pointSizeF() + 2);
  title.setBold(true);
  chart->setTitleFont(title);
  chart->legend()->setFont(font);
  for (auto* axis : chart->axes()) {
    axis->setLabelsFont(font);
    QFont at = font;
    at.setBold(true);
    axis->setTitleFont(at);
  }
}

void renderChart(const ChartSpec& spec, QPainter& painter, const QRectF& target, const QFont& font,
                 const std::optional<QRectF>& view) {
  // Device pixels per logical unit: the output resolution decides how many points a line keeps.
  const double scale = std::max(1.0, painter.deviceTransform().m11());
  const int columns = std::max(200, int(target.width() * scale));
  QChart* chart = buildChart(spec, columns, view, false);
  applyChartFont(chart, font);
  QGraphicsScene scene;
  scene.addItem(chart);   // the scene owns and deletes the chart
  chart->resize(target.size());
  // A chart outside a view lays itself out on the next event-loop turn; do it now.
  QEvent layoutRequest(QEvent::LayoutRequest);
  scene.sendEvent(chart, &layoutRequest);
  scene.setSceneRect(QRectF(QPointF(0, 0), target.size()));
  scene.render(&painter, target, scene.sceneRect());
}

CsvTable csvOf(const ChartSpec& spec) {
  CsvTable t;
  if (spec.isCategory()) {
    if (!spec.bars.empty()) {
      t.header << (spec.xTitle.isEmpty() ? QStringLiteral("category") : spec.xTitle);
      for (const auto& b : spec.bars) t.header << b.name;
      for (int i = 0; i < spec.categories.size(); ++i) {
        QStringList row{spec.categories[i]};
        for (const auto& b : spec.bars) row << (size_t(i) < b.values.size() ? numberCell(b.values[i]) : QString());
        t.rows.push_back(row);
      }
    } else {
      t.header << "series" << (spec.xTitle.isEmpty() ? QStringLiteral("category") : spec.xTitle) << "min" << "q1"
               << "median" << "q3" << "max";
      for (const auto& b : spec.boxes)
        for (size_t i = 0; i < b.boxes.size() && int(i) < spec.categories.size(); ++i) {
          const auto& x = b.boxes[i];
          t.rows.push_back({b.name, spec.categories[int(i)], numberCell(x.min), numberCell(x.q1),
                            numberCell(x.median), numberCell(x.q3), numberCell(x.max)});
        }
    }
    return t;
  }
  t.header << "series" << (spec.xTitle.isEmpty() ? QStringLiteral("x") : spec.xTitle)
           << (spec.yTitle.isEmpty() ? QStringLiteral("y") : spec.yTitle);
  for (const auto& s : spec.series)
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
      t.rows.push_back({s.name, numberCell(s.x[i]), numberCell(s.y[i])});
  return t;
}

}  // namespace jq::ui
