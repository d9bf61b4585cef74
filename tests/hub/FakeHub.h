// A fake Hugging Face Hub on loopback, written with QtNetwork, for the download tests (tests/hub) and the
// workbench's download test (tests/gui). It answers like the Hub (HEAD with X-Repo-Commit and ETag; LFS files as a
// 302 to storage with X-Linked-Etag / X-Linked-Size; the /api/models/<repo>/revision/<rev> listing) and serves
// resources/demo-model. The digests it announces come from QCryptographicHash, not from the code under test.
// Repos: org/demo (public), org/gated (token required), org/corrupt (the weights' bytes are altered in storage).
// It serves from the thread that created it: run blocking clients (libcurl) on another thread.
#pragma once

#include <QtCore/QCoreApplication>
#include <QtCore/QCryptographicHash>
#include <QtCore/QFile>
#include <QtCore/QHash>
#include <QtCore/QMap>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <atomic>
#include <exception>
#include <thread>

#include "support/TestData.h"

namespace jq::test {

// The commit every revision of the fake Hub resolves to, and the token its gated repo wants.
inline const QByteArray kFakeHubCommit = "4f8e6d1c2b3a49587766554433221100ffeeddcc";
inline const QByteArray kFakeHubToken = "hf_test_token";

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
                  "{\"id\":\"" + m.captured(1).toLatin1() + "\",\"sha\":\"" + kFakeHubCommit + "\",\"siblings\":[" +
                      siblings + "]}");
    }
    // /<org>/<name>/resolve/<rev>/<file>
    m = QRegularExpression("^/(org/[a-z]+)/resolve/([^/]+)/(.+)$").match(QString::fromLatin1(path));
    if (!m.hasMatch()) return send(s, r, 404, {}, "no route");
    if (!authorized(r, m.captured(1)))
      return send(s, r, 401, {{"X-Error-Code", "GatedRepo"}, {"X-Error-Message", "Access to model is restricted."}},
                  "gated");
    const QByteArray rev = m.captured(2).toLatin1();
    if (rev != "main" && rev != kFakeHubCommit) return send(s, r, 404, {{"X-Error-Code", "RevisionNotFound"}}, "rev");
    const QByteArray name = m.captured(3).toLatin1();
    if (!files.contains(name)) return send(s, r, 404, {{"X-Error-Code", "EntryNotFound"}}, "entry");
    const ServedFile& f = files[name];
    if (f.lfs) {
      const QByteArray repoName = m.captured(1).mid(4).toLatin1();
      return send(s, r, 302,
                  {{"Location", endpoint().toLatin1() + "/lfs/" + repoName + "/" + f.etag},
                   {"X-Repo-Commit", kFakeHubCommit},
                   {"X-Linked-Etag", "\"" + f.etag + "\""},
                   {"X-Linked-Size", QByteArray::number(f.bytes.size())},
                   {"ETag", "W/\"pointer-file-etag\""}},
                  {});
    }
    send(s, r, 200, {{"X-Repo-Commit", kFakeHubCommit}, {"ETag", "\"" + f.etag + "\""}}, f.bytes);
  }

  static bool authorized(const Request& r, const QString& repo) {
    return repo != "org/gated" || r.headers.value("authorization") == "Bearer " + kFakeHubToken;
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

}  // namespace jq::test
