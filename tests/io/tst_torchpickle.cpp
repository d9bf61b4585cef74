// PyTorch checkpoint files: what LibTorch's pickler writes must be a torch.save zip archive (what Python's
// torch.load reads) and read back exactly; SpinQuant's R.bin key layout.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "common/Error.h"
#include "io/TorchPickle.h"
#include "support/ExpectError.h"
#include "support/TestData.h"

namespace {

std::string scratch(const std::string& name) { return jq::test::tempDir() + "/" + name; }

using jq::test::expectError;

}  // namespace

class TestTorchPickle : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void writesTorchSaveZipArchive() {
    const std::string path = scratch("r1.pt");
    const at::Tensor r1 = at::tensor({0.6, -0.8, 0.8, 0.6}, at::kDouble).reshape({2, 2});
    jq::writeTorchTensorDict(path, {{"R1", r1}});
    const std::string bytes = jq::test::readFile(path);
    // torch.save's container (PyTorch >= 1.6): a zip whose first entry is <archive>/data.pkl, tensors rebuilt by
    // torch._utils._rebuild_tensor_v2 from a typed storage — globals torch.load(weights_only=True) allows.
    QCOMPARE(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
    QVERIFY(bytes.find("/data.pkl") != std::string::npos);
    QVERIFY(bytes.find("_rebuild_tensor_v2") != std::string::npos);
    QVERIFY(bytes.find("DoubleStorage") != std::string::npos);
    // torch.load(weights_only=True) (PyTorch's default since 2.6) refuses the TorchScript type tag that
    // torch::pickle_save puts around containers.
    QVERIFY(bytes.find("restore_type_tag") == std::string::npos);
    const auto back = jq::readTorchTensorDict(path);
    QCOMPARE(back.size(), size_t(1));
    QCOMPARE(back.at("R1").scalar_type(), at::kDouble);
    QVERIFY(at::equal(back.at("R1"), r1));
  }

  void viewsAreSavedCompactly() {
    const std::string path = scratch("view.pt");
    const at::Tensor big = at::arange(1000000, at::kFloat).reshape({1000, 1000});
    jq::writeTorchTensorDict(path, {{"corner", big.slice(0, 0, 2).slice(1, 0, 2).t()}});
    QVERIFY(std::filesystem::file_size(path) < 100000);  // not the 4 MB storage of `big`
    const auto back = jq::readTorchTensorDict(path).at("corner");
    QVERIFY(at::equal(back, at::tensor({0.f, 1000.f, 1.f, 1001.f}).reshape({2, 2})));
  }

  void spinQuantLayout() {
    const std::string path = scratch("R.bin");
    jq::RotationCheckpoint rc;
    rc.r1 = at::eye(4, at::kDouble);
    rc.r2[0] = at::eye(2, at::kFloat);
    rc.r2[11] = -at::eye(2, at::kFloat);
    jq::writeRotationCheckpoint(path, rc);
    const auto raw = jq::readTorchTensorDict(path);
    QCOMPARE(raw.size(), size_t(3));
    QVERIFY(raw.count("R1") && raw.count("model.layers.0.self_attn.R2") && raw.count("model.layers.11.self_attn.R2"));
    const auto back = jq::readRotationCheckpoint(path);
    QVERIFY(at::equal(back.r1, rc.r1));
    QCOMPARE(back.r2.size(), size_t(2));
    QVERIFY(at::equal(back.r2.at(11), rc.r2.at(11)));
    QCOMPARE(jq::spinQuantR2Key(3), std::string("model.layers.3.self_attn.R2"));
  }

  void rejectsOtherFiles() {
    const std::string text = scratch("notes.pt");
    std::ofstream(text) << "not a checkpoint";
    expectError([&] { jq::readTorchTensorDict(text); }, jq::ErrorKind::InvalidInput, text, "zip");
    const std::string missing = scratch("missing.pt");
    expectError([&] { jq::readTorchTensorDict(missing); }, jq::ErrorKind::NotFound, missing, "does not exist");
    // A zip archive cut in half.
    const std::string good = scratch("good.pt");
    jq::writeTorchTensorDict(good, {{"R1", at::eye(64)}});
    const std::string bytes = jq::test::readFile(good);
    const std::string cut = scratch("cut.pt");
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    expectError([&] { jq::readTorchTensorDict(cut); }, jq::ErrorKind::InvalidInput, cut, "unpickle");
    // Cut elsewhere: inside the data, inside the central directory, one byte short. LibTorch 1.13's in-memory
    // reader read past the end of the buffer for such archives (heap-use-after-free under ASan, from
    // tools/run_sanitizers.sh); the reader now cuts short every read beyond the end, as for a file.
    for (size_t keep : {size_t(100), bytes.size() / 4, bytes.size() - 200, bytes.size() - 23, bytes.size() - 1}) {
      std::ofstream(cut, std::ios::binary | std::ios::trunc) << bytes.substr(0, keep);
      expectError([&] { jq::readTorchTensorDict(cut); }, jq::ErrorKind::InvalidInput, cut, "unpickle");
    }
  }

  // Files written by Python's torch.save on the GPU machine, when present: tests/data/torch/<name>.pt with
  // <name>.json = {"<key>": {"shape": [..], "values": [flattened float64]}}.
  void readsPythonTorchSave() {
    const std::string dir = jq::test::testData("torch");
    std::vector<std::string> files;
    if (std::filesystem::is_directory(dir))
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".pt" || e.path().extension() == ".bin") files.push_back(e.path().string());
    if (files.empty()) QSKIP("tests/data/torch/ holds no files written by Python torch.save yet");
    for (const auto& path : files) {
      const auto tensors = jq::readTorchTensorDict(path);
      QVERIFY(!tensors.empty());
      const std::string expectPath = std::filesystem::path(path).replace_extension(".json").string();
      if (!jq::test::fileExists(expectPath)) continue;
      const auto expect = nlohmann::json::parse(jq::test::readFile(expectPath));
      QCOMPARE(expect.size(), tensors.size());
      for (auto it = expect.begin(); it != expect.end(); ++it) {
        const at::Tensor t = tensors.at(it.key()).to(at::kDouble).flatten().contiguous();
        const auto values = it.value()["values"].get<std::vector<double>>();
        QCOMPARE(t.numel(), int64_t(values.size()));
        for (size_t i = 0; i < values.size(); ++i) QCOMPARE(t[int64_t(i)].item<double>(), values[i]);
        QCOMPARE(tensors.at(it.key()).sizes().vec(), it.value()["shape"].get<std::vector<int64_t>>());
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestTorchPickle)
#include "tst_torchpickle.moc"
