// The window end to end on FakeBackend: panels build, a model fills the views, a calibration streams and
// ends in the results, Cancel stops it, failures become messages, logs reach the log panel.
#include <QtTest/QtTest>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QtCharts/QChart>

#include <set>
#include <thread>

#include "app/MainWindow.h"
#include "app/Theme.h"
#include "backend/FakeBackend.h"
#include "common/Log.h"
#include "panels/ActivationPanel.h"
#include "panels/CalibrationPanel.h"
#include "panels/LogPanel.h"
#include "panels/ModelPanel.h"
#include "panels/ResultsPanel.h"
#include "plot/ChartPlot.h"
#include "plot/HeatmapPlot.h"
#include "settings/Preferences.h"
#include "support/TestData.h"

using namespace jq::ui;

namespace {

FakeBackend::Options options(int stepDelayMs) {
  FakeBackend::Options o;
  o.hiddenSize = 256;
  o.intermediateSize = 1024;
  o.numLayers = 4;
  o.tokens = 64;
  o.sampleTokens = 32;
  o.stepsPerEpoch = 10;
  o.stepDelayMs = stepDelayMs;
  o.loadDelayMs = 20;
  return o;
}

// Lets queued signals arrive until `done` or the (generous) limit; the limit only guards against hangs.
template <typename F>
bool spinUntil(F done, int limitMs = 20000) {
  QElapsedTimer t;
  t.start();
  while (!done() && t.elapsed() < limitMs) QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
  return done();
}

}  // namespace

class TestWorkbench : public QObject {
  Q_OBJECT
  std::unique_ptr<Preferences> prefs_;
  std::unique_ptr<FakeBackend> backend_;
  std::unique_ptr<MainWindow> window_;

  void makeWindow(int stepDelayMs = 1) {
    window_.reset();
    backend_ = std::make_unique<FakeBackend>(options(stepDelayMs));
    window_ = std::make_unique<MainWindow>(*backend_, *prefs_);
    window_->resize(1200, 800);
    window_->show();
  }
  void loadModel() {
    window_->openModel("demo-model");
    QVERIFY(window_->runner()->waitForIdle(20000));
    QVERIFY(window_->modelPanel()->hasModel());
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    prefs_ = std::make_unique<Preferences>(QString::fromStdString(jq::test::tempDir()) + "/workbench.ini");
  }
  void cleanup() { window_.reset(); }

  void panelsBuild() {
    makeWindow();
    const auto docks = window_->findChildren<QDockWidget*>();
    QCOMPARE(docks.size(), 5);
    for (auto* d : docks) QVERIFY2(!d->objectName().isEmpty(), "docks need names for saveState()");
    QVERIFY(window_->modelPanel() && window_->activationPanel() && window_->calibrationPanel() &&
            window_->resultsPanel() && window_->logPanel());
    QVERIFY(!window_->progressBar()->isVisible());
    QVERIFY(!window_->cancelButton()->isVisible());
    // Standard shortcuts on the File menu.
    std::set<QString> shortcuts;
    for (auto* menu : window_->menuBar()->findChildren<QMenu*>())
      for (auto* a : menu->actions()) shortcuts.insert(a->shortcut().toString());
    QVERIFY(shortcuts.count(QKeySequence(QKeySequence::Open).toString()));
    QVERIFY(shortcuts.count(QKeySequence(QKeySequence::Quit).toString()));
    QVERIFY(shortcuts.count(QKeySequence(Qt::Key_F5).toString()));
  }

