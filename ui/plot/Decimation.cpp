#include "plot/Decimation.h"

#include <algorithm>
#include <cmath>

namespace jq::ui {

std::vector<QPointF> decimateMinMax(const std::vector<double>& x, const std::vector<double>& y, int columns) {
  if (x.empty()) return {};
  return decimateMinMax(x, y, columns, x.front(), x.back());
}

std::vector<QPointF> decimateMinMax(const std::vector<double>& x, const std::vector<double>& y, int columns,
                                    double xMin, double xMax) {
  const size_t n = std::min(x.size(), y.size());
  std::vector<QPointF> out;
  if (n == 0) return out;
  // Indices [first, last) are inside the window; keep one neighbour outside on each side.
  size_t first = size_t(std::lower_bound(x.begin(), x.begin() + n, xMin) - x.begin());
  size_t last = size_t(std::upper_bound(x.begin(), x.begin() + n, xMax) - x.begin());
  const size_t lo = first > 0 ? first - 1 : 0;
  const size_t hi = last < n ? last + 1 : n;
  columns = std::max(1, columns);
  if (hi - lo <= size_t(2 * columns) || !(xMax > xMin)) {
    out.reserve(hi - lo);
    for (size_t i = lo; i < hi; ++i) out.emplace_back(x[i], y[i]);
    return out;
  }
  out.reserve(size_t(2 * columns) + 2);
  if (lo < first) out.emplace_back(x[lo], y[lo]);
  const double width = (xMax - xMin) / columns;
  size_t i = first;
  while (i < last) {
    const int col = std::min(columns - 1, int((x[i] - xMin) / width));
    size_t iMin = i, iMax = i;
    size_t j = i + 1;
    for (; j < last && std::min(columns - 1, int((x[j] - xMin) / width)) == col; ++j) {
      if (y[j] < y[iMin]) iMin = j;
      if (y[j] > y[iMax]) iMax = j;
    }
    // Emit in x order so the polyline does not double back inside the column.
    const size_t a = std::min(iMin, iMax), b = std::max(iMin, iMax);
    out.emplace_back(x[a], y[a]);
    if (b != a) out.emplace_back(x[b], y[b]);
    i = j;
  }
  if (hi > last) out.emplace_back(x[last], y[last]);
  return out;
}

std::vector<float> maxPool(const std::vector<float>& values, int rows, int cols, int row0, int row1, int col0,
                           int col1, int outRows, int outCols) {
  row0 = std::clamp(row0, 0, rows);
  row1 = std::clamp(row1, row0, rows);
  col0 = std::clamp(col0, 0, cols);
  col1 = std::clamp(col1, col0, cols);
  const int h = row1 - row0, w = col1 - col0;
  outRows = std::max(1, std::min(outRows, h));
  outCols = std::max(1, std::min(outCols, w));
  std::vector<float> out(size_t(outRows) * outCols, 0.0f);
  if (h == 0 || w == 0) return out;
  for (int r = 0; r < h; ++r) {
    const int orow = int(int64_t(r) * outRows / h);
    const float* src = values.data() + size_t(row0 + r) * cols + col0;
    float* dst = out.data() + size_t(orow) * outCols;
    for (int c = 0; c < w; ++c) {
      const int ocol = int(int64_t(c) * outCols / w);
      dst[ocol] = std::max(dst[ocol], std::abs(src[c]));
    }
  }
  return out;
}

std::vector<double> niceTicks(double lo, double hi, int maxTicks) {
  std::vector<double> ticks;
  if (!(hi > lo) || maxTicks < 2) return ticks;
  const double raw = (hi - lo) / double(maxTicks - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    const double count = std::floor(hi / step + 1e-9) - std::ceil(lo / step - 1e-9) + 1;
    if (count <= maxTicks) break;
  }
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step)
    ticks.push_back(std::abs(t) < 1e-12 * step ? 0.0 : t);
  return ticks;
}

}  // namespace jq::ui
