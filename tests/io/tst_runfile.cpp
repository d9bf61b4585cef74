// The HDF5 run file: round trip of every kind of content, the documented layout (checked with the HDF5 C API
// directly, as h5py would see it), clear errors for damaged files, and atomic replacement.
#include <QtTest/QtTest>

#include <hdf5.h>

#include <filesystem>
#include <fstream>

#include "common/Error.h"
#include "io/RunFile.h"
#include "support/ExpectError.h"
#include "support/TestData.h"

namespace {

std::string scratch(const std::string& name) { return jq::test::tempDir() + "/" + name; }

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

int leftoverTemporaries() {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(jq::test::tempDir()))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++n;
  return n;
}

using jq::test::expectError;

// A complete run, small: R1 4×4 (a Hadamard matrix / 2), R2 for layers 0 and 1, statistics, curves, metrics.
at::Tensor hadamard4() {
  return at::tensor({1., 1., 1., 1., 1., -1., 1., -1., 1., 1., -1., -1., 1., -1., -1., 1.}, at::kDouble)
             .reshape({4, 4}) / 2.0;
}

void fillRun(jq::RunFileWriter& w) {
  w.setConfigJson(R"({"model": "llama-3.2-1b", "method": "joint", "seed": 0})");
  w.setMetricsJson(R"({"wikitext2": {"joint": 12.5}})");
  w.setR1(hadamard4());
  w.setR2(0, at::eye(2, at::kFloat));
  w.setR2(1, at::tensor({0.f, 1.f, 1.f, 0.f}).reshape({2, 2}));
  w.setModuleStats("before", 0, "q_proj",
                   {{"absmax", at::tensor({3.f, 40.f, 1.f, 2.f})},
                    {"mean", at::tensor({0.5f, -1.f, 0.f, 0.25f})},
                    {"rms", at::tensor({1.f, 9.f, 0.5f, 1.f})},
                    {"kurtosis", at::tensor({3.f, 120.f, 3.f, 2.5f})},
                    {"hist", at::tensor({1, 5, 10, 5, 1}, at::kLong)}});
  w.setStat("after", 0, "q_proj", "absmax", at::tensor({2.f, 2.5f, 2.f, 2.1f}));
  w.setStat("after", 12, "down_proj", "absmax", at::tensor({1.5f}));
  w.setCurve("joint/R1", {{0, 1, 2}, {0.9, 0.7, 0.65}});
  w.setCurve("dartquant", {{0, 10}, {1.0, 0.5}});
  w.addPerplexity({"fp16", "wikitext2", 9.75, 2048});
  w.addPerplexity({"joint", "wikitext2", 12.5, 2048});
  w.addTiming({"calibrate.R1", 31.25});
}

// A committed run file holding everything fillRun() sets.
void writeFilledRun(const std::string& path) {
  jq::RunFileWriter w(path);
  fillRun(w);
  w.commit();
}

// Root attributes of a run file written by hand with the C API: `format` and `config` either as variable-length
// strings (as format version 1 and h5py's Python str) or fixed-length, format_version as given.
void writeHandMadeRunFile(const std::string& path, bool formatVariable, bool configVariable, int version = 2) {
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t scalar = H5Screate(H5S_SCALAR);
  const auto stringAttribute = [&](const char* name, const std::string& value, bool variable) {
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, variable ? H5T_VARIABLE : value.size());
    H5Tset_cset(t, H5T_CSET_UTF8);
    const hid_t a = H5Acreate2(f, name, t, scalar, H5P_DEFAULT, H5P_DEFAULT);
    const char* p = value.c_str();
    H5Awrite(a, t, variable ? static_cast<const void*>(&p) : static_cast<const void*>(p));
    H5Aclose(a);
    H5Tclose(t);
  };
  stringAttribute("format", "jointquant-run", formatVariable);
  stringAttribute("config", R"({"method": "joint"})", configVariable);
  const hid_t v = H5Acreate2(f, "format_version", H5T_STD_I32LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(v, H5T_NATIVE_INT, &version);
  H5Aclose(v);
  H5Sclose(scalar);
  H5Fclose(f);
}

