// Cancelling at any stage of a run (load, tokenize, capture, R1/R2 calibration, GPTQ, evaluation, writing the run
// file) stops it with ErrorKind::Cancelled, does no work in later stages, and leaves the output folder exactly as
// it was: no run file, no temporary, and an earlier run file at the same path untouched. The run is what
// `jointquant quantize --method joint --weights gptq --run OUT` does, on the demo model with tiny settings.
#include <QtTest/QtTest>

#include <string>
#include <vector>

#include "RobustnessSupport.h"
#include "common/Error.h"
#include "common/Job.h"
#include "pipeline/QuantizationPipeline.h"

namespace {

jq::RunConfig tinyJointRun(const std::string& scratch) {
  jq::RunConfig c;
  c.model = jq::test::demoModelDir();
  c.calibration = jq::test::demoTextFile(scratch + "/calib.txt", 20000);
  c.calibrationFormat = "text";
  c.datasets = {{jq::test::demoTextFile(scratch + "/eval.txt", 4000), "text"}};
  c.methods = {"joint"};
  c.weightQuantizer = "gptq";
  c.nsamples = 2;
  c.seqlen = 64;
  c.batchSize = 2;
  c.dtype = "float32";
  c.r1.epochs = 1;
  c.r2.epochs = 1;
  return c;
}

}  // namespace

class TestCancellation : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void cancelAtEveryStageLeavesNoOutput_data() {
    QTest::addColumn<QString>("stage");
    for (const char* s : {"load", "tokenize", "capture", "calibrate.R1", "calibrate.R2", "gptq", "eval", "save"})
      QTest::newRow(s) << QString(s);
  }
  void cancelAtEveryStageLeavesNoOutput() {
    QFETCH(QString, stage);
    const std::string target = stage.toStdString();
    const std::string scratch = jq::test::freshDir("cancel-in-" + target);
    const std::string outDir = jq::test::freshDir("cancel-out-" + target);
    const std::string previous = "the previous run's file, which a cancelled run must not touch\n";
    jq::test::writeBytes(outDir + "/run.h5", previous);

    jq::JobContext job;
    bool cancelled = false, sawStage = false;
    std::vector<std::string> workAfterCancel;
    job.progress = [&](const jq::ProgressEvent& e) {
      if (cancelled && e.stage != target && e.current > 0) workAfterCancel.push_back(e.stage);
      if (!cancelled && e.stage == target) {
        sawStage = true;
        cancelled = true;
        job.cancel.cancel();
      }
    };

    bool threwCancelled = false;
    std::string message;
    try {
      jq::QuantizationPipeline pipeline(tinyJointRun(scratch));
      const jq::MethodResult r = pipeline.runMethod("joint", job);
      pipeline.writeRunFile(outDir + "/run.h5", {r}, job);
    } catch (const jq::Error& e) {
      threwCancelled = e.kind() == jq::ErrorKind::Cancelled;
      message = e.what();
    }
    QVERIFY2(sawStage, "the run never reported this stage, so the row tests nothing");
    QVERIFY2(threwCancelled, message.empty() ? "the run finished despite the cancel" : message.c_str());
    const std::string later = workAfterCancel.empty() ? std::string() : workAfterCancel.front();
    QVERIFY2(workAfterCancel.empty(), ("a later stage did work after the cancel: " + later).c_str());
    QCOMPARE(jq::test::listDir(outDir), std::vector<std::string>{"run.h5"});
    QCOMPARE(jq::test::readFile(outDir + "/run.h5"), previous);
  }

  // The same run, not cancelled, does replace the file: the rows above pass because of the cancel, not because
  // nothing is ever written.
  void uncancelledRunWritesTheFile() {
    const std::string scratch = jq::test::freshDir("cancel-none-in");
    const std::string outDir = jq::test::freshDir("cancel-none-out");
    jq::test::writeBytes(outDir + "/run.h5", "old");
    jq::QuantizationPipeline pipeline(tinyJointRun(scratch));
    const jq::MethodResult r = pipeline.runMethod("joint");
    pipeline.writeRunFile(outDir + "/run.h5", {r});
    QCOMPARE(jq::test::listDir(outDir), std::vector<std::string>{"run.h5"});
    QVERIFY(jq::test::readFile(outDir + "/run.h5").size() > 1000);
  }
};

QTEST_GUILESS_MAIN(TestCancellation)
#include "tst_cancellation.moc"