  void loadingAModelFillsTheViews() {
    makeWindow();
    loadModel();
    ModelPanel* m = window_->modelPanel();
    QCOMPARE(m->fieldText("hidden"), QString("256"));
    QCOMPARE(m->fieldText("layers"), QString("4"));
    QCOMPARE(m->fieldText("heads"), QString("4"));   // hidden / head_dim 64
    // Tied embedding + 4 × (q,o: h² each; k,v: h·kv·d each; gate,up,down: h·i each; 2 norms) + final norm.
    const qint64 h = 256, i = 1024, kv = 64, L = 4, vocab = 128256;
    const qint64 params = vocab * h + L * (2 * h * h + 2 * h * kv + 3 * h * i + 2 * h) + h;
    QVERIFY2(m->fieldText("params").contains(QLocale().toString(params)), qPrintable(m->fieldText("params")));
    QCOMPARE(ModelPanel::formatCount(1235814400), QString("1.24 B"));
    QCOMPARE(ModelPanel::formatBytes(uint64_t(2) * 1024 * 1024 * 1024 + 512 * 1024 * 1024), QString("2.50 GiB"));

    ActivationPanel* a = window_->activationPanel();
    QCOMPARE(a->visibleSiteCount(), 16);   // 4 layers × q/o/up/down
    a->setFilter("down");
    QCOMPARE(a->visibleSiteCount(), 4);
    a->setFilter("");
    a->selectSite({3, "q_proj"});
    QVERIFY(window_->runner()->waitForIdle(20000));
    QVERIFY(a->hasData());

    // The highlighted top-k of the "before" chart are the planted outlier channels (unsorted: x = channel id).
    const ChartSpec before = a->channelPlot(jq::ui::Basis::Original)->spec();
    QCOMPARE(int(before.series.size()), 2);
    QCOMPARE(int(before.series[0].x.size()), 256);
    std::set<int> highlighted;
    for (double x : before.series[1].x) highlighted.insert(int(x));
    for (int c : backend_->plantedOutlierChannels()) QVERIFY2(highlighted.count(c), qPrintable(QString::number(c)));
    // Both sides share one y range so the flattening is visible.
    const ChartSpec after = a->channelPlot(jq::ui::Basis::Rotated)->spec();
    QVERIFY(before.yRange && after.yRange);
    QCOMPARE(before.yRange->second, after.yRange->second);
    const double maxBefore = *std::max_element(before.series[0].y.begin(), before.series[0].y.end());
    const double maxAfter = *std::max_element(after.series[0].y.begin(), after.series[0].y.end());
    QVERIFY(maxAfter < maxBefore / 3);

    QCOMPARE(a->heatmap(jq::ui::Basis::Original)->data().rows, 32);
    QCOMPARE(a->heatmap(jq::ui::Basis::Original)->data().cols, 256);
    QCOMPARE(a->heatmap(jq::ui::Basis::Original)->colorRange(), a->heatmap(jq::ui::Basis::Rotated)->colorRange());
    QCOMPARE(int(a->layersPlot()->spec().series[0].x.size()), 4);
    QCOMPARE(a->boxPlot()->spec().categories.size(), 4);
    QCOMPARE(int(a->boxPlot()->spec().boxes.size()), 2);
    QCOMPARE(int(a->histogramPlot()->spec().series.size()), 2);

    // Sorting puts the largest channel first; the readout still names the real channel id.
    a->setSorted(true);
    const ChartSpec sorted = a->channelPlot(jq::ui::Basis::Original)->spec();
    QCOMPARE(sorted.series[0].y.front(), maxBefore);
    QVERIFY(std::is_sorted(sorted.series[0].y.rbegin(), sorted.series[0].y.rend()));
    a->setLogScale(true);
    QVERIFY(a->channelPlot(jq::ui::Basis::Original)->spec().logY);
  }

  void zoomIsSynchronisedBeforeAndAfter() {
    makeWindow();
    loadModel();
    window_->activationPanel()->selectSite({1, "up_proj"});
    QVERIFY(window_->runner()->waitForIdle(20000));
    ChartPlot* b = window_->activationPanel()->channelPlot(jq::ui::Basis::Original);
    ChartPlot* r = window_->activationPanel()->channelPlot(jq::ui::Basis::Rotated);
    b->chart()->zoomIn(QRectF(b->chart()->plotArea().center() - QPointF(40, 40), QSizeF(80, 80)));
    QVERIFY(b->viewRange().has_value());
    QVERIFY(r->viewRange().has_value());
    QCOMPARE(r->viewRange()->left(), b->viewRange()->left());
    QCOMPARE(r->viewRange()->right(), b->viewRange()->right());
    b->resetZoom();
    QVERIFY(!r->viewRange().has_value());
  }

