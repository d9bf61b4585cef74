// Export of rotated / weight-quantized models as Hugging Face checkpoints, and R1/R2 exchange files.
// Outside references: the ORIGINAL model's logits (a rotation fused into the weights must keep the function), the
// parameter count from config.json's shapes (the index's total_size), and bit-exact equality for file round trips
// (a file read back must hold exactly the matrix that was written, also via LibTorch's own pickler/unpickler).
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/Error.h"
#include "export/ExportRecipe.h"
#include "export/HfCheckpointExport.h"
#include "export/RotationFiles.h"
#include "io/RunFile.h"
#include "io/SafetensorsFile.h"
#include "io/TorchPickle.h"
#include "model/LlamaModel.h"
#include "pipeline/ModelQuantizer.h"
#include "pipeline/ModelRotation.h"
#include "rotation/RandomRotation.h"
#include "support/EnumName.h"
#include "support/TestData.h"

namespace fs = std::filesystem;

namespace {

at::Tensor logitsOf(const jq::LlamaModel& m, const at::Tensor& ids) {
  at::NoGradGuard g;
  return m.forward(ids).to(at::kDouble);
}

at::Tensor sampleIds(const jq::LlamaConfig& c) {
  at::Generator gen = jq::makeCpuGenerator(11);
  return at::randint(c.vocabSize, {2, 24}, gen, at::kLong);
}

jq::LlamaModel loadFloat(const std::string& dir) {
  jq::ModelOptions o;
  o.dtype = at::kFloat;
  return jq::LlamaModel::load(dir, o);
}

// R1 random orthogonal, R2 a different random orthogonal matrix per KV-head group: nothing a symmetric bug could hide.
jq::RotationSet randomRotations(const jq::LlamaConfig& c, uint64_t seed) {
  jq::RotationSet r;
  r.r1 = jq::randomOrthogonalMatrix(c.hiddenSize, seed, at::kDouble);
  for (int l = 0; l < c.numHiddenLayers; ++l) {
    std::vector<at::Tensor> groups;
    for (int64_t g = 0; g < c.numKeyValueHeads; ++g)
      groups.push_back(jq::randomOrthogonalMatrix(c.headDim, seed + 1 + 100 * l + g, at::kDouble));
    r.r2.push_back(at::stack(groups));
  }
  return r;
}

jq::RotationPlan planOf(const jq::RotationSet& r) {
  jq::RotationPlan p;
  p.r1 = r.r1;
  p.r2 = r.r2;
  return p;
}

// tempDir() is one folder per process: every test case gets its own subfolder.
std::string scratch() {
  static int n = 0;
  const std::string d = jq::test::tempDir() + "/case" + std::to_string(n++);
  fs::create_directories(d);
  return d;
}

nlohmann::json readJson(const std::string& path) { return nlohmann::json::parse(jq::test::readFile(path)); }

// Folders in `dir` whose name starts with `stem` (temporary export folders included).
std::vector<std::string> entriesStartingWith(const std::string& dir, const std::string& stem) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind(stem, 0) == 0) out.push_back(e.path().filename().string());
  return out;
}

// A transformers-4 style copy of the tiny model (torch_dtype, rope_theta at top level).
std::string tinyV4Copy(const std::string& where) {
  const std::string src = jq::test::testData("tiny-random-llama");
  fs::create_directories(where);
  fs::copy_file(src + "/model.safetensors", where + "/model.safetensors", fs::copy_options::overwrite_existing);
  nlohmann::json j = readJson(src + "/config.json");
  j.erase("dtype");
  j["torch_dtype"] = "float32";
  j["rope_theta"] = j["rope_parameters"]["rope_theta"];
  j.erase("rope_parameters");
  j["rope_scaling"] = nullptr;
  j["transformers_version"] = "4.45.0";
  std::ofstream(where + "/config.json") << j.dump(2);
  return where;
}

}  // namespace

