// Results: perplexity (or time, or quantization error) per method as grouped bars, one bar per run, plus the
// full table. Runs come from finished calibrations or from files opened later, and overlay each other.
#pragma once

#include <QWidget>

#include <vector>

#include "backend/WorkbenchBackend.h"
#include "panels/PanelContext.h"

class QCheckBox;
class QComboBox;
class QListWidget;
class QTableWidget;

namespace jq::ui {

class ChartPlot;

class ResultsPanel : public QWidget {
  Q_OBJECT
 public:
  enum class Quantity { Perplexity, QuantError, Seconds, FinalLoss };

  explicit ResultsPanel(const PanelContext& context, QWidget* parent = nullptr);

  void addRun(const RunResult& run);
  void removeRun(int index);
  void clearRuns();
  const std::vector<RunResult>& runs() const { return runs_; }
  void setQuantity(Quantity q);
  void setLogScale(bool on);

  ChartPlot* chart() const { return chart_; }
  QTableWidget* table() const { return table_; }

 Q_SIGNALS:
  void openRunRequested();
  void message(const QString& text);

 private:
  void refresh();

  PanelContext ctx_;
  std::vector<RunResult> runs_;
  QListWidget* runList_;
  QComboBox* quantity_;
  QCheckBox* log_;
  ChartPlot* chart_;
  QTableWidget* table_;
};

}  // namespace jq::ui
