// Downloads from the fake Hugging Face Hub on loopback (FakeHub.h), which serves resources/demo-model. Cases: a full
// snapshot into a fresh cache, a gated repo (401 without the token), a transfer cut after N bytes that is resumed
// with a Range request, and a blob whose bytes do not match its name (rejected, nothing in snapshots/).
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include "FakeHub.h"
#include "common/Error.h"
#include "hub/HubCache.h"
#include "hub/HubClient.h"
#include "hub/ModelSource.h"
#include "support/EnumName.h"
#include "support/TestData.h"

namespace fs = std::filesystem;

namespace {

using jq::test::FakeHub;
using jq::test::ServedFile;
using jq::test::whileServing;
const QByteArray kCommit = jq::test::kFakeHubCommit;
const QByteArray kToken = jq::test::kFakeHubToken;

QByteArray readAll(const std::string& path) {
  QFile f(QString::fromStdString(path));
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestHubDownload : public QObject {
  Q_OBJECT

 private:
  FakeHub* hub_ = nullptr;
  int cacheCounter_ = 0;

  jq::HubSettings freshSettings() {
    jq::HubSettings s;
    s.cacheDir = jq::test::tempDir() + "/cache" + std::to_string(++cacheCounter_);
    s.endpoint = hub_->endpoint().toStdString();
    return s;
  }
  static std::string modelDir(const jq::HubSettings& s, const char* repo) {
    return s.cacheDir + "/models--org--" + repo;
  }

 private Q_SLOTS:
  void initTestCase() { hub_ = new FakeHub; }
  void cleanupTestCase() { delete hub_; }
  void init() {
    hub_->requests.clear();
    hub_->dropAfter = -1;
  }

  void snapshotLikeHuggingfaceHub() {
    const jq::HubSettings s = freshSettings();
    const jq::HubClient client(s);
    jq::DownloadOptions o;
    int64_t lastBytes = 0;
    jq::JobContext job;
    job.progress = [&](const jq::ProgressEvent& e) {
      if (e.detail == "model.safetensors") lastBytes = e.current;
    };
    const jq::SnapshotDownload d = whileServing([&] { return client.downloadSnapshot("org/demo", o, job); });
    QCOMPARE(QByteArray::fromStdString(d.commit), kCommit);
    QCOMPARE(d.files.size(), size_t(4));
    const std::string repo = modelDir(s, "demo");
    QCOMPARE(QString::fromStdString(d.snapshotPath), QString::fromStdString(repo + "/snapshots/" + kCommit.toStdString()));
    // refs/main holds the commit, without a newline, as huggingface_hub writes it.
    QCOMPARE(readAll(repo + "/refs/main"), kCommit);
    for (auto it = hub_->files.cbegin(); it != hub_->files.cend(); ++it) {
      const std::string link = d.snapshotPath + "/" + it.key().toStdString();
      QVERIFY2(fs::is_symlink(link), link.c_str());
      QCOMPARE(QString::fromStdString(fs::read_symlink(link).string()), "../../blobs/" + QString(it->etag));
      QCOMPARE(readAll(link), it->bytes);
      QVERIFY(!fs::exists(repo + "/blobs/" + it->etag.toStdString() + ".incomplete"));
    }
    QCOMPARE(lastBytes, int64_t(hub_->files["model.safetensors"].bytes.size()));
    QVERIFY(fs::exists(s.cacheDir + "/.locks/models--org--demo"));
    // The snapshot resolves through the cache API, and a second download transfers nothing.
    QCOMPARE(QString::fromStdString(jq::HubCache(s.cacheDir).snapshotDir(jq::RepoRef::parse("org/demo"),
                                                                         jq::RepoType::Model)),
             QString::fromStdString(d.snapshotPath));
    hub_->requests.clear();
    const jq::SnapshotDownload again = whileServing([&] { return client.downloadSnapshot("org/demo", o, job); });
    for (const auto& f : again.files) QVERIFY(f.cached && f.bytesTransferred == 0);
    for (const auto& r : hub_->requests) QVERIFY2(r.method != "GET" || r.path.startsWith("/api/"), r.path.constData());
  }

  void includePatterns() {
    const jq::HubSettings s = freshSettings();
    jq::DownloadOptions o;
    o.include = {"*.json"};
    const jq::SnapshotDownload d =
        whileServing([&] { return jq::HubClient(s).downloadSnapshot("org/demo", o, jq::JobContext()); });
    QCOMPARE(d.files.size(), size_t(3));
    QVERIFY(!fs::exists(d.snapshotPath + "/model.safetensors"));
    QVERIFY(jq::hubPatternMatches("*.safetensors", "sub/model.safetensors"));
    QVERIFY(jq::hubPatternMatches("en/", "en/c4-validation.json.gz"));
    QVERIFY(!jq::hubPatternMatches("*.json", "model.safetensors"));
  }

  void gatedRepoNeedsToken() {
    jq::HubSettings s = freshSettings();
    jq::DownloadOptions o;
    try {
      whileServing([&] { return jq::HubClient(s).downloadFile("org/gated", "config.json", o, jq::JobContext()); });
      QFAIL("a gated file must not download without a token");
    } catch (const jq::Error& e) {
      QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::NotFound));
      QVERIFY2(QString(e.what()).contains("401") && QString(e.what()).contains("gated"), e.what());
      QVERIFY2(QString(e.what()).contains("Access to model is restricted."), e.what());
    }
    QVERIFY(!fs::exists(modelDir(s, "gated") + "/snapshots"));
    s.token = kToken.toStdString();
    const jq::DownloadedFile f =
        whileServing([&] { return jq::HubClient(s).downloadFile("org/gated", "config.json", o, jq::JobContext()); });
    QCOMPARE(readAll(f.path), hub_->files["config.json"].bytes);
    QCOMPARE(hub_->requests.last().headers.value("authorization"), "Bearer " + kToken);
  }