  void calibrationStreamsAndEndsInResults() {
    makeWindow();
    loadModel();
    CalibrationPanel* c = window_->calibrationPanel();
    CalibrationRequest req = c->request();
    req.methods = {"fp", "quarot", "joint"};
    req.epochs = 2;
    req.outputPath = jq::test::tempDir() + "/run-a.h5";
    c->setRequest(req);
    c->start();
    QVERIFY(c->isRunning());
    QVERIFY(window_->cancelButton()->isVisibleTo(window_.get()));
    QVERIFY(window_->runner()->waitForIdle(30000));
    QVERIFY(!c->isRunning());
    QCOMPARE(c->livePointCount(), 2 * 10);   // streamed while running: epochs × steps of "joint"
    QCOMPARE(int(window_->resultsPanel()->runs().size()), 1);
    QCOMPARE(int(window_->resultsPanel()->runs()[0].methods.size()), 3);
    QCOMPARE(window_->resultsPanel()->table()->rowCount(), 3);
    QCOMPARE(c->metricsTable()->rowCount(), 2 * 4);   // quarot and joint × 4 layers
    const ChartSpec loss = c->lossPlot()->spec();
    QCOMPARE(int(loss.series.size()), 1);
    QCOMPARE(loss.series[0].name, QString("joint"));
    QCOMPARE(int(loss.series[0].x.size()), 20);
    QVERIFY(!window_->progressBar()->isVisibleTo(window_.get()));

    // Opening the saved run overlays it: two bar sets over the same methods.
    window_->openRun(QString::fromStdString(req.outputPath));
    QVERIFY(window_->runner()->waitForIdle(20000));
    QCOMPARE(int(window_->resultsPanel()->runs().size()), 2);
    const ChartSpec bars = window_->resultsPanel()->chart()->spec();
    QCOMPARE(int(bars.bars.size()), 2);
    QCOMPARE(bars.categories, (QStringList{"fp", "quarot", "joint"}));
    QCOMPARE(bars.bars[0].values, bars.bars[1].values);
    QVERIFY(prefs_->recentRuns.get().contains(QString::fromStdString(req.outputPath)));
  }

  void cancelStopsALongCalibration() {
    makeWindow(20);   // 20 ms per step: the full run below would take 500 × 10 × 20 ms = 100 s
    loadModel();
    CalibrationPanel* c = window_->calibrationPanel();
    CalibrationRequest req = c->request();
    req.methods = {"joint"};
    req.epochs = 500;
    c->setRequest(req);
    c->start();
    QVERIFY(spinUntil([&] { return c->livePointCount() > 0; }));
    QElapsedTimer t;
    t.start();
    QTest::mouseClick(window_->cancelButton(), Qt::LeftButton);
    QVERIFY(window_->runner()->waitForIdle(10000));   // a safety limit far below the 100 s run
    qInfo("cancel returned after %lld ms", t.elapsed());
    QVERIFY(!c->isRunning());
    QVERIFY(window_->resultsPanel()->runs().empty());   // a cancelled run shows no results
    QVERIFY(window_->findChildren<QMessageBox*>().isEmpty());   // cancelling is not an error
    QVERIFY(spinUntil([&] { return window_->logPanel()->text().contains("Cancelled: Calibration"); }));
  }

  void jobFailureBecomesAMessage() {
    makeWindow();
    window_->openRun("/nonexistent-jq/run.h5");
    QVERIFY(window_->runner()->waitForIdle(20000));
    QVERIFY(window_->lastError().contains("/nonexistent-jq/run.h5"));
    QVERIFY(spinUntil([&] {
      for (auto* box : window_->findChildren<QMessageBox*>())
        if (box->isVisible() && box->text().contains("/nonexistent-jq/run.h5")) return true;
      return false;
    }));
  }

  void logsFromWorkerThreadsReachThePanel() {
    makeWindow();
    std::thread worker([] { JQ_WARN("message from a worker thread 4711"); });
    worker.join();
    QVERIFY(spinUntil([&] { return window_->logPanel()->text().contains("message from a worker thread 4711"); }));
  }

  void themeSwitchRethemesCharts() {
    makeWindow();
    applyTheme("dark");
    QVERIFY(spinUntil([&] {
      return window_->resultsPanel()->chart()->chart()->theme() == QChart::ChartThemeDark;
    }));
    applyTheme("light");
    QVERIFY(spinUntil([&] {
      return window_->resultsPanel()->chart()->chart()->theme() == QChart::ChartThemeLight;
    }));
  }

  void dockLayoutIsRestored() {
    makeWindow();
    auto logDock = [&] { return window_->findChild<QDockWidget*>("LogDock"); };
    logDock()->hide();
    window_->close();   // saves geometry and dock state
    makeWindow();
    QVERIFY(!logDock()->isVisible());
    window_->resetLayout();
    QVERIFY(logDock()->isVisible());
  }
};

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
