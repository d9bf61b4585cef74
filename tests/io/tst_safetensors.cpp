// safetensors reading and writing against the format specification and the byte strings the reference
// implementation (huggingface/safetensors) produces in its own test-suite.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/Error.h"
#include "io/SafetensorsFile.h"
#include "support/ExpectError.h"
#include "support/TestData.h"

namespace {

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

// A file as the spec lays it out: length, header, data. `pad` adds spaces as the reference writer does.
std::string stBytes(std::string header, const std::string& data, bool pad = true) {
  if (pad) header.append((8 - header.size() % 8) % 8, ' ');
  return le64(header.size()) + header + data;
}

std::string scratch(const std::string& name) { return jq::test::tempDir() + "/" + name; }

void writeBytes(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string f32Bytes(std::initializer_list<float> values) {
  std::string s;
  for (float v : values) s.append(reinterpret_cast<const char*>(&v), 4);
  return s;
}

using jq::test::expectError;

}  // namespace

Q_DECLARE_METATYPE(at::ScalarType)

class TestSafetensors : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // --- Byte strings from the reference implementation's tests (safetensors/src/tensor.rs,
  // --- bindings/python/tests/test_pt_comparison.py): what Python's save_file writes.
  void referenceBytes_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("name");        // empty: no tensor
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<QString>("shape");
    QTest::addColumn<QString>("values");      // comma-separated, as doubles
    QTest::addColumn<QString>("metaKey");
    QTest::addColumn<bool>("writerMatches");  // our writer must produce the same bytes
    // save({"test": torch.zeros((2, 2), dtype=torch.float32)}): header padded to 64 with 4 spaces.
    QTest::newRow("F32 zeros, padded") << QByteArray(
        "@\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}    "
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 88)
        << "test" << "F32" << "2,2" << "0,0,0,0" << "" << true;
    // test_serialization_forced_alignement: "attn0", F32 [1,1,2,3] = 0..5.
    static const unsigned char forced[] = {
        72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58,
        34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100,
        97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32,
        32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64};
    QTest::newRow("F32 forced alignment") << QByteArray(reinterpret_cast<const char*>(forced), sizeof forced)
                                          << "attn0" << "F32" << "1,1,2,3" << "0,1,2,3,4,5" << "" << true;
    // test_empty: no tensors, and no tensors with {"framework": "pt"}.
    static const unsigned char empty[] = {8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32};
    QTest::newRow("empty") << QByteArray(reinterpret_cast<const char*>(empty), sizeof empty) << "" << "" << ""
                           << "" << "" << true;
    static const unsigned char emptyMeta[] = {40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97,
                                              116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111,
                                              114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32};
    QTest::newRow("empty with metadata") << QByteArray(reinterpret_cast<const char*>(emptyMeta), sizeof emptyMeta)
                                         << "" << "" << "" << "" << "framework" << true;
    // Files of safetensors < 0.3 have no padding: I32 [[0,0],[0,1]] with a 60-byte header.
    QTest::newRow("I32 unpadded (old writer)") << QByteArray(
        "<\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}"
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00", 84)
        << "test" << "I32" << "2,2" << "0,0,0,1" << "" << false;
  }
  void referenceBytes() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, name);
    QFETCH(QString, dtype);
    QFETCH(QString, shape);
    QFETCH(QString, values);
    QFETCH(QString, metaKey);
    QFETCH(bool, writerMatches);
    const std::string path = scratch(std::string("ref-") + QTest::currentDataTag() + ".safetensors");
    writeBytes(path, bytes.toStdString());

    auto f = jq::SafetensorsFile::open(path);
    std::map<std::string, at::Tensor> all;
    if (name.isEmpty()) {
      QVERIFY(f->names().empty());
    } else {
      QCOMPARE(f->names(), std::vector<std::string>{name.toStdString()});
      const auto& info = f->info(name.toStdString());
      QCOMPARE(QString::fromStdString(info.dtype), dtype);
      std::vector<int64_t> expectShape;
      for (const auto& s : shape.split(',')) expectShape.push_back(s.toLongLong());
      QCOMPARE(info.shape, expectShape);
      at::Tensor t = f->tensor(name.toStdString());
      QCOMPARE(t.sizes().vec(), expectShape);
      const auto flat = t.to(at::kDouble).flatten();
      const auto expect = values.split(',');
      QCOMPARE(flat.numel(), int64_t(expect.size()));
      for (int i = 0; i < expect.size(); ++i) QCOMPARE(flat[i].item<double>(), expect[i].toDouble());
      all[name.toStdString()] = t.clone();
    }
    std::map<std::string, std::string> meta;
    if (!metaKey.isEmpty()) {
      QCOMPARE(f->metadata().size(), size_t(1));
      QCOMPARE(f->metadata().at(metaKey.toStdString()), std::string("pt"));
      meta[metaKey.toStdString()] = "pt";
    }
    if (writerMatches) {
      const std::string out = scratch(std::string("ours-") + QTest::currentDataTag() + ".safetensors");
      jq::writeSafetensors(out, all, meta);
      QCOMPARE(QByteArray::fromStdString(jq::test::readFile(out)), bytes);
    }
  }

  // Element encodings worked from the IEEE / bfloat16 definitions, little-endian.
  void decodesEveryDtype_data() {
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("values");
    QTest::addColumn<at::ScalarType>("type");
    QTest::newRow("F16") << "F16" << QByteArray("\x00\x3c\x00\xc0\x55\x35\x00\x7c", 8)
                         << "1,-2,0.333251953125,inf" << at::kHalf;
    QTest::newRow("BF16") << "BF16" << QByteArray("\x80\x3f\x49\x40\xf7\xc2\x00\x00", 8) << "1,3.140625,-123.5,0"
                          << at::kBFloat16;
    QTest::newRow("F32") << "F32" << QByteArray("\x00\x00\x80\x3f\x00\x00\x20\xc1", 8) << "1,-10" << at::kFloat;
    QTest::newRow("F64") << "F64" << QByteArray("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8) << "1" << at::kDouble;
    QTest::newRow("I64") << "I64" << QByteArray("\xfe\xff\xff\xff\xff\xff\xff\xff", 8) << "-2" << at::kLong;
    QTest::newRow("I32") << "I32" << QByteArray("\x07\x00\x00\x00\xff\xff\xff\xff", 8) << "7,-1" << at::kInt;
    QTest::newRow("I16") << "I16" << QByteArray("\x00\x80\xff\x7f", 4) << "-32768,32767" << at::kShort;
    QTest::newRow("I8") << "I8" << QByteArray("\x80\x7f\xff", 3) << "-128,127,-1" << at::kChar;
    QTest::newRow("U8") << "U8" << QByteArray("\x00\xff\x10", 3) << "0,255,16" << at::kByte;
    QTest::newRow("BOOL") << "BOOL" << QByteArray("\x01\x00\x01", 3) << "1,0,1" << at::kBool;
  }
  void decodesEveryDtype() {
    QFETCH(QString, dtype);
    QFETCH(QByteArray, raw);
    QFETCH(QString, values);
    QFETCH(at::ScalarType, type);
    const auto expect = values.split(',');
    const std::string header = "{\"x\":{\"dtype\":\"" + dtype.toStdString() + "\",\"shape\":[" +
                               std::to_string(expect.size()) + "],\"data_offsets\":[0," +
                               std::to_string(raw.size()) + "]}}";
    const std::string path = scratch("dtype-" + dtype.toStdString() + ".safetensors");
    writeBytes(path, stBytes(header, raw.toStdString()));
    const auto t = jq::SafetensorsFile::open(path)->tensor("x");
    QCOMPARE(t.scalar_type(), type);
    const auto d = t.to(at::kDouble);
    for (int i = 0; i < expect.size(); ++i) {
      const double want = expect[i] == "inf" ? INFINITY : expect[i].toDouble();
      QCOMPARE(d[i].item<double>(), want);
    }
  }

  void roundTripEveryDtype_data() {
    QTest::addColumn<at::ScalarType>("type");
    QTest::addColumn<QString>("dtype");
    QTest::newRow("F32") << at::kFloat << "F32";
    QTest::newRow("F64") << at::kDouble << "F64";
    QTest::newRow("F16") << at::kHalf << "F16";
    QTest::newRow("BF16") << at::kBFloat16 << "BF16";
    QTest::newRow("I64") << at::kLong << "I64";
    QTest::newRow("I32") << at::kInt << "I32";
    QTest::newRow("I16") << at::kShort << "I16";
    QTest::newRow("I8") << at::kChar << "I8";
    QTest::newRow("U8") << at::kByte << "U8";
    QTest::newRow("BOOL") << at::kBool << "BOOL";
  }
  void roundTripEveryDtype() {
    QFETCH(at::ScalarType, type);
    QFETCH(QString, dtype);
    // Small integers are exact in every type; a transposed view checks that non-contiguous input is written
    // in logical order.
    at::Tensor base = (at::arange(12, at::kDouble).reshape({3, 4}) - 5);
    if (type == at::kByte) base = at::arange(12, at::kDouble).reshape({3, 4}) * 20;
    if (type == at::kBool) base = at::fmod(at::arange(12, at::kDouble), 3).eq(0).reshape({3, 4});
    const at::Tensor t = base.to(type).t();
    const at::Tensor scalar = at::scalar_tensor(1, at::TensorOptions().dtype(at::kDouble)).to(type);
    const at::Tensor empty = at::empty({0, 5}, at::TensorOptions().dtype(type));
    const std::string path = scratch("rt-" + dtype.toStdString() + ".safetensors");
    jq::writeSafetensors(path, {{"w", t}, {"s", scalar}, {"e", empty}, {"pad", at::ones({3}, at::kByte)}},
                         {{"format", "pt"}});
    auto f = jq::SafetensorsFile::open(path);
    QCOMPARE(f->names(), (std::vector<std::string>{"e", "pad", "s", "w"}));
    QCOMPARE(QString::fromStdString(f->info("w").dtype), dtype);
    const at::Tensor back = f->tensor("w");
    QCOMPARE(back.scalar_type(), type);
    QCOMPARE(back.sizes().vec(), (std::vector<int64_t>{4, 3}));
    QVERIFY(at::equal(back, t.contiguous()));
    QCOMPARE(f->tensor("s").dim(), int64_t(0));
    QVERIFY(at::equal(f->tensor("s"), scalar));
    QCOMPARE(f->tensor("e").sizes().vec(), (std::vector<int64_t>{0, 5}));
    QCOMPARE(f->metadata().at("format"), std::string("pt"));
    // Every tensor must be aligned for its type in the file (the reference orders by dtype for that).
    const uint64_t headerLen = jq::test::readFile(path).size() - 8 - f->dataBytes();
    QCOMPARE((8 + headerLen) % 8, uint64_t(0));
    for (const auto& n : f->names())
      QCOMPARE(f->info(n).begin % jq::safetensorsDtypeSize(f->info(n).dtype), uint64_t(0));
  }

  void tensorsOutliveFileAndNeverWriteBack() {
    const std::string path = scratch("alias.safetensors");
    jq::writeSafetensors(path, {{"a", at::tensor({1.5f, -2.0f, 3.25f})}});
    const std::string before = jq::test::readFile(path);
    at::Tensor t;
    {
      auto f = jq::SafetensorsFile::open(path);
      t = f->tensor("a");
    }  // the mapping must stay alive through the tensor
    QCOMPARE(t[2].item<float>(), 3.25f);
    t.add_(1.0f);  // private pages: the file keeps its bytes
    QCOMPARE(t[0].item<float>(), 2.5f);
    QCOMPARE(jq::test::readFile(path), before);
    QCOMPARE(jq::SafetensorsFile::open(path)->tensor("a")[0].item<float>(), 1.5f);
  }

  void unalignedTensorIsCopiedCorrectly() {
    // Legal per the spec though the reference never writes it: an F32 tensor at data offset 1.
    const std::string header = R"({"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                               R"("f":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})";
    const std::string path = scratch("unaligned.safetensors");
    writeBytes(path, stBytes(header, "\x07" + f32Bytes({0.5f, -4.0f})));
    auto f = jq::SafetensorsFile::open(path);
    const auto t = f->tensor("f");
    QCOMPARE(reinterpret_cast<uintptr_t>(t.data_ptr()) % 4, uintptr_t(0));
    QCOMPARE(t[0].item<float>(), 0.5f);
    QCOMPARE(t[1].item<float>(), -4.0f);
    QCOMPARE(f->tensor("b")[0].item<uint8_t>(), uint8_t(7));
  }

  void malformed_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("needle");
    auto file = [](const std::string& header, const std::string& data) {
      return QByteArray::fromStdString(stBytes(header, data));
    };
    const std::string d16 = f32Bytes({1, 2, 3, 4});
    QTest::newRow("empty file") << QByteArray() << "too short";
    QTest::newRow("shorter than 8 bytes") << QByteArray("\x10\x00\x00", 3) << "too short";
    QTest::newRow("header larger than file") << QByteArray::fromStdString(le64(64) + "{}") << "past the end";
    QTest::newRow("absurd header size") << QByteArray::fromStdString(le64(uint64_t(1) << 40) + "{}      ")
                                        << "100 MB";
    QTest::newRow("header not JSON") << file("{\"a\": {\"dtype\": ", d16) << "not valid JSON";
    QTest::newRow("header not object") << file("[1,2,3]", "") << "object";
    QTest::newRow("entry not object") << file(R"({"a":5})", "") << "'a'";
    QTest::newRow("missing dtype") << file(R"({"a":{"shape":[4],"data_offsets":[0,16]}})", d16) << "'dtype'";
    QTest::newRow("missing shape") << file(R"({"a":{"dtype":"F32","data_offsets":[0,16]}})", d16) << "'shape'";
    QTest::newRow("missing data_offsets") << file(R"({"a":{"dtype":"F32","shape":[4]}})", d16) << "'data_offsets'";
    QTest::newRow("unknown dtype") << file(R"({"a":{"dtype":"F33","shape":[4],"data_offsets":[0,16]}})", d16)
                                   << "unknown dtype 'F33'";
    QTest::newRow("negative shape") << file(R"({"a":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,16]}})", d16)
                                    << "non-negative";
    QTest::newRow("fractional shape") << file(R"({"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,16]}})", d16)
                                      << "non-negative integer";
    QTest::newRow("overflowing shape")
        << file(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}})", d16)
        << "overflows";
    QTest::newRow("overflowing bytes")
        << file(R"({"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,16]}})", d16)
        << "overflows";
    QTest::newRow("size mismatch") << file(R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})",
                                           d16.substr(0, 12))
                                   << "needs 16 bytes";
    QTest::newRow("offsets past data") << file(R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})",
                                               d16.substr(0, 8))
                                       << "past the data section";
    QTest::newRow("offsets reversed") << file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}})", d16)
                                      << "end before";
    QTest::newRow("offsets not a pair") << file(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0]}})", d16)
                                        << "two non-negative";
    QTest::newRow("overlap") << file(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                                     R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
                                     d16 + d16.substr(0, 8))
                             << "overlaps tensor 'a'";
    QTest::newRow("hole") << file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                  R"("b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})",
                                  d16 + d16.substr(0, 8))
                          << "hole of 8 bytes";
    QTest::newRow("trailing bytes") << file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", d16)
                                    << "8 bytes at the end";
    QTest::newRow("metadata not strings") << file(R"({"__metadata__":{"n":1}})", "") << "__metadata__";
  }
  void malformed() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, needle);
    const std::string path = scratch(std::string("bad-") + QTest::currentDataTag() + ".safetensors");
    writeBytes(path, bytes.toStdString());
    expectError([&] { jq::SafetensorsFile::open(path); }, jq::ErrorKind::InvalidInput, path, needle.toStdString());
  }

  void missingFileAndTensor() {
    const std::string path = scratch("absent.safetensors");
    expectError([&] { jq::SafetensorsFile::open(path); }, jq::ErrorKind::NotFound, path, "does not exist");
    const std::string ok = scratch("one.safetensors");
    jq::writeSafetensors(ok, {{"a", at::zeros({2})}});
    auto f = jq::SafetensorsFile::open(ok);
    expectError([&] { f->info("b"); }, jq::ErrorKind::NotFound, ok, "'b'");
  }

  void writerRejectsBadInput() {
    const std::string path = scratch("w.safetensors");
    expectError([&] { jq::writeSafetensors(path, {{"__metadata__", at::zeros({1})}}); },
                jq::ErrorKind::InvalidInput, path, "reserved");
    expectError([&] { jq::writeSafetensors(path, {{"c", at::zeros({2}, at::kComplexFloat)}}); },
                jq::ErrorKind::Unsupported, path, "'c'");
    QVERIFY(!jq::test::fileExists(path));
    expectError([&] { jq::writeSafetensors("/nonexistent-jq-dir/x.safetensors", {{"a", at::zeros({1})}}); },
                jq::ErrorKind::Io, "/nonexistent-jq-dir/x.safetensors", "cannot create");
  }

  // --- Checkpoint folders.
  void storeSingleFile() {
    const std::string dir = scratch("ckpt-single");
    std::filesystem::create_directories(dir);
    jq::writeSafetensors(dir + "/model.safetensors", {{"x", at::tensor({1.0f, 2.0f})}, {"y", at::tensor({3})}});
    const auto s = jq::TensorStore::openDirectory(dir);
    QCOMPARE(s.names(), (std::vector<std::string>{"x", "y"}));
    QCOMPARE(s.tensor("x")[1].item<float>(), 2.0f);
    QCOMPARE(s.fileOf("y"), dir + "/model.safetensors");
    expectError([&] { s.tensor("z"); }, jq::ErrorKind::NotFound, dir, "'z'");
  }

  void storeShards() {
    const std::string dir = scratch("ckpt-sharded");
    std::filesystem::create_directories(dir);
    jq::writeSafetensors(dir + "/model-00001-of-00002.safetensors", {{"a", at::tensor({1.0f})}, {"b", at::tensor({2.0f})}});
    jq::writeSafetensors(dir + "/model-00002-of-00002.safetensors", {{"c", at::tensor({3.0f})}});
    writeBytes(dir + "/model.safetensors.index.json", R"({"metadata": {"total_size": 12}, "weight_map": {
        "a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors",
        "c": "model-00002-of-00002.safetensors"}})");
    const auto s = jq::TensorStore::openDirectory(dir);
    QCOMPARE(s.names(), (std::vector<std::string>{"a", "b", "c"}));
    QCOMPARE(s.tensor("c")[0].item<float>(), 3.0f);
    QCOMPARE(s.fileOf("b"), dir + "/model-00001-of-00002.safetensors");
    QCOMPARE(s.info("a").dtype, std::string("F32"));
  }

  void storeShardProblems_data() {
    QTest::addColumn<QString>("index");
    QTest::addColumn<QString>("needle");
    QTest::newRow("missing shard") << R"({"weight_map": {"a": "one.safetensors", "q": "model-00009.safetensors"}})"
                                   << "model-00009.safetensors";
    QTest::newRow("tensor not in shard") << R"({"weight_map": {"zz": "one.safetensors"}})" << "'zz'";
    QTest::newRow("no weight_map") << R"({"metadata": {}})" << "weight_map";
    QTest::newRow("not JSON") << R"({"weight_map": )" << "not valid JSON";
    QTest::newRow("escaping path") << R"({"weight_map": {"a": "../one.safetensors"}})" << "leaves";
  }
  void storeShardProblems() {
    QFETCH(QString, index);
    QFETCH(QString, needle);
    const std::string dir = scratch(std::string("ckpt-bad-") + QTest::currentDataTag());
    std::filesystem::create_directories(dir);
    jq::writeSafetensors(dir + "/one.safetensors", {{"a", at::tensor({1.0f})}});
    const std::string indexPath = dir + "/model.safetensors.index.json";
    writeBytes(indexPath, index.toStdString());
    expectError([&] { jq::TensorStore::openDirectory(dir); }, jq::ErrorKind::InvalidInput, indexPath,
                needle.toStdString());
  }

  void storeWithoutWeights() {
    const std::string dir = scratch("ckpt-empty");
    std::filesystem::create_directories(dir);
    expectError([&] { jq::TensorStore::openDirectory(dir); }, jq::ErrorKind::NotFound, dir, "model.safetensors");
    expectError([&] { jq::TensorStore::openDirectory(dir + "/nope"); }, jq::ErrorKind::NotFound, dir + "/nope",
                "does not exist");
  }

  // Files written by Python `safetensors` on the GPU machine (tools/), with their expected content as JSON:
  // {"<tensor>": {"dtype": "BF16", "shape": [..], "values": [flattened, as float64]}}.
  void pythonWrittenFiles() {
    const std::string dir = jq::test::testData("safetensors");
    std::vector<std::string> files;
    if (std::filesystem::is_directory(dir))
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".safetensors") files.push_back(e.path().string());
    if (files.empty()) QSKIP("tests/data/safetensors/ holds no files written by Python safetensors yet");
    for (const std::string& path : files) checkPythonFile(path);
  }

 private:
  void checkPythonFile(const std::string& path) {
    const std::string expectPath = path.substr(0, path.size() - std::string(".safetensors").size()) + ".json";
    QVERIFY2(jq::test::fileExists(expectPath), qPrintable(QString::fromStdString("missing " + expectPath)));
    const auto expect = nlohmann::json::parse(jq::test::readFile(expectPath));
    auto f = jq::SafetensorsFile::open(path);
    QCOMPARE(f->names().size(), expect.size());
    for (auto it = expect.begin(); it != expect.end(); ++it) {
      const auto& info = f->info(it.key());
      QCOMPARE(info.dtype, it.value()["dtype"].get<std::string>());
      QCOMPARE(info.shape, it.value()["shape"].get<std::vector<int64_t>>());
      const auto values = it.value()["values"].get<std::vector<double>>();
      const auto got = f->tensor(it.key()).to(at::kDouble).flatten().contiguous();
      QCOMPARE(got.numel(), int64_t(values.size()));
      const double* g = got.data_ptr<double>();
      for (size_t i = 0; i < values.size(); ++i) QCOMPARE(g[i], values[i]);
    }
  }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
