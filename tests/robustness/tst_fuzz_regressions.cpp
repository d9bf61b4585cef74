// Inputs the fuzzers (fuzz/) found or that guard what they check, replayed through the same entry points, with
// the error each must give. Expected kinds and numbers are worked out by hand in the comments.
#include <QtTest/QtTest>

#include <hdf5.h>

#include <chrono>
#include <cstring>
#include <future>
#include <string>

#include "common/Error.h"
#include "io/RunFile.h"
#include "model/LlamaConfig.h"
#include "tokenizer/Tokenizer.h"
#include "support/ExpectError.h"
#include "support/TestData.h"

namespace {

std::string llamaConfig(const std::string& sizes) {
  return R"({"architectures": ["LlamaForCausalLM"], "num_attention_heads": 32, "num_hidden_layers": 32, )" + sizes +
         "}";
}

// A BPE tokenizer.json with the vocabulary {"a": 0, "b": idOfB}, no merges, and the given added tokens and
// post-processor (JSON texts).
std::string tinyBpeTokenizer(const std::string& idOfB, const std::string& addedTokens = "[]",
                             const std::string& postProcessor = "null") {
  return R"({"version": "1.0", "added_tokens": )" + addedTokens + R"(, "normalizer": null, "pre_tokenizer": null,
    "post_processor": )" + postProcessor + R"(, "decoder": null, "model": {"type": "BPE", "unk_token": null,
    "fuse_unk": false, "byte_fallback": false, "ignore_merges": false, "vocab": {"a": 0, "b": )" + idOfB +
         R"(}, "merges": []}})";
}

// A run file (format attributes as RunFileWriter writes them) whose /rotations/R1 declares rows × cols float64
// entries stored in chunks that are never written: the file stays a few KB, HDF5 would hand out fill values.
void writeHollowRunFile(const std::string& path, hsize_t rows, hsize_t cols) {
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t scalar = H5Screate(H5S_SCALAR);
  const char* name = "jointquant-run";
  const hid_t str = H5Tcopy(H5T_C_S1);
  H5Tset_size(str, std::strlen(name));  // fixed-length, as RunFileWriter (format version 2)
  H5Tset_cset(str, H5T_CSET_UTF8);
  const hid_t a1 = H5Acreate2(f, "format", str, scalar, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a1, str, name);
  const hid_t a2 = H5Acreate2(f, "format_version", H5T_STD_I32LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
  const int two = 2;
  H5Awrite(a2, H5T_NATIVE_INT, &two);
  const hsize_t dims[2] = {rows, cols}, chunk[2] = {1, 1024};
  const hid_t space = H5Screate_simple(2, dims, nullptr);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 2, chunk);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t ds = H5Dcreate2(f, "/rotations/R1", H5T_IEEE_F64LE, space, lcpl, dcpl, H5P_DEFAULT);
  for (hid_t id : {ds}) H5Dclose(id);
  for (hid_t id : {lcpl, dcpl}) H5Pclose(id);
  H5Sclose(space);
  H5Aclose(a1);
  H5Aclose(a2);
  H5Tclose(str);
  H5Sclose(scalar);
  H5Fclose(f);
}

}  // namespace

class TestFuzzRegressions : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // As in fuzz_runfile: with libhdf5's free lists on, a block that libhdf5 leaks on a damaged file may be one it
  // recycled from an earlier, correctly closed object, and LeakSanitizer then shows the stack of that first
  // allocation (under tools/run_sanitizers.sh: our H5Dget_type in RunFileReader, closed by its Hid) instead of the
  // libhdf5 function that leaked it, which tools/lsan.supp names. Off, every leak shows where it happened.
  void initTestCase() { QVERIFY(H5set_free_list_limits(0, 0, 0, 0, 0, 0) >= 0); }

