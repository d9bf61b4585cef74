// Data set conventions (HF wikitext-2-raw-v1 rows, ptb_text_only, GPTQ's c4) and the calibration sampler.
#include <QtTest/QtTest>

#include <fstream>

#include "common/Error.h"
#include "data/CalibrationSampler.h"
#include "data/EvaluationText.h"
#include "support/TestData.h"

namespace {
std::string writeTemp(const std::string& name, const std::string& content) {
  const std::string path = jq::test::tempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}
}  // namespace

class TestEvaluationText : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void wikitextRowsJoinedLikeHuggingFace() {
    // wiki.test.raw lines: " = Title = \n", " \n", "Text one .\n", "\n", "Text two" (no final newline).
    // HF rows: " = Title = \n", "", "Text one .\n", "", "Text two"; joined with "\n\n".
    const std::string path = writeTemp("wiki.test.raw", " = Title = \n \nText one .\n\nText two");
    const auto t = jq::loadEvaluationText(path, jq::DatasetFormat::WikiText2);
    QCOMPARE(t.text, std::string(" = Title = \n\n\n\n\nText one .\n\n\n\n\nText two"));
    QVERIFY(!t.maxWindows);
  }

  void wikitextFromJsonRows() {
    const std::string path = writeTemp("wiki.jsonl", "{\"text\": \" = A = \\n\"}\n{\"text\": \"\"}\n{\"text\": \"b\\n\"}\n");
    QCOMPARE(jq::loadEvaluationText(path, jq::DatasetFormat::WikiText2).text, std::string(" = A = \n\n\n\n\nb\n"));
  }

  void ptbSentencesStrippedAndJoinedWithSpace() {
    const std::string path = writeTemp("ptb.test.txt", " no it was n't black monday \n the <unk> fell \n");
    QCOMPARE(jq::loadEvaluationText(path, jq::DatasetFormat::Ptb).text,
             std::string("no it was n't black monday the <unk> fell"));
  }

  void c4TakesFirst1100DocumentsAnd256Windows() {
    std::string content;
    for (int i = 0; i < 1105; ++i) content += "{\"text\": \"d" + std::to_string(i) + "\"}\n";
    const auto t = jq::loadEvaluationText(writeTemp("c4-validation.jsonl", content), jq::DatasetFormat::C4);
    QVERIFY(t.text.rfind("d0 d1 d2 ", 0) == 0);
    QVERIFY(t.text.size() >= 6 && t.text.substr(t.text.size() - 6) == " d1099");
    QCOMPARE(*t.maxWindows, int64_t(256));
  }

  void formatNamesAndGuesses() {
    QVERIFY(jq::datasetFormatFromName("wikitext2") == jq::DatasetFormat::WikiText2);
    QVERIFY(jq::guessDatasetFormat("/data/wiki.test.raw") == jq::DatasetFormat::WikiText2);
    QVERIFY(jq::guessDatasetFormat("/data/ptb.test.txt") == jq::DatasetFormat::Ptb);
    QVERIFY(jq::guessDatasetFormat("/data/c4-validation.jsonl") == jq::DatasetFormat::C4);
    QVERIFY(jq::guessDatasetFormat("/data/book.txt") == jq::DatasetFormat::Text);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::datasetFormatFromName("lambada"));
  }

  void badDatasetsGiveClearErrors_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("format");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << "empty.txt" << QByteArray("") << int(jq::DatasetFormat::Text) << "empty";
    QTest::newRow("whitespace") << "blank.txt" << QByteArray(" \n\t\n") << int(jq::DatasetFormat::Text) << "empty";
    QTest::newRow("binary") << "bin.txt" << QByteArray("ab\0cd", 5) << int(jq::DatasetFormat::Text) << "binary";
    QTest::newRow("bad-jsonl") << "c4.jsonl" << QByteArray("{\"text\": 1}\n") << int(jq::DatasetFormat::C4)
                               << "no string field";
    QTest::newRow("not-json") << "c4b.jsonl" << QByteArray("hello\n") << int(jq::DatasetFormat::C4) << "not JSON";
  }
  void badDatasetsGiveClearErrors() {
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(int, format);
    QFETCH(QString, expected);
    const std::string path = writeTemp(name.toStdString(), content.toStdString());
    try {
      jq::loadEvaluationText(path, jq::DatasetFormat(format));
      QFAIL("expected an error");
    } catch (const jq::Error& e) {
      QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
      QVERIFY2(std::string(e.what()).find(expected.toStdString()) != std::string::npos, e.what());
    }
  }

  void missingDatasetNamesTheFile() {
    try {
      jq::loadEvaluationText("/nonexistent/wiki.test.raw", jq::DatasetFormat::WikiText2);
      QFAIL("expected an error");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::NotFound);
      QVERIFY(std::string(e.what()).find("/nonexistent/wiki.test.raw") != std::string::npos);
    }
  }

  void calibrationWindowsAreSeededSlices() {
    std::vector<int64_t> tokens(1000);
    for (int i = 0; i < 1000; ++i) tokens[i] = 5000 + i;  // value encodes position
    jq::CalibrationSamplerOptions o;
    o.samples = 16;
    o.seqlen = 64;
    o.seed = 3;
    at::Tensor a = jq::sampleCalibrationWindows(tokens, o);
    QCOMPARE(a.sizes().vec(), std::vector<int64_t>({16, 64}));
    for (int64_t s = 0; s < 16; ++s) {
      const int64_t start = a[s][0].item<int64_t>() - 5000;
      QVERIFY(start >= 0 && start <= 1000 - 64 - 1);
      for (int64_t t = 0; t < 64; ++t) QCOMPARE(a[s][t].item<int64_t>(), 5000 + start + t);
    }
    QVERIFY(at::equal(a, jq::sampleCalibrationWindows(tokens, o)));
    o.seed = 4;
    QVERIFY(!at::equal(a, jq::sampleCalibrationWindows(tokens, o)));
  }

  void calibrationNeedsOneWindowPlusOne() {
    std::vector<int64_t> tokens(64, 1);
    jq::CalibrationSamplerOptions o;
    o.seqlen = 64;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::sampleCalibrationWindows(tokens, o));
  }
};

QTEST_GUILESS_MAIN(TestEvaluationText)
#include "tst_evaluation_text.moc"