// Adds /metrics/timings as version 1 wrote it: {stage: variable-length string, seconds: float64}.
void addVariableLengthTimings(const std::string& path) {
  struct Row {
    const char* stage;
    double seconds;
  };
  const Row rows[1] = {{"calibrate.R1", 1.5}};
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t str = H5Tcopy(H5T_C_S1);
  H5Tset_size(str, H5T_VARIABLE);
  const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(Row));
  H5Tinsert(t, "stage", HOFFSET(Row, stage), str);
  H5Tinsert(t, "seconds", HOFFSET(Row, seconds), H5T_NATIVE_DOUBLE);
  const hsize_t n = 1;
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t ds = H5Dcreate2(f, "/metrics/timings", t, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows);
  H5Dclose(ds);
  H5Pclose(lcpl);
  H5Sclose(space);
  H5Tclose(t);
  H5Tclose(str);
  H5Fclose(f);
}

// What a string attribute's or a table field's type is, as h5py would see it.
struct StringType {
  bool isString = false, variable = false;
  size_t size = 0;
  H5T_cset_t cset = H5T_CSET_ERROR;
  H5T_str_t pad = H5T_STR_ERROR;
};
StringType describe(hid_t t) {
  StringType s;
  s.isString = H5Tget_class(t) == H5T_STRING;
  if (!s.isString) return s;
  s.variable = H5Tis_variable_str(t) > 0;
  s.size = H5Tget_size(t);
  s.cset = H5Tget_cset(t);
  s.pad = H5Tget_strpad(t);
  return s;
}
StringType attributeType(hid_t file, const char* object, const char* name) {
  const hid_t a = H5Aopen_by_name(file, object, name, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t t = H5Aget_type(a);
  const StringType s = describe(t);
  H5Tclose(t);
  H5Aclose(a);
  return s;
}
StringType fieldType(hid_t file, const char* table, const char* field) {
  const hid_t ds = H5Dopen2(file, table, H5P_DEFAULT);
  const hid_t t = H5Dget_type(ds);
  const hid_t m = H5Tget_member_type(t, static_cast<unsigned>(H5Tget_member_index(t, field)));
  const StringType s = describe(m);
  H5Tclose(m);
  H5Tclose(t);
  H5Dclose(ds);
  return s;
}

}  // namespace

