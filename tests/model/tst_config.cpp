// LlamaConfig against the published config.json of real checkpoints, hand-written transformers-5 configs and
// broken ones. Parameter counts are the ones the model cards / transformers' num_parameters() report.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include "common/Error.h"
#include "model/LlamaConfig.h"
#include "support/TestData.h"

namespace {

// Llama-3.2-1B's configuration as transformers 5 writes it (rope_parameters, dtype).
const char* kLlama32V5 = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "attention_bias": false, "bos_token_id": 128000, "dtype": "bfloat16",
  "eos_token_id": [128001, 128008, 128009], "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048,
  "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": false,
  "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
  "rope_parameters": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                      "original_max_position_embeddings": 8192, "rope_theta": 500000.0, "rope_type": "llama3"},
  "tie_word_embeddings": true, "transformers_version": "5.0.0", "vocab_size": 128256
})";

// A small valid config the broken cases are derived from.
nlohmann::json smallConfig() {
  return nlohmann::json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 10, "hidden_size": 8,
    "intermediate_size": 12, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
    "rms_norm_eps": 1e-5, "torch_dtype": "float32"})");
}

void expectError(const std::string& text, jq::ErrorKind kind, const std::string& needle) {
  const std::string source = "/models/broken/config.json";
  try {
    jq::LlamaConfig::fromJsonText(text, source);
  } catch (const jq::Error& e) {
    const std::string what = e.what();
    QVERIFY2(e.kind() == kind, qPrintable(QString::fromStdString("wrong kind: " + what)));
    QVERIFY2(what.find(source) != std::string::npos, qPrintable(QString::fromStdString(what)));
    QVERIFY2(what.find(needle) != std::string::npos,
             qPrintable(QString::fromStdString("'" + needle + "' not in: " + what)));
    return;
  }
  QFAIL("expected a jq::Error");
}

}  // namespace

Q_DECLARE_METATYPE(jq::ErrorKind)

