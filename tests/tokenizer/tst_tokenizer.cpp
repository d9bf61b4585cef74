// Unit tests of jq::Tokenizer on small tokenizer.json files written here. Expected values come from outside
// this code: Oniguruma itself (libonig 6.9.8, run on each pattern/text pair), the Unicode Standard's
// example of maximal-subpart replacement, examples from Hugging Face tokenizers' documentation and test
// suite (split behaviors, added-token options), and merge orders worked out by hand from the rules.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "common/Error.h"
#include "support/TestData.h"
#include "tokenizer/Regex.h"
#include "tokenizer/Tokenizer.h"
#include "tokenizer/Utf8.h"

namespace {

using Json = nlohmann::json;

// A BPE model whose ids follow the order of `vocab`.
Json bpe(const std::vector<std::string>& vocab, const std::vector<std::string>& merges, Json options = Json::object()) {
  Json v = Json::object();
  for (size_t i = 0; i < vocab.size(); ++i) v[vocab[i]] = i;
  Json model = {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"fuse_unk", false},
                {"byte_fallback", false}, {"vocab", v}, {"merges", merges}};
  for (auto it = options.begin(); it != options.end(); ++it) model[it.key()] = it.value();
  return model;
}

Json tokenizerJson(const Json& model, const Json& normalizer = nullptr, const Json& preTokenizer = nullptr,
                   const Json& postProcessor = nullptr, const Json& decoder = nullptr,
                   const Json& added = Json::array()) {
  return {{"version", "1.0"},         {"truncation", nullptr},        {"padding", nullptr},
          {"added_tokens", added},    {"normalizer", normalizer},     {"pre_tokenizer", preTokenizer},
          {"model", model},           {"post_processor", postProcessor}, {"decoder", decoder}};
}

jq::Tokenizer load(const Json& j) { return jq::Tokenizer::fromJson(j.dump(), "test-tokenizer.json"); }

Json addedToken(int id, const std::string& content, bool special, Json options = Json::object()) {
  Json t = {{"id", id},          {"content", content}, {"single_word", false}, {"lstrip", false},
            {"rstrip", false},   {"normalized", false}, {"special", special}};
  for (auto it = options.begin(); it != options.end(); ++it) t[it.key()] = it.value();
  return t;
}

// Tokens of `text` joined by '|', so failures read as text.
QString pieces(const jq::Tokenizer& tok, const std::string& text, bool addSpecial = false) {
  QStringList out;
  for (int64_t id : tok.encode(text, addSpecial)) out << QString::fromStdString(tok.idToToken(id));
  return out.join('|');
}

QString idsText(const std::vector<int64_t>& ids) {
  QStringList out;
  for (int64_t id : ids) out << QString::number(id);
  return out.join(',');
}

QString spansText(const std::vector<jq::MatchSpan>& spans) {
  QStringList out;
  for (const auto& s : spans) out << QString("%1-%2").arg(s.begin).arg(s.end);
  return out.join(' ');
}

template <typename F>
jq::ErrorKind errorKindOf(F&& f, std::string* what = nullptr) {
  try {
    f();
  } catch (const jq::Error& e) {
    if (what) *what = e.what();
    return e.kind();
  }
  return jq::ErrorKind::Internal;  // "nothing thrown" reads as a mismatch below
}

const char* kLlama3Pattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

}  // namespace