class TestRunFile : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTrip() {
    const std::string path = scratch("run.h5");
    writeFilledRun(path);
    jq::RunFileReader r(path);
    QCOMPARE(r.formatVersion(), 2);
    QCOMPARE(r.configJson(), std::string(R"({"model": "llama-3.2-1b", "method": "joint", "seed": 0})"));
    QCOMPARE(r.metricsJson(), std::string(R"({"wikitext2": {"joint": 12.5}})"));
    QVERIFY(r.hasR1());
    const at::Tensor r1 = r.r1();
    QCOMPARE(r1.scalar_type(), at::kDouble);
    QVERIFY(at::equal(r1, hadamard4()));
    QCOMPARE(r.r2Layers(), (std::vector<int>{0, 1}));
    QCOMPARE(r.r2(1).scalar_type(), at::kFloat);
    QCOMPARE(r.r2(1)[0][1].item<float>(), 1.f);
    QCOMPARE(r.statStates(), (std::vector<std::string>{"after", "before"}));
    QCOMPARE(r.statLayers("after"), (std::vector<int>{0, 12}));
    QCOMPARE(r.statModules("before", 0), (std::vector<std::string>{"q_proj"}));
    QCOMPARE(r.statNames("before", 0, "q_proj"),
             (std::vector<std::string>{"absmax", "hist", "kurtosis", "mean", "rms"}));
    QVERIFY(at::equal(r.stat("before", 0, "q_proj", "kurtosis"), at::tensor({3.f, 120.f, 3.f, 2.5f})));
    const at::Tensor hist = r.stat("before", 0, "q_proj", "hist");
    QCOMPARE(hist.scalar_type(), at::kLong);
    QCOMPARE(hist.sum().item<int64_t>(), int64_t(22));
    QCOMPARE(r.stat("after", 12, "down_proj", "absmax")[0].item<float>(), 1.5f);
    QCOMPARE(r.curveNames(), (std::vector<std::string>{"dartquant", "joint/R1"}));
    const auto c = r.curve("joint/R1");
    QCOMPARE(c.steps, (std::vector<double>{0, 1, 2}));
    QCOMPARE(c.losses, (std::vector<double>{0.9, 0.7, 0.65}));
    const auto ppl = r.perplexities();
    QCOMPARE(ppl.size(), size_t(2));
    QCOMPARE(ppl[1].method, std::string("joint"));
    QCOMPARE(ppl[1].dataset, std::string("wikitext2"));
    QCOMPARE(ppl[1].perplexity, 12.5);
    QCOMPARE(ppl[1].seqlen, int64_t(2048));
    QCOMPARE(r.timings().size(), size_t(1));
    QCOMPARE(r.timings()[0].stage, std::string("calibrate.R1"));
    QCOMPARE(r.timings()[0].seconds, 31.25);
  }

  // The reader opens files as a SWMR reader, and libhdf5 refuses a second open of a file with other SWMR flags;
  // two readers of one file at once (the report comparing a run with itself) must both work.
  void twoReadersOfOneFile() {
    const std::string path = scratch("shared.h5");
    writeFilledRun(path);
    jq::RunFileReader first(path);
    jq::RunFileReader second(path);
    QVERIFY(at::equal(first.r1(), second.r1()));
    QCOMPARE(second.statLayers("after"), (std::vector<int>{0, 12}));
  }

  // What h5py sees: check the documented paths, types and attributes with the plain HDF5 C API.
  void layoutMatchesDocumentation() {
    const std::string path = scratch("layout.h5");
    writeFilledRun(path);
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    QVERIFY(f >= 0);
    for (const char* p : {"/rotations", "/rotations/R1", "/rotations/R2", "/rotations/R2/layer_00",
                          "/rotations/R2/layer_01", "/stats", "/stats/before", "/stats/before/layer_00",
                          "/stats/before/layer_00/q_proj", "/stats/before/layer_00/q_proj/rms",
                          "/stats/after/layer_12/down_proj/absmax", "/curves", "/curves/joint", "/curves/joint/R1",
                          "/curves/dartquant", "/metrics", "/metrics/perplexity", "/metrics/timings"})
      QVERIFY2(H5Lexists(f, p, H5P_DEFAULT) > 0, p);
    QVERIFY(H5Aexists(f, "config") > 0);
    QVERIFY(H5Aexists(f, "metrics") > 0);
    QVERIFY(H5Aexists(f, "format") > 0);
    // R1: 4×4 IEEE float64 little-endian.
    hid_t ds = H5Dopen2(f, "/rotations/R1", H5P_DEFAULT);
    hid_t type = H5Dget_type(ds);
    QVERIFY(H5Tequal(type, H5T_IEEE_F64LE) > 0);
    hid_t space = H5Dget_space(ds);
    hsize_t dims[2] = {0, 0};
    QCOMPARE(H5Sget_simple_extent_ndims(space), 2);
    H5Sget_simple_extent_dims(space, dims, nullptr);
    QCOMPARE(dims[0], hsize_t(4));
    QCOMPARE(dims[1], hsize_t(4));
    H5Sclose(space);
    H5Tclose(type);
    H5Dclose(ds);
    // Curves are N×2 float64 (step, loss).
    ds = H5Dopen2(f, "/curves/joint/R1", H5P_DEFAULT);
    space = H5Dget_space(ds);
    H5Sget_simple_extent_dims(space, dims, nullptr);
    QCOMPARE(dims[0], hsize_t(3));
    QCOMPARE(dims[1], hsize_t(2));
    double values[6] = {};
    H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    QCOMPARE(values[2], 1.0);
    QCOMPARE(values[3], 0.7);
    QVERIFY(H5Aexists(ds, "columns") > 0);
    H5Sclose(space);
    H5Dclose(ds);
    // The perplexity table is a compound with named fields.
    ds = H5Dopen2(f, "/metrics/perplexity", H5P_DEFAULT);
    type = H5Dget_type(ds);
    QCOMPARE(H5Tget_class(type), H5T_COMPOUND);
    QVERIFY(H5Tget_member_index(type, "method") >= 0);
    QVERIFY(H5Tget_member_index(type, "dataset") >= 0);
    QVERIFY(H5Tget_member_index(type, "perplexity") >= 0);
    H5Tclose(type);
    H5Dclose(ds);
    // Every string is fixed-length, null-padded UTF-8 of exactly its bytes (format version 2): h5py reads them as
    // bytes, and no reader has to follow a variable-length string into the global heap.
    const auto fixedUtf8 = [](const StringType& t, size_t size, const char* what) {
      QVERIFY2(t.isString && !t.variable, what);
      QVERIFY2(t.cset == H5T_CSET_UTF8 && t.pad == H5T_STR_NULLPAD, what);
      QVERIFY2(t.size == size, qPrintable(QString("%1: %2 bytes").arg(what).arg(t.size)));
    };
    fixedUtf8(attributeType(f, "/", "format"), std::string("jointquant-run").size(), "format");
    fixedUtf8(attributeType(f, "/", "config"),
              std::string(R"({"model": "llama-3.2-1b", "method": "joint", "seed": 0})").size(), "config");
    fixedUtf8(attributeType(f, "/", "metrics"), std::string(R"({"wikitext2": {"joint": 12.5}})").size(), "metrics");
    fixedUtf8(attributeType(f, "/curves/joint/R1", "columns"), std::string("step,loss").size(), "columns");
    fixedUtf8(fieldType(f, "/metrics/perplexity", "method"), std::string("joint").size(), "method");  // longest
    fixedUtf8(fieldType(f, "/metrics/perplexity", "dataset"), std::string("wikitext2").size(), "dataset");
    fixedUtf8(fieldType(f, "/metrics/timings", "stage"), std::string("calibrate.R1").size(), "stage");
    int version = 0;
    const hid_t va = H5Aopen(f, "format_version", H5P_DEFAULT);
    H5Aread(va, H5T_NATIVE_INT, &version);
    H5Aclose(va);
    QCOMPARE(version, 2);
    H5Fclose(f);
  }

  // Strings of every length survive: empty ones (stored as one NUL), non-ASCII UTF-8, and a JSON text of 120 KB,
  // beyond the 64 KiB an attribute may take in an object header (it goes to dense attribute storage).
  void stringsRoundTrip() {
    const std::string path = scratch("strings.h5");
    std::string longJson = "{\"text\": \"";  // no raw string here: moc mis-reads one holding a lone quote
    for (int i = 0; i < 20000; ++i) longJson += "abcdé";
    longJson += "\"}";
    {
      jq::RunFileWriter w(path);
      w.setConfigJson(longJson);
      w.setMetricsJson(R"({"名前": "困惑度"})");
      w.addPerplexity({"", "wikitext2", 1.0, 1});
      w.addPerplexity({"joint-ü", "", 2.0, int64_t(1) << 60});
      w.addTiming({"", 0.5});
      w.commit();
    }
    jq::RunFileReader r(path);
    QCOMPARE(r.configJson(), longJson);
    QCOMPARE(r.metricsJson(), std::string(R"({"名前": "困惑度"})"));
    const auto ppl = r.perplexities();
    QCOMPARE(ppl.size(), size_t(2));
    QCOMPARE(ppl[0].method, std::string());
    QCOMPARE(ppl[0].dataset, std::string("wikitext2"));
    QCOMPARE(ppl[1].method, std::string("joint-ü"));
    QCOMPARE(ppl[1].dataset, std::string());
    QCOMPARE(ppl[1].seqlen, int64_t(1) << 60);
    QCOMPARE(r.timings().at(0).stage, std::string());
    QCOMPARE(r.timings().at(0).seconds, 0.5);
  }

  // Variable-length strings (format version 1, or h5py's Python str) are refused before anything reads them,
  // naming the file and the item.
  void variableLengthStringsAreRefused() {
    const std::string v1 = scratch("version1.h5");
    writeHandMadeRunFile(v1, /*formatVariable=*/true, /*configVariable=*/true, /*version=*/1);
    expectError([&] { jq::RunFileReader r(v1); }, jq::ErrorKind::Unsupported, v1,
                "attribute 'format' is a variable-length string; this run file was written by an older JointQuant");

    const std::string config = scratch("vlen-config.h5");
    writeHandMadeRunFile(config, /*formatVariable=*/false, /*configVariable=*/true);
    jq::RunFileReader r(config);
    QCOMPARE(r.formatVersion(), 2);
    expectError([&] { r.configJson(); }, jq::ErrorKind::Unsupported, config,
                "attribute 'config' is a variable-length string");
    QCOMPARE(r.metricsJson(), std::string());  // absent: fine

    const std::string table = scratch("vlen-table.h5");
    writeHandMadeRunFile(table, /*formatVariable=*/false, /*configVariable=*/false);
    addVariableLengthTimings(table);
    jq::RunFileReader t(table);
    QCOMPARE(t.configJson(), std::string(R"({"method": "joint"})"));
    expectError([&] { t.timings(); }, jq::ErrorKind::Unsupported, table,
                "field 'stage' of table /metrics/timings is a variable-length string");
  }

  // Newer versions are refused, and so is a nonsensical one.
  void formatVersionIsChecked() {
    const std::string newer = scratch("version3.h5");
    writeHandMadeRunFile(newer, false, false, 3);
    expectError([&] { jq::RunFileReader r(newer); }, jq::ErrorKind::Unsupported, newer, "version 3 is newer");
    const std::string zero = scratch("version0.h5");
    writeHandMadeRunFile(zero, false, false, 0);
    expectError([&] { jq::RunFileReader r(zero); }, jq::ErrorKind::InvalidInput, zero, "version 0 is not valid");
  }

  void emptyRunIsValid() {
    const std::string path = scratch("empty.h5");
    jq::RunFileWriter(path).commit();
    jq::RunFileReader r(path);
    QVERIFY(!r.hasR1());
    QVERIFY(r.configJson().empty());
    QVERIFY(r.r2Layers().empty());
    QVERIFY(r.statStates().empty());
    QVERIFY(r.curveNames().empty());
    QVERIFY(r.perplexities().empty());
    expectError([&] { r.r1(); }, jq::ErrorKind::NotFound, path, "/rotations/R1");
  }

  void truncatedFileFailsClearly_data() {
    QTest::addColumn<double>("fraction");
    QTest::newRow("half") << 0.5;
    QTest::newRow("90%") << 0.9;
    QTest::newRow("first 100 bytes") << -100.0;
    QTest::newRow("empty") << 0.0;
  }
  void truncatedFileFailsClearly() {
    QFETCH(double, fraction);
    const std::string good = scratch("whole.h5");
    writeFilledRun(good);
    const std::string bytes = jq::test::readFile(good);
    const size_t keep = fraction < 0 ? size_t(-fraction) : size_t(bytes.size() * fraction);
    const std::string path = scratch(std::string("cut-") + QTest::currentDataTag() + ".h5");
    writeBytes(path, bytes.substr(0, keep));
    // Opening must fail, or (if the cut spares the metadata HDF5 reads first) reading everything must.
    try {
      jq::RunFileReader r(path);
      r.r1();  // the whole file had one: a cut that loses it must say so
      r.readEverything();
      QFAIL("a truncated run file was read without error");
    } catch (const jq::Error& e) {
      const std::string what = e.what();
      QVERIFY2(e.kind() == jq::ErrorKind::InvalidInput || e.kind() == jq::ErrorKind::NotFound,
               qPrintable(QString::fromStdString(what)));
      QVERIFY2(what.find(path) != std::string::npos, qPrintable(QString::fromStdString(what)));
    }
  }

  // The reader opens files as a SWMR reader, and libhdf5 then skips its own "truncated file" check when the
  // superblock says a SWMR writer has the file open; the reader's own check of the end must catch the cut.
  void truncatedFileMarkedForSwmrWritingFailsClearly() {
    const std::string live = scratch("swmr-live.h5");
    std::string bytes;
    {
      const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
      H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);  // SWMR writing needs superblock 3
      const hid_t f = H5Fcreate(live.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
      QVERIFY(f >= 0);
      const hsize_t n = 4096;
      const std::vector<double> values(n, 1.5);
      const hid_t space = H5Screate_simple(1, &n, nullptr);
      const hid_t ds = H5Dcreate2(f, "x", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      QVERIFY(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
      QVERIFY(H5Fstart_swmr_write(f) >= 0);
      QVERIFY(H5Fflush(f, H5F_SCOPE_GLOBAL) >= 0);
      bytes = jq::test::readFile(live);  // as a copy taken while the writer still has it open
      H5Dclose(ds);
      H5Sclose(space);
      H5Fclose(f);
      H5Pclose(fapl);
    }
    QVERIFY(bytes.size() > 4096 * 8);
    const std::string cut = scratch("swmr-cut.h5");
    writeBytes(cut, bytes.substr(0, bytes.size() / 2));
    expectError([&] { jq::RunFileReader r(cut); }, jq::ErrorKind::InvalidInput, cut,
                "truncated file: its superblock says it ends at byte " + std::to_string(bytes.size()) + ", but it has " +
                    std::to_string(bytes.size() / 2) + " bytes");
  }

  void notHdf5OrNotARunFile() {
    const std::string text = scratch("notes.h5");
    writeBytes(text, "this is not HDF5 at all, just text that is long enough to look like a file\n");
    expectError([&] { jq::RunFileReader r(text); }, jq::ErrorKind::InvalidInput, text, "not an HDF5 file");

    const std::string other = scratch("other.h5");
    hid_t f = H5Fcreate(other.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    expectError([&] { jq::RunFileReader r(other); }, jq::ErrorKind::InvalidInput, other, "not a JointQuant run file");

    const std::string missing = scratch("missing.h5");
    expectError([&] { jq::RunFileReader r(missing); }, jq::ErrorKind::NotFound, missing, "does not exist");
  }

  void writerDestroyedWithoutCommitLeavesOldFile() {
    const std::string path = scratch("keep.h5");
    {
      jq::RunFileWriter w(path);
      w.setConfigJson(R"({"version": "old"})");
      w.commit();
    }
    const std::string before = jq::test::readFile(path);
    {
      jq::RunFileWriter w(path);
      fillRun(w);
      // destroyed here without commit()
    }
    QCOMPARE(jq::test::readFile(path), before);
    QCOMPARE(leftoverTemporaries(), 0);
  }

  void interruptedCommitLeavesOldFile() {
    const std::string path = scratch("keep2.h5");
    {
      jq::RunFileWriter w(path);
      w.setConfigJson(R"({"version": "old"})");
      w.commit();
    }
    const std::string before = jq::test::readFile(path);
    jq::RunFileWriter w(path);
    fillRun(w);
    // Cancel after the third dataset: the temporary file is half-written when the job stops.
    jq::JobContext job;
    int datasets = 0;
    job.progress = [&](const jq::ProgressEvent& e) {
      if (e.stage == "save" && ++datasets == 3) job.cancel.cancel();
    };
    expectError([&] { w.commit(job); }, jq::ErrorKind::Cancelled, "", "save run file");
    QCOMPARE(datasets, 3);
    QCOMPARE(jq::test::readFile(path), before);
    QCOMPARE(leftoverTemporaries(), 0);
    QCOMPARE(jq::RunFileReader(path).configJson(), std::string(R"({"version": "old"})"));
    // The same writer commits fine afterwards and replaces the file.
    w.commit();
    QCOMPARE(jq::RunFileReader(path).r2Layers(), (std::vector<int>{0, 1}));
  }

  void writerRejectsBadInput() {
    const std::string path = scratch("bad.h5");
    jq::RunFileWriter w(path);
    expectError([&] { w.setConfigJson("{not json"); }, jq::ErrorKind::InvalidInput, path, "not valid JSON");
    expectError([&] { w.setStat("before", 0, "q/proj", "absmax", at::ones({2})); }, jq::ErrorKind::InvalidInput,
                path, "q/proj");
    expectError([&] { w.setStat("before", -1, "q_proj", "absmax", at::ones({2})); }, jq::ErrorKind::InvalidInput,
                path, "negative");
    expectError([&] { w.setCurve("a", {{0, 1}, {1.0}}); }, jq::ErrorKind::InvalidInput, path, "2 steps but 1");
    w.setCurve("a", {{0}, {1.0}});
    expectError([&] { w.setCurve("a/b", {{0}, {1.0}}); }, jq::ErrorKind::InvalidInput, path, "'a'");
    expectError([&] { w.setCurve("x//y", {{0}, {1.0}}); }, jq::ErrorKind::InvalidInput, path, "x//y");
    QVERIFY(!jq::test::fileExists(path));
  }

  void layerNames() {
    QCOMPARE(jq::runFileLayerName(0), std::string("layer_00"));
    QCOMPARE(jq::runFileLayerName(7), std::string("layer_07"));
    QCOMPARE(jq::runFileLayerName(31), std::string("layer_31"));
    QCOMPARE(jq::runFileLayerName(120), std::string("layer_120"));
  }
};

QTEST_GUILESS_MAIN(TestRunFile)
#include "tst_runfile.moc"
