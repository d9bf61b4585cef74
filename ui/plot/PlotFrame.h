// A plot with its tool row: hover readout, Reset zoom, Copy and Export…. Panels put every figure in one.
#pragma once

#include <QWidget>

#include "plot/PlotWidget.h"

class QLabel;

namespace jq::ui {

class Preferences;

class PlotFrame : public QWidget {
  Q_OBJECT
 public:
  // Takes ownership of `plot`. `prefs` (may be null) provides and remembers the export defaults.
  PlotFrame(PlotWidget* plot, Preferences* prefs, QWidget* parent = nullptr);

  PlotWidget* plot() const { return plot_; }

 public Q_SLOTS:
  void exportFigure();
  void copyFigure();

 Q_SIGNALS:
  // Human-readable result of an export ("Saved figure to …" or the error), for the status bar.
  void message(const QString& text);

 private:
  PlotWidget* plot_;
  Preferences* prefs_;
  QLabel* readout_;
};

}  // namespace jq::ui
