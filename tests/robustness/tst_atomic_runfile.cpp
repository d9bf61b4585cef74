// Run files are replaced atomically: a writer killed with SIGKILL at a random moment (no destructor, no cleanup)
// leaves the previous complete file or the new complete one, never a mix or a damaged file. A child process
// rewrites a 2 MB run file in a loop; each generation's content is self-describing (config and every R1 entry
// hold the generation number), so a torn file cannot pass for a whole one.
#include <QtCore/QProcess>
#include <QtCore/QRandomGenerator>
#include <QtCore/QThread>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <set>

#include "RobustnessSupport.h"
#include "common/Error.h"
#include "io/RunFile.h"

namespace {

constexpr int kSide = 512;  // R1 of 512×512 float64: 2 MB, long enough to be killed in the middle of

// The generation held by the file, after checking that everything in it agrees.
long checkedGeneration(const std::string& path) {
  jq::RunFileReader r(path);
  const long g = nlohmann::json::parse(r.configJson()).at("generation").get<long>();
  const at::Tensor r1 = r.r1();
  if (r1.sizes() != at::IntArrayRef({kSide, kSide}) || !at::all(r1.eq(double(g))).item<bool>())
    throw std::runtime_error("R1 does not belong to generation " + std::to_string(g));
  const auto t = r.timings();
  if (t.size() != 1 || t[0].seconds != double(g)) throw std::runtime_error("timings do not match the generation");
  return g;
}

std::set<long> generationsIn(const QString& out, const QString& word) {
  std::set<long> gs;
  for (const QString& line : out.split('\n'))
    if (line.startsWith(word + " ")) gs.insert(line.mid(word.size() + 1).toLong());
  return gs;
}

}  // namespace

class TestAtomicRunFile : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void sigkillMidWriteKeepsAWholeFile() {
    const std::string dir = jq::test::freshDir("atomic");
    const std::string path = dir + "/run.h5";
    const QString child = QStringLiteral(JQ_WRITER_CHILD);
    const QString side = QString::number(kSide);

    // Generation 1, written to the end.
    const jq::test::CliResult first = jq::test::runProgram(child, {QString::fromStdString(path), "1", "1", side});
    QVERIFY2(first.exitCode == 0 && !first.crashed, first.err.c_str());
    long known = checkedGeneration(path);
    QCOMPARE(known, 1L);

    QRandomGenerator rng(20240607);
    int killedWithTemporary = 0;
    const int rounds = 12;
    for (int round = 1; round <= rounds; ++round) {
      const long start = 100L * round;
      QProcess p;
      p.start(child, {QString::fromStdString(path), QString::number(start), "0", side});
      QVERIFY(p.waitForStarted(30000));
      // Wait until the child is writing, then let it get a random distance into the write (or the next ones).
      QString out;
      while (!out.contains("writing") && p.state() == QProcess::Running) {
        p.waitForReadyRead(1000);
        out += QString::fromUtf8(p.readAllStandardOutput());
      }
      QThread::msleep(rng.bounded(60));
      p.kill();  // SIGKILL
      QVERIFY(p.waitForFinished(30000));
      out += QString::fromUtf8(p.readAllStandardOutput());

      // Whatever moment the kill hit, the file is whole: the previous generation, one this child committed, or
      // the one it was renaming into place when it died.
      long g = -1;
      try {
        g = checkedGeneration(path);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("round %1: the run file is damaged after SIGKILL: %2").arg(round).arg(e.what())));
      }
      std::set<long> allowed = generationsIn(out, "committed");
      const std::set<long> writing = generationsIn(out, "writing");
      if (!writing.empty()) allowed.insert(*writing.rbegin());
      allowed.insert(known);
      QVERIFY2(allowed.count(g), qPrintable(QString("round %1: generation %2 is neither old nor new").arg(round).arg(g)));
      known = g;

      // No half-written file is visible as a result: the only .h5 is the run file itself; what a kill leaves behind
      // is a temporary "run.h5.tmp-<pid>-<n>", which no reader looks for.
      int temporaries = 0;
      for (const std::string& name : jq::test::listDir(dir)) {
        if (name == "run.h5") continue;
        QVERIFY2(name.rfind("run.h5.tmp-", 0) == 0, name.c_str());
        ++temporaries;
        std::filesystem::remove(dir + "/" + name);
      }
      if (temporaries) ++killedWithTemporary;
    }
    qInfo("%d of %d kills landed while a temporary file was being written", killedWithTemporary, rounds);
  }
};

QTEST_GUILESS_MAIN(TestAtomicRunFile)
#include "tst_atomic_runfile.moc"
