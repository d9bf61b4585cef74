#include "app/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QTimer>

#include <memory>

#include "app/Theme.h"
#include "common/Log.h"
#include "panels/ActivationPanel.h"
#include "panels/CalibrationPanel.h"
#include "panels/LogPanel.h"
#include "panels/ModelPanel.h"
#include "panels/ResultsPanel.h"
#include "plot/SurfacePlot.h"
#include "settings/Preferences.h"
#include "settings/SettingsDialog.h"

static void initWorkbenchQrc() { Q_INIT_RESOURCE(workbench); }

namespace jq::ui {

void initWorkbenchResources() { initWorkbenchQrc(); }

MainWindow::MainWindow(WorkbenchBackend& backend, Preferences& prefs, QWidget* parent)
    : QMainWindow(parent), backend_(backend), prefs_(prefs) {
  initWorkbenchResources();
  setObjectName("MainWindow");
  setWindowTitle(tr("JointQuant Workbench"));
  setWindowIcon(QIcon(":/icons/jointquant.svg"));
  runner_ = new JobRunner(this);
  connect(runner_, &JobRunner::started, this, &MainWindow::onJobStarted);
  connect(runner_, &JobRunner::progressChanged, this, &MainWindow::onProgress);
  connect(runner_, &JobRunner::finished, this, &MainWindow::onJobFinished);

  createDocks();
  createMenus();
  createStatusBar();
  defaultState_ = saveState();
  if (!prefs_.windowGeometry.get().isEmpty()) restoreGeometry(prefs_.windowGeometry);
  else resize(1400, 880);
  if (!prefs_.windowState.get().isEmpty()) restoreState(prefs_.windowState);
  else needDefaultSizes_ = true;
  updateRecentMenus();
  JQ_INFO("Workbench ready; backend: " << backend_.description());
}

MainWindow::~MainWindow() { runner_->cancel(); }

void MainWindow::createDocks() {
  PanelContext ctx{&backend_, runner_, &prefs_};
  model_ = new ModelPanel(ctx);
  activations_ = new ActivationPanel(ctx);
  calibration_ = new CalibrationPanel(ctx);
  results_ = new ResultsPanel(ctx);
  log_ = new LogPanel;
  connect(model_, &ModelPanel::openRequested, this, &MainWindow::chooseModel);
  connect(model_, &ModelPanel::loadRequested, this, &MainWindow::openModel);
  connect(model_, &ModelPanel::message, this, &MainWindow::showStatus);
  connect(results_, &ResultsPanel::openRunRequested, this, &MainWindow::chooseRun);
  connect(calibration_, &CalibrationPanel::runFinished, this, [this](const RunResult& run) {
    results_->addRun(run);
    if (!run.path.empty()) {
      Preferences::pushRecent(prefs_.recentRuns, QString::fromStdString(run.path));
      updateRecentMenus();
    }
  });
  for (QWidget* w : std::initializer_list<QWidget*>{activations_, calibration_, results_}) {
    if (auto* a = qobject_cast<ActivationPanel*>(w)) connect(a, &ActivationPanel::message, this, &MainWindow::showStatus);
    if (auto* c = qobject_cast<CalibrationPanel*>(w)) connect(c, &CalibrationPanel::message, this, &MainWindow::showStatus);
    if (auto* r = qobject_cast<ResultsPanel*>(w)) connect(r, &ResultsPanel::message, this, &MainWindow::showStatus);
  }

  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);
  setTabPosition(Qt::AllDockWidgetAreas, QTabWidget::North);
  auto makeDock = [this](QWidget* w, const QString& title, const QString& name, const QString& icon) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(name);   // saveState() keys docks by object name
    d->setWidget(w);
    d->toggleViewAction()->setIcon(QIcon(icon));
    docks_.append(d);
    return d;
  };
  auto* modelDock = makeDock(model_, tr("Model"), "ModelDock", ":/icons/model.svg");
  auto* actDock = makeDock(activations_, tr("Activations"), "ActivationsDock", ":/icons/activations.svg");
  auto* calDock = makeDock(calibration_, tr("Calibration"), "CalibrationDock", ":/icons/calibration.svg");
  auto* resDock = makeDock(results_, tr("Results"), "ResultsDock", ":/icons/results.svg");
  auto* logDock = makeDock(log_, tr("Log"), "LogDock", ":/icons/log.svg");
  // No central widget: every panel is a dock the user can move, tab, float or close.
  addDockWidget(Qt::LeftDockWidgetArea, modelDock);
  addDockWidget(Qt::RightDockWidgetArea, actDock);
  addDockWidget(Qt::RightDockWidgetArea, logDock, Qt::Vertical);   // the log sits under the big panels
  tabifyDockWidget(actDock, calDock);
  tabifyDockWidget(calDock, resDock);
  actDock->raise();
}

