// `jointquant --nproc 2` (launcher mode: two local ranks, Gloo over loopback) against the same command in one
// process, on the demo model: perplexity, and R1/R2 of a small calibration in each R1 mode. The references are the
// single-process run's own outputs; the bounds are float-summation tolerances (ranks only change the order of sums).
// Also checks that only rank 0 printed to stdout and wrote files.
#include <QtTest/QtTest>

#include <QDir>
#include <QProcess>

#include <nlohmann/json.hpp>

#include "dist/DistributedContext.h"
#include "io/RunFile.h"
#include "support/TestData.h"

namespace {

struct Run {
  int exitCode = -1;
  std::string out, err;
};

Run jointquant(const QStringList& args) {
  QProcess p;
  p.start(QStringLiteral(JQ_CLI_PATH), args);
  Run r;
  if (!p.waitForFinished(240000)) {
    p.kill();
    p.waitForFinished();
    r.err = "timed out";
    return r;
  }
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = p.readAllStandardOutput().toStdString();
  r.err = p.readAllStandardError().toStdString();
  return r;
}

QString src(const std::string& rel) { return QString::fromStdString(jq::test::sourceDir() + "/" + rel); }

bool haveGloo() {
  for (const auto& b : jq::availableDistBackends())
    if (b == "gloo") return true;
  return false;
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

QStringList filesIn(const std::string& dir) { return QDir(QString::fromStdString(dir)).entryList(QDir::Files); }

}  // namespace

class TestDistributedRun : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    if (!haveGloo()) QSKIP("this LibTorch build has no Gloo backend: no multi-process test on the CPU");
  }

  void perplexityOfTwoRanksEqualsOneProcess() {
    const QStringList args = {"eval", "--model", QString::fromStdString(jq::test::demoModelDir()), "--dataset",
                              src("resources/demo-corpus/test.txt"), "--format", "text", "--seqlen", "128",
                              "--max-windows", "9", "--quiet"};
    const Run one = jointquant(args);
    QVERIFY2(one.exitCode == 0, one.err.c_str());
    const Run two = jointquant(args + QStringList{"--nproc", "2"});
    QVERIFY2(two.exitCode == 0, two.err.c_str());
    const auto a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(two.out);  // one JSON: rank 0's
    const double p1 = a["perplexity"], p2 = b["perplexity"];
    qInfo("perplexity: 1 process %.12g, 2 ranks %.12g (relative difference %.3g)", p1, p2, std::abs(p2 - p1) / p1);
    QCOMPARE(b["windows"].get<int64_t>(), int64_t(9));  // 9 windows: 4 on rank 0, 5 on rank 1
    QVERIFY(std::abs(p2 - p1) / p1 < 1e-6);
  }

  void calibrationOfTwoRanksEqualsOneProcess_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<bool>("r2");
    QTest::addColumn<QString>("epochs");
    QTest::newRow("joint+R2") << "joint" << true << "2";
    QTest::newRow("dartquant") << "dartquant" << false << "1";
    QTest::newRow("independent") << "independent" << false << "1";
  }
  void calibrationOfTwoRanksEqualsOneProcess() {
    QFETCH(QString, method);
    QFETCH(bool, r2);
    QFETCH(QString, epochs);
    // 6 calibration windows (3 per rank), 1-2 epochs, all items each epoch, batches of 4 items, FP weights and
    // activations: the rotated FP model's perplexity must then also agree.
    QStringList args = {"quantize", "--model", QString::fromStdString(jq::test::demoModelDir()), "--calib",
                        src("resources/demo-corpus/train.txt"), "--dataset", src("resources/demo-corpus/test.txt"),
                        "--format", "text", "--method", method, "--nsamples", "6", "--seqlen", "128", "--epochs", epochs,
                        "--subset", "1", "--batch-items", "4", "--max-windows", "2", "--dtype", "float32",
                        "--w-bits", "16", "--a-bits", "16", "--quiet"};
    if (!r2) args << "--no-r2";
    const std::string dir1 = jq::test::tempDir() + "/one-" + method.toStdString();
    const std::string dir2 = jq::test::tempDir() + "/two-" + method.toStdString();
    QDir().mkpath(QString::fromStdString(dir1));
    QDir().mkpath(QString::fromStdString(dir2));
    auto outputs = [](const std::string& d) {
      return QStringList{"--run", QString::fromStdString(d + "/run.h5"), "--json", QString::fromStdString(d + "/r.json")};
    };
    const Run one = jointquant(args + outputs(dir1));
    QVERIFY2(one.exitCode == 0, one.err.c_str());
    const Run two = jointquant(args + outputs(dir2) + QStringList{"--nproc", "2"});
    QVERIFY2(two.exitCode == 0, two.err.c_str());

    // Only rank 0 wrote: one JSON on stdout, and exactly the two requested files (no temporaries left either).
    QVERIFY_EXCEPTION_THROWN(nlohmann::json::parse(two.out + two.out), nlohmann::json::exception);
    const auto b = nlohmann::json::parse(two.out);
    QCOMPARE(filesIn(dir2), (QStringList{"r.json", "run.h5"}));

    const jq::RunFileReader f1(dir1 + "/run.h5"), f2(dir2 + "/run.h5");
    const double r1Diff = maxAbsDiff(f1.r1(), f2.r1());
    double r2Diff = 0;
    for (int l : f1.r2Layers()) r2Diff = std::max(r2Diff, maxAbsDiff(f1.r2(l), f2.r2(l)));
    const double movedR1 = maxAbsDiff(f1.r1(), at::eye(f1.r1().size(0)));  // sanity: R1 is not the identity
    const auto a = nlohmann::json::parse(one.out);
    const double p1 = a["perplexity"], p2 = b["perplexity"];
    qInfo("%s: max |R1 diff| %.3g, max |R2 diff| %.3g, final loss %.9g vs %.9g, perplexity rel. diff %.3g",
          qPrintable(method), r1Diff, r2Diff, a["final_loss"].get<double>(), b["final_loss"].get<double>(),
          std::abs(p2 - p1) / p1);
    QVERIFY(movedR1 > 1e-3);
    QVERIFY(r1Diff < 1e-5);
    QVERIFY(r2Diff < 1e-5);
    QVERIFY(std::abs(a["final_loss"].get<double>() - b["final_loss"].get<double>()) <
            1e-5 * std::abs(a["final_loss"].get<double>()));
    QVERIFY(std::abs(p2 - p1) / p1 < 1e-5);
  }

  void failingRankIsNamed() {
    // Rank arguments that do not fit the job: the error names the option; launcher mode names no rank then,
    // since the command line itself is wrong before any rank starts.
    const Run r = jointquant({"eval", "--model", QString::fromStdString(jq::test::demoModelDir()), "--dataset",
                              src("resources/demo-corpus/test.txt"), "--nproc", "2", "--rank", "5"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find("--rank 5") != std::string::npos, r.err.c_str());
    const Run l = jointquant({"eval", "--model", "/nonexistent-model", "--dataset",
                              src("resources/demo-corpus/test.txt"), "--nproc", "2", "--quiet"});
    QVERIFY(l.exitCode != 0);
    QVERIFY2(l.err.find("rank ") != std::string::npos && l.err.find("failed") != std::string::npos, l.err.c_str());
  }
};

QTEST_GUILESS_MAIN(TestDistributedRun)
#include "tst_distributed_run.moc"
