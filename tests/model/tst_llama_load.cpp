// Loading a checkpoint folder (config.json + safetensors, single or sharded): the tensors that arrive are the
// ones in the file (converted to the model dtype), progress and cancellation work per tensor, and every bad
// checkpoint produces a jq::Error naming the file and the tensor.
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/Error.h"
#include "common/Job.h"
#include "io/SafetensorsFile.h"
#include "model/LlamaModel.h"
#include "support/TestData.h"

namespace {

using TensorMap = std::map<std::string, at::Tensor>;

// transformers-5 style, as `save_pretrained` writes it today.
const char* kConfigJson = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 50, "hidden_size": 32,
  "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
  "rms_norm_eps": 1e-05, "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0},
  "tie_word_embeddings": false, "dtype": "bfloat16", "hidden_act": "silu", "max_position_embeddings": 128
})";

TensorMap checkpointTensors(uint64_t seed) {
  at::manual_seed(seed);
  const int64_t h = 32, kv = 16, inter = 48, v = 50;
  TensorMap t;
  t["model.embed_tokens.weight"] = at::randn({v, h});
  for (int i = 0; i < 2; ++i) {
    const std::string p = "model.layers." + std::to_string(i);
    t[p + ".input_layernorm.weight"] = 1.0 + 0.1 * at::randn({h});
    t[p + ".post_attention_layernorm.weight"] = 1.0 + 0.1 * at::randn({h});
    t[p + ".self_attn.q_proj.weight"] = at::randn({h, h}) / 4.0;
    t[p + ".self_attn.k_proj.weight"] = at::randn({kv, h}) / 4.0;
    t[p + ".self_attn.v_proj.weight"] = at::randn({kv, h}) / 4.0;
    t[p + ".self_attn.o_proj.weight"] = at::randn({h, h}) / 4.0;
    t[p + ".mlp.gate_proj.weight"] = at::randn({inter, h}) / 4.0;
    t[p + ".mlp.up_proj.weight"] = at::randn({inter, h}) / 4.0;
    t[p + ".mlp.down_proj.weight"] = at::randn({h, inter}) / 4.0;
  }
  t["model.norm.weight"] = 1.0 + 0.1 * at::randn({h});
  t["lm_head.weight"] = at::randn({v, h}) / 4.0;
  for (auto& kv2 : t) kv2.second = kv2.second.to(at::kBFloat16);  // the file stores bf16, like real checkpoints
  return t;
}

std::string makeCheckpoint(const std::string& name, const TensorMap& tensors, const std::string& config = kConfigJson) {
  const std::string dir = jq::test::tempDir() + "/" + name;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/config.json") << config;
  jq::writeSafetensors(dir + "/model.safetensors", tensors);
  return dir;
}

void expectError(const std::function<void()>& f, jq::ErrorKind kind, const std::vector<std::string>& mentions) {
  try {
    f();
    QFAIL("expected jq::Error");
  } catch (const jq::Error& e) {
    QVERIFY2(e.kind() == kind, e.what());
    for (const std::string& m : mentions) QVERIFY2(std::string(e.what()).find(m) != std::string::npos, e.what());
  }
}

jq::LlamaConfig testConfig() { return jq::LlamaConfig::fromJsonText(kConfigJson); }

}  // namespace

