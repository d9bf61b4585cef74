// The workbench window: dockable panels (layout saved and restored), menus with standard shortcuts, recent
// models and runs, a status bar with progress and Cancel, and the glue that turns panel requests into jobs
// on the one JobRunner. Errors from jobs arrive as signals and are shown as (non-blocking) message boxes.
#pragma once

#include <QMainWindow>

#include "backend/WorkbenchBackend.h"
#include "jobs/JobRunner.h"

class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;

namespace jq::ui {

class ActivationPanel;
class CalibrationPanel;
class LogPanel;
class ModelPanel;
class Preferences;
class ResultsPanel;

// Registers the icons of resources/workbench.qrc (a static library's resources need it once per process).
void initWorkbenchResources();

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum class Panel { Model, Activations, Calibration, Results, Log };

  MainWindow(WorkbenchBackend& backend, Preferences& prefs, QWidget* parent = nullptr);
  ~MainWindow() override;

  ModelPanel* modelPanel() const { return model_; }
  ActivationPanel* activationPanel() const { return activations_; }
  CalibrationPanel* calibrationPanel() const { return calibration_; }
  ResultsPanel* resultsPanel() const { return results_; }
  LogPanel* logPanel() const { return log_; }
  JobRunner* runner() const { return runner_; }
  QProgressBar* progressBar() const { return progress_; }
  QPushButton* cancelButton() const { return cancel_; }

  void showPanel(Panel panel);
  // The window as a picture, including 3D views (a GL surface is not part of QWidget::grab()).
  QImage grabWindow();
  // The last error shown to the user (for tests); empty when none.
  QString lastError() const { return lastError_; }

 public Q_SLOTS:
  void openModel(const QString& dir);
  void openRun(const QString& path);
  void chooseModel();
  void chooseRun();
  void showSettings();
  void resetLayout();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;

 private:
  void createDocks();
  void createMenus();
  void createStatusBar();
  void applyDefaultSizes();
  void updateRecentMenus();
  void onJobStarted(const QString& title);
  void onProgress(const ProgressInfo& info);
  void onJobFinished(const QString& title, JobRunner::Outcome outcome, const QString& message);
  void showError(const QString& title, const QString& text);
  void showStatus(const QString& text);

  WorkbenchBackend& backend_;
  Preferences& prefs_;
  JobRunner* runner_;
  QByteArray defaultState_;
  ModelPanel* model_ = nullptr;
  ActivationPanel* activations_ = nullptr;
  CalibrationPanel* calibration_ = nullptr;
  ResultsPanel* results_ = nullptr;
  LogPanel* log_ = nullptr;
  QList<QDockWidget*> docks_;
  QMenu* recentModels_ = nullptr;
  QMenu* recentRuns_ = nullptr;
  QLabel* status_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QString lastError_;
  bool needDefaultSizes_ = false;
};

}  // namespace jq::ui