class TestTokenizer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Every expected span list below is what libonig 6.9.8 (ONIG_SYNTAX_DEFAULT, UTF-8) returned for the same
  // pattern and text, iterated the way the Rust onig crate's find_iter does.
  void regexMatchesOniguruma_data() {
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("spans");
    QTest::newRow("\\s takes U+0085") << "\\s" << QString::fromUtf8("a\u0085b") << "1-3";
    QTest::newRow("\\s skips U+001C") << "\\s" << QString::fromUtf8("a\x1c" "b") << "";
    QTest::newRow("\\s takes U+3000, U+00A0") << "\\s" << QString::fromUtf8("a\u3000b\u00a0c") << "1-4 5-7";
    QTest::newRow("\\s skips U+180E") << "\\s" << QString::fromUtf8("\u180e") << "";
    QTest::newRow("\\s inside a class") << "[^\\s\\p{L}]+" << QString::fromUtf8("ab \u0085!?") << "5-7";
    QTest::newRow("\\h is a hex digit") << "\\h+" << "0x1F zz" << "0-1 2-4";
    QTest::newRow("\\S") << "\\S+" << QString::fromUtf8("ab\u2003cd") << "0-2 5-7";
    QTest::newRow("\\w takes marks") << "\\w+" << QString::fromUtf8("e\u0301t\u0903!") << "0-7";
    QTest::newRow("empty matches") << "x*" << "ab" << "0-0 1-1 2-2";
    QTest::newRow("empty then run") << "a*" << "baa" << "0-0 1-3";
    QTest::newRow("^ is a line anchor") << "^a" << "b\na" << "2-3";
    QTest::newRow("$ is a line anchor") << "b$" << "a\nb\n" << "2-3";
    QTest::newRow("case-insensitive group") << "(?i:'s|'t)" << "IT'S" << "2-4";
    QTest::newRow("llama3 spaces") << kLlama3Pattern << "  leading spaces and trailing   "
                                   << "0-1 1-9 9-16 16-20 20-29 29-32";
    QTest::newRow("llama3 newlines") << kLlama3Pattern << "multiple\n\nnewlines\n\n\n and\ttabs\t\there"
                                     << "0-8 8-10 10-18 18-21 21-25 25-30 30-31 31-36";
    QTest::newRow("llama3 NEL") << kLlama3Pattern << QString::fromUtf8("I'm DON'T 12345 x\u0085\u0085y")
                                << "0-1 1-3 3-7 7-9 9-10 10-13 13-15 15-17 17-19 19-22";
    QTest::newRow("llama3 CRLF") << kLlama3Pattern << "Whitespace runs:     five\r\nwindows"
                                 << "0-10 10-15 15-16 16-20 20-25 25-27 27-34";
  }
  void regexMatchesOniguruma() {
    QFETCH(QString, pattern);
    QFETCH(QString, text);
    QFETCH(QString, spans);
    jq::Regex re(pattern.toStdString(), "test");
    QCOMPARE(spansText(re.findAll(text.toStdString())), spans);
  }

  void regexRefusesWhatItCannotTranslate_data() {
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<int>("kind");
    QTest::newRow("negated escape in class") << "[^\\S]" << int(jq::ErrorKind::Unsupported);
    QTest::newRow("class intersection") << "[a-z&&[^aeiou]]" << int(jq::ErrorKind::Unsupported);
    QTest::newRow("nested class") << "[a[bc]]" << int(jq::ErrorKind::Unsupported);
    QTest::newRow("broken pattern") << "(ab" << int(jq::ErrorKind::InvalidInput);
  }
  void regexRefusesWhatItCannotTranslate() {
    QFETCH(QString, pattern);
    QFETCH(int, kind);
    std::string what;
    QCOMPARE(int(errorKindOf([&] { jq::Regex(pattern.toStdString(), "bad.json"); }, &what)), kind);
    QVERIFY(what.find("bad.json") != std::string::npos);
  }

  // The Unicode Standard (ch. 3, "U+FFFD Substitution of Maximal Subparts") example: 61 F1 80 80 E1 80 C2 62
  // 80 63 80 BF 64 reads as a, FFFD, FFFD, FFFD, b, FFFD, c, FFFD, FFFD, d.
  void lossyUtf8FollowsMaximalSubparts() {
    const std::string bytes = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
    const std::string r = "\xEF\xBF\xBD";
    QCOMPARE(jq::utf8::fromBytesLossy(bytes), "a" + r + r + r + "b" + r + "c" + r + r + "d");
    QCOMPARE(jq::utf8::findInvalid(bytes), size_t(1));
    QCOMPARE(jq::utf8::findInvalid("caf\xC3\xA9"), std::string::npos);
    QCOMPARE(jq::utf8::findInvalid("\xED\xA0\x80"), size_t(0));  // a surrogate is not UTF-8
  }

  // BPE merge order, worked out by hand: always the lowest rank; among equal ranks the leftmost pair.
  void bpeMergeOrder_data() {
    QTest::addColumn<QString>("word");
    QTest::addColumn<QString>("tokens");
    QTest::newRow("rank beats position") << "abc" << "abc";      // b c (0), then a bc (2)
    QTest::newRow("leftmost among equals") << "aaa" << "aa|a";   // a a at 0 and 1: 0 wins
    QTest::newRow("then the next rank") << "aaaa" << "aaaa";     // aa|aa, then aa aa (1)
    QTest::newRow("no merge") << "ca" << "c|a";
    QTest::newRow("same merge twice") << "abab" << "ab|ab";  // a b (4) at 0 and 2, b a has no merge
  }
  void bpeMergeOrder() {
    QFETCH(QString, word);
    QFETCH(QString, tokens);
    // merges: "b c" rank 0, "a a" rank 1, "aa aa" rank 2, "a bc" rank 3, "a b" rank 4
    const auto tok = load(tokenizerJson(
        bpe({"a", "b", "c", "bc", "aa", "aaaa", "abc", "ab"}, {"b c", "a a", "aa aa", "a bc", "a b"})));
    QCOMPARE(pieces(tok, word.toStdString()), tokens);
  }

  void bpeMergesAsPairsEqualStrings() {
    Json model = bpe({"a", "b", "ab"}, {});
    model["merges"] = Json::array({Json::array({"a", "b"})});
    QCOMPARE(pieces(load(tokenizerJson(model)), "abba"), QString("ab|b|a"));
  }

  void ignoreMergesTakesWholeWords() {
    // "abd" is in the vocabulary but no merge builds it.
    Json model = bpe({"a", "b", "d", "ab", "abd"}, {"a b"});
    QCOMPARE(pieces(load(tokenizerJson(model)), "abd"), QString("ab|d"));
    model["ignore_merges"] = true;
    QCOMPARE(pieces(load(tokenizerJson(model)), "abd"), QString("abd"));
  }

  void unknownCharacters_data() {
    QTest::addColumn<bool>("byteFallback");
    QTest::addColumn<bool>("withUnk");
    QTest::addColumn<bool>("fuseUnk");
    QTest::addColumn<QString>("tokens");
    // "aéüb": é = C3 A9 and ü = C3 BC are not in the vocabulary; <0xC3> and <0xA9> exist, <0xBC> does not.
    QTest::newRow("unk, unfused") << false << true << false << "a|<unk>|<unk>|b";
    QTest::newRow("unk, fused") << false << true << true << "a|<unk>|b";
    QTest::newRow("dropped without unk") << false << false << false << "a|b";
    QTest::newRow("byte fallback, else unk") << true << true << true << "a|<0xC3>|<0xA9>|<unk>|b";
  }
  void unknownCharacters() {
    QFETCH(bool, byteFallback);
    QFETCH(bool, withUnk);
    QFETCH(bool, fuseUnk);
    QFETCH(QString, tokens);
    Json options = {{"byte_fallback", byteFallback}, {"fuse_unk", fuseUnk}};
    if (withUnk) options["unk_token"] = "<unk>";
    const auto tok = load(tokenizerJson(bpe({"<unk>", "a", "b", "<0xC3>", "<0xA9>"}, {}, options)));
    QCOMPARE(pieces(tok, "a\xC3\xA9\xC3\xBC" "b"), tokens);
  }

  void continuingSubwordPrefixAndSuffix() {
    // WordPiece-style BPE: "##" marks non-initial symbols, merges join "a" + "##b" into "ab".
    Json model = bpe({"a", "##b", "##c", "ab", "ab##c"}, {"a ##b"}, {{"continuing_subword_prefix", "##"}});
    QCOMPARE(pieces(load(tokenizerJson(model)), "abc"), QString("ab|##c"));
    Json suffixed = bpe({"a", "b</w>", "ab</w>"}, {"a b</w>"}, {{"end_of_word_suffix", "</w>"}});
    QCOMPARE(pieces(load(tokenizerJson(suffixed)), "ab"), QString("ab</w>"));
  }

  // tokenizers' documentation of SplitDelimiterBehavior, with "-" as the delimiter on "the-final--countdown".
  void splitBehaviors_data() {
    QTest::addColumn<QString>("behavior");
    QTest::addColumn<bool>("invert");
    QTest::addColumn<QString>("tokens");
    QTest::newRow("Removed") << "Removed" << false << "the|final|countdown";
    QTest::newRow("Isolated") << "Isolated" << false << "the|-|final|-|-|countdown";
    QTest::newRow("MergedWithPrevious") << "MergedWithPrevious" << false << "the-|final-|-|countdown";
    QTest::newRow("MergedWithNext") << "MergedWithNext" << false << "the|-final|-|-countdown";
    QTest::newRow("Contiguous") << "Contiguous" << false << "the|-|final|--|countdown";
    // invert: the dashes become the non-matches, so Removed drops the words and keeps each dash.
    QTest::newRow("Removed, inverted") << "Removed" << true << "-|-|-";
  }
  void splitBehaviors() {
    QFETCH(QString, behavior);
    QFETCH(bool, invert);
    QFETCH(QString, tokens);
    const Json model = bpe({"-", "the", "final", "countdown", "the-", "final-", "-final", "-countdown", "--"}, {},
                           {{"ignore_merges", true}});
    const Json pattern = {{"String", "-"}};
    const Json split = {{"type", "Split"}, {"pattern", pattern}, {"behavior", behavior.toStdString()},
                        {"invert", invert}};
    QCOMPARE(pieces(load(tokenizerJson(model, nullptr, split)), "the-final--countdown"), tokens);
  }

  // Cases from tokenizers' added_vocabulary tests (there with a Lowercase normalizer, here on raw text).
  void addedTokenOptions_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("singleWord");
    QTest::addColumn<bool>("strip");
    QTest::addColumn<QString>("tokens");
    QTest::newRow("single_word") << "<mask> my name <mask> a<mask> <mask>ony <mask>" << true << false
                                 << "<mask>| my name |<mask>| a<mask> <mask>ony |<mask>";
    QTest::newRow("single_word, unicode") << QString::fromUtf8("<mask>, <mask>- \u25cc\u0330<mask>") << true << false
                                          << QString::fromUtf8("<mask>|, |<mask>|- \u25cc\u0330<mask>");
    QTest::newRow("lstrip+rstrip") << QString::fromUtf8("hi <mask> there\t<mask>\t<mask>\u2000") << true << true
                                   << "hi|<mask>|there|<mask>|<mask>";
  }
  void addedTokenOptions() {
    QFETCH(QString, text);
    QFETCH(bool, singleWord);
    QFETCH(bool, strip);
    QFETCH(QString, tokens);
    // Each expected stretch between tokens is one vocabulary entry, so a stray space would show up as a token.
    const Json model = bpe({" my name ", " a<mask> <mask>ony ", ", ", QString::fromUtf8("- \u25cc\u0330<mask>").toStdString(),
                            "hi", "there", " ", "\t"},
                           {}, {{"ignore_merges", true}});
    const Json added = Json::array({addedToken(8, "<mask>", false,
                                               {{"single_word", singleWord}, {"lstrip", strip}, {"rstrip", strip}})});
    QCOMPARE(pieces(load(tokenizerJson(model, nullptr, nullptr, nullptr, nullptr, added)), text.toStdString()), tokens);
  }

  void addedTokensAreMatchedLeftmostLongest() {
    const Json model = bpe({"x"}, {});
    const Json added = Json::array({addedToken(1, "<a>", true), addedToken(2, "<a><b>", true), addedToken(3, "b>", false)});
    const auto tok = load(tokenizerJson(model, nullptr, nullptr, nullptr, nullptr, added));
    QCOMPARE(pieces(tok, "x<a><b>x<a>b>"), QString("x|<a><b>|x|<a>|b>"));
  }

  // Normalized added tokens are matched after normalization, against their normalized spelling.
  void normalizedAddedTokens() {
    const Json normalizer = {{"type", "Replace"}, {"pattern", {{"String", "o"}}}, {"content", "0"}};
    const Json model = bpe({"f", "x", "0"}, {});
    const Json added = Json::array({addedToken(3, "foo", false, {{"normalized", true}}),
                                    addedToken(4, "bar", false, {{"normalized", false}})});
    const auto tok = load(tokenizerJson(model, normalizer, nullptr, nullptr, nullptr, added));
    QCOMPARE(idsText(tok.encode("xfoobarf0", false)), QString("1,3,4,0,2"));
    QCOMPARE(tok.idToToken(3), std::string("f00"));  // tokenizers reports the normalized content
    QCOMPARE(tok.tokenToId("foo").value_or(-1), int64_t(3));
  }

  // Llama-2 style: Prepend("▁") + Replace(" ", "▁") on every stretch between added tokens, byte fallback, and
  // the decoder chain Replace/ByteFallback/Fuse/Strip.
  void llama2StylePipeline() {
    const std::string m = "\xE2\x96\x81";  // ▁
    const Json normalizer = {{"type", "Sequence"},
                             {"normalizers", Json::array({{{"type", "Prepend"}, {"prepend", m}},
                                                          {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", m}}})}};
    std::vector<std::string> vocab = {"<unk>", "<s>", "</s>"};
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      vocab.push_back(name);
    }
    for (const std::string& t : std::vector<std::string>{m, "h", "i", m + "h", m + "hi", m + m}) vocab.push_back(t);
    const Json model = bpe(vocab, {m + " h", m + "h i", m + " " + m},
                           {{"unk_token", "<unk>"}, {"byte_fallback", true}, {"fuse_unk", true}});
    const Json post = {{"type", "TemplateProcessing"},
                       {"single", Json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                               {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
                       {"pair", Json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                             {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                             {{"SpecialToken", {{"id", "<s>"}, {"type_id", 1}}}},
                                             {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}})},
                       {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}};
    const Json decoder = {{"type", "Sequence"},
                          {"decoders", Json::array({{{"type", "Replace"}, {"pattern", {{"String", m}}}, {"content", " "}},
                                                    {{"type", "ByteFallback"}},
                                                    {{"type", "Fuse"}},
                                                    {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}})}};
    const Json added = Json::array({addedToken(0, "<unk>", true), addedToken(1, "<s>", true), addedToken(2, "</s>", true)});
    const auto tok = load(tokenizerJson(model, normalizer, nullptr, post, decoder, added));

    QCOMPARE(tok.bosId().value_or(-1), int64_t(1));
    QCOMPARE(tok.vocabSize(), int64_t(vocab.size()));  // the added tokens are in the vocabulary already
    // "hi hi": ▁hi ▁hi; "é" (C3 A9) falls back to bytes <0xC3>=3+0xC3, <0xA9>=3+0xA9 after a lone ▁.
    const int64_t mId = 259, mhiId = 263;
    QCOMPARE(idsText(tok.encode("hi hi")), idsText({1, mhiId, mhiId}));
    QCOMPARE(idsText(tok.encode("hi \xC3\xA9", false)), idsText({mhiId, mId, 3 + 0xC3, 3 + 0xA9}));
    // Every stretch after an added token gets its own "▁": "</s>hi" → </s>, ▁hi.
    QCOMPARE(idsText(tok.encode("hi</s>hi", false)), idsText({mhiId, 2, mhiId}));
    QCOMPARE(idsText(tok.encode("", true)), QString("1"));
    QCOMPARE(idsText(tok.encodePair("hi", "hi")), idsText({1, mhiId, 1, mhiId}));

    QCOMPARE(tok.decode(tok.encode("hi hi \xC3\xA9", false)), std::string("hi hi \xC3\xA9"));
    QCOMPARE(tok.decode(tok.encode("hi")), std::string("<s> hi"));
    QCOMPARE(tok.decode({1, mhiId}, true), std::string("hi"));
    QCOMPARE(tok.decode({1, mhiId}, false), std::string("<s> hi"));
    // A lone continuation byte is invalid UTF-8: one U+FFFD per byte token.
    QCOMPARE(tok.decode({mhiId, 3 + 0xA9, 3 + 0xA9}), std::string("hi\xEF\xBF\xBD\xEF\xBF\xBD"));
  }

  // Words of 256 bytes and more are cut before a character that no merge can join to a different character
  // on its left ("▁" here). The result must equal BPE over the whole word: a token "b▁" in the vocabulary
  // (used by no merge) turns the cut off, and both must give ▁ab ▁ab ... ▁a ▁b.
  void longWordsSplitOnlyWhereNoMergeReaches() {
    const std::string m = "\xE2\x96\x81";  // ▁
    const Json normalizer = {{"type", "Sequence"},
                             {"normalizers", Json::array({{{"type", "Prepend"}, {"prepend", m}},
                                                          {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", m}}})}};
    std::string text;
    std::vector<int64_t> expected;
    for (int i = 0; i < 300; ++i) {
      text += i % 7 == 6 ? "a b " : "ab ";
      if (i % 7 == 6) {
        expected.insert(expected.end(), {3, 5});  // ▁a, then ▁ b → ▁b
      } else {
        expected.push_back(4);  // ▁ab
      }
    }
    text.pop_back();
    for (bool withBlocker : {false, true}) {
      std::vector<std::string> vocab = {"a", "b", m, m + "a", m + "ab", m + "b", "ab"};
      if (withBlocker) vocab.push_back("b" + m);
      const auto tok = load(tokenizerJson(bpe(vocab, {m + " a", m + "a b", m + " b", "a b"}), normalizer));
      QCOMPARE(idsText(tok.encode(text, false)), idsText(expected));
    }
  }

  // Metaspace pre-tokenizer: spaces become ▁, a ▁ is prepended (always / only at the start of the input /
  // never) and with split the text is cut before each ▁.
  void metaspacePrependSchemes_data() {
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<bool>("split");
    QTest::addColumn<QString>("tokens");
    const QString m = QString::fromUtf8("\u2581");
    QTest::newRow("always") << "always" << true << QString("%1a|%1b|<s>|%1c").arg(m);
    QTest::newRow("first") << "first" << true << QString("%1a|%1b|<s>|c").arg(m);
    QTest::newRow("never") << "never" << true << QString("a|%1b|<s>|c").arg(m);
    QTest::newRow("always, no split") << "always" << false << QString("%1a%1b|<s>|%1c").arg(m);
  }
  void metaspacePrependSchemes() {
    QFETCH(QString, scheme);
    QFETCH(bool, split);
    QFETCH(QString, tokens);
    const std::string m = "\xE2\x96\x81";
    const Json model = bpe({"a", "c", m + "a", m + "b", m + "c", m + "a" + m + "b"}, {}, {{"ignore_merges", true}});
    const Json pre = {{"type", "Metaspace"}, {"replacement", m}, {"prepend_scheme", scheme.toStdString()}, {"split", split}};
    const Json added = Json::array({addedToken(6, "<s>", true)});
    const auto tok = load(tokenizerJson(model, nullptr, pre, nullptr, nullptr, added));
    QCOMPARE(pieces(tok, "a b<s>c"), tokens);
  }

  void metaspaceDecoderDropsTheFirstPrefix() {
    const std::string m = "\xE2\x96\x81";
    const Json model = bpe({m + "a", m + "b", m + m}, {});
    const Json decoder = {{"type", "Metaspace"}, {"replacement", m}, {"prepend_scheme", "always"}, {"split", true}};
    const auto tok = load(tokenizerJson(model, nullptr, nullptr, nullptr, decoder));
    QCOMPARE(tok.decode({0, 1, 2}), std::string("a b  "));
    QCOMPARE(tok.decode({2, 0}), std::string(" a"));  // every ▁ of the first token goes
  }

  // GPT-2 byte level: bytes map to printable characters (space → Ġ U+0120), add_prefix_space, GPT-2 regex.
  void byteLevelPipeline() {
    const std::string G = "\xC4\xA0";  // Ġ
    // 5: "ã" (U+00E3) stands for the single byte E3; 6: "€" is outside the byte alphabet;
    // 7, 8: "Ã" (U+00C3) and "©" (U+00A9) stand for bytes C3 and A9, together the UTF-8 of "é".
    const Json model = bpe({"a", "b", G, G + "a", G + "b", "\xC3\xA3", "\xE2\x82\xAC", "\xC3\x83", "\xC2\xA9"},
                           {}, {{"ignore_merges", true}});
    const Json pre = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
    const Json decoder = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
    const auto tok = load(tokenizerJson(model, nullptr, pre, nullptr, decoder));
    QCOMPARE(pieces(tok, "a b"), QString::fromStdString(G + "a|" + G + "b"));
    QCOMPARE(idsText(tok.encode("a", false)), QString("3"));
    QCOMPARE(idsText(tok.encode("\xC3\xA9", false)), QString("2,7,8"));  // " é" → Ġ, Ã, ©
    QCOMPARE(tok.decode({3, 4}), std::string(" a b"));
    QCOMPARE(tok.decode({7, 8}), std::string("\xC3\xA9"));
    QCOMPARE(tok.decode({5}), std::string("\xEF\xBF\xBD"));       // a lone E3 byte decodes lossily
    QCOMPARE(tok.decode({6, 3}), std::string("\xE2\x82\xAC a"));  // "€" keeps its own UTF-8 bytes
  }

  void encodeRejectsInvalidUtf8() {
    const auto tok = load(tokenizerJson(bpe({"a"}, {})));
    QCOMPARE(int(errorKindOf([&] { tok.encode("a\xFF"); })), int(jq::ErrorKind::InvalidInput));
  }

  void idToTokenRejectsUnknownIds() {
    const auto tok = load(tokenizerJson(bpe({"a"}, {})));
    QCOMPARE(int(errorKindOf([&] { tok.idToToken(7); })), int(jq::ErrorKind::InvalidInput));
    QCOMPARE(tok.decode({0, 7, -1, 0}), std::string("a a"));  // no decoder: tokens joined by spaces
  }

  void encodeReportsProgressAndCancels() {
    const auto tok = load(tokenizerJson(bpe({"a", " "}, {}, {{"ignore_merges", true}}), nullptr,
                                        {{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "Isolated"},
                                         {"invert", false}}));
    std::string text;
    for (int i = 0; i < 300000; ++i) text += "a ";
    jq::JobContext job;
    int64_t last = -1, total = 0;
    job.progress = [&](const jq::ProgressEvent& e) {
      last = e.current;
      total = e.total;
    };
    QCOMPARE(tok.encode(text, false, job).size(), size_t(600000));
    QCOMPARE(last, int64_t(text.size()));
    QCOMPARE(total, int64_t(text.size()));
    job.cancel.cancel();
    QCOMPARE(int(errorKindOf([&] { tok.encode(text, false, job); })), int(jq::ErrorKind::Cancelled));
  }

  void malformedFiles_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("mentions");
    const Json good = tokenizerJson(bpe({"a", "b", "ab"}, {"a b"}));
    auto with = [&](const char* key, const Json& value) {
      Json j = good;
      j[key] = value;
      return QString::fromStdString(j.dump());
    };
    Json noModel = good;
    noModel.erase("model");
    Json badMerge = good;
    badMerge["model"]["merges"] = {"a c"};
    QTest::newRow("not JSON") << "{\"model\": " << int(jq::ErrorKind::InvalidInput) << "not a valid tokenizer.json";
    QTest::newRow("not an object") << "[1, 2]" << int(jq::ErrorKind::InvalidInput) << "JSON object";
    QTest::newRow("no model") << QString::fromStdString(noModel.dump()) << int(jq::ErrorKind::InvalidInput) << "model";
    QTest::newRow("merge outside the vocabulary") << QString::fromStdString(badMerge.dump())
                                                  << int(jq::ErrorKind::InvalidInput) << "'c'";
    QTest::newRow("unknown model type") << with("model", {{"type", "WordPiece"}, {"vocab", Json::object()}})
                                        << int(jq::ErrorKind::Unsupported) << "WordPiece";
    QTest::newRow("unsupported pre-tokenizer") << with("pre_tokenizer", {{"type", "Whitespace"}})
                                               << int(jq::ErrorKind::Unsupported) << "Whitespace";
    QTest::newRow("NFC normalizer") << with("normalizer", {{"type", "NFC"}}) << int(jq::ErrorKind::Unsupported) << "NFC";
    QTest::newRow("unsupported decoder") << with("decoder", {{"type", "WordPiece"}, {"prefix", "##"}})
                                         << int(jq::ErrorKind::Unsupported) << "decoder";
    QTest::newRow("Bert post-processor") << with("post_processor", {{"type", "BertProcessing"}})
                                         << int(jq::ErrorKind::Unsupported) << "BertProcessing";
    QTest::newRow("split without behavior") << with("pre_tokenizer", {{"type", "Split"}, {"pattern", {{"String", " "}}}})
                                            << int(jq::ErrorKind::InvalidInput) << "behavior";
    QTest::newRow("truncation") << with("truncation", {{"max_length", 8}}) << int(jq::ErrorKind::Unsupported)
                                << "truncation";
    QTest::newRow("template with an undefined token")
        << with("post_processor", {{"type", "TemplateProcessing"},
                                   {"single", Json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}})},
                                   {"pair", Json::array()},
                                   {"special_tokens", Json::object()}})
        << int(jq::ErrorKind::InvalidInput) << "<s>";
  }
  void malformedFiles() {
    QFETCH(QString, json);
    QFETCH(int, kind);
    QFETCH(QString, mentions);
    const std::string path = jq::test::tempDir() + "/broken-tokenizer.json";
    std::ofstream(path) << json.toStdString();
    std::string what;
    QCOMPARE(int(errorKindOf([&] { jq::Tokenizer::fromFile(path); }, &what)), kind);
    QVERIFY2(what.find(path) != std::string::npos, what.c_str());
    QVERIFY2(what.find(mentions.toStdString()) != std::string::npos, what.c_str());
  }

  void missingFilesAreNotFound() {
    std::string what;
    QCOMPARE(int(errorKindOf([&] { jq::Tokenizer::fromFile("/nonexistent-jq/tokenizer.json"); }, &what)),
             int(jq::ErrorKind::NotFound));
    QVERIFY(what.find("/nonexistent-jq/tokenizer.json") != std::string::npos);
    const std::string dir = jq::test::tempDir() + "/model-without-tokenizer";
    std::filesystem::create_directories(dir);
    QCOMPARE(int(errorKindOf([&] { jq::Tokenizer::fromFile(dir); }, &what)), int(jq::ErrorKind::NotFound));
    QVERIFY(what.find("tokenizer.json") != std::string::npos);
  }

  void fromDirectoryReadsTokenizerJson() {
    const std::string dir = jq::test::tempDir() + "/model-with-tokenizer";
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/tokenizer.json") << tokenizerJson(bpe({"a", "b", "ab"}, {"a b"})).dump();
    const auto tok = jq::Tokenizer::fromFile(dir);
    QCOMPARE(pieces(tok, "ab"), QString("ab"));
    QCOMPARE(tok.source(), dir + "/tokenizer.json");
  }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
