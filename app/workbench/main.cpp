// jointquant-workbench: command line and wiring only; everything else lives in jq::ui.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>

#include "app/Language.h"
#include "app/MainWindow.h"
#include "app/Theme.h"
#include "backend/CoreBackend.h"
#include "backend/FakeBackend.h"
#include "jobs/JobRunner.h"
#include "panels/ActivationPanel.h"
#include "panels/CalibrationPanel.h"
#include "report/ReportBuilder.h"
#include "settings/Preferences.h"

namespace {

bool hasArg(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i)
    if (QByteArray(argv[i]).startsWith(name)) return true;
  return false;
}

void settle(int ms) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < ms) QApplication::processEvents(QEventLoop::AllEvents, 20);
}

}  // namespace

// --report: read the run files, write the report, show no window.
int writeReport(const QStringList& runs, const QString& out, int dpi, bool computeStats) {
  if (runs.isEmpty() || out.isEmpty()) {
    std::fprintf(stderr, "jointquant-workbench: --report needs at least one run file and --out FILE\n");
    return 2;
  }
  try {
    jq::ui::ReportReadOptions options;
    options.computeMissingStats = computeStats;
    jq::ui::ReportBuilder builder(options);
    for (const QString& run : runs) {
      std::fprintf(stderr, "reading %s\n", qPrintable(run));
      builder.addRun(run);
    }
    for (const QString& f : builder.write(out, dpi)) std::printf("wrote %s\n", qPrintable(f));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jointquant-workbench: %s\n", e.what());
    return 1;
  }
}