class TestExport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void fpRotatedExportKeepsTheFunction_data() {
    QTest::addColumn<QString>("modelDir");
    QTest::addColumn<qint64>("shardBytes");
    QTest::addColumn<bool>("v4");
    QTest::newRow("demo, tied, v5, sharded") << QString::fromStdString(jq::test::demoModelDir()) << qint64(1'500'000)
                                             << false;
    QTest::newRow("tiny non-pow2, v5, one file") << QString::fromStdString(jq::test::testData("tiny-random-llama"))
                                                 << qint64(2'000'000'000) << false;
    QTest::newRow("tiny non-pow2, v4 config, sharded") << QString() << qint64(600'000) << true;
  }
  void fpRotatedExportKeepsTheFunction() {
    QFETCH(QString, modelDir);
    QFETCH(qint64, shardBytes);
    QFETCH(bool, v4);
    const std::string tmp = scratch();
    const std::string src = v4 ? tinyV4Copy(tmp + "/v4src") : modelDir.toStdString();
    jq::LlamaModel model = loadFloat(src);
    const bool wasTied = model.embeddingsTied();
    const at::Tensor ids = sampleIds(model.config());
    const at::Tensor original = logitsOf(model, ids);

    jq::fuseRmsNorms(model);
    jq::applyRotation(model, planOf(randomRotations(model.config(), 5)));
    const at::Tensor rotated = logitsOf(model, ids);

    jq::HfExportOptions opt;
    opt.maxShardBytes = shardBytes;
    const std::string out = tmp + "/export";
    const jq::HfExportResult res = jq::exportHfCheckpoint(model, src, out, opt);
    QCOMPARE(res.directory, out);

    jq::LlamaModel back = loadFloat(out);
    const at::Tensor reloaded = logitsOf(back, ids);
    const double scale = original.abs().max().item<double>();
    const double vsRotated = (reloaded - rotated).abs().max().item<double>() / rotated.abs().max().item<double>();
    const double vsOriginal = (reloaded - original).abs().max().item<double>() / scale;
    qInfo("logit scale %.3f: reloaded vs in-memory %.2e, vs original %.2e", scale, vsRotated, vsOriginal);
    QVERIFY2(vsRotated <= 1e-5, qPrintable(QString::number(vsRotated)));
    QVERIFY2(vsOriginal <= 1e-4, qPrintable(QString::number(vsOriginal)));
    // The exported weights really are rotated (an unrotated export would pass the two checks above too).
    const at::Tensor e0 = loadFloat(src).embedTokens().to(at::kDouble);
    QVERIFY((back.embedTokens().to(at::kDouble) - e0).abs().max().item<double>() > 1e-3);

    const nlohmann::json cfg = readJson(out + "/config.json");
    QCOMPARE(cfg.at("tie_word_embeddings").get<bool>(), false);
    if (v4) {
      QCOMPARE(cfg.at("torch_dtype").get<std::string>(), std::string("float32"));
      QVERIFY(!cfg.contains("dtype"));
      QVERIFY(cfg.contains("rope_theta") && !cfg.contains("rope_parameters"));
    } else {
      QCOMPARE(cfg.at("dtype").get<std::string>(), std::string("float32"));
      QVERIFY(cfg.contains("rope_parameters"));
    }
    QVERIFY(back.config().tieWordEmbeddings == false);
    if (wasTied) QVERIFY(jq::TensorStore::openDirectory(out).has("lm_head.weight"));
    if (jq::test::fileExists(src + "/tokenizer.json"))
      QCOMPARE(jq::test::readFile(out + "/tokenizer.json"), jq::test::readFile(src + "/tokenizer.json"));
  }

  void shardingAndIndexFollowTransformers() {
    const std::string tmp = scratch();
    jq::LlamaModel model = loadFloat(jq::test::demoModelDir());
    jq::fuseRmsNorms(model);  // unties: lm_head becomes its own tensor
    const jq::LlamaConfig& c = model.config();
    const int64_t limit = 1'200'000;
    jq::HfExportOptions opt;
    opt.maxShardBytes = limit;
    const std::string out = tmp + "/sharded";
    jq::exportHfCheckpoint(model, jq::test::demoModelDir(), out, opt);

    // Bytes from the config alone: parameterCount counts the tied head once; the export has it untied; float32.
    QVERIFY(c.tieWordEmbeddings);
    const int64_t expectedBytes = 4 * (c.parameterCount() + c.vocabSize * c.hiddenSize);
    const nlohmann::json index = readJson(out + "/model.safetensors.index.json");
    QCOMPARE(index.at("metadata").at("total_size").get<int64_t>(), expectedBytes);
    const nlohmann::json& wm = index.at("weight_map");
    // 4 layers × (7 projections + 2 norms) + embedding + final norm + lm_head.
    QCOMPARE(int64_t(wm.size()), c.numHiddenLayers * 9 + 3);
    std::set<std::string> shardNames;
    for (auto it = wm.begin(); it != wm.end(); ++it) shardNames.insert(it.value().get<std::string>());
    const int n = int(shardNames.size());
    QVERIFY2(n >= 3, qPrintable(QString::number(n)));
    int64_t sum = 0;
    for (int s = 0; s < n; ++s) {
      char name[64];
      std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", s + 1, n);
      QVERIFY2(shardNames.count(name), name);
      auto f = jq::SafetensorsFile::open(out + "/" + name);
      QCOMPARE(f->metadata().at("format"), std::string("pt"));
      // A shard exceeds the limit only when it is one tensor larger than the limit (the 4 MB embedding here).
      QVERIFY(int64_t(f->dataBytes()) <= limit || f->names().size() == 1);
      for (const auto& t : f->names()) QCOMPARE(wm.at(t).get<std::string>(), std::string(name));
      sum += int64_t(f->dataBytes());
    }
    QCOMPARE(sum, expectedBytes);
    QVERIFY(!jq::test::fileExists(out + "/model.safetensors"));
    // Packing keeps transformers' state_dict order: the embedding opens the first shard, lm_head is in the last.
    QCOMPARE(wm.at("model.embed_tokens.weight").get<std::string>(), jq::hfShardName(0, n));
    QCOMPARE(wm.at("lm_head.weight").get<std::string>(), jq::hfShardName(n - 1, n));
  }

  void failureMidExportLeavesNoFolder() {
    const std::string tmp = scratch() + "/atomic";
    fs::create_directories(tmp);
    jq::LlamaModel model = loadFloat(jq::test::demoModelDir());
    jq::fuseRmsNorms(model);
    jq::HfExportOptions opt;
    opt.maxShardBytes = 1'000'000;
    jq::JobContext job;
    int shardsWritten = 0;
    job.progress = [&](const jq::ProgressEvent& e) {
      if (e.stage == "export" && ++shardsWritten == 2) job.cancel.cancel();
    };
    bool cancelled = false;
    try {
      jq::exportHfCheckpoint(model, jq::test::demoModelDir(), tmp + "/out", opt, job);
    } catch (const jq::Error& e) {
      cancelled = e.kind() == jq::ErrorKind::Cancelled;
    }
    QVERIFY(cancelled);
    QCOMPARE(shardsWritten, 2);
    QVERIFY(entriesStartingWith(tmp, "out").empty());  // neither the folder nor a temporary one

    // An existing folder is refused without overwrite and left as it was; with overwrite it is replaced.
    fs::create_directories(tmp + "/out");
    std::ofstream(tmp + "/out/keep.txt") << "x";
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::exportHfCheckpoint(model, jq::test::demoModelDir(), tmp + "/out", opt));
    QVERIFY(jq::test::fileExists(tmp + "/out/keep.txt"));
    opt.overwrite = true;
    jq::exportHfCheckpoint(model, jq::test::demoModelDir(), tmp + "/out", opt);
    QVERIFY(!jq::test::fileExists(tmp + "/out/keep.txt"));
    QVERIFY(jq::test::fileExists(tmp + "/out/config.json"));
    QCOMPARE(entriesStartingWith(tmp, "out").size(), size_t(1));
  }

