// The Hub cache as huggingface_hub lays it out (file_download.py / constants.py), built by hand here: refs/ holding
// commits, snapshots/<commit>/ with relative symlinks into blobs/, and the environment variables that move it.
#include <QtTest/QtTest>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "FakeHubCache.h"
#include "common/Error.h"
#include "hub/Digest.h"
#include "hub/HubCache.h"
#include "hub/HubSettings.h"
#include "hub/ModelSource.h"
#include "hub/RepoRef.h"
#include "support/EnumName.h"
#include "support/TestData.h"

namespace fs = std::filesystem;

namespace {

const std::string kCommitA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kCommitB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

using jq::test::clearHubEnvironment;
using jq::test::linkBlob;
using jq::test::writeText;

}  // namespace

class TestHubCache : public QObject {
  Q_OBJECT

 private:
  fs::path cache_;
  fs::path repo_;

 private Q_SLOTS:
  void initTestCase() {
    // models--org--name: commit A (tag v1) has config.json and a nested file; commit B (main) shares the
    // weights blob with A and has a new config. Sizes are the byte lengths of the strings below.
    cache_ = fs::path(jq::test::tempDir()) / "hub";
    repo_ = cache_ / "models--org--name";
    writeText(repo_ / "blobs" / "c0nf1ga", "{\"v\": 1}");            // 8 bytes
    writeText(repo_ / "blobs" / "c0nf1gb", "{\"v\": 22}");           // 9 bytes
    writeText(repo_ / "blobs" / "we1ghts", std::string(1000, 'w'));  // 1000 bytes
    writeText(repo_ / "blobs" / "n3sted", "nested");                 // 6 bytes
    linkBlob(repo_, kCommitA, "config.json", "c0nf1ga");
    linkBlob(repo_, kCommitA, "model.safetensors", "we1ghts");
    linkBlob(repo_, kCommitA, "sub/dir/extra.txt", "n3sted");
    linkBlob(repo_, kCommitB, "config.json", "c0nf1gb");
    linkBlob(repo_, kCommitB, "model.safetensors", "we1ghts");
    writeText(repo_ / "refs" / "main", kCommitB);           // huggingface_hub writes no newline
    writeText(repo_ / "refs" / "v1", kCommitA + "\n");      // a trailing newline must not matter
    writeText(repo_ / "refs" / "refs" / "pr" / "1", kCommitA);
    // A second repo, to check listing and sorting; a dataset repo that a model listing must not show.
    writeText(cache_ / "models--abc" / "blobs" / "x", "x");
    linkBlob(cache_ / "models--abc", kCommitA, "config.json", "x");
    writeText(cache_ / "models--abc" / "refs" / "main", kCommitA);
    fs::create_directories(cache_ / "datasets--wikitext" / "snapshots" / kCommitA);
  }

  void cleanup() { clearHubEnvironment(); }

  void digestsMatchPublishedVectors_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("sha256");
    QTest::addColumn<QString>("sha1");
    // FIPS 180-2 examples (one block, two blocks) and the empty message.
    QTest::newRow("abc") << QByteArray("abc")
                         << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
                         << "a9993e364706816aba3e25717850c26c9cd0d89d";
    QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                              << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
                              << "84983e441c3bd26ebaae4aa1f95129e5e54670f1";
    QTest::newRow("empty") << QByteArray()
                           << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                           << "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  }
  void digestsMatchPublishedVectors() {
    QFETCH(QByteArray, input);
    QFETCH(QString, sha256);
    QFETCH(QString, sha1);
    // Fed one byte at a time, so the block-boundary buffering is exercised too.
    jq::Sha256 a;
    jq::Sha1 b;
    for (char c : input) {
      a.update(&c, 1);
      b.update(&c, 1);
    }
    QCOMPARE(QString::fromStdString(a.hexDigest()), sha256);
    QCOMPARE(QString::fromStdString(b.hexDigest()), sha1);
  }

