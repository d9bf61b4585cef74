#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Job.h"
#include "common/Log.h"
#include "support/TestData.h"

class TestCommon : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void errorMessageCarriesContext() {
    jq::Error e(jq::ErrorKind::InvalidInput, "bad dtype", {"model.safetensors", "lm_head.weight", 3});
    QCOMPARE(std::string(e.what()), std::string("model.safetensors: tensor 'lm_head.weight': layer 3: bad dtype"));
    QCOMPARE(e.message(), std::string("bad dtype"));
    QVERIFY(e.kind() == jq::ErrorKind::InvalidInput);
  }

  void cancellationIsSharedBetweenCopies() {
    jq::CancellationToken a;
    jq::CancellationToken b = a;
    QVERIFY(!b.isCancelled());
    a.cancel();
    QVERIFY(b.isCancelled());
    try {
      b.throwIfCancelled("eval");
      QFAIL("expected a cancellation error");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::Cancelled);
      QVERIFY(std::string(e.what()).find("eval") != std::string::npos);
    }
  }

  void atomicFileKeepsOldContentUntilCommit() {
    const std::string path = jq::test::tempDir() + "/atomic.txt";
    jq::writeFileAtomically(path, "old");
    {
      jq::AtomicFile f(path);
      std::ofstream(f.tempPath()) << "new-but-abandoned";
      // no commit: destructor must remove the temporary and keep "old"
    }
    QCOMPARE(jq::test::readFile(path), std::string("old"));
    int leftovers = 0;
    for (auto& e : std::filesystem::directory_iterator(jq::test::tempDir()))
      if (e.path().filename().string().find(".tmp-") != std::string::npos) ++leftovers;
    QCOMPARE(leftovers, 0);
    jq::writeFileAtomically(path, "new");
    QCOMPARE(jq::test::readFile(path), std::string("new"));
  }

  void atomicWriteIntoMissingFolderFailsClearly() {
    try {
      jq::writeFileAtomically("/nonexistent-folder-jq/x.txt", "x");
      QFAIL("expected an I/O error");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::Io);
      QVERIFY(std::string(e.what()).find("/nonexistent-folder-jq/x.txt") != std::string::npos);
    }
  }

  void logLevelRejectsUnknownNames() {
    jq::setLogLevel("warn");
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::setLogLevel("loud"));
    jq::setLogLevel("info");
  }
};

QTEST_GUILESS_MAIN(TestCommon)
#include "tst_common.moc"