void MainWindow::applyDefaultSizes() {
  auto dock = [this](const char* name) { return findChild<QDockWidget*>(name); };
  resizeDocks({dock("ModelDock"), dock("ActivationsDock")}, {300, std::max(600, width() - 300)}, Qt::Horizontal);
  resizeDocks({dock("ActivationsDock"), dock("LogDock")}, {std::max(300, height() - 200), 110}, Qt::Vertical);
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(QIcon(":/icons/open-model.svg"), tr("&Open Model…"), this, &MainWindow::chooseModel);
  open->setShortcut(QKeySequence::Open);
  QAction* openRun = file->addAction(QIcon(":/icons/open-run.svg"), tr("Open &Run…"), this, &MainWindow::chooseRun);
  openRun->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  recentModels_ = file->addMenu(tr("Recent &Models"));
  recentRuns_ = file->addMenu(tr("Recent R&uns"));
  file->addSeparator();
  QAction* settings = file->addAction(QIcon(":/icons/settings.svg"), tr("&Settings…"), this, &MainWindow::showSettings);
  settings->setShortcut(QKeySequence::Preferences);
  settings->setMenuRole(QAction::PreferencesRole);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  QAction* calibrate = run->addAction(QIcon(":/icons/run.svg"), tr("&Calibrate"), this, [this] {
    showPanel(Panel::Calibration);
    calibration_->start();
  });
  calibrate->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_R)});
  QAction* cancel = run->addAction(QIcon(":/icons/stop.svg"), tr("C&ancel Job"), runner_, &JobRunner::cancel);
  cancel->setShortcut(QKeySequence(Qt::Key_Escape));

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (auto* d : docks_) view->addAction(d->toggleViewAction());
  view->addSeparator();
  view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* about = help->addAction(tr("&About JointQuant Workbench"), this, [this] {
    QMessageBox::about(this, tr("About JointQuant Workbench"),
                       tr("<h3>JointQuant Workbench %1</h3><p>W4A4 quantization of Llama-family models with "
                          "learned rotations (QuaRot, SpinQuant, DartQuant, joint and independent R1).</p>"
                          "<p>Engine: %2</p>")
                           .arg(QApplication::applicationVersion(), QString::fromStdString(backend_.description()).toHtmlEscaped()));
  });
  about->setShortcut(QKeySequence::HelpContents);
  about->setMenuRole(QAction::AboutRole);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createStatusBar() {
  status_ = new QLabel(tr("Ready"));
  statusBar()->addWidget(status_, 1);
  progress_ = new QProgressBar;
  progress_->setMaximumWidth(260);
  progress_->setTextVisible(true);
  progress_->hide();
  cancel_ = new QPushButton(QIcon(":/icons/stop.svg"), tr("Cancel"));
  cancel_->setToolTip(tr("Stop the running job (Esc)"));
  cancel_->hide();
  connect(cancel_, &QPushButton::clicked, runner_, &JobRunner::cancel);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->addPermanentWidget(cancel_);
}

void MainWindow::updateRecentMenus() {
  auto fill = [this](QMenu* menu, const QStringList& paths, auto open) {
    menu->clear();
    for (const QString& p : paths) {
      QAction* a = menu->addAction(QFileInfo(p).fileName().isEmpty() ? p : QFileInfo(p).fileName());
      a->setToolTip(p);
      a->setStatusTip(p);
      connect(a, &QAction::triggered, this, [this, p, open] { (this->*open)(p); });
    }
    menu->setEnabled(!paths.isEmpty());
  };
  fill(recentModels_, prefs_.recentModels, &MainWindow::openModel);
  fill(recentRuns_, prefs_.recentRuns, &MainWindow::openRun);
}

void MainWindow::showPanel(Panel panel) {
  const char* names[] = {"ModelDock", "ActivationsDock", "CalibrationDock", "ResultsDock", "LogDock"};
  for (auto* d : docks_)
    if (d->objectName() == QLatin1String(names[int(panel)])) {
      d->show();
      d->raise();
    }
}

void MainWindow::chooseModel() {
  const QStringList recent = prefs_.recentModels;
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Checkpoint Folder"),
                                                        recent.isEmpty() ? QString() : recent.first());
  if (!dir.isEmpty()) openModel(dir);
}

void MainWindow::chooseRun() {
  const QStringList recent = prefs_.recentRuns;
  const QString f = QFileDialog::getOpenFileName(this, tr("Open Run"), recent.isEmpty() ? QString() : recent.first(),
                                                 tr("Runs (*.h5 *.hdf5 *.json);;All files (*)"));
  if (!f.isEmpty()) openRun(f);
}