  void onlineOperationsAreRefused_data() {
    QTest::addColumn<QString>("what");
    QTest::newRow("R4") << "r4";
    QTest::newRow("R3") << "r3";
    QTest::newRow("activation quantization") << "act";
    QTest::newRow("KV-cache quantization") << "kv";
  }
  void onlineOperationsAreRefused() {
    QFETCH(QString, what);
    const std::string tmp = scratch();
    jq::LlamaModel model = loadFloat(jq::test::testData("tiny-random-llama"));
    jq::fuseRmsNorms(model);
    jq::RotationPlan plan;
    plan.r1 = jq::randomOrthogonalMatrix(model.config().hiddenSize, 3, at::kDouble);
    plan.onlineR4 = what == "r4";
    plan.onlineR3 = what == "r3";
    jq::applyRotation(model, plan);
    if (what == "act") {
      jq::ActQuantConfig a;
      a.bits = 4;
      jq::attachActivationQuantizers(model, a);
    }
    if (what == "kv") jq::attachKvCacheQuantizers(model, jq::KvQuantConfig{4}, jq::KvQuantConfig{4});
    QVERIFY(!jq::isExportable(model));
    try {
      jq::exportHfCheckpoint(model, "", tmp + "/refused");
      QFAIL("the export was not refused");
    } catch (const jq::Error& e) {
      QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::Unsupported));
      QVERIFY2(std::string(e.what()).find("cannot express") != std::string::npos, e.what());
    }
    QVERIFY(!fs::exists(tmp + "/refused"));
    QVERIFY(entriesStartingWith(tmp, "refused").empty());
  }

  void recipesWithOnlineOpsAreRefusedUpFront() {
    jq::ExportRecipe r;
    r.run.model = jq::test::demoModelDir();
    r.run.act.bits = 16;
    r.method = "quarot";
    r.onlineR4 = true;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::checkRecipe(r));
    r.onlineR4 = false;
    r.run.act.bits = 4;
    try {
      jq::checkRecipe(r);
      QFAIL("activation quantization was accepted for export");
    } catch (const jq::Error& e) {
      QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::Unsupported));
    }
    r.forExport = false;  // evaluating here may use every online op
    jq::checkRecipe(r);
  }

  void w4QuarotExportReloadsToTheSameModel() {
    const std::string tmp = scratch();
    jq::ExportRecipe r;
    r.run.model = jq::test::demoModelDir();
    r.run.dtype = "float32";
    r.run.act.bits = 16;
    r.run.weight.bits = 4;
    r.method = "quarot";
    jq::PreparedModel p = jq::prepareModel(r);
    QVERIFY(p.rotations.r1.defined());
    QCOMPARE(int64_t(p.rotations.r2.size()), p.model->config().numHiddenLayers);
    // Weights really are on a 4-bit grid: per output row at most 16 distinct values.
    const at::Tensor w = p.model->layer(0).downProj.weight.to(at::kDouble);
    QVERIFY(std::get<0>(at::_unique(w[0])).numel() <= 16);
    jq::exportHfCheckpoint(*p.model, r.run.model, tmp + "/w4");
    const at::Tensor ids = sampleIds(p.model->config());
    const at::Tensor mine = logitsOf(*p.model, ids);
    const at::Tensor back = logitsOf(loadFloat(tmp + "/w4"), ids);
    QVERIFY((back - mine).abs().max().item<double>() <= 1e-5 * mine.abs().max().item<double>());
  }

  void rotationFilesRoundTrip_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("layout");
    QTest::newRow("dartquant .pt") << "r.pt" << "dartquant";
    QTest::newRow("spinquant R.bin") << "R.bin" << "spinquant";
    QTest::newRow("dartquant safetensors") << "r.safetensors" << "dartquant";
    QTest::newRow("spinquant safetensors") << "r.safetensors" << "spinquant";
  }
  void rotationFilesRoundTrip() {
    QFETCH(QString, file);
    QFETCH(QString, layout);
    const std::string path = scratch() + "/" + file.toStdString();
    const jq::RotationLayout lay = jq::rotationLayoutFromName(layout.toStdString());
    jq::LlamaConfig c = loadFloat(jq::test::testData("tiny-random-llama")).config();
    jq::RotationSet r = randomRotations(c, 9);
    if (lay == jq::RotationLayout::SpinQuant) {
      // Different groups cannot be written as SpinQuant's one-matrix-per-layer R2.
      QVERIFY_THROWS_EXCEPTION(jq::Error, jq::writeRotationFile(path, r, lay));
      QVERIFY(!jq::test::fileExists(path));
      for (auto& t : r.r2) t = t[0].unsqueeze(0).expand({c.numKeyValueHeads, c.headDim, c.headDim}).contiguous();
    }
    r.r1 = r.r1.to(at::kFloat);  // dtypes travel as they are: float32 R1, float64 R2
    jq::writeRotationFile(path, r, lay);
    const jq::RotationSet back = jq::readRotationFile(path);
    QCOMPARE(back.r1.scalar_type(), at::kFloat);
    QVERIFY(at::equal(back.r1, r.r1));
    QCOMPARE(back.r2.size(), r.r2.size());
    for (size_t l = 0; l < r.r2.size(); ++l) {
      if (lay == jq::RotationLayout::SpinQuant) {
        QCOMPARE(back.r2[l].dim(), int64_t(2));
        QVERIFY(at::equal(back.r2[l], r.r2[l][0]));
      } else {
        QVERIFY(at::equal(back.r2[l], r.r2[l]));
      }
    }
    // The key names SpinQuant and DartQuant load: read the torch file with the plain dict reader.
    if (!file.endsWith(".safetensors")) {
      const auto dict = jq::readTorchTensorDict(path);
      QVERIFY(dict.count("R1"));
      QVERIFY(dict.count("model.layers.1.self_attn.R2"));
      QCOMPARE(dict.size(), size_t(1 + c.numHiddenLayers));
      QCOMPARE(dict.at("model.layers.0.self_attn.R2").dim(), int64_t(lay == jq::RotationLayout::SpinQuant ? 2 : 3));
    }
  }

  void rotationsImportFromRunFilesAndSplitFiles() {
    const std::string tmp = scratch();
    jq::LlamaConfig c = loadFloat(jq::test::testData("tiny-random-llama")).config();
    jq::RotationSet r = randomRotations(c, 21);
    jq::RunFileWriter w(tmp + "/run.h5");
    w.setR1(r.r1);
    for (size_t l = 0; l < r.r2.size(); ++l) w.setR2(int(l), r.r2[l]);
    w.commit();
    const jq::RotationSet fromRun = jq::readRotationFile(tmp + "/run.h5");
    QVERIFY(at::equal(fromRun.r1, r.r1));
    for (size_t l = 0; l < r.r2.size(); ++l) QVERIFY(at::equal(fromRun.r2[l], r.r2[l]));

    // DartQuant's two files: {"R1"} from r1_base_qr.py, {R2 per layer} from r2_base_qr.py, written by LibTorch's
    // pickler through the older SpinQuant-style writer.
    jq::RotationCheckpoint r1only, r2only;
    r1only.r1 = r.r1;
    for (size_t l = 0; l < r.r2.size(); ++l) r2only.r2[int(l)] = r.r2[l];
    jq::writeRotationCheckpoint(tmp + "/r1.pt", r1only);
    jq::writeRotationCheckpoint(tmp + "/r2.pt", r2only);
    const jq::RotationSet merged = jq::readRotationFiles({tmp + "/r1.pt", tmp + "/r2.pt"});
    QVERIFY(at::equal(merged.r1, r.r1));
    QCOMPARE(merged.r2.size(), r.r2.size());
    QVERIFY(at::equal(merged.r2[1], r.r2[1]));
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::readRotationFiles({tmp + "/r1.pt", tmp + "/r1.pt"}));

    // A gap in the layers is an error naming the file, not a silently shorter list.
    jq::RotationCheckpoint gap;
    gap.r2[0] = r.r2[0];
    gap.r2[2] = r.r2[1];
    jq::writeRotationCheckpoint(tmp + "/gap.pt", gap);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::readRotationFile(tmp + "/gap.pt"));
  }

  void importedRotationsGiveTheRotatedModel() {
    // Export R1/R2, import them through a recipe: the prepared model equals applying them by hand, and its
    // logits equal the original model's within rotation tolerance.
    const std::string tmp = scratch();
    const std::string dir = jq::test::testData("tiny-random-llama");
    jq::LlamaModel model = loadFloat(dir);
    const at::Tensor ids = sampleIds(model.config());
    const at::Tensor original = logitsOf(model, ids);
    jq::writeRotationFile(tmp + "/rot.pt", randomRotations(model.config(), 33));
    jq::ExportRecipe r;
    r.run.model = dir;
    r.run.dtype = "float32";
    r.run.weight.bits = 16;
    r.run.act.bits = 16;
    r.rotationFiles = {tmp + "/rot.pt"};
    jq::PreparedModel p = jq::prepareModel(r);
    const at::Tensor got = logitsOf(*p.model, ids);
    QVERIFY((got - original).abs().max().item<double>() <= 1e-4 * original.abs().max().item<double>());
    QVERIFY((p.model->embedTokens().to(at::kDouble) - model.embedTokens().to(at::kDouble)).abs().max().item<double>() >
            1e-3);
    // Wrong sizes are named, not applied.
    jq::RotationSet wrong;
    wrong.r1 = at::eye(model.config().hiddenSize + 1, at::kDouble);
    jq::writeRotationFile(tmp + "/wrong.pt", wrong);
    r.rotationFiles = {tmp + "/wrong.pt"};
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::prepareModel(r));
  }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
