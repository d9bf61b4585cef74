// Colour tables for heatmaps and colour bars (Qt Charts has no heatmap). Viridis: perceptually uniform and
// readable in greyscale and by colour-blind readers, so an outlier channel stands out in print too.
#pragma once

#include <QColor>
#include <QList>
#include <QRgb>

namespace jq::ui {

class ColorMap {
 public:
  static ColorMap viridis();

  // t in [0, 1] (clamped); linear interpolation between the anchors.
  QColor at(double t) const;
  // 256 entries, for QImage::Format_Indexed8.
  QList<QRgb> table() const;

  // Position of `value` on the bar for a [lo, hi] range; log scale maps log10 and clamps to > 0.
  static double normalize(double value, double lo, double hi, bool log);

 private:
  QList<QColor> anchors_;
};

// Series colours (Okabe–Ito palette, colour-blind safe).
QColor beforeColor();     // original basis
QColor afterColor();      // rotated basis
QColor highlightColor();  // top-k channels
QColor methodColor(const QString& method);
QColor seriesColor(int index);

}  // namespace jq::ui