void MainWindow::openModel(const QString& dir) {
  auto summary = std::make_shared<ModelSummary>();
  WorkbenchBackend* backend = &backend_;
  const std::string path = dir.toStdString();
  // A Hub cache snapshot (models--org--name/snapshots/<commit>) is named by its repo, not by the commit.
  QString name = QFileInfo(dir).fileName();
  const QDir parent = QFileInfo(dir).dir();
  const QString repo = QFileInfo(parent.absolutePath()).dir().dirName();
  if (parent.dirName() == QLatin1String("snapshots") && repo.startsWith(QLatin1String("models--")))
    name = repo.mid(8).replace(QLatin1String("--"), QLatin1String("/"));
  const bool started = runner_->start(
      tr("Loading %1").arg(name),
      [backend, path, summary](const jq::JobContext& job) { *summary = backend->loadModel(path, job); },
      [this, summary, dir] {
        model_->setSummary(*summary);
        activations_->setModel(*summary);
        calibration_->setModelLoaded(true);
        Preferences::pushRecent(prefs_.recentModels, dir);
        updateRecentMenus();
        JQ_INFO("Loaded model " << summary->path << " (" << summary->numLayers << " layers, hidden "
                                << summary->hiddenSize << ")");
      });
  if (!started) showStatus(tr("Wait for the running job to finish, or cancel it."));
}

void MainWindow::openRun(const QString& path) {
  auto run = std::make_shared<RunResult>();
  WorkbenchBackend* backend = &backend_;
  const std::string p = path.toStdString();
  const bool started = runner_->start(
      tr("Opening %1").arg(QFileInfo(path).fileName()),
      [backend, p, run](const jq::JobContext& job) { *run = backend->openRun(p, job); },
      [this, run, path] {
        results_->addRun(*run);
        if (!calibration_->isRunning()) {
          // The panel then shows the run's own settings next to its curves; a re-run writes a new file.
          CalibrationRequest request = run->request;
          request.outputPath.clear();
          if (!request.methods.empty()) calibration_->setRequest(request);
          calibration_->showRun(*run);
        }
        showPanel(Panel::Results);
        Preferences::pushRecent(prefs_.recentRuns, path);
        updateRecentMenus();
      });
  if (!started) showStatus(tr("Wait for the running job to finish, or cancel it."));
}

void MainWindow::showSettings() {
  SettingsDialog dialog(prefs_, this);
  const QString oldLanguage = prefs_.language;
  if (dialog.exec() != QDialog::Accepted) return;
  applyTheme(prefs_.theme);
  calibration_->setRequest(prefs_.calibrationDefaults());
  if (prefs_.language.get() != oldLanguage)
    showStatus(tr("The language changes when the workbench is started again."));
}

void MainWindow::resetLayout() {
  restoreState(defaultState_);
  for (auto* d : docks_) d->show();
  showPanel(Panel::Activations);
  applyDefaultSizes();
}

void MainWindow::onJobStarted(const QString& title) {
  status_->setText(title + QStringLiteral("…"));
  progress_->setRange(0, 0);   // busy until the first report says how far
  progress_->show();
  cancel_->show();
  cancel_->setEnabled(true);
  JQ_INFO("Started: " << title.toStdString());
}

void MainWindow::onProgress(const ProgressInfo& info) {
  if (info.total > 0) {
    progress_->setRange(0, 1000);
    progress_->setValue(int(1000.0 * double(info.current) / double(info.total)));
  }
  status_->setText(info.detail.isEmpty() ? runner_->currentTitle() : runner_->currentTitle() + QStringLiteral(": ") + info.detail);
}

void MainWindow::onJobFinished(const QString& title, JobRunner::Outcome outcome, const QString& message) {
  progress_->hide();
  cancel_->hide();
  switch (outcome) {
    case JobRunner::Outcome::Succeeded:
      showStatus(tr("%1: done").arg(title));
      JQ_INFO("Finished: " << title.toStdString());
      break;
    case JobRunner::Outcome::Cancelled:
      showStatus(tr("%1: cancelled").arg(title));
      JQ_WARN("Cancelled: " << title.toStdString());
      break;
    case JobRunner::Outcome::Failed:
      showStatus(tr("%1: failed").arg(title));
      JQ_ERROR(title.toStdString() << " failed: " << message.toStdString());
      showError(title, message);
      break;
  }
}

void MainWindow::showError(const QString& title, const QString& text) {
  lastError_ = text;
  // Not exec(): a modal loop here would stall the job runner's signals and, in tests, the whole run.
  auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::showStatus(const QString& text) { status_->setText(text); }

QImage MainWindow::grabWindow() {
  QImage image = grab().toImage();
  QPainter p(&image);
  const qreal dpr = image.devicePixelRatio();
  for (auto* surface : findChildren<SurfacePlot*>()) {
    if (!surface->isVisible() || !surface->hasSurface()) continue;
    QWidget* gl = surface->surfaceWidget();
    const QImage shot = surface->grabSurface(gl->size() * dpr);
    if (!shot.isNull()) p.drawImage(QRect(gl->mapTo(this, QPoint(0, 0)), gl->size()), shot);
  }
  return image;
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  // Dock sizes only stick once the window has its final size, a little after the first show.
  if (needDefaultSizes_) QTimer::singleShot(50, this, &MainWindow::applyDefaultSizes);
  needDefaultSizes_ = false;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  runner_->cancel();
  prefs_.windowGeometry = saveGeometry();
  prefs_.windowState = saveState();
  calibration_->saveDefaults();
  prefs_.sync();
  QMainWindow::closeEvent(event);
}

}  // namespace jq::ui
