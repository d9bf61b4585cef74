// Reducing long series to what a plot can show. A line through N ≫ pixel-count points is drawn as, per pixel
// column, the smallest and the largest value in it (the min/max envelope): every spike survives, which plain
// subsampling would drop, and the chart (and every SVG/PDF export) holds at most 2 points per column.
#pragma once

#include <QPointF>

#include <vector>

namespace jq::ui {

// `x` ascending, same length as `y`. Points with x outside [xMin, xMax] are left out, except the nearest one
// on each side so a zoomed line still reaches the plot edges. Returns the input unchanged when it already
// has no more than 2 points per column. Columns are equal-width slices of [xMin, xMax].
std::vector<QPointF> decimateMinMax(const std::vector<double>& x, const std::vector<double>& y, int columns,
                                    double xMin, double xMax);
std::vector<QPointF> decimateMinMax(const std::vector<double>& x, const std::vector<double>& y, int columns);

// Max-pooling of a rows × cols grid of magnitudes to at most outRows × outCols cells (each output cell is
// the largest |value| of the input cells it covers), for heatmaps and 3D surfaces: an outlier channel stays
// visible however far the view is zoomed out. Input is row-major; the window [row0,row1) × [col0,col1).
std::vector<float> maxPool(const std::vector<float>& values, int rows, int cols, int row0, int row1, int col0,
                           int col1, int outRows, int outCols);

// "Nice" axis ticks (1, 2 or 5 × 10^k apart) covering [lo, hi] with at most maxTicks ticks inside it.
std::vector<double> niceTicks(double lo, double hi, int maxTicks);

}  // namespace jq::ui
