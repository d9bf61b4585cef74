// Every row of docs/bad-inputs.md: a damaged checkpoint, tokenizer, data set or output location handed to the
// `jointquant` CLI (the boundary a researcher meets) must end with exit status 1 and one line naming the file (or
// tensor) and the problem — never a crash, a LibTorch backtrace or a silently wrong result. Disk full is a
// RLIMIT_FSIZE in the child process (EFBIG where a full disk gives ENOSPC: the same failed write()).
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "RobustnessSupport.h"
#include "common/Error.h"
#include "data/CalibrationSampler.h"
#include "support/ExpectError.h"

namespace {

namespace fs = std::filesystem;
using jq::test::RawSafetensors;

const char* kDownProj = "model.layers.1.mlp.down_proj.weight";

// Sets element 0 of a BF16 tensor of the checkpoint to the given bit pattern.
void pokeBf16(const std::string& model, const std::string& tensor, uint16_t bits) {
  RawSafetensors s = RawSafetensors::read(model + "/model.safetensors");
  std::memcpy(&s.data[s.begin(tensor)], &bits, 2);
  s.write(model + "/model.safetensors");
}

void editConfig(const std::string& model, const char* key, const nlohmann::json& value) {
  nlohmann::ordered_json c = nlohmann::ordered_json::parse(jq::test::readFile(model + "/config.json"));
  c[key] = value;
  jq::test::writeBytes(model + "/config.json", c.dump(2));
}

// The error is the last thing on stderr and a single line (HDF5 and LibTorch messages can carry newlines).
void checkOneErrorLine(const std::string& err) {
  const size_t at = err.find("jointquant: error: ");
  QVERIFY2(at != std::string::npos, err.c_str());
  QVERIFY2(std::count(err.begin() + long(at), err.end(), '\n') == 1 && err.back() == '\n', err.c_str());
}

// Prepares the damage `what` in fresh folders and returns the CLI arguments that meet it.
QStringList prepare(const std::string& what, const std::string& dir) {
  const std::string text = jq::test::demoTextFile(dir + "/eval.txt", 4000);
  auto evalArgs = [&](const std::string& model, const std::string& dataset, const char* seqlen = "64") {
    return QStringList{"eval", "--quiet", "--model", QString::fromStdString(model), "--dataset",
                       QString::fromStdString(dataset), "--format", "text", "--seqlen", seqlen, "--dtype", "float32"};
  };
  const std::string model = dir + "/model";
  if (what.rfind("checkpoint", 0) == 0 || what.rfind("config", 0) == 0 || what.rfind("weights", 0) == 0 ||
      what.rfind("vocab", 0) == 0 || what.rfind("context", 0) == 0) {
    fs::rename(jq::test::copyDemoModel("model-" + what), model);
  }
  const std::string st = model + "/model.safetensors";

  if (what == "checkpoint/truncated-header") {
    jq::test::writeBytes(st, jq::test::readFile(st).substr(0, 8 + 1000));
  } else if (what == "checkpoint/truncated-data") {
    const std::string bytes = jq::test::readFile(st);
    jq::test::writeBytes(st, bytes.substr(0, bytes.size() - 1000));
  } else if (what == "checkpoint/oversize-header") {
    std::string bytes = jq::test::readFile(st);
    const uint64_t n = uint64_t(1) << 40;
    bytes.replace(0, 8, std::string(reinterpret_cast<const char*>(&n), 8));
    jq::test::writeBytes(st, bytes);
  } else if (what == "checkpoint/overlapping-offsets") {
    RawSafetensors s = RawSafetensors::read(st);
    // Shift down_proj's range 2 bytes back, into the tensor before it; keep its length (dtype × shape).
    auto& off = s.header[kDownProj]["data_offsets"];
    off = {off[0].get<uint64_t>() - 2, off[1].get<uint64_t>() - 2};
    s.write(st);
  } else if (what == "checkpoint/out-of-range-offsets") {
    RawSafetensors s = RawSafetensors::read(st);
    auto& off = s.header[kDownProj]["data_offsets"];
    off = {off[0].get<uint64_t>() + s.data.size(), off[1].get<uint64_t>() + s.data.size()};
    s.write(st);
  } else if (what == "checkpoint/dtype-shape-mismatch") {
    RawSafetensors s = RawSafetensors::read(st);
    s.header[kDownProj]["shape"] = {256, 700};
    s.write(st);
  } else if (what == "checkpoint/missing") {
    fs::remove(st);
  } else if (what == "weights/nan") {
    pokeBf16(model, kDownProj, 0x7FC0);
  } else if (what == "weights/inf") {
    pokeBf16(model, "model.norm.weight", 0x7F80);
  } else if (what == "config/shape-mismatch") {
    editConfig(model, "intermediate_size", 512);
  } else if (what == "config/not-json") {
    jq::test::writeBytes(model + "/config.json", "{\"hidden_size\": 256,");
  } else if (what == "config/missing") {
    fs::remove(model + "/config.json");
  } else if (what == "vocab/tokenizer-larger-than-model") {
    // A tokenizer whose ids go past the model's 4096 embeddings (e.g. a Llama 3 tokenizer on a Llama 2 model).
    nlohmann::ordered_json tok = nlohmann::ordered_json::parse(jq::test::readFile(model + "/tokenizer.json"));
    tok["added_tokens"].push_back({{"id", 5000}, {"content", "<|extra|>"}, {"single_word", false}, {"lstrip", false},
                                   {"rstrip", false}, {"normalized", false}, {"special", true}});
    jq::test::writeBytes(model + "/tokenizer.json", tok.dump());
    jq::test::writeBytes(text, jq::test::readFile(text) + " <|extra|> and more text");
  } else if (what == "context/seqlen-beyond-max-position") {
    editConfig(model, "max_position_embeddings", 64);
    return evalArgs(model, text, "128");
  } else if (what == "context/text-shorter-than-window") {
    return evalArgs(model, text, "4096");
  }

  if (what.rfind("data/", 0) == 0) {
    const std::string data = dir + "/data.txt";
    if (what == "data/empty") jq::test::writeBytes(data, "");
    if (what == "data/whitespace") jq::test::writeBytes(data, " \n\n\t \n");
    if (what == "data/binary-nul") jq::test::writeBytes(data, std::string("PK\x03\x04\0\0\x14\0binary", 14));
    if (what == "data/invalid-utf8") jq::test::writeBytes(data, "caf\xE9 au lait, Latin-1 rather than UTF-8\n");
    if (what == "data/missing") fs::remove(data);
    return evalArgs(jq::test::demoModelDir(), data);
  }
  if (what == "rotations/r1-wrong-size") {
    // An R1 of 128 × 128 (identity, float32) for the demo model, whose hidden size is 256.
    RawSafetensors s;
    s.header["R1"] = {{"dtype", "F32"}, {"shape", {128, 128}}, {"data_offsets", {0, 128 * 128 * 4}}};
    std::vector<float> eye(128 * 128, 0.0f);
    for (int i = 0; i < 128; ++i) eye[size_t(i) * 128 + size_t(i)] = 1.0f;
    s.data.assign(reinterpret_cast<const char*>(eye.data()), eye.size() * sizeof(float));
    const std::string rot = dir + "/r1-128.safetensors";
    s.write(rot);
    return {"eval-rotations", "--quiet", "--model", QString::fromStdString(jq::test::demoModelDir()), "--rotations",
            QString::fromStdString(rot), "--dataset", QString::fromStdString(text), "--format", "text", "--seqlen",
            "64", "--dtype", "float32"};
  }
  if (what == "calibration/shorter-than-window") {
    const std::string calib = jq::test::demoTextFile(dir + "/calib.txt", 300);
    return {"quantize", "--quiet", "--model", QString::fromStdString(jq::test::demoModelDir()), "--method", "rtn",
            "--weights", "gptq", "--calib", QString::fromStdString(calib), "--dataset", QString::fromStdString(text),
            "--seqlen", "256", "--nsamples", "2", "--dtype", "float32"};
  }
  if (what.rfind("checkpoint", 0) == 0 || what.rfind("config", 0) == 0 || what.rfind("weights", 0) == 0 ||
      what.rfind("vocab", 0) == 0)
    return evalArgs(model, text);
  return {};
}

}  // namespace

