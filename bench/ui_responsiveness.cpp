// ui_responsiveness: how long can the event loop stall while a calibration streams into the window?
// Runs the real MainWindow offscreen on the real engine (CoreBackend) and the demo model, ticks a 1 ms timer and
// records the gap between ticks: first idle (baseline), then while the model loads, while the activation
// statistics are captured, while a calibration runs (loss curves and progress streaming, evaluation, results
// arriving), and finally how long Cancel takes to end a long calibration.
// `--fake` runs the same on FakeBackend (Llama-3.2-1B-sized synthetic data) instead.
// Prints one JSON object. Not a test: the numbers depend on the machine and on its load (reported too).
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

#include "app/MainWindow.h"
#include "backend/CoreBackend.h"
#include "backend/FakeBackend.h"
#include "panels/ActivationPanel.h"
#include "panels/CalibrationPanel.h"
#include "settings/Preferences.h"

namespace {

// CPU time of the calling thread: separates what the UI thread itself spends from waiting for a CPU on a
// loaded machine (a long gap with little CPU time is the scheduler, not the workbench).
double threadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

double maxOf(const std::vector<double>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }
double percentileOf(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[size_t(p * double(v.size() - 1))];
}

struct Stalls {
  std::vector<double> gaps;   // wall time between ticks
  std::vector<double> busy;   // UI-thread CPU time within each gap
  double max() const { return maxOf(gaps); }
  double percentile(double p) const { return percentileOf(gaps, p); }
  QString json(double seconds) const {
    return QStringLiteral("{\"seconds\": %1, \"ticks\": %2, \"max_stall_ms\": %3, \"p99_stall_ms\": %4, "
                          "\"max_ui_cpu_ms\": %5, \"p99_ui_cpu_ms\": %6}")
        .arg(seconds, 0, 'f', 1)
        .arg(gaps.size())
        .arg(max(), 0, 'f', 2)
        .arg(percentile(0.99), 0, 'f', 2)
        .arg(maxOf(busy), 0, 'f', 2)
        .arg(percentileOf(busy, 0.99), 0, 'f', 2);
  }
};

// Spins the event loop until `done` while a 1 ms timer records the time between its ticks.
template <typename F>
Stalls measure(F done, int limitMs, double* seconds = nullptr) {
  Stalls s;
  QElapsedTimer clock;
  clock.start();
  qint64 last = clock.nsecsElapsed();
  double lastCpu = threadCpuMs();
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  tick.setInterval(1);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    const double cpu = threadCpuMs();
    s.gaps.push_back(double(now - last) / 1e6);
    s.busy.push_back(cpu - lastCpu);
    last = now;
    lastCpu = cpu;
  });
  tick.start();
  while (!done() && clock.elapsed() < limitMs) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
  if (seconds) *seconds = double(clock.elapsed()) / 1000.0;
  return s;
}

double loadAverage() {
  std::ifstream f("/proc/loadavg");
  double l = -1;
  f >> l;
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QCommandLineParser cli;
  QCommandLineOption fake("fake", "Use the synthetic FakeBackend instead of the engine.");
  QCommandLineOption model("model", "Checkpoint folder (default: the demo model).", "dir",
                           QStringLiteral(JQ_SOURCE_DIR "/resources/demo-model"));
  cli.addHelpOption();
  cli.addOptions({fake, model});
  cli.process(app);

  // Evaluation text: the first 64 KiB of the demo test split, so the four evaluations take seconds, not minutes
  // (what is measured is the window, not the perplexity).
  QTemporaryDir tmp;
  const QString modelDir = cli.value(model);
  const QString evalFile = tmp.filePath("eval.txt");
  {
    QFile in(QDir(modelDir).filePath("../demo-corpus/test.txt"));
    QFile out(evalFile);
    if (in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly)) out.write(in.read(64 * 1024));
  }
  std::unique_ptr<jq::ui::WorkbenchBackend> backend;
  if (cli.isSet(fake)) {
    backend = std::make_unique<jq::ui::FakeBackend>();   // hidden 2048, 16 layers, 8 ms per optimizer step
  } else {
    jq::ui::CoreBackend::Options o;
    if (QFile::exists(evalFile)) o.evaluationFiles = {evalFile.toStdString()};
    backend = std::make_unique<jq::ui::CoreBackend>(o);
  }
  jq::ui::Preferences prefs(tmp.filePath("settings.ini"));
  jq::ui::MainWindow window(*backend, prefs);
  window.resize(1400, 880);
  window.show();
  auto* runner = window.runner();
  const double load0 = loadAverage();

  double tIdle = 0, tLoad = 0, tStats = 0, tCalib = 0;
  measure([] { return false; }, 500);   // first show, layout and paint are not "idle"
  const Stalls idle = measure([] { return false; }, 1000, &tIdle);
  window.openModel(cli.isSet(fake) ? QStringLiteral("bench-model") : modelDir);
  const Stalls load = measure([&] { return !runner->isBusy(); }, 120000, &tLoad);
  // The largest site: down_proj (intermediate-size channels) of the last layer.
  window.activationPanel()->selectSite({cli.isSet(fake) ? 15 : 3, "down_proj"});
  const Stalls stats = measure([&] { return !runner->isBusy(); }, 120000, &tStats);

  window.showPanel(jq::ui::MainWindow::Panel::Calibration);
  jq::ui::CalibrationRequest req = window.calibrationPanel()->request();
  req.methods = {"quarot", "dartquant", "independent", "joint"};
  req.epochs = 6;
  req.samples = 8;
  req.seqLen = 256;
  req.outputPath = tmp.filePath("run.h5").toStdString();
  window.calibrationPanel()->setRequest(req);
  window.calibrationPanel()->start();
  const Stalls calib = measure([&] { return !runner->isBusy(); }, 600000, &tCalib);
  const int calibPoints = window.calibrationPanel()->livePointCount();

  req.epochs = 1000;
  window.calibrationPanel()->setRequest(req);
  window.calibrationPanel()->start();
  measure([] { return false; }, 3000);
  QElapsedTimer cancelClock;
  cancelClock.start();
  runner->cancel();
  runner->waitForIdle(30000);
  const double cancelMs = double(cancelClock.nsecsElapsed()) / 1e6;

  std::printf(
      "{\"bench\": \"ui_responsiveness\", \"backend\": \"%s\", \"platform\": \"%s\", \"cpus\": %d,\n"
      " \"load_average_1min\": {\"start\": %.2f, \"end\": %.2f},\n"
      " \"idle\": %s,\n \"model_load\": %s,\n \"statistics_job\": %s,\n"
      " \"calibration\": %s, \"calibration_points\": %d,\n"
      " \"cancel_latency_ms\": %.1f}\n",
      backend->description().c_str(), qPrintable(QGuiApplication::platformName()), QThread::idealThreadCount(),
      load0, loadAverage(), qPrintable(idle.json(tIdle)), qPrintable(load.json(tLoad)),
      qPrintable(stats.json(tStats)), qPrintable(calib.json(tCalib)), calibPoints, cancelMs);
  return 0;
}