class TestLlamaLoad : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { at::set_num_threads(2); }

  void loadsTheFileTensorsConvertedToTheModelDtype_data() {
    QTest::addColumn<int>("dtype");  // -1: the config's (bfloat16)
    QTest::newRow("config dtype") << -1;
    QTest::newRow("float32") << int(at::kFloat);
    QTest::newRow("float16") << int(at::kHalf);
  }
  void loadsTheFileTensorsConvertedToTheModelDtype() {
    QFETCH(int, dtype);
    const TensorMap t = checkpointTensors(1);
    const std::string dir = makeCheckpoint("plain-" + std::to_string(dtype), t);
    jq::ModelOptions o;
    if (dtype >= 0) o.dtype = at::ScalarType(dtype);
    const jq::LlamaModel m = jq::LlamaModel::load(dir, o);
    const at::ScalarType want = dtype >= 0 ? at::ScalarType(dtype) : at::kBFloat16;
    QCOMPARE(m.dtype(), want);
    QCOMPARE(m.config().numKeyValueHeads, int64_t(2));
    const TensorMap sd = m.stateDict();
    QCOMPARE(sd.size(), t.size());
    for (const auto& kv : t) {
      QCOMPARE(sd.at(kv.first).scalar_type(), want);
      // bf16 -> fp32/fp16 is exact for these magnitudes: the loaded values are the file's values.
      QVERIFY2(at::equal(sd.at(kv.first).to(at::kFloat), kv.second.to(at::kFloat)), kv.first.c_str());
    }
    // Same logits as the in-memory route on the same tensors.
    if (!jq::matmulSupported(want, at::kCPU)) return;  // LibTorch 1.x: no float16 matmul on the CPU
    at::NoGradGuard noGrad;
    const at::Tensor ids = at::randint(50, {2, 7}, at::TensorOptions().dtype(at::kLong));
    const jq::LlamaModel mem = jq::LlamaModel::fromTensors(testConfig(), t, o);
    QVERIFY(at::equal(m.forward(ids), mem.forward(ids)));
  }

  void deviceWeightsDoNotAliasTheFile() {
    // Device placement may update weights in place without touching the (mapped) file.
    const TensorMap t = checkpointTensors(2);
    const std::string dir = makeCheckpoint("inplace", t);
    jq::LlamaModel m = jq::LlamaModel::load(dir);
    m.layer(0).qProj.weight.zero_();
    const jq::LlamaModel again = jq::LlamaModel::load(dir);
    QVERIFY(at::equal(again.layer(0).qProj.weight, t.at("model.layers.0.self_attn.q_proj.weight")));
  }

  void hostPlacementMatchesDevicePlacement() {
    const std::string dir = makeCheckpoint("host", checkpointTensors(3));
    jq::ModelOptions host;
    host.placement = jq::WeightPlacement::Host;
    at::NoGradGuard noGrad;
    const jq::LlamaModel a = jq::LlamaModel::load(dir);
    const jq::LlamaModel b = jq::LlamaModel::load(dir, host);
    const at::Tensor ids = at::randint(50, {1, 9}, at::TensorOptions().dtype(at::kLong));
    QVERIFY(at::equal(a.forward(ids), b.forward(ids)));
    QVERIFY(b.layer(1).downProj.weight.device().is_cpu());
  }

  void shardedCheckpointLoads() {
    const TensorMap t = checkpointTensors(4);
    const std::string dir = jq::test::tempDir() + "/sharded";
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/config.json") << kConfigJson;
    TensorMap first, second;
    nlohmann::json weightMap;
    for (const auto& kv : t) {
      const bool one = kv.first.find("layers.1.") == std::string::npos && kv.first != "lm_head.weight";
      (one ? first : second)[kv.first] = kv.second;
      weightMap[kv.first] = one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
    }
    jq::writeSafetensors(dir + "/model-00001-of-00002.safetensors", first);
    jq::writeSafetensors(dir + "/model-00002-of-00002.safetensors", second);
    std::ofstream(dir + "/model.safetensors.index.json")
        << nlohmann::json{{"metadata", {{"total_size", 0}}}, {"weight_map", weightMap}}.dump();
    const jq::LlamaModel m = jq::LlamaModel::load(dir);
    QVERIFY(at::equal(m.lmHead().weight, t.at("lm_head.weight")));
    QVERIFY(at::equal(m.layer(0).vProj.weight, t.at("model.layers.0.self_attn.v_proj.weight")));
  }

  void reportsProgressPerTensor() {
    const std::string dir = makeCheckpoint("progress", checkpointTensors(5));
    std::vector<jq::ProgressEvent> events;
    jq::JobContext job;
    job.progress = [&](const jq::ProgressEvent& e) { events.push_back(e); };
    jq::LlamaModel::load(dir, {}, job);
    // 1 embedding + 2 layers x 9 + norm + lm_head = 21 tensors, plus the opening report.
    QCOMPARE(events.size(), size_t(22));
    QCOMPARE(events.front().current, int64_t(0));
    QVERIFY(events.front().detail.find("GiB") != std::string::npos);
    for (const jq::ProgressEvent& e : events) {
      QCOMPARE(e.stage, std::string("load"));
      QCOMPARE(e.total, int64_t(21));
    }
    QCOMPARE(events.back().current, int64_t(21));
  }

  void cancellationStopsTheLoad() {
    const std::string dir = makeCheckpoint("cancel", checkpointTensors(6));
    jq::JobContext job;
    int seen = 0;
    job.progress = [&](const jq::ProgressEvent& e) {
      if (e.current > 0 && ++seen == 3) job.cancel.cancel();
    };
    expectError([&] { jq::LlamaModel::load(dir, {}, job); }, jq::ErrorKind::Cancelled, {"load"});
    QCOMPARE(seen, 3);
  }

  void badCheckpointsNameFileAndTensor() {
    {
      TensorMap t = checkpointTensors(7);
      t.erase("model.layers.1.mlp.gate_proj.weight");
      const std::string dir = makeCheckpoint("missing", t);
      expectError([&] { jq::LlamaModel::load(dir); }, jq::ErrorKind::NotFound,
                  {dir + "/model.safetensors", "model.layers.1.mlp.gate_proj.weight", "layer 1"});
    }
    {
      TensorMap t = checkpointTensors(8);
      t["model.layers.0.self_attn.k_proj.weight"] = t["model.layers.0.self_attn.q_proj.weight"];
      const std::string dir = makeCheckpoint("shape", t);
      expectError([&] { jq::LlamaModel::load(dir); }, jq::ErrorKind::InvalidInput,
                  {dir + "/model.safetensors", "model.layers.0.self_attn.k_proj.weight", "[32, 32]", "[16, 32]"});
    }
    {
      TensorMap t = checkpointTensors(9);
      t["model.norm.weight"] = t["model.norm.weight"].clone();
      t["model.norm.weight"].view({-1})[5].fill_(NAN);
      const std::string dir = makeCheckpoint("nan", t);
      expectError([&] { jq::LlamaModel::load(dir); }, jq::ErrorKind::InvalidInput,
                  {dir + "/model.safetensors", "model.norm.weight", "NaN"});
    }
    {
      // 1e5 is a fine bf16 value but beyond float16's 65504.
      TensorMap t = checkpointTensors(10);
      t["model.embed_tokens.weight"] = t["model.embed_tokens.weight"].clone();
      t["model.embed_tokens.weight"].view({-1})[0].fill_(1e5);
      const std::string dir = makeCheckpoint("overflow", t);
      jq::ModelOptions half;
      half.dtype = at::kHalf;
      expectError([&] { jq::LlamaModel::load(dir, half); }, jq::ErrorKind::InvalidInput,
                  {"model.embed_tokens.weight", "overflows"});
      jq::LlamaModel::load(dir);  // fine in the file's own dtype
    }
    {
      const std::string dir = jq::test::tempDir() + "/no-config";
      std::filesystem::create_directories(dir);
      jq::writeSafetensors(dir + "/model.safetensors", checkpointTensors(11));
      expectError([&] { jq::LlamaModel::load(dir); }, jq::ErrorKind::NotFound, {dir, "config.json"});
    }
  }
};

QTEST_GUILESS_MAIN(TestLlamaLoad)
#include "tst_llama_load.moc"