class TestBadInputs : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // The row's tag names the damage (see prepare()).
  void cliRefusesWithOneClearLine_data() {
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QStringList>("needles");  // all must appear on stderr
    const QString st = "model.safetensors";
    QTest::newRow("checkpoint/truncated-header") << 1 << QStringList{st, "runs past the end of the file"};
    QTest::newRow("checkpoint/truncated-data") << 1 << QStringList{st, "run past the data section", "truncated"};
    QTest::newRow("checkpoint/oversize-header") << 1 << QStringList{st, "exceeds the 100 MB limit"};
    QTest::newRow("checkpoint/overlapping-offsets") << 1 << QStringList{st, kDownProj, "overlaps tensor"};
    QTest::newRow("checkpoint/out-of-range-offsets") << 1 << QStringList{st, kDownProj, "run past the data section"};
    QTest::newRow("checkpoint/dtype-shape-mismatch") << 1 << QStringList{st, kDownProj, "needs 358400 bytes"};
    QTest::newRow("checkpoint/missing") << 1 << QStringList{"no model.safetensors"};
    QTest::newRow("weights/nan") << 1 << QStringList{st, kDownProj, "NaN or Inf"};
    QTest::newRow("weights/inf") << 1 << QStringList{st, "model.norm.weight", "NaN or Inf"};
    QTest::newRow("config/shape-mismatch") << 1 << QStringList{"model.layers.0.mlp.gate_proj.weight", "[768, 256]", "needs [512, 256]"};
    QTest::newRow("config/not-json") << 1 << QStringList{"config.json", "not valid JSON"};
    QTest::newRow("config/missing") << 1 << QStringList{"config.json"};
    // The errors about a text or a tokenizer that do not fit the model name that file.
    QTest::newRow("vocab/tokenizer-larger-than-model")
        << 1 << QStringList{"model/tokenizer.json: token id", "outside the model's vocabulary of 4096", "do not match"};
    QTest::newRow("context/seqlen-beyond-max-position") << 0 << QStringList{"seqlen 128 exceeds", "max_position_embeddings 64"};
    QTest::newRow("context/text-shorter-than-window")
        << 1 << QStringList{"eval.txt: text has", "fewer than one window of 4096"};
    QTest::newRow("data/empty") << 1 << QStringList{"data.txt", "empty"};
    QTest::newRow("data/whitespace") << 1 << QStringList{"data.txt", "empty"};
    QTest::newRow("data/binary-nul") << 1 << QStringList{"data.txt", "NUL bytes"};
    QTest::newRow("data/invalid-utf8") << 1 << QStringList{"data.txt", "not valid UTF-8", "byte 3"};
    QTest::newRow("data/missing") << 1 << QStringList{"data.txt", "does not exist"};
    QTest::newRow("calibration/shorter-than-window") << 1 << QStringList{"calib.txt: calibration text has", "256"};
    QTest::newRow("rotations/r1-wrong-size")
        << 1 << QStringList{"r1-128.safetensors: tensor 'R1'", "R1 has shape [128, 128]", "hidden size is 256"};
  }
  void cliRefusesWithOneClearLine() {
    const QString what = QTest::currentDataTag();
    QFETCH(int, exitCode);
    QFETCH(QStringList, needles);
    const std::string dir = jq::test::freshDir("bad-" + what.toStdString());
    const QStringList args = prepare(what.toStdString(), dir);
    QVERIFY2(!args.isEmpty(), "no preparation for this row");
    const jq::test::CliResult r = jq::test::runProgram(QStringLiteral(JQ_CLI_PATH), args);
    qInfo("%s -> exit %d: %s", qPrintable(what), r.exitCode, r.err.c_str());
    QVERIFY2(!r.crashed, r.err.c_str());
    QCOMPARE(r.exitCode, exitCode);
    for (const QString& n : needles)
      QVERIFY2(r.err.find(n.toStdString()) != std::string::npos,
               qPrintable(QString("'%1' not in: %2").arg(n, QString::fromStdString(r.err))));
    // One sentence, not LibTorch's backtrace.
    QVERIFY2(r.err.find("Exception raised from") == std::string::npos, r.err.c_str());
    if (exitCode != 0) checkOneErrorLine(r.err);
  }

  // Output that cannot be written: a missing folder, a "folder" that is a file, and a full disk (file-size limit
  // in the child). The command fails, says so, and leaves neither a partial file nor a temporary behind; an
  // earlier result at the same path is kept byte for byte.
  void unwritableOutput_data() {
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("command");
    QTest::addColumn<int>("limitKiB");
    QTest::addColumn<QStringList>("needles");
    QTest::newRow("json into a missing folder") << "missing-folder" << "tokenize" << 0
                                               << QStringList{"no-such-folder/out.json", "cannot create file"};
    QTest::newRow("json under a regular file") << "file-as-folder" << "tokenize" << 0
                                              << QStringList{"a-file/out.json", "cannot create file"};
    QTest::newRow("disk full writing json") << "disk-full" << "tokenize" << 64
                                           << QStringList{"out.json", "write failed"};
    QTest::newRow("disk full writing the run file") << "disk-full" << "quantize" << 4
                                                    << QStringList{"run.h5", "write failed"};
    QTest::newRow("run file into a missing folder") << "missing-folder" << "quantize" << 0
                                                    << QStringList{"no-such-folder/run.h5", "cannot create file"};
  }
  void unwritableOutput() {
    QFETCH(QString, what);
    QFETCH(QString, command);
    QFETCH(int, limitKiB);
    QFETCH(QStringList, needles);
    const std::string dir = jq::test::freshDir("out-" + what.toStdString() + "-" + command.toStdString());
    const std::string text = jq::test::demoTextFile(dir + "/eval.txt", 4000);
    std::string outDir = dir + "/results";
    fs::create_directories(outDir);
    if (what == "missing-folder") outDir = dir + "/no-such-folder";
    if (what == "file-as-folder") {
      jq::test::writeBytes(dir + "/a-file", "x");
      outDir = dir + "/a-file";
    }
    const bool runFile = command == "quantize";
    const std::string out = outDir + (runFile ? "/run.h5" : "/out.json");
    const std::string previous = "an earlier result that must survive\n";
    if (what == "disk-full") jq::test::writeBytes(out, previous);

    QStringList args;
    if (runFile)
      args = {"quantize", "--quiet", "--model", QString::fromStdString(jq::test::demoModelDir()), "--method", "fp",
              "--dataset", QString::fromStdString(text), "--format", "text", "--seqlen", "64", "--dtype", "float32",
              "--run", QString::fromStdString(out)};
    else  // the ids of the whole demo test text: about 80 000 ids, some 400 KB of JSON
      args = {"tokenize", "--tokenizer", QString::fromStdString(jq::test::demoModelDir()), "--input",
              QString::fromStdString(jq::test::sourceDir() + "/resources/demo-corpus/test.txt"), "--json",
              QString::fromStdString(out)};
    const jq::test::CliResult r = jq::test::runProgram(QStringLiteral(JQ_CLI_PATH), args, rlim_t(limitKiB) * 1024);
    qInfo("%s %s -> exit %d: %s", qPrintable(what), qPrintable(command), r.exitCode, r.err.c_str());
    QVERIFY2(!r.crashed, r.err.c_str());
    QCOMPARE(r.exitCode, 1);
    for (const QString& n : needles)
      QVERIFY2(r.err.find(n.toStdString()) != std::string::npos,
               qPrintable(QString("'%1' not in: %2").arg(n, QString::fromStdString(r.err))));
    checkOneErrorLine(r.err);
    if (what == "disk-full") {
      QCOMPARE(jq::test::listDir(outDir), std::vector<std::string>{runFile ? "run.h5" : "out.json"});
      QCOMPARE(jq::test::readFile(out), previous);
    } else if (what == "file-as-folder") {
      QCOMPARE(jq::test::readFile(dir + "/a-file"), std::string("x"));
    } else {
      QVERIFY(!fs::exists(outDir));
    }
  }

  // A real ENOSPC where the machine lets us mount a small tmpfs (root in a container, as on the build machine);
  // skipped elsewhere — the RLIMIT_FSIZE rows above cover the same failed write() everywhere.
  void diskFullOnTmpfs() {
    const std::string mnt = jq::test::freshDir("tmpfs-64k");
    QProcess mount;
    mount.start("mount", {"-t", "tmpfs", "-o", "size=64k", "tmpfs", QString::fromStdString(mnt)});
    if (!mount.waitForFinished(10000) || mount.exitStatus() != QProcess::NormalExit || mount.exitCode() != 0)
      QSKIP("cannot mount a tmpfs here (needs CAP_SYS_ADMIN)");
    const std::string out = mnt + "/out.json";
    const std::string previous = "an earlier result that must survive\n";
    jq::test::writeBytes(out, previous);
    const jq::test::CliResult r = jq::test::runProgram(
        QStringLiteral(JQ_CLI_PATH),
        {"tokenize", "--tokenizer", QString::fromStdString(jq::test::demoModelDir()), "--input",
         QString::fromStdString(jq::test::sourceDir() + "/resources/demo-corpus/test.txt"), "--json",
         QString::fromStdString(out)});
    const std::vector<std::string> left = jq::test::listDir(mnt);
    const std::string kept = jq::test::readFile(out);
    QProcess::execute("umount", {QString::fromStdString(mnt)});
    qInfo("tmpfs -> exit %d: %s", r.exitCode, r.err.c_str());
    QVERIFY2(!r.crashed, r.err.c_str());
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find("out.json") != std::string::npos && r.err.find("write failed") != std::string::npos,
             r.err.c_str());
    QCOMPARE(left, std::vector<std::string>{"out.json"});
    QCOMPARE(kept, previous);
  }

  // The same limits without the fault: the rows above fail because of the fault, not because the command fails
  // anyway (the disk-full rows use limits below what these outputs need).
  void outputsFitWithoutTheFault() {
    const std::string dir = jq::test::freshDir("out-ok");
    const std::string text = jq::test::demoTextFile(dir + "/eval.txt", 4000);
    const jq::test::CliResult r = jq::test::runProgram(
        QStringLiteral(JQ_CLI_PATH),
        {"quantize", "--quiet", "--model", QString::fromStdString(jq::test::demoModelDir()), "--method", "fp",
         "--dataset", QString::fromStdString(text), "--format", "text", "--seqlen", "64", "--dtype", "float32",
         "--run", QString::fromStdString(dir + "/run.h5"), "--json", QString::fromStdString(dir + "/out.json")});
    QVERIFY2(r.exitCode == 0 && !r.crashed, r.err.c_str());
    QVERIFY(fs::file_size(dir + "/run.h5") > 4 * 1024);
    const jq::test::CliResult t = jq::test::runProgram(
        QStringLiteral(JQ_CLI_PATH),
        {"tokenize", "--tokenizer", QString::fromStdString(jq::test::demoModelDir()), "--input",
         QString::fromStdString(jq::test::sourceDir() + "/resources/demo-corpus/test.txt"), "--json",
         QString::fromStdString(dir + "/ids.json")});
    QVERIFY2(t.exitCode == 0 && !t.crashed, t.err.c_str());
    QVERIFY(fs::file_size(dir + "/ids.json") > 64 * 1024);
  }

  // Calibration needs seqlen + 1 tokens for one window (GPTQ's randint(0, N - seqlen - 1)); a short text is refused
  // with both numbers, by hand: 10 tokens cannot hold a window of 10.
  void calibrationWindowLongerThanText() {
    const std::vector<int64_t> tokens(10, 7);
    jq::CalibrationSamplerOptions o;
    o.samples = 1;
    o.seqlen = 10;
    o.textFile = "D/calib.txt";
    jq::test::expectError([&] { jq::sampleCalibrationWindows(tokens, o); }, jq::ErrorKind::InvalidInput, "D/calib.txt",
                          "10 tokens, fewer than one window of 10 + 1");
    o.seqlen = 9;
    QCOMPARE(jq::sampleCalibrationWindows(tokens, o).sizes(), at::IntArrayRef({1, 9}));
  }
};

QTEST_GUILESS_MAIN(TestBadInputs)
#include "tst_bad_inputs.moc"