  void digestOfLargeFileMatchesQt() {
    // The demo weights (8 MB), against Qt's own implementation; git's blob id as `git hash-object` gives it.
    const std::string path = jq::test::demoModelDir() + "/model.safetensors";
    QFile f(QString::fromStdString(path));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QCOMPARE(QString::fromStdString(jq::sha256OfFile(path)),
             QString(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
    const QByteArray gitObject = "blob " + QByteArray::number(bytes.size()) + '\0' + bytes;
    QCOMPARE(QString::fromStdString(jq::gitBlobSha1OfFile(path)),
             QString(QCryptographicHash::hash(gitObject, QCryptographicHash::Sha1).toHex()));
    // `printf 'hello world\n' | git hash-object --stdin`
    jq::GitBlobSha1 hello(12);
    hello.update("hello world\n", 12);
    QCOMPARE(QString::fromStdString(hello.hexDigest()), QString("3b18e512dba79e4c8300dd08aeb37f8e728b8dad"));
  }

  void repoRefs_data() {
    QTest::addColumn<QString>("spec");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("revision");
    QTest::addColumn<QString>("folder");
    QTest::newRow("org/name") << "meta-llama/Llama-3.2-1B" << true << "meta-llama/Llama-3.2-1B" << "main"
                              << "models--meta-llama--Llama-3.2-1B";
    QTest::newRow("no org") << "gpt2" << true << "gpt2" << "main" << "models--gpt2";
    QTest::newRow("@branch") << "org/m_1.5@dev" << true << "org/m_1.5" << "dev" << "models--org--m_1.5";
    QTest::newRow("@pr") << "org/m@refs/pr/3" << true << "org/m" << "refs/pr/3" << "models--org--m";
    QTest::newRow("@commit") << ("org/m@" + QString::fromStdString(kCommitA)) << true << "org/m"
                             << QString::fromStdString(kCommitA) << "models--org--m";
    QTest::newRow("double dash") << "org/a--b" << false << "" << "" << "";
    QTest::newRow("two slashes") << "a/b/c" << false << "" << "" << "";
    QTest::newRow("dot dot") << "org/..x" << false << "" << "" << "";
    QTest::newRow("leading dash") << "-org/x" << false << "" << "" << "";
    QTest::newRow("empty rev") << "org/x@" << false << "" << "" << "";
    QTest::newRow("space") << "org/x y" << false << "" << "" << "";
    QTest::newRow("too long") << QString(97, 'a') << false << "" << "" << "";
  }
  void repoRefs() {
    QFETCH(QString, spec);
    QFETCH(bool, valid);
    if (!valid) {
      QVERIFY_THROWS_EXCEPTION(jq::Error, jq::RepoRef::parse(spec.toStdString()));
      return;
    }
    const jq::RepoRef r = jq::RepoRef::parse(spec.toStdString());
    QFETCH(QString, id);
    QFETCH(QString, revision);
    QFETCH(QString, folder);
    QCOMPARE(QString::fromStdString(r.id), id);
    QCOMPARE(QString::fromStdString(r.revision), revision);
    QCOMPARE(QString::fromStdString(jq::repoFolderName(r.id, jq::RepoType::Model)), folder);
  }

  void environmentPrecedence_data() {
    // Columns: HF_HOME, HF_HUB_CACHE, XDG_CACHE_HOME, HOME -> expected home and hub cache (constants.py's rules).
    QTest::addColumn<QString>("hfHome");
    QTest::addColumn<QString>("hubCache");
    QTest::addColumn<QString>("xdg");
    QTest::addColumn<QString>("expectHome");
    QTest::addColumn<QString>("expectCache");
    QTest::newRow("defaults") << "" << "" << "" << "/h/.cache/huggingface" << "/h/.cache/huggingface/hub";
    QTest::newRow("xdg") << "" << "" << "/x" << "/x/huggingface" << "/x/huggingface/hub";
    QTest::newRow("HF_HOME beats xdg") << "/hf" << "" << "/x" << "/hf" << "/hf/hub";
    QTest::newRow("HF_HUB_CACHE beats HF_HOME") << "/hf" << "/cache" << "" << "/hf" << "/cache";
    QTest::newRow("tilde") << "~/hf" << "" << "" << "/h/hf" << "/h/hf/hub";
  }
  void environmentPrecedence() {
    QFETCH(QString, hfHome);
    QFETCH(QString, hubCache);
    QFETCH(QString, xdg);
    QFETCH(QString, expectHome);
    QFETCH(QString, expectCache);
    clearHubEnvironment();
    const std::string oldHome = std::getenv("HOME") ? std::getenv("HOME") : "";
    ::setenv("HOME", "/h", 1);
    if (!hfHome.isEmpty()) ::setenv("HF_HOME", hfHome.toUtf8().constData(), 1);
    if (!hubCache.isEmpty()) ::setenv("HF_HUB_CACHE", hubCache.toUtf8().constData(), 1);
    if (!xdg.isEmpty()) ::setenv("XDG_CACHE_HOME", xdg.toUtf8().constData(), 1);
    const jq::HubSettings s = jq::HubSettings::fromEnvironment();
    ::setenv("HOME", oldHome.c_str(), 1);
    QCOMPARE(QString::fromStdString(s.home), expectHome);
    QCOMPARE(QString::fromStdString(s.cacheDir), expectCache);
    QCOMPARE(QString::fromStdString(s.datasetsCacheDir), expectHome + "/datasets");
    QCOMPARE(QString::fromStdString(s.endpoint), QString("https://huggingface.co"));
    QVERIFY(!s.offline);
  }

  void tokenAndOffline() {
    clearHubEnvironment();
    const fs::path home = fs::path(jq::test::tempDir()) / "hfhome";
    writeText(home / "token", "hf_fromfile\n");
    ::setenv("HF_HOME", home.c_str(), 1);
    QCOMPARE(QString::fromStdString(jq::HubSettings::fromEnvironment().token), QString("hf_fromfile"));
    ::setenv("HF_TOKEN", "hf_fromenv", 1);
    QCOMPARE(QString::fromStdString(jq::HubSettings::fromEnvironment().token), QString("hf_fromenv"));
    for (const char* v : {"1", "ON", "yes", "True"}) {
      ::setenv("HF_HUB_OFFLINE", v, 1);
      QVERIFY2(jq::HubSettings::fromEnvironment().offline, v);
    }
    ::setenv("HF_HUB_OFFLINE", "0", 1);
    QVERIFY(!jq::HubSettings::fromEnvironment().offline);
    ::unsetenv("HF_HUB_OFFLINE");
    ::setenv("TRANSFORMERS_OFFLINE", "1", 1);
    QVERIFY(jq::HubSettings::fromEnvironment().offline);
    ::setenv("HF_ENDPOINT", "http://127.0.0.1:9/", 1);
    QCOMPARE(QString::fromStdString(jq::HubSettings::fromEnvironment().endpoint), QString("http://127.0.0.1:9"));
  }

  void resolveRevisions_data() {
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("commit");  // empty: not cached
    QTest::newRow("main") << "org/name" << QString::fromStdString(kCommitB);
    QTest::newRow("tag") << "org/name@v1" << QString::fromStdString(kCommitA);
    QTest::newRow("pr ref") << "org/name@refs/pr/1" << QString::fromStdString(kCommitA);
    QTest::newRow("commit hash") << ("org/name@" + QString::fromStdString(kCommitA)) << QString::fromStdString(kCommitA);
    QTest::newRow("unknown hash") << "org/name@cccccccccccccccccccccccccccccccccccccccc" << "";
    QTest::newRow("unknown branch") << "org/name@dev" << "";
    QTest::newRow("unknown repo") << "org/other" << "";
  }
  void resolveRevisions() {
    QFETCH(QString, spec);
    QFETCH(QString, commit);
    const jq::HubCache cache(cache_.string());
    const jq::RepoRef ref = jq::RepoRef::parse(spec.toStdString());
    const auto snap = cache.findSnapshot(ref, jq::RepoType::Model);
    if (commit.isEmpty()) {
      QVERIFY(!snap);
      try {
        cache.snapshotDir(ref, jq::RepoType::Model);
        QFAIL("snapshotDir should throw for an uncached revision");
      } catch (const jq::Error& e) {
        QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::NotFound));
        QVERIFY2(QString(e.what()).contains("jointquant download " + QString::fromStdString(ref.id)), e.what());
      }
      return;
    }
    QVERIFY(snap);
    QCOMPARE(QString::fromStdString(*snap), QString::fromStdString((repo_ / "snapshots" / commit.toStdString()).string()));
    // Through the symlinks, the snapshot reads like a plain model folder.
    std::ifstream config(*snap + "/config.json");
    std::string text((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
    QCOMPARE(QString::fromStdString(text), commit.startsWith('a') ? QString("{\"v\": 1}") : QString("{\"v\": 22}"));
  }

  void listsCachedModels() {
    const auto repos = jq::HubCache(cache_.string()).list(jq::RepoType::Model);
    QCOMPARE(repos.size(), size_t(2));
    QCOMPARE(QString::fromStdString(repos[0].id), QString("abc"));
    QCOMPARE(QString::fromStdString(repos[1].id), QString("org/name"));
    const jq::CachedRepo& r = repos[1];
    QCOMPARE(QString::fromStdString(r.path), QString::fromStdString(repo_.string()));
    // Distinct blobs: 8 + 9 + 1000 + 6; the shared weights count once.
    QCOMPARE(r.sizeBytes, uint64_t(1023));
    QCOMPARE(r.revisions.size(), size_t(2));
    for (const auto& rev : r.revisions) {
      if (rev.commit == kCommitA) {
        QCOMPARE(rev.files, int64_t(3));
        QCOMPARE(rev.sizeBytes, uint64_t(8 + 1000 + 6));
        QCOMPARE(rev.refs, (std::vector<std::string>{"refs/pr/1", "v1"}));
      } else {
        QCOMPARE(QString::fromStdString(rev.commit), QString::fromStdString(kCommitB));
        QCOMPARE(rev.files, int64_t(2));
        QCOMPARE(rev.sizeBytes, uint64_t(9 + 1000));
        QCOMPARE(rev.refs, (std::vector<std::string>{"main"}));
        QCOMPARE(QString::fromStdString(rev.snapshotPath),
                 QString::fromStdString((repo_ / "snapshots" / kCommitB).string()));
      }
    }
    QCOMPARE(jq::HubCache(cache_.string()).list(jq::RepoType::Dataset).size(), size_t(1));
    QVERIFY(jq::HubCache((cache_ / "absent").string()).list().empty());
  }

  void modelArgumentResolution() {
    jq::HubSettings s;
    s.cacheDir = cache_.string();
    s.offline = true;
    jq::JobContext job;
    // A folder is taken as it is, even offline.
    QCOMPARE(QString::fromStdString(jq::resolveModelDirectory(jq::test::demoModelDir(), s, job)),
             QString::fromStdString(jq::test::demoModelDir()));
    QCOMPARE(QString::fromStdString(jq::resolveModelDirectory("org/name@v1", s, job)),
             QString::fromStdString((repo_ / "snapshots" / kCommitA).string()));
    // Offline, an uncached id is an error that says why nothing was downloaded.
    try {
      jq::resolveModelDirectory("org/missing", s, job);
      QFAIL("an uncached id must not resolve offline");
    } catch (const jq::Error& e) {
      QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::NotFound));
      QVERIFY2(QString(e.what()).contains("HF_HUB_OFFLINE"), e.what());
    }
    // Neither a folder nor an id.
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::resolveModelDirectory("/no/such/folder", s, job));
  }
};

QTEST_GUILESS_MAIN(TestHubCache)
#include "tst_hub_cache.moc"
