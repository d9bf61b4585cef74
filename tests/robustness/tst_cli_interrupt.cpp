// Ctrl-C (SIGINT) or SIGTERM sent to a running `jointquant` (app/cli/Interrupt.h) cancels its job: the run ends
// with the usual "cancelled during ..." error, exit status 128 + signal (130 for SIGINT, as shells report it),
// and neither the --json result nor the --run file exists afterwards (they are written only after the work, and
// atomically). The signal is sent once the CLI's progress shows the stage has started, so the job is mid-work.
#include <QtCore/QElapsedTimer>
#include <QtCore/QProcess>
#include <QtTest/QtTest>

#include <cctype>
#include <csignal>
#include <filesystem>
#include <string>

#include "RobustnessSupport.h"

namespace {

namespace fs = std::filesystem;

// Evaluation text long enough that evaluating it takes many seconds: the demo test text, three times over.
std::string longText(const std::string& dir) {
  const std::string text = jq::test::readFile(jq::test::sourceDir() + "/resources/demo-corpus/test.txt");
  const std::string path = dir + "/long.txt";
  jq::test::writeBytes(path, text + "\n\n" + text + "\n\n" + text);
  return path;
}

// True once a progress line of `stage` ("eval", "calibrate.R1") is on stderr (progress lines start with the
// stage name, padded; stderr is not a terminal here, so each report ends with a newline).
bool stageStarted(const QByteArray& err, const QByteArray& stage) {
  for (const QByteArray& line : err.split('\n'))
    if (line.startsWith(stage + ' ') && line.contains('[')) return true;
  return false;
}

}  // namespace

class TestCliInterrupt : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void signalCancelsTheRunAndLeavesNoOutput_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("stage");
    QTest::addColumn<int>("signal");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("eval, SIGINT") << "eval" << "eval" << int(SIGINT) << 130;
    QTest::newRow("eval, SIGTERM") << "eval" << "eval" << int(SIGTERM) << 143;
    QTest::newRow("quantize --run, SIGINT in evaluation") << "quantize" << "eval" << int(SIGINT) << 130;
  }
  void signalCancelsTheRunAndLeavesNoOutput() {
    QFETCH(QString, command);
    QFETCH(QString, stage);
    QFETCH(int, signal);
    QFETCH(int, exitCode);
    std::string tag = QTest::currentDataTag();
    for (char& ch : tag)
      if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '-';
    const std::string dir = jq::test::freshDir("interrupt-" + tag);
    const std::string out = dir + "/out";
    fs::create_directories(out);
    const QString text = QString::fromStdString(longText(dir));
    const QString json = QString::fromStdString(out + "/result.json");
    QStringList args{command, "--model", QString::fromStdString(jq::test::demoModelDir()), "--dataset", text,
                     "--format", "text", "--seqlen", "64", "--dtype", "float32", "--json", json};
    if (command == "quantize")
      args << "--method" << "rtn" << "--w-bits" << "4" << "--a-bits" << "16" << "--run"
           << QString::fromStdString(out + "/run.h5");

    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("OMP_NUM_THREADS", "2");
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(JQ_CLI_PATH), args);
    QVERIFY2(p.waitForStarted(30000), "could not start jointquant");

    // Wait (up to 10 minutes: the sanitizer build tokenizes slowly) until the stage reports progress.
    QByteArray err;
    QElapsedTimer clock;
    clock.start();
    while (!stageStarted(err, stage.toUtf8()) && p.state() == QProcess::Running && clock.elapsed() < 600000) {
      p.waitForReadyRead(200);
      err += p.readAllStandardError();
    }
    QVERIFY2(p.state() == QProcess::Running, ("finished before the stage began: " + err).constData());
    QVERIFY2(stageStarted(err, stage.toUtf8()), ("the stage never began: " + err).constData());
    QVERIFY(::kill(pid_t(p.processId()), signal) == 0);

    QVERIFY2(p.waitForFinished(300000), "did not stop after the signal");
    err += p.readAllStandardError();
    qInfo("%s", err.right(300).constData());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);  // cancelled and returned, not killed by the signal
    QCOMPARE(p.exitCode(), exitCode);
    QVERIFY2(err.contains("jointquant: error: cancelled during"), err.constData());
    QVERIFY2(err.endsWith("\n") && err.count("jointquant: error:") == 1, err.constData());
    QVERIFY2(p.readAllStandardOutput().isEmpty(), "a result was printed");
    // Nothing in the output folder: no result, no run file, no temporary.
    QCOMPARE(jq::test::listDir(out), std::vector<std::string>{});
  }
};

QTEST_GUILESS_MAIN(TestCliInterrupt)
#include "tst_cli_interrupt.moc"