int main(int argc, char** argv) {
  // --screenshot renders without a display unless one is there (e.g. under xvfb-run, which also gives GL);
  // --report never needs one.
  if ((hasArg(argc, argv, "--screenshot") && qEnvironmentVariableIsEmpty("DISPLAY") &&
       qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) ||
      (hasArg(argc, argv, "--report") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName("JointQuant");
  QApplication::setApplicationName("JointQuant Workbench");
  QApplication::setApplicationVersion("0.1.0");

  QCommandLineParser cli;
  cli.setApplicationDescription(QApplication::translate("main", "Workbench for W4A4 quantization with learned rotations"));
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption language("language", QApplication::translate("main", "User interface language: en or zh_CN."), "lang");
  QCommandLineOption model("model", QApplication::translate("main", "Open this checkpoint folder at start."), "dir");
  QCommandLineOption screenshot("screenshot", QApplication::translate("main", "Render the window to this PNG and exit."), "png");
  QCommandLineOption panel("panel", QApplication::translate("main", "Panel to show: model, activations, calibration, results, log."), "name");
  QCommandLineOption tab("tab", QApplication::translate("main", "Activations tab: channels, heatmap, layers, box, histogram, 3d."), "name");
  QCommandLineOption theme("theme", QApplication::translate("main", "light or dark (default: the saved setting)."), "theme");
  QCommandLineOption size("size", QApplication::translate("main", "Window size for --screenshot, e.g. 1400x880."), "WxH", "1400x880");
  QCommandLineOption demo("demo", QApplication::translate("main", "Run on synthetic data (no model is computed); with --screenshot, also take the tour."));
  QCommandLineOption tour("tour", QApplication::translate("main", "With --screenshot: inspect a layer and run two short calibrations first."));
  QCommandLineOption layer("layer", QApplication::translate("main", "Layer the tour inspects (default: 11 with --demo, else 1)."), "n");
  QCommandLineOption evalData("eval", QApplication::translate("main", "Evaluation text for calibrations, or a data set id (wikitext2, ptb, c4[:split]) from the Hugging Face cache (default: the demo corpus next to the model)."), "file");
  QCommandLineOption fresh("fresh-settings", QApplication::translate("main", "Ignore saved settings (use a temporary settings file)."));
  QCommandLineOption allTabs("all-views", QApplication::translate("main", "With --screenshot PREFIX: save every panel and tab as PREFIX-<view>.png."));
  QCommandLineOption openRun("open-run", QApplication::translate("main", "Open this run file at start (may be repeated); with --screenshot, instead of the tour's calibrations."), "run.h5");
  QCommandLineOption report("report", QApplication::translate("main", "Write a report of this run file (more run files may follow) to --out, without a window."), "run.h5");
  QCommandLineOption outFile("out", QApplication::translate("main", "Report file: .pdf, .html, or .png (one file per page; %d is the page number)."), "file");
  QCommandLineOption dpi("dpi", QApplication::translate("main", "Resolution of PNG report pages."), "dpi", "150");
  QCommandLineOption noStats("no-computed-stats", QApplication::translate("main", "In a report, do not compute activation statistics a run file lacks from its model."));
  cli.addOptions({language, model, screenshot, panel, tab, theme, size, demo, tour, layer, evalData, fresh, allTabs,
                  openRun, report, outFile, dpi, noStats});
  cli.addPositionalArgument("runs", QApplication::translate("main", "With --report: further run files."), "[run2.h5 …]");
  cli.process(app);

  std::unique_ptr<jq::ui::Preferences> prefs;
  if (cli.isSet(fresh) || cli.isSet(screenshot))
    prefs = std::make_unique<jq::ui::Preferences>(QDir::temp().filePath(
        QStringLiteral("jointquant-workbench-%1.ini").arg(QApplication::applicationPid())));
  else
    prefs = std::make_unique<jq::ui::Preferences>();
  const QString lang = cli.isSet(language) ? cli.value(language) : prefs->language.get();
  jq::ui::installLanguage(lang);
  jq::ui::applyTheme(cli.isSet(theme) ? cli.value(theme) : prefs->theme.get());
  if (cli.isSet(report))
    return writeReport(cli.values(report) + cli.positionalArguments(), cli.value(outFile), cli.value(dpi).toInt(),
                       !cli.isSet(noStats));

  // The engine by default; --demo swaps in synthetic data (no LibTorch work, for UI development).
  std::unique_ptr<jq::ui::WorkbenchBackend> backend;
  if (cli.isSet(demo)) {
    backend = std::make_unique<jq::ui::FakeBackend>();
  } else {
    jq::ui::CoreBackend::Options options;
    if (cli.isSet(evalData)) options.evaluationFiles = {cli.value(evalData).toStdString()};
    options.calibrationFile = prefs->calibrationData.get().toStdString();
    options.device = prefs->device.get().toStdString();
    backend = std::make_unique<jq::ui::CoreBackend>(options);
  }
  jq::ui::MainWindow window(*backend, *prefs);
  if (cli.isSet(screenshot)) {
    const QStringList wh = cli.value(size).split('x');
    window.resize(wh.value(0).toInt() > 0 ? wh.value(0).toInt() : 1400, wh.value(1).toInt() > 0 ? wh.value(1).toInt() : 880);
  }
  window.show();

  const QString modelDir = cli.isSet(model) ? cli.value(model) : (cli.isSet(demo) ? QStringLiteral("demo-model") : QString());
  auto* runner = window.runner();
  if (!modelDir.isEmpty()) window.openModel(modelDir);
  if (!cli.isSet(screenshot)) {
    // Jobs run one at a time: each run file opens when the previous job has ended.
    auto pending = std::make_shared<QStringList>(cli.values(openRun));
    auto next = [&window, runner, pending] {
      if (!pending->isEmpty() && !runner->isBusy()) window.openRun(pending->takeFirst());
    };
    QObject::connect(runner, &jq::ui::JobRunner::finished, &window, [next] { QTimer::singleShot(0, next); });
    next();
    return app.exec();
  }

  // Screenshot mode: let jobs finish, optionally populate every panel, then render and quit.
  runner->waitForIdle(30000);
  for (const QString& run : cli.values(openRun)) {
    window.openRun(run);
    runner->waitForIdle(60000);
  }
  if (cli.isSet(openRun) && !cli.isSet(demo)) {
    window.activationPanel()->selectSite({cli.isSet(layer) ? cli.value(layer).toInt() : 1, "q_proj"});
    runner->waitForIdle(120000);
  } else if (cli.isSet(demo) || cli.isSet(tour)) {
    const int tourLayer = cli.isSet(layer) ? cli.value(layer).toInt() : (cli.isSet(demo) ? 11 : 1);
    window.activationPanel()->selectSite({tourLayer, "q_proj"});
    runner->waitForIdle(60000);
    jq::ui::CalibrationRequest req = window.calibrationPanel()->request();
    req.epochs = 4;
    if (!cli.isSet(demo)) {
      // Real computation: a few short windows keep the tour to a minute or two on a CPU.
      req.samples = 8;
      req.seqLen = 256;
    }
    req.outputPath = QDir::temp().filePath("jointquant-demo-run.h5").toStdString();
    window.calibrationPanel()->setRequest(req);
    window.calibrationPanel()->start();
    runner->waitForIdle(120000);
    // A second run with GPTQ weights, so the results overlay two runs.
    req.weightQuantizer = "gptq";
    req.epochs = 2;
    req.outputPath = QDir::temp().filePath("jointquant-demo-run-gptq.h5").toStdString();
    window.calibrationPanel()->setRequest(req);
    window.calibrationPanel()->start();
    runner->waitForIdle(120000);
  }
  auto show = [&](const QString& panelName, const QString& tabName) {
    using P = jq::ui::MainWindow::Panel;
    using T = jq::ui::ActivationPanel::Tab;
    const QString p = panelName.toLower();
    if (p == "model") window.showPanel(P::Model);
    else if (p == "calibration") window.showPanel(P::Calibration);
    else if (p == "results") window.showPanel(P::Results);
    else if (p == "log") window.showPanel(P::Log);
    else window.showPanel(P::Activations);
    const QString t = tabName.toLower();
    window.activationPanel()->showTab(t == "heatmap"     ? T::HeatmapTab
                                      : t == "layers"    ? T::LayersTab
                                      : t == "box"       ? T::BoxTab
                                      : t == "histogram" ? T::HistogramTab
                                      : t == "3d"        ? T::SurfaceTab
                                                         : T::ChannelsTab);
    settle(1200);   // deferred layout, re-decimation and GL frames
  };
  auto save = [&](const QString& path) {
    const QImage shot = window.grabWindow();
    if (shot.isNull() || !shot.save(path)) {
      std::fprintf(stderr, "could not write %s\n", qPrintable(path));
      return false;
    }
    std::printf("wrote %s (%dx%d)\n", qPrintable(path), shot.width(), shot.height());
    return true;
  };
  bool ok = true;
  const QString out = cli.value(screenshot);
  if (cli.isSet(allTabs)) {
    // OUT is a prefix: OUT-activations.png, OUT-heatmap.png, ...
    const QList<QPair<QString, QString>> views{{"activations", "channels"}, {"activations", "heatmap"},
                                               {"activations", "layers"},   {"activations", "box"},
                                               {"activations", "histogram"}, {"activations", "3d"},
                                               {"calibration", ""},          {"results", ""}};
    for (const auto& [p, t] : views) {
      show(p, t);
      ok = save(QStringLiteral("%1-%2.png").arg(out, p == "activations" ? t : p)) && ok;
    }
  } else {
    show(cli.value(panel), cli.value(tab));
    ok = save(out);
  }
  window.close();
  QFile::remove(prefs->settings().fileName());
  return ok ? 0 : 1;
}
