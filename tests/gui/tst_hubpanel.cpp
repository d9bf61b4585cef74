// The model panel's Hugging Face cache list and download (ui/panels/ModelPanel.h) on the real backend: a cache
// built by hand as huggingface_hub lays it out (tests/hub/FakeHubCache.h) is listed, a cached model loads with the
// demo model's configuration, and a download from the fake Hub on loopback (tests/hub/FakeHub.h) reports progress
// and appears in the list; a gated repo without a token ends in the core's message.
#include <QtTest/QtTest>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>

#include <memory>

#include "app/MainWindow.h"
#include "backend/CoreBackend.h"
#include "hub/FakeHub.h"
#include "hub/FakeHubCache.h"
#include "jobs/JobRunner.h"
#include "panels/ModelPanel.h"
#include "settings/Preferences.h"
#include "support/TestData.h"

using namespace jq::ui;

namespace {

const std::string kCachedCommit = "0123456789abcdef0123456789abcdef01234567";

QTreeWidgetItem* rowOf(QTreeWidget* list, const QString& id) {
  for (int i = 0; i < list->topLevelItemCount(); ++i)
    if (list->topLevelItem(i)->text(0) == id) return list->topLevelItem(i);
  return nullptr;
}

}  // namespace

class TestHubPanel : public QObject {
  Q_OBJECT
  std::unique_ptr<jq::test::FakeHub> hub_;
  std::unique_ptr<Preferences> prefs_;
  std::unique_ptr<CoreBackend> backend_;
  std::unique_ptr<MainWindow> window_;
  QString cache_;

  ModelPanel* panel() const { return window_->modelPanel(); }
  QTreeWidget* list() const { return panel()->findChild<QTreeWidget*>("hubModels"); }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    jq::test::clearHubEnvironment();
    hub_ = std::make_unique<jq::test::FakeHub>();
    const QString home = QString::fromStdString(jq::test::tempDir()) + "/hf";
    cache_ = home + "/hub";
    qputenv("HF_HOME", home.toUtf8());          // no token file of the developer's
    qputenv("HF_HUB_CACHE", cache_.toUtf8());
    qputenv("HF_ENDPOINT", hub_->endpoint().toUtf8());
    QVERIFY(!jq::test::cacheDemoModel(cache_.toStdString(), "org/cached", kCachedCommit).empty());
    // A snapshot without weights: listed, but not loadable.
    const std::filesystem::path broken = cache_.toStdString() + "/models--org--broken";
    jq::test::writeText(broken / "blobs" / "c0nf1g", "{}");
    jq::test::linkBlob(broken, kCachedCommit, "config.json", "c0nf1g");
    jq::test::writeText(broken / "refs" / "main", kCachedCommit);

    prefs_ = std::make_unique<Preferences>(QString::fromStdString(jq::test::tempDir()) + "/workbench.ini");
    backend_ = std::make_unique<CoreBackend>();
    window_ = std::make_unique<MainWindow>(*backend_, *prefs_);
    window_->resize(1200, 800);
    window_->show();
  }
  void cleanupTestCase() {
    window_.reset();
    jq::test::clearHubEnvironment();
  }

  void listsTheCachedModels() {
    panel()->refreshHubModels();
    QCOMPARE(panel()->hubCacheDir(), cache_);
    QCOMPARE(panel()->hubModelCount(), 2);
    QTreeWidgetItem* cached = rowOf(list(), "org/cached");
    QTreeWidgetItem* broken = rowOf(list(), "org/broken");
    QVERIFY(cached && broken);
    QCOMPARE(list()->indexOfTopLevelItem(broken), 0);  // sorted by id
    QCOMPARE(cached->text(1), QString("main (0123456)"));
    QCOMPARE(cached->text(3), QString("complete"));
    QVERIFY2(broken->text(3).contains("*.safetensors"), qPrintable(broken->text(3)));
    uint64_t bytes = 0;
    for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"})
      bytes += QFileInfo(QString::fromStdString(jq::test::demoModelDir() + "/" + f)).size();
    QCOMPARE(cached->text(2), ModelPanel::formatBytes(bytes));
    auto* load = panel()->findChild<QPushButton*>("hubLoad");
    list()->setCurrentItem(broken);
    QVERIFY(!load->isEnabled());
    list()->setCurrentItem(cached);
    QVERIFY(load->isEnabled());
  }

  void loadingACachedModelShowsItsConfiguration() {
    list()->setCurrentItem(rowOf(list(), "org/cached"));
    QSignalSpy started(window_->runner(), &JobRunner::started);
    panel()->findChild<QPushButton*>("hubLoad")->click();
    QCOMPARE(started.count(), 1);
    QCOMPARE(started.first().first().toString(), QString("Loading org/cached"));
    QVERIFY(window_->runner()->waitForIdle(120000));
    QVERIFY2(window_->lastError().isEmpty(), qPrintable(window_->lastError()));
    QVERIFY(panel()->hasModel());
    QCOMPARE(panel()->fieldText("layers"), QString("4"));
    QCOMPARE(panel()->fieldText("hidden"), QString("256"));
    QCOMPARE(panel()->fieldText("kvHeads"), QString("2"));
  }

  void downloadReportsProgressAndRefreshesTheList() {
    QVERIFY(!rowOf(list(), "org/demo"));
    QSignalSpy progress(window_->runner(), &JobRunner::progressChanged);
    QSignalSpy finished(window_->runner(), &JobRunner::finished);
    auto* bar = panel()->findChild<QProgressBar*>("hubDownloadProgress");
    panel()->startDownload("org/demo");
    QVERIFY(bar->isVisible());
    QVERIFY(!panel()->findChild<QPushButton*>("hubDownload")->isEnabled());
    QVERIFY(window_->runner()->waitForIdle(120000));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Succeeded);
    bool sawBytes = false;
    for (const auto& args : progress) {
      const ProgressInfo info = args.first().value<ProgressInfo>();
      if (info.stage == "download" && info.total > 0 && info.current > 0) sawBytes = true;
    }
    QVERIFY2(sawBytes, qPrintable(QString::number(progress.count()) + " progress signals, none with download bytes"));
    QVERIFY(!bar->isVisible());
    QTreeWidgetItem* demo = rowOf(list(), "org/demo");
    QVERIFY(demo);
    QCOMPARE(list()->currentItem(), demo);
    QCOMPARE(demo->text(3), QString("complete"));
    QCOMPARE(panel()->hubModelCount(), 3);
    const QString snapshot = cache_ + "/models--org--demo/snapshots/" + jq::test::kFakeHubCommit;
    QVERIFY(QFileInfo::exists(snapshot + "/model.safetensors"));
  }

  void gatedRepoWithoutTokenFailsWithTheCoresMessage() {
    QSignalSpy finished(window_->runner(), &JobRunner::finished);
    panel()->startDownload("org/gated");
    QVERIFY(window_->runner()->waitForIdle(120000));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Failed);
    QVERIFY2(window_->lastError().contains("gated or private"), qPrintable(window_->lastError()));
    QVERIFY(!rowOf(list(), "org/gated"));
    QVERIFY(panel()->findChild<QPushButton*>("hubDownload")->isEnabled());
  }
};

QTEST_MAIN(TestHubPanel)
#include "tst_hubpanel.moc"
