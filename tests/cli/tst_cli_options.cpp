// The options of the commands that build a jq::RunConfig (quantize, compare, export, eval-rotations) come from one
// list (app/cli/RunConfigOptions.h). These tests keep it that way: each command's --help lists every shared option,
// each accepts --max-windows, and export honours it like quantize does.
#include <QtCore/QProcess>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "RunConfigOptions.h"
#include "support/TestData.h"

namespace {

struct Run {
  int exitCode = -1;
  bool crashed = false;
  QString out, err;
};

Run jointquant(const QStringList& args) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("OMP_NUM_THREADS", "2");
  env.insert("HF_HUB_OFFLINE", "1");  // never reach for the network
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(JQ_CLI_PATH), args);
  Run r;
  if (!p.waitForStarted(30000)) return r;
  p.waitForFinished(300000);
  r.crashed = p.exitStatus() == QProcess::CrashExit;
  r.exitCode = p.exitCode();
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

// The option names of `jointquant <command> --help` ("  --name VALUE   help").
std::set<QString> helpOptions(const QString& command) {
  const Run r = jointquant({command, "--help"});
  std::set<QString> names;
  if (r.exitCode != 0) return names;
  for (const QString& line : r.out.split('\n')) {
    if (!line.startsWith("  --")) continue;
    names.insert(line.mid(4).section(' ', 0, 0));
  }
  names.erase("help");
  return names;
}

}  // namespace

class TestCliOptions : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void commandsShareTheRunConfigOptions_data() {
    QTest::addColumn<QString>("command");
    for (const char* c : {"quantize", "compare", "export", "eval-rotations"}) QTest::newRow(c) << QString(c);
  }
  void commandsShareTheRunConfigOptions() {
    QFETCH(QString, command);
    const std::vector<jq::cli::OptionSpec> shared =
        jq::cli::concat(jq::cli::modelOptions(), jq::cli::runConfigOptions());
    QVERIFY(shared.size() > 30);
    const std::set<QString> have = helpOptions(command);
    QStringList missing;
    for (const auto& o : shared)
      if (!have.count(QString::fromStdString(o.name))) missing << QString::fromStdString("--" + o.name);
    QVERIFY2(missing.isEmpty(), qPrintable(command + " lacks " + missing.join(", ")));
  }

  // The parser is strict: an option a command does not declare fails before --help is answered.
  void everyCommandAcceptsMaxWindows_data() {
    QTest::addColumn<QString>("command");
    for (const char* c : {"eval", "quantize", "compare", "export", "eval-rotations"}) QTest::newRow(c) << QString(c);
  }
  void everyCommandAcceptsMaxWindows() {
    QFETCH(QString, command);
    const Run r = jointquant({command, "--max-windows", "3", "--help"});
    QVERIFY2(!r.crashed, qPrintable(r.err));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("--max-windows N"), qPrintable(r.out));
  }

  // --max-windows limits the evaluation of export as it does quantize's (one window of 64 tokens each here).
  void maxWindowsLimitsTheEvaluation_data() {
    QTest::addColumn<QString>("command");
    QTest::newRow("quantize") << "quantize";
    QTest::newRow("export") << "export";
  }
  void maxWindowsLimitsTheEvaluation() {
    QFETCH(QString, command);
    const QString dir = QString::fromStdString(jq::test::tempDir());
    const QString corpus = QString::fromStdString(jq::test::sourceDir() + "/resources/demo-corpus/test.txt");
    QStringList args = {command, "--quiet", "--model", QString::fromStdString(jq::test::demoModelDir()),
                        "--method", "fp", "--w-bits", "16", "--a-bits", "16", "--dtype", "float32",
                        "--dataset", corpus, "--seqlen", "64", "--max-windows", "1"};
    if (command == "export") args << "--out" << dir + "/exported";
    const Run r = jointquant(args);
    QVERIFY2(!r.crashed && r.exitCode == 0, qPrintable(r.err));
    const nlohmann::json j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j.at("datasets").at(0).at("windows").get<int64_t>(), int64_t(1));
    QCOMPARE(j.at("settings").at("max_eval_windows").get<int64_t>(), int64_t(1));
  }
};

QTEST_GUILESS_MAIN(TestCliOptions)
#include "tst_cli_options.moc"