  void interruptedTransferResumes() {
    const jq::HubSettings s = freshSettings();
    const ServedFile& weights = hub_->files["model.safetensors"];
    const qint64 cut = 3000000;
    const std::string partial = modelDir(s, "demo") + "/blobs/" + weights.etag.toStdString() + ".incomplete";

    // First run: one attempt only, the server closes the connection after `cut` body bytes.
    hub_->dropAfter = cut;
    jq::DownloadOptions once;
    once.maxAttempts = 1;
    QElapsedTimer clock;
    clock.start();
    try {
      whileServing([&] { return jq::HubClient(s).downloadFile("org/demo", "model.safetensors", once, {}); });
      QFAIL("the cut transfer must fail with a single attempt");
    } catch (const jq::Error& e) {
      QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::Io));
    }
    const double firstSeconds = clock.elapsed() / 1000.0;
    QCOMPARE(qint64(fs::file_size(partial)), cut);
    QVERIFY(!fs::exists(modelDir(s, "demo") + "/snapshots/" + kCommit.toStdString() + "/model.safetensors"));

    // Second run: resumes from the partial blob with a Range request and completes it.
    hub_->requests.clear();
    clock.restart();
    const jq::DownloadedFile f =
        whileServing([&] { return jq::HubClient(s).downloadFile("org/demo", "model.safetensors", {}, {}); });
    const double secondSeconds = clock.elapsed() / 1000.0;
    QCOMPARE(hub_->requests.last().headers.value("range"), "bytes=" + QByteArray::number(cut) + "-");
    QCOMPARE(f.resumedFrom, uint64_t(cut));
    QCOMPARE(f.bytesTransferred, uint64_t(weights.bytes.size() - cut));
    QCOMPARE(f.requests, 1);
    const QByteArray bytes = readAll(f.path);
    QCOMPARE(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex(), weights.etag);
    QVERIFY(!fs::exists(partial));
    qInfo("resume: %lld bytes before the cut, %llu bytes fetched after it, %.3f s + %.3f s", cut,
          (unsigned long long)f.bytesTransferred, firstSeconds, secondSeconds);

    // Within one call: the broken connection is retried with a Range request automatically.
    const jq::HubSettings s2 = freshSettings();
    hub_->requests.clear();
    hub_->dropAfter = 1234567;
    const jq::DownloadedFile g =
        whileServing([&] { return jq::HubClient(s2).downloadFile("org/demo", "model.safetensors", {}, {}); });
    QCOMPARE(g.requests, 2);
    QCOMPARE(g.resumedFrom, uint64_t(1234567));
    QCOMPARE(g.bytesTransferred, uint64_t(weights.bytes.size()));
    QCOMPARE(QCryptographicHash::hash(readAll(g.path), QCryptographicHash::Sha256).toHex(), weights.etag);
  }

  void corruptedBlobIsRejected() {
    const jq::HubSettings s = freshSettings();
    try {
      whileServing([&] { return jq::HubClient(s).downloadSnapshot("org/corrupt", {}, {}); });
      QFAIL("bytes that do not hash to the ETag must be rejected");
    } catch (const jq::Error& e) {
      QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::InvalidInput));
      QVERIFY2(QString(e.what()).contains("checksum mismatch"), e.what());
    }
    const std::string repo = modelDir(s, "corrupt");
    const std::string etag = hub_->files["model.safetensors"].etag.toStdString();
    QVERIFY(!fs::exists(repo + "/snapshots/" + kCommit.toStdString() + "/model.safetensors"));
    QVERIFY(!fs::exists(repo + "/blobs/" + etag));
    QVERIFY(!fs::exists(repo + "/blobs/" + etag + ".incomplete"));
    // The branch is not recorded for a snapshot that failed, so `--model org/corrupt` will not take it as complete.
    QVERIFY(!fs::exists(repo + "/refs/main"));
  }

  void missingFileAndOffline() {
    jq::HubSettings s = freshSettings();
    try {
      whileServing([&] { return jq::HubClient(s).downloadFile("org/demo", "nope.bin", {}, {}); });
      QFAIL("a missing file must be an error");
    } catch (const jq::Error& e) {
      QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::NotFound));
      QVERIFY2(QString(e.what()).contains("404"), e.what());
    }
    s.offline = true;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::HubClient{s});
  }

  void modelIdDownloadsWhenNotCached() {
    const jq::HubSettings s = freshSettings();
    const std::string dir = whileServing([&] { return jq::resolveModelDirectory("org/demo", s, {}); });
    QCOMPARE(QString::fromStdString(dir), QString::fromStdString(modelDir(s, "demo") + "/snapshots/" + kCommit.toStdString()));
    QCOMPARE(readAll(dir + "/model.safetensors"), hub_->files["model.safetensors"].bytes);
    // Now cached: resolving again makes no request.
    hub_->requests.clear();
    QCOMPARE(QString::fromStdString(jq::resolveModelDirectory("org/demo", s, {})), QString::fromStdString(dir));
    QVERIFY(hub_->requests.isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestHubDownload)
#include "tst_hub_download.moc"
