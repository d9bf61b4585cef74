// Downloads from a fake Hugging Face Hub on loopback, written here with QtNetwork: it answers like the Hub
// (HEAD with X-Repo-Commit and ETag; LFS files as a 302 to storage with X-Linked-Etag / X-Linked-Size; the
// /api/models/<repo>/revision/<rev> listing) and serves resources/demo-model. The digests it announces come from
// QCryptographicHash, not from the code under test. Cases: a full snapshot into a fresh cache, a gated repo
// (401 without the token), a transfer cut after N bytes that is resumed with a Range request, and a blob whose
// bytes do not match its name (rejected, nothing in snapshots/).
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include "common/Error.h"
#include "hub/HubCache.h"
#include "hub/HubClient.h"
#include "hub/ModelSource.h"
#include "support/EnumName.h"
#include "support/TestData.h"

namespace fs = std::filesystem;

namespace {

const QByteArray kCommit = "4f8e6d1c2b3a49587766554433221100ffeeddcc";
const QByteArray kToken = "hf_test_token";

struct ServedFile {
  QByteArray bytes;
  QByteArray etag;  // sha256 for LFS, git blob sha1 otherwise (what the Hub uses)
  bool lfs = false;
};

struct Request {
  QByteArray method, path;
  QMap<QByteArray, QByteArray> headers;  // lower-case names
};

class FakeHub : public QObject {
 public:
  // Repos: org/demo (public), org/gated (token required), org/corrupt (the weights' bytes are altered in storage).
  FakeHub() {
    const QString dir = QString::fromStdString(jq::test::demoModelDir());
    for (const char* name : {"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"}) {
      QFile f(dir + "/" + name);
      if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read the demo model");
      ServedFile s;
      s.bytes = f.readAll();
      s.lfs = QByteArray(name).endsWith(".safetensors");
      s.etag = s.lfs ? QCryptographicHash::hash(s.bytes, QCryptographicHash::Sha256).toHex()
                     : QCryptographicHash::hash("blob " + QByteArray::number(s.bytes.size()) + '\0' + s.bytes,
                                                QCryptographicHash::Sha1)
                           .toHex();
      files[name] = s;
    }
    connect(&server_, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket* s = server_.nextPendingConnection()) {
        connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
      }
    });
    if (!server_.listen(QHostAddress::LocalHost)) qFatal("cannot listen on loopback");
  }
  QString endpoint() const { return "http://127.0.0.1:" + QString::number(server_.serverPort()); }

  QMap<QByteArray, ServedFile> files;
  QList<Request> requests;
  qint64 dropAfter = -1;  // >= 0: the next storage GET sends this many body bytes, then closes the connection

 private:
  void onData(QTcpSocket* s) {
    QByteArray& buf = buffers_[s];
    buf += s->readAll();
    const int end = buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const QList<QByteArray> lines = buf.left(end).split('\n');
    buf.clear();
    Request r;
    const QList<QByteArray> first = lines[0].trimmed().split(' ');
    r.method = first.value(0);
    r.path = first.value(1);
    for (int i = 1; i < lines.size(); ++i) {
      const int colon = lines[i].indexOf(':');
      if (colon > 0) r.headers[lines[i].left(colon).trimmed().toLower()] = lines[i].mid(colon + 1).trimmed();
    }
    requests.append(r);
    respond(s, r);
  }

  void send(QTcpSocket* s, const Request& r, int status, QList<QPair<QByteArray, QByteArray>> headers,
            const QByteArray& body, qint64 contentLength = -1, qint64 cutAfter = -1) {
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + " X\r\n";
    headers.append(qMakePair(QByteArray("Content-Length"),
                             QByteArray::number(contentLength >= 0 ? contentLength : body.size())));
    headers.append(qMakePair(QByteArray("Connection"), QByteArray("close")));
    for (const auto& h : headers) head += h.first + ": " + h.second + "\r\n";
    s->write(head + "\r\n");
    if (r.method != "HEAD") s->write(cutAfter >= 0 ? body.left(cutAfter) : body);
    s->disconnectFromHost();  // after the buffered bytes are written
  }

  void respond(QTcpSocket* s, const Request& r) {
    const QByteArray path = r.path;
    // Storage ("CDN") URLs, no token: /lfs/<repo-name>/<sha256>.
    if (path.startsWith("/lfs/")) {
      const QList<QByteArray> parts = path.split('/');
      const ServedFile& f = files["model.safetensors"];
      QByteArray bytes = f.bytes;
      if (parts.value(2) == "corrupt") bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x5a);
      qint64 from = 0;
      const QByteArray range = r.headers.value("range");
      if (range.startsWith("bytes=")) from = range.mid(6, range.indexOf('-') - 6).toLongLong();
      const QByteArray part = bytes.mid(from);
      const qint64 cut = dropAfter;
      dropAfter = -1;
      if (from > 0)
        send(s, r, 206, {{"Content-Range", "bytes " + QByteArray::number(from) + "-" +
                                               QByteArray::number(bytes.size() - 1) + "/" +
                                               QByteArray::number(bytes.size())}},
             part, -1, cut);
      else
        send(s, r, 200, {}, part, -1, cut);
      return;
    }
    // /api/models/<org>/<name>/revision/<rev>
    QRegularExpressionMatch m =
        QRegularExpression("^/api/models/(org/[a-z]+)/revision/([^/]+)$").match(QString::fromLatin1(path));
    if (m.hasMatch()) {
      if (!authorized(r, m.captured(1))) return send(s, r, 401, {{"X-Error-Code", "GatedRepo"}}, "gated");
      QByteArray siblings;
      for (auto it = files.cbegin(); it != files.cend(); ++it)
        siblings += (siblings.isEmpty() ? "" : ",") + QByteArray("{\"rfilename\":\"") + it.key() + "\"}";
      return send(s, r, 200, {{"Content-Type", "application/json"}},
                  "{\"id\":\"" + m.captured(1).toLatin1() + "\",\"sha\":\"" + kCommit + "\",\"siblings\":[" +
                      siblings + "]}");
    }
    // /<org>/<name>/resolve/<rev>/<file>
    m = QRegularExpression("^/(org/[a-z]+)/resolve/([^/]+)/(.+)$").match(QString::fromLatin1(path));
    if (!m.hasMatch()) return send(s, r, 404, {}, "no route");
    if (!authorized(r, m.captured(1)))
      return send(s, r, 401, {{"X-Error-Code", "GatedRepo"}, {"X-Error-Message", "Access to model is restricted."}},
                  "gated");
    const QByteArray rev = m.captured(2).toLatin1();
    if (rev != "main" && rev != kCommit) return send(s, r, 404, {{"X-Error-Code", "RevisionNotFound"}}, "rev");
    const QByteArray name = m.captured(3).toLatin1();
    if (!files.contains(name)) return send(s, r, 404, {{"X-Error-Code", "EntryNotFound"}}, "entry");
    const ServedFile& f = files[name];
    if (f.lfs) {
      const QByteArray repoName = m.captured(1).mid(4).toLatin1();
      return send(s, r, 302,
                  {{"Location", endpoint().toLatin1() + "/lfs/" + repoName + "/" + f.etag},
                   {"X-Repo-Commit", kCommit},
                   {"X-Linked-Etag", "\"" + f.etag + "\""},
                   {"X-Linked-Size", QByteArray::number(f.bytes.size())},
                   {"ETag", "W/\"pointer-file-etag\""}},
                  {});
    }
    send(s, r, 200, {{"X-Repo-Commit", kCommit}, {"ETag", "\"" + f.etag + "\""}}, f.bytes);
  }

  static bool authorized(const Request& r, const QString& repo) {
    return repo != "org/gated" || r.headers.value("authorization") == "Bearer " + kToken;
  }

  QTcpServer server_;
  QHash<QTcpSocket*, QByteArray> buffers_;
};

// libcurl blocks; the fake Hub needs this thread's event loop. So the client runs on a thread of its own.
template <typename F>
auto whileServing(F&& f) -> decltype(f()) {
  std::atomic<bool> done{false};
  std::exception_ptr error;
  decltype(f()) result{};
  std::thread worker([&] {
    try {
      result = f();
    } catch (...) {
      error = std::current_exception();
    }
    done = true;
  });
  while (!done) QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
  worker.join();
  if (error) std::rethrow_exception(error);
  return result;
}

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
