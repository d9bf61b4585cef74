// ui_responsiveness: how long can the event loop stall while a calibration streams into the window?
// Runs the real MainWindow on FakeBackend (Llama-3.2-1B-sized synthetic data) offscreen, ticks a 1 ms timer
// and records the gap between ticks, first idle (baseline), then while loading statistics and calibrating
// (loss curves and progress streaming), then measures how long Cancel takes to end the job.
// Prints one JSON object. Not a test: numbers depend on the machine.
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "app/MainWindow.h"
#include "backend/FakeBackend.h"
#include "panels/ActivationPanel.h"
#include "panels/CalibrationPanel.h"
#include "settings/Preferences.h"

namespace {

struct Stalls {
  std::vector<double> gaps;
  double max() const { return gaps.empty() ? 0 : *std::max_element(gaps.begin(), gaps.end()); }
  double percentile(double p) const {
    if (gaps.empty()) return 0;
    auto v = gaps;
    std::sort(v.begin(), v.end());
    return v[size_t(p * double(v.size() - 1))];
  }
};

// Spins the event loop until `done` while a 1 ms timer records the time between its ticks.
template <typename F>
Stalls measure(F done, int limitMs) {
  Stalls s;
  QElapsedTimer clock;
  clock.start();
  qint64 last = clock.nsecsElapsed();
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  tick.setInterval(1);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    s.gaps.push_back(double(now - last) / 1e6);
    last = now;
  });
  tick.start();
  while (!done() && clock.elapsed() < limitMs) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  jq::ui::FakeBackend::Options opt;   // hidden 2048, 16 layers, 8 ms per optimizer step
  jq::ui::FakeBackend backend(opt);
  jq::ui::Preferences prefs(QDir::temp().filePath(QStringLiteral("jq-ui-bench-%1.ini").arg(QCoreApplication::applicationPid())));
  jq::ui::MainWindow window(backend, prefs);
  window.resize(1400, 880);
  window.show();
  auto* runner = window.runner();

  const Stalls idle = measure([] { return false; }, 1000);
  window.openModel("bench-model");
  runner->waitForIdle(60000);
  window.activationPanel()->selectSite({15, "down_proj"});   // the largest site: 8192 channels
  const Stalls stats = measure([&] { return !runner->isBusy(); }, 60000);

  window.showPanel(jq::ui::MainWindow::Panel::Calibration);
  jq::ui::CalibrationRequest req = window.calibrationPanel()->request();
  req.methods = {"quarot", "dartquant", "independent", "joint"};
  req.epochs = 6;
  req.outputPath = QDir::temp().filePath("jq-ui-bench-run.h5").toStdString();
  window.calibrationPanel()->setRequest(req);
  window.calibrationPanel()->start();
  const Stalls calib = measure([&] { return !runner->isBusy(); }, 120000);
  const int calibPoints = window.calibrationPanel()->livePointCount();

  req.epochs = 1000;
  window.calibrationPanel()->setRequest(req);
  window.calibrationPanel()->start();
  measure([] { return false; }, 1500);
  QElapsedTimer cancelClock;
  cancelClock.start();
  runner->cancel();
  runner->waitForIdle(30000);
  const double cancelMs = double(cancelClock.nsecsElapsed()) / 1e6;

  std::printf(
      "{\"bench\": \"ui_responsiveness\", \"platform\": \"%s\",\n"
      " \"idle\": {\"ticks\": %zu, \"max_stall_ms\": %.2f, \"p99_stall_ms\": %.2f},\n"
      " \"statistics_job\": {\"ticks\": %zu, \"max_stall_ms\": %.2f, \"p99_stall_ms\": %.2f},\n"
      " \"calibration\": {\"ticks\": %zu, \"max_stall_ms\": %.2f, \"p99_stall_ms\": %.2f, \"points\": %d},\n"
      " \"cancel_latency_ms\": %.1f}\n",
      qPrintable(QGuiApplication::platformName()), idle.gaps.size(), idle.max(), idle.percentile(0.99),
      stats.gaps.size(), stats.max(), stats.percentile(0.99), calib.gaps.size(), calib.max(), calib.percentile(0.99),
      calibPoints, cancelMs);
  QFile::remove(prefs.settings().fileName());
  QFile::remove(QString::fromStdString(req.outputPath));
  return 0;
}