class TestConfig : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void realConfigs_data() {
    QTest::addColumn<QString>("dir");
    QTest::addColumn<qint64>("vocab");
    QTest::addColumn<qint64>("hidden");
    QTest::addColumn<qint64>("intermediate");
    QTest::addColumn<qint64>("layers");
    QTest::addColumn<qint64>("heads");
    QTest::addColumn<qint64>("kvHeads");
    QTest::addColumn<qint64>("headDim");
    QTest::addColumn<qint64>("maxPos");
    QTest::addColumn<double>("theta");
    QTest::addColumn<QString>("ropeType");
    QTest::addColumn<bool>("tied");
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<qint64>("bos");
    QTest::addColumn<qint64>("eos");
    QTest::addColumn<qint64>("params");
    QTest::newRow("llama-2-7b") << "llama-2-7b" << qint64(32000) << qint64(4096) << qint64(11008) << qint64(32)
                                << qint64(32) << qint64(32) << qint64(128) << qint64(4096) << 10000.0 << "default"
                                << false << "float16" << qint64(1) << qint64(2) << qint64(6738415616LL);
    QTest::newRow("llama-3-8b") << "llama-3-8b" << qint64(128256) << qint64(4096) << qint64(14336) << qint64(32)
                                << qint64(32) << qint64(8) << qint64(128) << qint64(8192) << 500000.0 << "default"
                                << false << "bfloat16" << qint64(128000) << qint64(128001)
                                << qint64(8030261248LL);
    QTest::newRow("llama-3.2-1b") << "llama-3.2-1b" << qint64(128256) << qint64(2048) << qint64(8192)
                                  << qint64(16) << qint64(32) << qint64(8) << qint64(64) << qint64(131072)
                                  << 500000.0 << "llama3" << true << "bfloat16" << qint64(128000)
                                  << qint64(128001) << qint64(1235814400LL);
  }
  void realConfigs() {
    QFETCH(QString, dir);
    const auto c = jq::LlamaConfig::fromFile(jq::test::testData("configs/" + dir.toStdString() + "/config.json"));
    QTEST(qint64(c.vocabSize), "vocab");
    QTEST(qint64(c.hiddenSize), "hidden");
    QTEST(qint64(c.intermediateSize), "intermediate");
    QTEST(qint64(c.numHiddenLayers), "layers");
    QTEST(qint64(c.numAttentionHeads), "heads");
    QTEST(qint64(c.numKeyValueHeads), "kvHeads");
    QTEST(qint64(c.headDim), "headDim");
    QTEST(qint64(c.maxPositionEmbeddings), "maxPos");
    QTEST(c.ropeTheta, "theta");
    QTEST(QString::fromStdString(c.ropeScaling.type), "ropeType");
    QTEST(c.tieWordEmbeddings, "tied");
    QTEST(QString::fromStdString(c.dtype), "dtype");
    QVERIFY(c.bosTokenId.has_value() && c.eosTokenId.has_value());
    QTEST(qint64(*c.bosTokenId), "bos");
    QTEST(qint64(*c.eosTokenId), "eos");
    QTEST(qint64(c.parameterCount()), "params");
    QCOMPARE(c.rmsNormEps, 1e-5);
    QCOMPARE(c.architecture, std::string("LlamaForCausalLM"));
    QCOMPARE(c.hiddenAct, std::string("silu"));
    QVERIFY(!c.attentionBias && !c.mlpBias);
  }

  void llama32RopeScaling() {
    const auto c = jq::LlamaConfig::fromFile(jq::test::testData("configs/llama-3.2-1b/config.json"));
    QCOMPARE(c.ropeScaling.factor, 32.0);
    QCOMPARE(c.ropeScaling.lowFreqFactor, 1.0);
    QCOMPARE(c.ropeScaling.highFreqFactor, 4.0);
    QCOMPARE(c.ropeScaling.originalMaxPositionEmbeddings, int64_t(8192));
    QCOMPARE(c.kvGroups(), int64_t(4));
  }

  void transformers5StyleMatchesPublished() {
    const auto v4 = jq::LlamaConfig::fromFile(jq::test::testData("configs/llama-3.2-1b/config.json"));
    const auto v5 = jq::LlamaConfig::fromJsonText(kLlama32V5, "v5/config.json");
    QCOMPARE(v5.ropeTheta, 500000.0);
    QCOMPARE(v5.ropeScaling.type, std::string("llama3"));
    QCOMPARE(v5.ropeScaling.factor, v4.ropeScaling.factor);
    QCOMPARE(v5.ropeScaling.lowFreqFactor, v4.ropeScaling.lowFreqFactor);
    QCOMPARE(v5.ropeScaling.highFreqFactor, v4.ropeScaling.highFreqFactor);
    QCOMPARE(v5.ropeScaling.originalMaxPositionEmbeddings, v4.ropeScaling.originalMaxPositionEmbeddings);
    QCOMPARE(v5.dtype, std::string("bfloat16"));
    QCOMPARE(v5.parameterCount(), int64_t(1235814400LL));
    // eos as a list: all ids kept, the first one is the primary.
    QCOMPARE(v5.eosTokenIds, (std::vector<int64_t>{128001, 128008, 128009}));
    QCOMPARE(*v5.eosTokenId, int64_t(128001));
  }

  void ropeVariants_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<double>("theta");
    QTest::addColumn<QString>("type");
    QTest::newRow("rope_scaling null, no theta") << R"("rope_scaling": null)" << 10000.0 << "default";
    QTest::newRow("rope_parameters null") << R"("rope_parameters": null, "rope_theta": 250.0)" << 250.0 << "default";
    QTest::newRow("v5 default") << R"("rope_parameters": {"rope_type": "default", "rope_theta": 1234.5})" << 1234.5
                                << "default";
    QTest::newRow("v5 theta inside wins") << R"("rope_theta": 7.0, "rope_parameters": {"rope_type": "default",
                                              "rope_theta": 9.0})" << 9.0 << "default";
    QTest::newRow("v4 old 'type' key") << R"("rope_scaling": {"type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
        "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}, "rope_theta": 500000.0)"
                                       << 500000.0 << "llama3";
  }
  void ropeVariants() {
    QFETCH(QString, json);
    auto j = smallConfig();
    const auto patch = nlohmann::json::parse("{" + json.toStdString() + "}");
    for (auto& [k, v] : patch.items()) j[k] = v;
    const auto c = jq::LlamaConfig::fromJsonText(j.dump());
    QTEST(c.ropeTheta, "theta");
    QTEST(QString::fromStdString(c.ropeScaling.type), "type");
  }

  void defaults() {
    auto j = smallConfig();
    j.erase("num_key_value_heads");
    j.erase("torch_dtype");
    j.erase("architectures");  // model_type alone identifies the family
    j["head_dim"] = nullptr;
    const auto c = jq::LlamaConfig::fromJsonText(j.dump());
    QCOMPARE(c.numKeyValueHeads, int64_t(2));
    QCOMPARE(c.headDim, int64_t(4));  // 8 / 2
    QCOMPARE(c.dtype, std::string("float32"));
    QCOMPARE(c.ropeTheta, 10000.0);
    QCOMPARE(c.maxPositionEmbeddings, int64_t(2048));
    QVERIFY(!c.bosTokenId && !c.eosTokenId && c.eosTokenIds.empty());
  }

  void explicitHeadDimNeedNotDivideHidden() {
    auto j = smallConfig();
    j["hidden_size"] = 9;   // 9 / 2 heads is not whole, but head_dim is given
    j["head_dim"] = 6;
    const auto c = jq::LlamaConfig::fromJsonText(j.dump());
    QCOMPARE(c.headDim, int64_t(6));
    // q: 9*12, k,v: 9*6 each, o: 12*9; mlp 3*9*12; norms 2*9; embed 10*9 twice; final norm 9.
    const int64_t perLayer = 9 * 12 + 2 * 9 * 6 + 12 * 9 + 3 * 9 * 12 + 2 * 9;
    QCOMPARE(c.parameterCount(), 2 * perLayer + 2 * 90 + 9);
  }

  void parameterCountWithBiases() {
    auto j = smallConfig();
    j["attention_bias"] = true;
    j["mlp_bias"] = true;
    // Worked by hand: attention weights 64+32+32+64, biases 8+4+4+8; MLP 288 + biases 12+12+8; norms 16
    // -> 552 per layer; 2 layers; embed + lm_head 2*80; final norm 8.
    QCOMPARE(jq::LlamaConfig::fromJsonText(j.dump()).parameterCount(), int64_t(1272));
    j["tie_word_embeddings"] = true;
    QCOMPARE(jq::LlamaConfig::fromJsonText(j.dump()).parameterCount(), int64_t(1192));
  }

  void writesTransformers5Json() {
    const auto a = jq::LlamaConfig::fromFile(jq::test::testData("configs/llama-3.2-1b/config.json"));
    const auto text = a.toJsonText();
    const auto j = nlohmann::json::parse(text);
    QVERIFY(j.contains("rope_parameters") && !j.contains("rope_scaling"));
    QVERIFY(j.contains("dtype") && !j.contains("torch_dtype"));
    QCOMPARE(j["rope_parameters"]["rope_theta"].get<double>(), 500000.0);
    QCOMPARE(j["rope_parameters"]["rope_type"].get<std::string>(), std::string("llama3"));
    QCOMPARE(j["rope_parameters"]["factor"].get<double>(), 32.0);
    QCOMPARE(j["rope_parameters"]["original_max_position_embeddings"].get<int64_t>(), int64_t(8192));
    QCOMPARE(j["head_dim"].get<int64_t>(), int64_t(64));
    QCOMPARE(j["tie_word_embeddings"].get<bool>(), true);
    const auto b = jq::LlamaConfig::fromJsonText(text);
    QCOMPARE(b.toJsonText(), text);
    QCOMPARE(b.parameterCount(), int64_t(1235814400LL));
  }

  void broken_data() {
    QTest::addColumn<QString>("patch");   // merged into smallConfig(); a null value deletes the key
    QTest::addColumn<jq::ErrorKind>("kind");
    QTest::addColumn<QString>("needle");
    using K = jq::ErrorKind;
    QTest::newRow("missing hidden_size") << R"({"hidden_size": null})" << K::InvalidInput << "hidden_size";
    QTest::newRow("missing vocab_size") << R"({"vocab_size": null})" << K::InvalidInput << "vocab_size";
    QTest::newRow("missing layers") << R"({"num_hidden_layers": null})" << K::InvalidInput << "num_hidden_layers";
    QTest::newRow("string size") << R"({"intermediate_size": "12"})" << K::InvalidInput << "intermediate_size";
    QTest::newRow("fractional size") << R"({"hidden_size": 8.5})" << K::InvalidInput << "hidden_size";
    QTest::newRow("zero heads") << R"({"num_attention_heads": 0})" << K::InvalidInput << "num_attention_heads";
    QTest::newRow("negative vocab") << R"({"vocab_size": -3})" << K::InvalidInput << "vocab_size";
    QTest::newRow("heads do not divide hidden") << R"({"num_attention_heads": 3, "num_key_value_heads": 3})"
                                                << K::InvalidInput << "num_attention_heads 3";
    QTest::newRow("kv heads do not divide heads") << R"({"num_key_value_heads": 3, "num_attention_heads": 4})"
                                                  << K::InvalidInput << "num_key_value_heads 3";
    QTest::newRow("bool as string") << R"({"tie_word_embeddings": "yes"})" << K::InvalidInput
                                    << "tie_word_embeddings";
    QTest::newRow("eps zero") << R"({"rms_norm_eps": 0})" << K::InvalidInput << "rms_norm_eps";
    QTest::newRow("eos string") << R"({"eos_token_id": "</s>"})" << K::InvalidInput << "eos_token_id";
    QTest::newRow("rope_scaling not object") << R"({"rope_scaling": 2.0})" << K::InvalidInput << "rope_scaling";
    QTest::newRow("llama3 without factor")
        << R"({"rope_parameters": {"rope_type": "llama3", "low_freq_factor": 1.0, "high_freq_factor": 4.0,
              "original_max_position_embeddings": 8192}})" << K::InvalidInput << "rope_parameters.factor";
    QTest::newRow("llama3 high <= low")
        << R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0,
              "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}})" << K::InvalidInput
        << "high_freq_factor";
    QTest::newRow("other architecture") << R"({"architectures": ["MistralForCausalLM"], "model_type": "mistral"})"
                                        << K::Unsupported << "MistralForCausalLM";
    QTest::newRow("no architecture at all") << R"({"architectures": null, "model_type": null})" << K::Unsupported
                                            << "architectures";
    QTest::newRow("yarn rope") << R"({"rope_scaling": {"rope_type": "yarn", "factor": 4.0}})" << K::Unsupported
                               << "yarn";
    QTest::newRow("gelu") << R"({"hidden_act": "gelu"})" << K::Unsupported << "gelu";
    QTest::newRow("float64 dtype") << R"({"dtype": "float64"})" << K::Unsupported << "float64";
  }
  void broken() {
    QFETCH(QString, patch);
    QFETCH(jq::ErrorKind, kind);
    QFETCH(QString, needle);
    auto j = smallConfig();
    const auto changes = nlohmann::json::parse(patch.toStdString());
    for (auto& [k, v] : changes.items()) {
      if (v.is_null()) j.erase(k);
      else j[k] = v;
    }
    expectError(j.dump(), kind, needle.toStdString());
  }

  void notJson() {
    expectError("{\"hidden_size\": 8,", jq::ErrorKind::InvalidInput, "not valid JSON");
    expectError("[1, 2]", jq::ErrorKind::InvalidInput, "object");
  }

  void missingFileNamesPath() {
    const std::string path = jq::test::tempDir() + "/no-such-model/config.json";
    try {
      jq::LlamaConfig::fromFile(path);
      QFAIL("expected NotFound");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::NotFound);
      QVERIFY(std::string(e.what()).find(path) != std::string::npos);
    }
  }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
