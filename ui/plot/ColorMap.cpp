#include "plot/ColorMap.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace jq::ui {

ColorMap ColorMap::viridis() {
  // Ten samples of matplotlib's viridis at t = 0, 1/9, ..., 1.
  ColorMap m;
  for (const char* hex : {"#440154", "#482878", "#3e4a89", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6dcd59",
                          "#b4de2c", "#fde725"})
    m.anchors_.push_back(QColor(hex));
  return m;
}

QColor ColorMap::at(double t) const {
  if (anchors_.isEmpty()) return QColor();
  if (!(t > 0.0)) return anchors_.front();   // also catches NaN
  if (t >= 1.0) return anchors_.back();
  const double pos = t * double(anchors_.size() - 1);
  const int i = int(pos);
  const double f = pos - i;
  const QColor& a = anchors_[i];
  const QColor& b = anchors_[i + 1];
  auto mix = [f](int x, int y) { return int(std::lround(x + (y - x) * f)); };
  return QColor(mix(a.red(), b.red()), mix(a.green(), b.green()), mix(a.blue(), b.blue()));
}

QList<QRgb> ColorMap::table() const {
  QList<QRgb> t;
  t.reserve(256);
  for (int i = 0; i < 256; ++i) t.push_back(at(i / 255.0).rgb());
  return t;
}

double ColorMap::normalize(double value, double lo, double hi, bool log) {
  if (log) {
    const double floor = 1e-6;
    lo = std::max(lo, floor);
    hi = std::max(hi, lo * 10.0);
    value = std::max(value, lo);
    return std::clamp((std::log10(value) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)), 0.0, 1.0);
  }
  if (!(hi > lo)) return 0.0;
  return std::clamp((value - lo) / (hi - lo), 0.0, 1.0);
}

QColor beforeColor() { return QColor("#0072b2"); }
QColor afterColor() { return QColor("#e69f00"); }
QColor highlightColor() { return QColor("#d55e00"); }

QColor seriesColor(int index) {
  static const char* palette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
                                  "#999999"};
  return QColor(palette[((index % 8) + 8) % 8]);
}

QColor methodColor(const QString& method) {
  static const QHash<QString, QString> colors{{"fp", "#999999"},        {"rtn", "#d55e00"},
                                              {"smoothquant", "#cc79a7"}, {"quarot", "#56b4e9"},
                                              {"dartquant", "#e69f00"},   {"independent", "#009e73"},
                                              {"joint", "#0072b2"}};
  const auto it = colors.find(method);
  return it == colors.end() ? seriesColor(int(qHash(method) % 8)) : QColor(*it);
}

}  // namespace jq::ui