  // fuzz_config: sizes whose parameter count overflows int64 (undefined behaviour in parameterCount(), which
  // `jointquant info` prints) are refused when the config is read.
  void absurdConfigSizesAreRefused_data() {
    QTest::addColumn<QString>("sizes");
    QTest::addColumn<bool>("accepted");
    // vocab 4e15 × hidden 4096 = 1.6e19 > 2^63 ≈ 9.2e18: the embedding alone overflows.
    QTest::newRow("vocab 4e15") << R"("vocab_size": 4000000000000000, "hidden_size": 4096, "intermediate_size": 14336)"
                                << false;
    // hidden 2^31, heads 32: q_proj alone is 2^31 × 2^31 = 2^62, ×4 projections ≥ 2^63.
    QTest::newRow("hidden 2^31") << R"("vocab_size": 32000, "hidden_size": 2147483648, "intermediate_size": 8)"
                                 << false;
    // Just above the 2^50 limit: vocab 2^40 × hidden 1024 (= 2^50) plus the layers.
    QTest::newRow("just above 2^50")
        << R"("vocab_size": 1099511627776, "hidden_size": 1024, "intermediate_size": 1024, "tie_word_embeddings": true)"
        << false;
    // Llama-3-8B's sizes: 8.03e9 parameters, far below the limit.
    QTest::newRow("llama-3-8b sizes")
        << R"("vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336, "num_key_value_heads": 8)" << true;
  }
  void absurdConfigSizesAreRefused() {
    QFETCH(QString, sizes);
    QFETCH(bool, accepted);
    const std::string text = llamaConfig(sizes.toStdString());
    if (accepted) {
      // transformers' count for Llama-3-8B: 8 030 261 248 (model.num_parameters()).
      QCOMPARE(jq::LlamaConfig::fromJsonText(text).parameterCount(), int64_t(8030261248));
      return;
    }
    jq::test::expectError([&] { jq::LlamaConfig::fromJsonText(text, "damaged/config.json"); },
                          jq::ErrorKind::InvalidInput, "damaged/config.json", "implausibly large");
  }

  // fuzz_config, artifact crash-de2572dd: a number beyond double's range makes nlohmann's parser throw
  // out_of_range (406), not parse_error; it escaped fromJsonText and terminated the program.
  void numberOverflowInConfigIsInvalidInput_data() {
    QTest::addColumn<QString>("field");
    QTest::newRow("max_position_embeddings 1e31072") << R"("max_position_embeddings": 1e31072)";
    QTest::newRow("rms_norm_eps -1e400") << R"("rms_norm_eps": -1e400)";
  }
  void numberOverflowInConfigIsInvalidInput() {
    QFETCH(QString, field);
    const std::string text =
        llamaConfig(R"("vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, )" + field.toStdString());
    jq::test::expectError([&] { jq::LlamaConfig::fromJsonText(text, "damaged/config.json"); },
                          jq::ErrorKind::InvalidInput, "damaged/config.json", "number overflow");
  }

  // fuzz_tokenizer_json, artifact timeout-d1c5975b: one vocabulary id of 1 399 999 998 made the loader allocate
  // a 1.4e9-entry id table (11 GB; the fuzzer's 10 s timeout hit while it was being zeroed). Small gaps in the ids
  // stay legal, as in Hugging Face tokenizers.
  void hugeVocabularyIdIsRefused_data() {
    QTest::addColumn<qlonglong>("id");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("1399999998") << qlonglong(1399999998) << false;
    QTest::newRow("2 + 2^20 (just past the gap limit)") << qlonglong(2 + (1 << 20)) << false;
    QTest::newRow("5 (a small gap)") << qlonglong(5) << true;
  }
  void hugeVocabularyIdIsRefused() {
    QFETCH(qlonglong, id);
    QFETCH(bool, accepted);
    const std::string json = tinyBpeTokenizer(std::to_string(id));
    if (accepted) {
      const jq::Tokenizer t = jq::Tokenizer::fromJson(json, "sparse/tokenizer.json");
      QCOMPARE(t.encode("ab", false), (std::vector<int64_t>{0, int64_t(id)}));
      return;
    }
    jq::test::expectError([&] { jq::Tokenizer::fromJson(json, "damaged/tokenizer.json"); },
                          jq::ErrorKind::InvalidInput, "damaged/tokenizer.json", "far beyond");
  }

  // fuzz_tokenizer_json, fifth campaign, artifact crash-9d694af7 (tests/data/fuzz-regressions/
  // tokenizer-vocab-id-beyond-int64.json): the vocabulary id 13133333333333333333 lies above INT64_MAX
  // (9223372036854775807), so nlohmann keeps it as uint64_t and get<int64_t>() wrapped it to
  // 13133333333333333333 - 2^64 = -5313410740375218283; that passed the "too large" check and indexed the id table
  // at 2^64 - 1 (SIGSEGV in BpeModel::fromJson). Every integer the config and tokenizer parsers take from JSON now
  // goes through jsonInt64 (common/JsonInteger.h), which refuses values outside int64_t. 2^63 is the first such.
  void integersBeyondInt64AreRefused_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("needle");
    QTest::newRow("vocabulary id, the finding") << "vocab" << "13133333333333333333"
                                                << "vocabulary id 13133333333333333333 is too large";
    QTest::newRow("vocabulary id 2^63") << "vocab" << "9223372036854775808"
                                        << "vocabulary id 9223372036854775808 is too large";
    QTest::newRow("added token id 2^63") << "added" << "9223372036854775808"
                                         << "field 'id' must be an integer within 64 bits, got 9223372036854775808";
    QTest::newRow("special token id 2^64 - 1") << "special" << "18446744073709551615"
                                               << "ids must be non-negative integers within 64 bits";
    QTest::newRow("config eos_token_id 2^63") << "config eos" << "9223372036854775808"
                                              << "field 'eos_token_id' holds a token id beyond 64 bits";
    QTest::newRow("config hidden_size 2^63") << "config hidden" << "9223372036854775808"
                                             << "field 'hidden_size' is beyond 64 bits";
  }
  void integersBeyondInt64AreRefused() {
    QFETCH(QString, kind);
    QFETCH(QString, value);
    QFETCH(QString, needle);
    const std::string v = value.toStdString();
    if (kind.startsWith("config")) {
      const std::string sizes = kind == "config eos"
          ? R"("vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, "eos_token_id": )" + v
          : R"("vocab_size": 32000, "hidden_size": )" + v + R"(, "intermediate_size": 11008)";
      jq::test::expectError([&] { jq::LlamaConfig::fromJsonText(llamaConfig(sizes), "damaged/config.json"); },
                            jq::ErrorKind::InvalidInput, "damaged/config.json", needle.toStdString());
      return;
    }
    const std::string added = kind == "added" ? R"([{"id": )" + v + R"(, "content": "<s>", "special": true}])" : "[]";
    const std::string post = kind == "special"
        ? R"({"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"Sequence": {"id": "A", "type_id": 0}}],
             "special_tokens": {"<s>": {"id": "<s>", "ids": [)" + v + R"(], "tokens": ["<s>"]}}})"
        : "null";
    const std::string json = tinyBpeTokenizer(kind == "vocab" ? v : "1", added, post);
    jq::test::expectError([&] { jq::Tokenizer::fromJson(json, "damaged/tokenizer.json"); },
                          jq::ErrorKind::InvalidInput, "damaged/tokenizer.json", needle.toStdString());
  }
  void fuzzedTokenizerWithVocabularyIdBeyondInt64() {
    const std::string path = jq::test::testData("fuzz-regressions/tokenizer-vocab-id-beyond-int64.json");
    jq::test::expectError([&] { jq::Tokenizer::fromJson(jq::test::readFile(path), path); },
                          jq::ErrorKind::InvalidInput, path, "vocabulary id 13133333333333333333 is too large");
  }

  // fuzz_runfile: a dataset declaring far more elements than the file could hold is refused before anything is
  // allocated for it: 2^40 × 2^20 × 8 bytes = 2^63 bytes, 2^20 × 2^20 × 8 = 8 TiB, both beyond the allowance of
  // 1 MiB + 1024 × the file's size (compressed data). A small hollow dataset (2^16 × 8 = 512 KiB) still reads, as
  // HDF5's fill value 0.
  void runFileDatasetLargerThanFileIsRefused_data() {
    QTest::addColumn<qulonglong>("rows");
    QTest::addColumn<qulonglong>("cols");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("2^40 x 2^20") << (qulonglong(1) << 40) << (qulonglong(1) << 20) << false;
    QTest::newRow("2^20 x 2^20") << (qulonglong(1) << 20) << (qulonglong(1) << 20) << false;
    QTest::newRow("1 x 2^16") << qulonglong(1) << (qulonglong(1) << 16) << true;
  }
  void runFileDatasetLargerThanFileIsRefused() {
    QFETCH(qulonglong, rows);
    QFETCH(qulonglong, cols);
    QFETCH(bool, accepted);
    const std::string path = jq::test::tempDir() + "/hollow-" + std::to_string(rows) + ".h5";
    writeHollowRunFile(path, rows, cols);
    jq::RunFileReader r(path);
    if (accepted) {
      const at::Tensor t = r.r1();
      QCOMPARE(t.sizes(), at::IntArrayRef({1, int64_t(1) << 16}));
      QCOMPARE(t.abs().sum().item<double>(), 0.0);
      return;
    }
    jq::test::expectError([&] { r.r1(); }, jq::ErrorKind::InvalidInput, path, "more than a file of");
  }

  // fuzz_runfile, 2026-11-27: inputs on which libhdf5 1.10 itself misbehaves (tests/data/fuzz-regressions/; the
  // first two were in fuzz/known-hangs/). Each must end in a jq::Error within seconds, and leave no HDF5 object
  // open; a hang fails the test after 60 s instead of blocking the suite.
  // - global-heap-loop: the seed of format version 1 with 9 bytes of its global heap collection changed; H5Aread
  //   of the variable-length string attribute `format` never returned (H5T__conv_vlen -> H5HG_read ->
  //   H5C_protect looping). The reader now checks the attribute's type first and refuses a variable-length
  //   string without reading it (run files store only fixed-length strings since format version 2).
  // - open-leak: the root group's object header is damaged; libhdf5 leaks 56 bytes when it fails to load it
  //   (suppressed for the fuzzer in fuzz/lsan.supp). Opened as a SWMR reader (below), H5Fopen does not load that
  //   header, and the attribute lookup then finds no attributes; the reader checks the root group before it
  //   calls such a file another tool's, and ends in a clear InvalidInput either way.
  // - object-header-leak-1, -2: the version-2 seed with a damaged object header; libhdf5 leaks the header it
  //   failed to load (only after a run of earlier inputs; suppressed for the fuzzer in fuzz/lsan.supp).
  // - accum-read-null (fourth campaign): a mutation of the seed small.h5 whose /stats symbol-table B-tree points
  //   at address HADDR_UNDEF; H5Gget_info's count walked into it and libhdf5's metadata accumulator copied from a
  //   null buffer (SIGSEGV in H5F__accum_read). The reader now opens files as a SWMR reader, which turns the
  //   accumulator off, so the read reaches the file driver and fails there ("addr undefined"); the reader's first
  //   look into the damaged tree (whether /rotations/R1 exists) reports it.
  // - datatype-leak: a damaged datatype message in /metrics/perplexity; libhdf5 leaks the half-decoded type in the
  //   failing H5Dopen2, and types H5Dget_type hands out for it (suppressed for the fuzzer in fuzz/lsan.supp).
  void libhdf5FindingsEndInError_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("needle");
    QTest::newRow("global heap loop") << "runfile-hdf5-global-heap-loop.h5" << int(jq::ErrorKind::Unsupported)
                                      << "attribute 'format' is a variable-length string";
    QTest::newRow("open leak") << "runfile-hdf5-open-leak.h5" << int(jq::ErrorKind::InvalidInput)
                               << "cannot read the HDF5 file's root group (damaged file?)";
    QTest::newRow("object header leak 1") << "runfile-hdf5-object-header-leak-1.h5" << int(jq::ErrorKind::InvalidInput)
                                          << "";
    QTest::newRow("object header leak 2") << "runfile-hdf5-object-header-leak-2.h5" << int(jq::ErrorKind::InvalidInput)
                                          << "";
    QTest::newRow("accumulator null read") << "runfile-hdf5-accum-read-null.h5" << int(jq::ErrorKind::InvalidInput)
                                           << "(damaged file?): bad symbol table node signature";
    QTest::newRow("datatype leak") << "runfile-hdf5-datatype-leak.h5" << int(jq::ErrorKind::InvalidInput)
                                   << "cannot open table /metrics/perplexity";
  }
  void libhdf5FindingsEndInError() {
    QFETCH(QString, file);
    QFETCH(int, kind);
    QFETCH(QString, needle);
    const std::string path = jq::test::testData("fuzz-regressions/" + file.toStdString());
    QVERIFY(jq::test::fileExists(path));
    // The reader runs on its own thread so that a hang is reported (and the process ended: the thread cannot be
    // stopped inside libhdf5) instead of waiting for ctest's timeout. It reads everything, as fuzz_runfile does.
    const auto start = std::chrono::steady_clock::now();
    auto done = std::async(std::launch::async, [path] {
      try {
        jq::RunFileReader r(path);
        r.readEverything();
        return std::string("accepted");
      } catch (const jq::Error& e) {
        return std::string(jq::toString(e.kind())) + ": " + e.what();
      }
    });
    if (done.wait_for(std::chrono::seconds(60)) != std::future_status::ready)
      qFatal("%s: RunFileReader did not return within 60 s (libhdf5 hang is back)", path.c_str());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string result = done.get();
    qInfo("%s: %.3f s: %s", file.toUtf8().constData(), seconds, result.c_str());
    QVERIFY2(seconds < 10, "took longer than the fuzzer's 10 s timeout");
    const std::string expected = std::string(jq::toString(jq::ErrorKind(kind))) + ": ";
    QVERIFY2(result.rfind(expected, 0) == 0, result.c_str());
    QVERIFY2(result.find(path) != std::string::npos, result.c_str());
    QVERIFY2(result.find(needle.toStdString()) != std::string::npos, result.c_str());
    QCOMPARE(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), ssize_t(0));  // the reader closed all it opened
  }

  // Every real config of tests/data/configs still loads.
  void realConfigsStillLoad_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("llama-2-7b") << "llama-2-7b";
    QTest::newRow("llama-3-8b") << "llama-3-8b";
    QTest::newRow("llama-3.2-1b") << "llama-3.2-1b";
  }
  void realConfigsStillLoad() {
    QFETCH(QString, name);
    const jq::LlamaConfig c = jq::LlamaConfig::fromFile(jq::test::testData("configs/" + name.toStdString() + "/config.json"));
    QVERIFY(c.parameterCount() > 1'000'000'000);
  }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzz_regressions.moc"
