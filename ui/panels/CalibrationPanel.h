// Calibration: choose methods and settings, run them through the backend, watch the loss curves live, read
// the per-layer metrics. Cancel stops the run within a second (the backend checks its token every step).
#pragma once

#include <QWidget>

#include <map>

#include "backend/WorkbenchBackend.h"
#include "jobs/JobRunner.h"
#include "panels/PanelContext.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace jq::ui {

class ChartPlot;

class CalibrationPanel : public QWidget {
  Q_OBJECT
 public:
  explicit CalibrationPanel(const PanelContext& context, QWidget* parent = nullptr);

  void setModelLoaded(bool loaded);
  // The form as a request / the form from a request (methods, bits, optimizer, ...).
  CalibrationRequest request() const;
  void setRequest(const CalibrationRequest& request);
  // Remembers the form as the defaults of the next session.
  void saveDefaults();

  bool isRunning() const { return running_; }
  ChartPlot* lossPlot() const { return loss_; }
  ChartPlot* errorPlot() const { return errors_; }
  QTableWidget* metricsTable() const { return table_; }
  int livePointCount() const;   // points received while the current/last run streamed
  // Shows a run's loss curves and per-layer metrics (a finished calibration, or a run file opened later).
  void showRun(const RunResult& run);

 public Q_SLOTS:
  void start();
  void cancel();

 Q_SIGNALS:
  void runFinished(const jq::ui::RunResult& run);
  void message(const QString& text);

 private:
  void onCurvePoints(const QVector<CurvePoint>& points);
  void onJobFinished(const QString& title, JobRunner::Outcome outcome, const QString& message);
  void updateButtons();

  PanelContext ctx_;
  bool modelLoaded_ = false;
  bool running_ = false;
  int livePoints_ = 0;
  std::map<std::string, QCheckBox*> methods_;
  QSpinBox* weightBits_;
  QSpinBox* activationBits_;
  QComboBox* weightQuantizer_;
  QLineEdit* dataFile_;
  QSpinBox* samples_;
  QSpinBox* seqLen_;
  QSpinBox* epochs_;
  QDoubleSpinBox* lr_;
  QComboBox* optimizer_;
  QComboBox* lossFunction_;
  QComboBox* device_;
  QSpinBox* seed_;
  QLineEdit* output_;
  QPushButton* run_;
  QPushButton* cancel_;
  ChartPlot* loss_;
  ChartPlot* errors_;
  QTableWidget* table_;
};

}  // namespace jq::ui

Q_DECLARE_METATYPE(jq::ui::RunResult)
