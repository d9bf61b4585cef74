#include "io/RunFile.h"

#include <hdf5.h>

#include <nlohmann/json.hpp>
#include "common/Log.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <variant>

#include "common/AtomicFile.h"
#include "common/Error.h"

namespace jq {

namespace {

constexpr const char* kFormatName = "jointquant-run";
// Version 2 stores every string as a fixed-length string (version 1 used variable-length strings, which libhdf5
// 1.10 can hang on for ever when a damaged file's global heap is read; see fixedStringType below).
constexpr int kFormatVersion = 2;

// One HDF5 user at a time: the library serialises internally anyway, and this keeps the error-printing switch
// below from racing. HDF5's own printing to stderr is turned off for our calls (and restored after) because every
// failure becomes a jq::Error carrying the library's message instead.
class H5Guard {
 public:
  H5Guard() : lock_(mutex()) {
    H5Eget_auto2(H5E_DEFAULT, &oldFunc_, &oldData_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~H5Guard() { H5Eset_auto2(H5E_DEFAULT, oldFunc_, oldData_); }
  H5Guard(const H5Guard&) = delete;
  H5Guard& operator=(const H5Guard&) = delete;

 private:
  static std::recursive_mutex& mutex() {
    static std::recursive_mutex m;
    return m;
  }
  std::lock_guard<std::recursive_mutex> lock_;
  H5E_auto2_t oldFunc_ = nullptr;
  void* oldData_ = nullptr;
};

// The library's own explanation of the last failure (e.g. "truncated file: eof = ..."), innermost first.
std::string h5Detail() {
  std::vector<std::string> descs;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        auto* out = static_cast<std::vector<std::string>*>(data);
        if (e->desc && *e->desc && std::find(out->begin(), out->end(), e->desc) == out->end())
          out->push_back(e->desc);
        return 0;
      },
      &descs);
  H5Eclear2(H5E_DEFAULT);
  std::string text;
  for (size_t i = 0; i < descs.size() && i < 3; ++i) text += (i ? "; " : "") + descs[i];
  // Some descriptions carry a ctime() stamp with its newline; the error must stay one line for the CLI and the UI.
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text.empty() ? "HDF5 gave no reason" : text;
}

// Owns one HDF5 identifier.
class Hid {
 public:
  using Closer = herr_t (*)(hid_t);
  Hid() = default;
  Hid(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Hid(Hid&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = -1; }
  Hid& operator=(Hid&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(closer_, o.closer_);
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  ~Hid() {
    if (id_ >= 0 && closer_) closer_(id_);
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now and reports whether the library succeeded (a file's close is where buffered writes fail).
  bool close() {
    const hid_t id = id_;
    id_ = -1;
    return id < 0 || !closer_ || closer_(id) >= 0;
  }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

Hid fileAccessList() {
  Hid fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
#if H5_VERSION_GE(1, 10, 7)
  // Run files are written once (to a private temporary name) and then only read; locks would only fail on
  // network file systems that do not support them.
  H5Pset_file_locking(fapl.get(), false, true);
#endif
  return fapl;
}

// Every string a run file holds is a fixed-length string: null-padded, exactly the string's bytes (at least one
// byte, so "" is one NUL), UTF-8. A variable-length string lives in the file's global heap, and libhdf5 1.10 can
// loop for ever in H5Aread/H5Dread of one whose heap is damaged (fuzz_runfile; tst_fuzz_regressions
// libhdf5FindingsEndInError); a fixed-length string is read by a plain copy of its bytes. Null-padded strings
// are what h5py writes for numpy byte strings, and it reads them back as bytes.
Hid fixedStringType(size_t bytes) {
  Hid t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), std::max<size_t>(bytes, 1));
  H5Tset_strpad(t.get(), H5T_STR_NULLPAD);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

// Whether reading data of this type would make libhdf5 follow a variable-length item into the global heap: a
// variable-length string or sequence, also as a member of a compound or the base of an array. Error answers count
// as yes: what cannot be inspected is not read.
bool holdsVariableLength(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_STRING:
      return H5Tis_variable_str(type) != 0;
    case H5T_VLEN:
      return true;
    case H5T_COMPOUND: {
      const int n = H5Tget_nmembers(type);
      if (n < 0) return true;
      for (int i = 0; i < n; ++i) {
        Hid member(H5Tget_member_type(type, static_cast<unsigned>(i)), H5Tclose);
        if (!member.valid() || holdsVariableLength(member.get())) return true;
      }
      return false;
    }
    case H5T_ARRAY: {
      Hid base(H5Tget_super(type), H5Tclose);
      return !base.valid() || holdsVariableLength(base.get());
    }
    case H5T_NO_CLASS:
    case H5T_NCLASSES:
      return true;
    default:
      return false;
  }
}

// A new string type with the size, character set and padding of a string type read from a file: reading through
// it copies the bytes (HDF5 converts no string between character sets, so the set must match), and the memory
// types we build hold nothing of a possibly damaged file's own type objects. Invalid when the file's type cannot
// be inspected.
Hid plainStringLike(hid_t fileType) {
  const size_t size = H5Tget_size(fileType);
  const H5T_cset_t cset = H5Tget_cset(fileType);
  const H5T_str_t pad = H5Tget_strpad(fileType);
  Hid t(H5Tcopy(H5T_C_S1), H5Tclose);
  if (size == 0 || cset < 0 || pad < 0 || H5Tset_size(t.get(), size) < 0 || H5Tset_cset(t.get(), cset) < 0 ||
      H5Tset_strpad(t.get(), pad) < 0)
    return {};
  return t;
}

// The tables under /metrics: compound datasets of named fields, packed in this order. Text is a fixed-length
// string (its width is the longest value's), numbers are little-endian float64 / int64.
enum class FieldKind { Text, Float64, Int64 };
struct FieldSpec {
  const char* name;
  FieldKind kind;
};
using Cell = std::variant<std::string, double, int64_t>;
const std::vector<FieldSpec>& perplexityFields() {
  static const std::vector<FieldSpec> f{
      {"method", FieldKind::Text}, {"dataset", FieldKind::Text}, {"perplexity", FieldKind::Float64},
      {"seqlen", FieldKind::Int64}};
  return f;
}
const std::vector<FieldSpec>& timingFields() {
  static const std::vector<FieldSpec> f{{"stage", FieldKind::Text}, {"seconds", FieldKind::Float64}};
  return f;
}

// One table's records as packed bytes, with the compound types that describe them in memory and in the file.
class TableBuffer {
 public:
  // `textTypes[i]`: the string type of field i when it is text (unused otherwise).
  TableBuffer(const std::vector<FieldSpec>& fields, const std::vector<Hid>& textTypes, size_t rows) {
    for (size_t i = 0; i < fields.size(); ++i) {
      offsets_.push_back(recordBytes_);
      recordBytes_ += fields[i].kind == FieldKind::Text ? H5Tget_size(textTypes[i].get()) : 8;
    }
    memType_ = Hid(H5Tcreate(H5T_COMPOUND, recordBytes_), H5Tclose);
    fileType_ = Hid(H5Tcreate(H5T_COMPOUND, recordBytes_), H5Tclose);
    for (size_t i = 0; i < fields.size(); ++i) {
      hid_t mem = textTypes.size() > i && textTypes[i].valid() ? textTypes[i].get() : -1, file = mem;
      if (fields[i].kind == FieldKind::Float64) mem = H5T_NATIVE_DOUBLE, file = H5T_IEEE_F64LE;
      if (fields[i].kind == FieldKind::Int64) mem = H5T_NATIVE_INT64, file = H5T_STD_I64LE;
      H5Tinsert(memType_.get(), fields[i].name, offsets_[i], mem);
      H5Tinsert(fileType_.get(), fields[i].name, offsets_[i], file);
    }
    bytes_.assign(rows * recordBytes_, '\0');
  }

  const Hid& memType() const { return memType_; }
  const Hid& fileType() const { return fileType_; }
  char* data() { return bytes_.data(); }

  void setText(size_t row, size_t field, const std::string& s) {
    std::memcpy(at(row, field), s.data(), std::min(s.size(), width(field)));
  }
  void setF64(size_t row, size_t field, double v) { std::memcpy(at(row, field), &v, 8); }
  void setI64(size_t row, size_t field, int64_t v) { std::memcpy(at(row, field), &v, 8); }
  // Up to the first NUL (null-padded, or null-terminated as other writers may store it).
  std::string text(size_t row, size_t field) const {
    const char* p = at(row, field);
    return std::string(p, static_cast<size_t>(std::find(p, p + width(field), '\0') - p));
  }
  double f64(size_t row, size_t field) const {
    double v;
    std::memcpy(&v, at(row, field), 8);
    return v;
  }
  int64_t i64(size_t row, size_t field) const {
    int64_t v;
    std::memcpy(&v, at(row, field), 8);
    return v;
  }

 private:
  size_t width(size_t field) const {
    return (field + 1 < offsets_.size() ? offsets_[field + 1] : recordBytes_) - offsets_[field];
  }
  char* at(size_t row, size_t field) { return bytes_.data() + row * recordBytes_ + offsets_[field]; }
  const char* at(size_t row, size_t field) const { return bytes_.data() + row * recordBytes_ + offsets_[field]; }

  std::vector<size_t> offsets_;
  size_t recordBytes_ = 0;
  Hid memType_, fileType_;
  std::string bytes_;
};

bool validPlainName(const std::string& n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos;
}

std::vector<std::string> splitPath(const std::string& p) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= p.size()) {
    const size_t slash = p.find('/', start);
    const size_t end = slash == std::string::npos ? p.size() : slash;
    parts.push_back(p.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

// What may be stored: float32, float64, int64.
at::Tensor storable(const at::Tensor& t, const std::string& path, const std::string& what) {
  if (!t.defined()) throw Error(ErrorKind::InvalidInput, what + " is an undefined tensor", {path, {}, {}});
  at::ScalarType target;
  if (t.scalar_type() == at::kDouble) target = at::kDouble;
  else if (at::isFloatingType(t.scalar_type())) target = at::kFloat;
  else if (at::isIntegralType(t.scalar_type(), /*includeBool=*/true)) target = at::kLong;
  else
    throw Error(ErrorKind::Unsupported, what + " has type " + std::string(c10::toString(t.scalar_type())) +
                                            ", which a run file does not store", {path, {}, {}});
  return t.detach().to(at::kCPU).to(target).contiguous().clone();
}

}  // namespace

std::string runFileLayerName(int layer) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "layer_%02d", layer);
  return buf;
}

// ---------------------------------------------------------------------------------------------------------------

struct RunFileWriter::Impl {
  std::string path;
  std::string config, metrics;
  std::map<std::string, at::Tensor> datasets;   // absolute HDF5 path -> tensor
  std::map<std::string, LossCurve> curves;
  std::vector<PerplexityRow> perplexities;
  std::vector<TimingRow> timings;

  void checkName(const std::string& name, const std::string& what) const {
    if (!validPlainName(name))
      throwInvalid(path, what + " '" + name + "' is not a usable name (empty, '.', '..' or containing '/')");
  }
  void checkLayer(int layer) const {
    if (layer < 0) throwInvalid(path, "layer index " + std::to_string(layer) + " is negative");
  }
};

RunFileWriter::RunFileWriter(std::string path) : impl_(std::make_unique<Impl>()) { impl_->path = std::move(path); }
RunFileWriter::~RunFileWriter() = default;

const std::string& RunFileWriter::path() const { return impl_->path; }

void RunFileWriter::setConfigJson(const std::string& json) {
  if (!nlohmann::json::accept(json)) throwInvalid(impl_->path, "the run configuration is not valid JSON");
  impl_->config = json;
}

void RunFileWriter::setMetricsJson(const std::string& json) {
  if (!nlohmann::json::accept(json)) throwInvalid(impl_->path, "the metrics are not valid JSON");
  impl_->metrics = json;
}

void RunFileWriter::setR1(const at::Tensor& r1) {
  impl_->datasets["/rotations/R1"] = storable(r1, impl_->path, "R1");
}

void RunFileWriter::setR2(int layer, const at::Tensor& r2) {
  impl_->checkLayer(layer);
  impl_->datasets["/rotations/R2/" + runFileLayerName(layer)] = storable(r2, impl_->path, "R2");
}

void RunFileWriter::setStat(const std::string& state, int layer, const std::string& module, const std::string& name,
                            const at::Tensor& values) {
  impl_->checkName(state, "statistics state");
  impl_->checkName(module, "module");
  impl_->checkName(name, "statistic");
  impl_->checkLayer(layer);
  const std::string p = "/stats/" + state + "/" + runFileLayerName(layer) + "/" + module + "/" + name;
  impl_->datasets[p] = storable(values, impl_->path, "statistic " + p);
}

void RunFileWriter::setModuleStats(const std::string& state, int layer, const std::string& module,
                                   const std::map<std::string, at::Tensor>& stats) {
  for (const auto& [name, t] : stats) setStat(state, layer, module, name, t);
}

void RunFileWriter::setCurve(const std::string& name, const LossCurve& curve) {
  for (const auto& part : splitPath(name)) impl_->checkName(part, "curve name part of '" + name + "':");
  if (curve.steps.size() != curve.losses.size())
    throwInvalid(impl_->path, "curve '" + name + "' has " + std::to_string(curve.steps.size()) + " steps but " +
                                  std::to_string(curve.losses.size()) + " losses");
  for (const auto& [other, c] : impl_->curves) {
    if (other == name) continue;
    const auto nested = [](const std::string& a, const std::string& b) {
      return b.size() > a.size() && b.compare(0, a.size(), a) == 0 && b[a.size()] == '/';
    };
    if (nested(other, name) || nested(name, other))
      throwInvalid(impl_->path, "curve '" + name + "' and curve '" + other + "' cannot both exist (one would be "
                                "a group holding the other)");
  }
  impl_->curves[name] = curve;
}

void RunFileWriter::addPerplexity(const PerplexityRow& row) { impl_->perplexities.push_back(row); }
void RunFileWriter::addTiming(const TimingRow& row) { impl_->timings.push_back(row); }

namespace {

class FileBuilder {
 public:
  FileBuilder(hid_t file, std::string target) : file_(file), target_(std::move(target)) {
    lcpl_ = Hid(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl_.get(), 1);
  }

  void fail(const std::string& what) const { throwIo(target_, what + ": " + h5Detail()); }

  void group(const std::string& path) {
    Hid g(H5Gcreate2(file_, path.c_str(), lcpl_.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!g.valid()) fail("cannot create group " + path);
  }

  void stringAttribute(const std::string& object, const char* name, const std::string& value) {
    Hid obj(H5Oopen(file_, object.c_str(), H5P_DEFAULT), H5Oclose);
    Hid type = fixedStringType(value.size());
    Hid space(H5Screate(H5S_SCALAR), H5Sclose);
    Hid attr(H5Acreate2(obj.get(), name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    // c_str(): "" is written as its terminating NUL (the type is one byte wide then).
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), value.c_str()) < 0)
      fail(std::string("cannot write attribute ") + name + " of " + object);
  }

  void intAttribute(const std::string& object, const char* name, int value) {
    Hid obj(H5Oopen(file_, object.c_str(), H5P_DEFAULT), H5Oclose);
    Hid space(H5Screate(H5S_SCALAR), H5Sclose);
    Hid attr(H5Acreate2(obj.get(), name, H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_INT, &value) < 0)
      fail(std::string("cannot write attribute ") + name + " of " + object);
  }

  void tensor(const std::string& path, const at::Tensor& t) {
    std::vector<hsize_t> dims(t.sizes().begin(), t.sizes().end());
    Hid space(t.dim() == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(t.dim(), dims.data(), nullptr), H5Sclose);
    hid_t fileType = H5T_IEEE_F32LE, memType = H5T_NATIVE_FLOAT;
    if (t.scalar_type() == at::kDouble) fileType = H5T_IEEE_F64LE, memType = H5T_NATIVE_DOUBLE;
    if (t.scalar_type() == at::kLong) fileType = H5T_STD_I64LE, memType = H5T_NATIVE_INT64;
    Hid ds(H5Dcreate2(file_, path.c_str(), fileType, space.get(), lcpl_.get(), H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
    if (!ds.valid()) fail("cannot create dataset " + path);
    if (t.numel() > 0 && H5Dwrite(ds.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data_ptr()) < 0)
      fail("cannot write dataset " + path);
  }

  // One row per entry, one cell per field of `fields`, of that field's kind.
  void table(const std::string& path, const std::vector<FieldSpec>& fields,
             const std::vector<std::vector<Cell>>& rows) {
    std::vector<Hid> textTypes;
    for (size_t f = 0; f < fields.size(); ++f) {
      size_t width = 0;
      if (fields[f].kind == FieldKind::Text)
        for (const auto& row : rows) width = std::max(width, std::get<std::string>(row[f]).size());
      textTypes.push_back(fields[f].kind == FieldKind::Text ? fixedStringType(width) : Hid());
    }
    TableBuffer buf(fields, textTypes, rows.size());
    for (size_t r = 0; r < rows.size(); ++r)
      for (size_t f = 0; f < fields.size(); ++f) {
        if (fields[f].kind == FieldKind::Text) buf.setText(r, f, std::get<std::string>(rows[r][f]));
        else if (fields[f].kind == FieldKind::Float64) buf.setF64(r, f, std::get<double>(rows[r][f]));
        else buf.setI64(r, f, std::get<int64_t>(rows[r][f]));
      }
    const hsize_t n = rows.size();
    Hid space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Hid ds(H5Dcreate2(file_, path.c_str(), buf.fileType().get(), space.get(), lcpl_.get(), H5P_DEFAULT,
                      H5P_DEFAULT),
           H5Dclose);
    if (!ds.valid()) fail("cannot create table " + path);
    if (n > 0 && H5Dwrite(ds.get(), buf.memType().get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
      fail("cannot write table " + path);
  }

 private:
  hid_t file_;
  std::string target_;
  Hid lcpl_;
};

}  // namespace

void RunFileWriter::commit(const JobContext& job) {
  const Impl& d = *impl_;
  H5Guard guard;
  // The file is built in memory (HDF5's core driver, no backing store) and then written with one plain write:
  // libhdf5 1.10 does not recover from a failed write to disk (a full disk left the file half-closed and crashed
  // the program at exit, in H5_term_library), and this way every I/O error comes from our own write().
  std::string image;
  const int64_t total = static_cast<int64_t>(d.datasets.size() + d.curves.size()) + 1;
  {
    Hid fapl = fileAccessList();
    H5Pset_fapl_core(fapl.get(), size_t(1) << 20, /*backing_store=*/0);
    // The root group tracks its attributes' creation order, which gives it a version-2 object header (HDF5 1.8,
    // as h5py's track_order): an attribute over 64 KiB (a long config or metrics JSON, now that strings are stored
    // in the attribute itself rather than in the global heap) then moves to dense attribute storage instead of
    // failing ("object header message is too large"). The file keeps the oldest superblock: the 1.8 file format
    // (H5Pset_libver_bounds) would do as well, but libhdf5 1.10's H5Fget_file_image leaves a wrong checksum in
    // its version-2 superblock.
    Hid fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
    H5Pset_attr_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED);
    // HDF5 refuses to create a file under a name it holds open; the name is never created on disk.
    static std::atomic<int> runFileImageSerial{0};
    const std::string memoryName = d.path + ".in-memory-" + std::to_string(runFileImageSerial++);
    Hid file(H5Fcreate(memoryName.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose);
    if (!file.valid()) throwIo(d.path, "cannot create the run file in memory: " + h5Detail());
    FileBuilder b(file.get(), d.path);

    b.intAttribute("/", "format_version", kFormatVersion);
    b.stringAttribute("/", "format", kFormatName);
    if (!d.config.empty()) b.stringAttribute("/", "config", d.config);
    if (!d.metrics.empty()) b.stringAttribute("/", "metrics", d.metrics);
    for (const char* g : {"/rotations", "/stats", "/curves", "/metrics"}) b.group(g);

    int64_t done = 0;
    for (const auto& [path, t] : d.datasets) {
      job.checkCancelled("save run file");
      b.tensor(path, t);
      job.report("save", ++done, total, path);
    }
    for (const auto& [name, c] : d.curves) {
      job.checkCancelled("save run file");
      at::Tensor m = at::empty({static_cast<int64_t>(c.steps.size()), 2}, at::kDouble);
      double* p = m.data_ptr<double>();
      for (size_t i = 0; i < c.steps.size(); ++i) p[2 * i] = c.steps[i], p[2 * i + 1] = c.losses[i];
      const std::string path = "/curves/" + name;
      b.tensor(path, m);
      b.stringAttribute(path, "columns", "step,loss");
      job.report("save", ++done, total, path);
    }

    job.checkCancelled("save run file");
    std::vector<std::vector<Cell>> ppl, tim;
    for (const auto& r : d.perplexities) ppl.push_back({r.method, r.dataset, r.perplexity, r.seqlen});
    b.table("/metrics/perplexity", perplexityFields(), ppl);
    for (const auto& r : d.timings) tim.push_back({r.stage, r.seconds});
    b.table("/metrics/timings", timingFields(), tim);

    if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) throwIo(d.path, "cannot finish the run file: " + h5Detail());
    const ssize_t bytes = H5Fget_file_image(file.get(), nullptr, 0);
    if (bytes <= 0) throwIo(d.path, "cannot take the run file's image: " + h5Detail());
    image.resize(static_cast<size_t>(bytes));
    if (H5Fget_file_image(file.get(), image.data(), image.size()) != bytes)
      throwIo(d.path, "cannot take the run file's image: " + h5Detail());
    if (!file.close()) throwIo(d.path, "cannot close the run file in memory: " + h5Detail());
  }
  job.checkCancelled("save run file");
  writeFileAtomically(d.path, image);  // temporary file, fsync, rename: a full disk fails here, cleanly
  job.report("save", total, total, d.path);
  JQ_DEBUG("wrote run file " << d.path);
}

// ---------------------------------------------------------------------------------------------------------------

struct RunFileReader::Impl {
  std::string path;
  Hid file;
  int version = 0;
  uint64_t fileBytes = 0;

  [[noreturn]] void invalid(const std::string& what) const { throwInvalid(path, what); }

  // A damaged file can declare a dataset of 2^60 elements in a few bytes (HDF5 then reads fill values); refuse
  // sizes no file of this size can hold before allocating for them. The slack admits compressed datasets
  // (h5py's gzip) up to a ratio of 1024.
  void checkFits(const std::string& what, long double bytes) const {
    if (bytes > static_cast<long double>(fileBytes) * 1024.0L + static_cast<long double>(1 << 20))
      invalid(what + " claims " + std::to_string(static_cast<double>(bytes)) + " bytes, more than a file of " +
              std::to_string(fileBytes) + " bytes can hold (damaged file?)");
  }

  // libhdf5's answer to "is it there?": an error means a damaged file and is reported so, never taken for "absent".
  bool present(htri_t answer, const std::string& what) const {
    if (answer < 0) invalid("cannot tell whether " + what + " exists (damaged file?): " + h5Detail());
    return answer > 0;
  }

  bool exists(const std::string& p) const {
    std::string prefix;
    for (const auto& part : splitPath(p)) {
      if (part.empty()) continue;
      prefix += "/" + part;
      if (!present(H5Lexists(file.get(), prefix.c_str(), H5P_DEFAULT), prefix)) return false;
    }
    return true;
  }

  // Children of a group with whether each is a group, sorted by name; empty when the group is absent.
  std::vector<std::pair<std::string, bool>> children(const std::string& group) const {
    std::vector<std::pair<std::string, bool>> out;
    if (!exists(group)) return out;
    Hid g(H5Gopen2(file.get(), group.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.valid()) invalid(group + " is not a group: " + h5Detail());
    H5G_info_t info;
    if (H5Gget_info(g.get(), &info) < 0) invalid("cannot list " + group + ": " + h5Detail());
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t n = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (n < 0) invalid("cannot list " + group + ": " + h5Detail());
      std::string name(static_cast<size_t>(n), '\0');
      H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), static_cast<size_t>(n) + 1,
                         H5P_DEFAULT);
      Hid obj(H5Oopen(g.get(), name.c_str(), H5P_DEFAULT), H5Oclose);
      out.emplace_back(name, obj.valid() && H5Iget_type(obj.get()) == H5I_GROUP);
    }
    return out;
  }

  at::Tensor tensor(const std::string& p) const {
    if (!exists(p)) throwNotFound(path, "the run file has no " + p);
    Hid ds(H5Dopen2(file.get(), p.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.valid()) invalid(p + " is not a dataset: " + h5Detail());
    Hid type(H5Dget_type(ds.get()), H5Tclose);
    Hid space(H5Dget_space(ds.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0) invalid("cannot read the shape of " + p + ": " + h5Detail());
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    long double elements = 1;
    for (hsize_t d : dims) elements *= static_cast<long double>(d);
    checkFits(p, elements * 8);
    std::vector<int64_t> shape(dims.begin(), dims.end());

    at::ScalarType st;
    hid_t memType;
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls == H5T_FLOAT && H5Tget_size(type.get()) > 4) st = at::kDouble, memType = H5T_NATIVE_DOUBLE;
    else if (cls == H5T_FLOAT) st = at::kFloat, memType = H5T_NATIVE_FLOAT;
    else if (cls == H5T_INTEGER) st = at::kLong, memType = H5T_NATIVE_INT64;
    else invalid(p + " holds neither floats nor integers");

    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(st));
    if (t.numel() > 0 && H5Dread(ds.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data_ptr()) < 0)
      invalid("cannot read " + p + " (truncated or damaged file?): " + h5Detail());
    return t;
  }

  // Refuses an item that would make libhdf5 read variable-length data: run files of format version 1 and files of
  // other tools (h5py writes Python str as variable-length strings); a damaged heap can hang libhdf5 for ever.
  [[noreturn]] void refuseVariableLength(const std::string& item) const {
    throwUnsupported(path, item + " is a variable-length string; this run file was written by an older "
                           "JointQuant (run-file format version 1) or another tool and cannot be read safely "
                           "(docs/runfile.md says how to convert it)");
  }

  // A scalar fixed-length string attribute of the root group, up to its first NUL; "" when absent.
  std::string stringAttribute(const char* name) const {
    const std::string item = std::string("attribute '") + name + "'";
    if (!present(H5Aexists(file.get(), name), item)) return {};
    Hid attr(H5Aopen(file.get(), name, H5P_DEFAULT), H5Aclose);
    if (!attr.valid()) invalid("cannot open " + item + ": " + h5Detail());
    Hid type(H5Aget_type(attr.get()), H5Tclose);
    if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING) invalid(item + " is not a string");
    // Checked before anything reads it: H5Aread of a variable-length string follows it into the global heap.
    if (holdsVariableLength(type.get())) refuseVariableLength(item);
    Hid space(H5Aget_space(attr.get()), H5Sclose);
    if (!space.valid() || H5Sget_simple_extent_npoints(space.get()) != 1) invalid(item + " is not a single string");
    Hid mem = plainStringLike(type.get());
    if (!mem.valid()) invalid("cannot read the type of " + item + ": " + h5Detail());
    const size_t n = H5Tget_size(mem.get());
    checkFits(item, static_cast<long double>(n));
    std::string s(n, '\0');
    if (H5Aread(attr.get(), mem.get(), s.data()) < 0) invalid("cannot read " + item + ": " + h5Detail());
    s.resize(std::strlen(s.c_str()));
    return s;
  }

  // The root group's int32 format_version (any integer type is read as int).
  int intAttribute(const char* name) const {
    const std::string item = std::string("attribute '") + name + "'";
    if (!present(H5Aexists(file.get(), name), item)) invalid(std::string("the run file lacks its ") + name);
    Hid attr(H5Aopen(file.get(), name, H5P_DEFAULT), H5Aclose);
    Hid type(attr.valid() ? H5Aget_type(attr.get()) : -1, H5Tclose);
    Hid space(attr.valid() ? H5Aget_space(attr.get()) : -1, H5Sclose);
    if (!type.valid() || H5Tget_class(type.get()) != H5T_INTEGER || !space.valid() ||
        H5Sget_simple_extent_npoints(space.get()) != 1)
      invalid(item + " is not a single integer");
    int value = 0;
    if (H5Aread(attr.get(), H5T_NATIVE_INT, &value) < 0) invalid("cannot read " + item + ": " + h5Detail());
    return value;
  }

  // A compound table of the given fields (others are ignored); rows converted one by one by `convert(buf, row)`.
  template <typename Convert>
  auto table(const std::string& p, const std::vector<FieldSpec>& fields, Convert convert) const {
    std::vector<decltype(convert(std::declval<const TableBuffer&>(), size_t(0)))> out;
    if (!exists(p)) return out;
    Hid ds(H5Dopen2(file.get(), p.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.valid()) invalid("cannot open table " + p + ": " + h5Detail());
    Hid type(H5Dget_type(ds.get()), H5Tclose);
    if (!type.valid() || H5Tget_class(type.get()) != H5T_COMPOUND) invalid(p + " is not a table of named fields");
    std::vector<Hid> textTypes;
    for (const FieldSpec& f : fields) {
      const std::string item = "field '" + std::string(f.name) + "' of table " + p;
      const int index = H5Tget_member_index(type.get(), f.name);
      if (index < 0) invalid("table " + p + " has no field '" + f.name + "'");
      Hid member(H5Tget_member_type(type.get(), static_cast<unsigned>(index)), H5Tclose);
      const H5T_class_t cls = member.valid() ? H5Tget_class(member.get()) : H5T_NO_CLASS;
      const H5T_class_t want =
          f.kind == FieldKind::Text ? H5T_STRING : f.kind == FieldKind::Float64 ? H5T_FLOAT : H5T_INTEGER;
      if (cls != want)
        invalid(item + " is not " + (f.kind == FieldKind::Text ? "a string" : "a number of the documented type"));
      if (f.kind == FieldKind::Text && holdsVariableLength(member.get())) refuseVariableLength(item);
      textTypes.push_back(f.kind == FieldKind::Text ? plainStringLike(member.get()) : Hid());
      if (f.kind == FieldKind::Text && !textTypes.back().valid())
        invalid("cannot read the type of " + item + ": " + h5Detail());
    }
    // Fields we do not read are skipped by the conversion, but a variable-length one is refused all the same.
    if (holdsVariableLength(type.get())) refuseVariableLength("a field of table " + p);
    Hid space(H5Dget_space(ds.get()), H5Sclose);
    const hssize_t n = space.valid() ? H5Sget_simple_extent_npoints(space.get()) : -1;
    if (n < 0) invalid("cannot read the shape of table " + p + ": " + h5Detail());
    long double recordBytes = 0;
    for (size_t i = 0; i < fields.size(); ++i)
      recordBytes += fields[i].kind == FieldKind::Text ? static_cast<long double>(H5Tget_size(textTypes[i].get())) : 8;
    checkFits(p, static_cast<long double>(n) * recordBytes);
    TableBuffer buf(fields, textTypes, static_cast<size_t>(n));
    if (n > 0 && H5Dread(ds.get(), buf.memType().get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
      invalid("cannot read table " + p + ": " + h5Detail());
    for (size_t r = 0; r < static_cast<size_t>(n); ++r) out.push_back(convert(buf, r));
    return out;
  }
};

namespace {
int parseLayer(const std::string& name) {
  if (name.rfind("layer_", 0) != 0 || name.size() == 6) return -1;
  int v = 0;
  for (size_t i = 6; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || v > 100000000) return -1;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}
}  // namespace

RunFileReader::RunFileReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throwNotFound(path, "run file does not exist");
  impl_->fileBytes = std::filesystem::file_size(path, ec);
  H5Guard guard;
  const htri_t isHdf5 = H5Fis_hdf5(path.c_str());
  if (isHdf5 <= 0) throwInvalid(path, "not an HDF5 file (no HDF5 signature; empty or truncated before its start?)");
  Hid fapl = fileAccessList();
  // Opened as a SWMR reader although nothing writes the file: that is the public switch that turns off
  // libhdf5's metadata accumulator, and libhdf5 1.10's accumulator reads from a null buffer when a damaged
  // B-tree points at address HADDR_UNDEF (fuzz_runfile; tst_fuzz_regressions libhdf5FindingsEndInError). Without
  // the accumulator every metadata read goes to the file driver, which refuses that address with an error.
  // A SWMR reader would retry a failed checksum 100 times (a writer may be half-way); a run file has no writer.
  H5Pset_metadata_read_attempts(fapl.get(), 1);
  impl_->file = Hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get()), H5Fclose);
  if (!impl_->file.valid()) throwInvalid(path, "cannot open the HDF5 file (truncated or damaged?): " + h5Detail());
  // libhdf5 skips its own "truncated file" check for a SWMR reader when the superblock says a SWMR writer has the
  // file open, and would then read zeros past the end; so the end the file claims is checked here as well.
  // (H5Fget_eoa counts from the superblock, so a user block's bytes are not counted: the check is lenient by those.)
#if H5_VERSION_GE(1, 10, 2)
  haddr_t claimedEnd = 0;
  if (H5Fget_eoa(impl_->file.get(), &claimedEnd) < 0)
    throwInvalid(path, "cannot read where the HDF5 file ends: " + h5Detail());
  if (claimedEnd > impl_->fileBytes)
    throwInvalid(path, "truncated file: its superblock says it ends at byte " + std::to_string(claimedEnd) +
                           ", but it has " + std::to_string(impl_->fileBytes) + " bytes");
#endif
  if (impl_->stringAttribute("format") != kFormatName) {
    // A damaged root object header reads as one without attributes: tell that apart from another tool's file.
    H5G_info_t root;
    if (H5Gget_info(impl_->file.get(), &root) < 0)
      throwInvalid(path, "cannot read the HDF5 file's root group (damaged file?): " + h5Detail());
    throwInvalid(path, std::string("an HDF5 file, but not a JointQuant run file (no format = '") + kFormatName + "')");
  }
  impl_->version = impl_->intAttribute("format_version");
  if (impl_->version < 1)
    throwInvalid(path, "run file format version " + std::to_string(impl_->version) + " is not valid");
  if (impl_->version > kFormatVersion)
    throwUnsupported(path, "run file format version " + std::to_string(impl_->version) + " is newer than this "
                           "program reads (" + std::to_string(kFormatVersion) + ")");
}

RunFileReader::~RunFileReader() {
  H5Guard guard;
  impl_.reset();
}

const std::string& RunFileReader::path() const { return impl_->path; }
int RunFileReader::formatVersion() const { return impl_->version; }

std::string RunFileReader::configJson() const {
  H5Guard g;
  return impl_->stringAttribute("config");
}
std::string RunFileReader::metricsJson() const {
  H5Guard g;
  return impl_->stringAttribute("metrics");
}

bool RunFileReader::hasR1() const {
  H5Guard g;
  return impl_->exists("/rotations/R1");
}
at::Tensor RunFileReader::r1() const {
  H5Guard g;
  return impl_->tensor("/rotations/R1");
}

std::vector<int> RunFileReader::r2Layers() const {
  H5Guard g;
  std::vector<int> out;
  for (const auto& [name, isGroup] : impl_->children("/rotations/R2"))
    if (!isGroup && parseLayer(name) >= 0) out.push_back(parseLayer(name));
  std::sort(out.begin(), out.end());
  return out;
}
at::Tensor RunFileReader::r2(int layer) const {
  H5Guard g;
  return impl_->tensor("/rotations/R2/" + runFileLayerName(layer));
}

std::vector<std::string> RunFileReader::statStates() const {
  H5Guard g;
  std::vector<std::string> out;
  for (const auto& [name, isGroup] : impl_->children("/stats"))
    if (isGroup) out.push_back(name);
  return out;
}

std::vector<int> RunFileReader::statLayers(const std::string& state) const {
  H5Guard g;
  std::vector<int> out;
  if (!validPlainName(state)) return out;
  for (const auto& [name, isGroup] : impl_->children("/stats/" + state))
    if (isGroup && parseLayer(name) >= 0) out.push_back(parseLayer(name));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> RunFileReader::statModules(const std::string& state, int layer) const {
  H5Guard g;
  std::vector<std::string> out;
  if (!validPlainName(state)) return out;
  for (const auto& [name, isGroup] : impl_->children("/stats/" + state + "/" + runFileLayerName(layer)))
    if (isGroup) out.push_back(name);
  return out;
}

std::vector<std::string> RunFileReader::statNames(const std::string& state, int layer,
                                                  const std::string& module) const {
  H5Guard g;
  std::vector<std::string> out;
  if (!validPlainName(state) || !validPlainName(module)) return out;
  for (const auto& [name, isGroup] :
       impl_->children("/stats/" + state + "/" + runFileLayerName(layer) + "/" + module))
    if (!isGroup) out.push_back(name);
  return out;
}

at::Tensor RunFileReader::stat(const std::string& state, int layer, const std::string& module,
                               const std::string& name) const {
  H5Guard g;
  if (!validPlainName(state) || !validPlainName(module) || !validPlainName(name))
    throwNotFound(impl_->path, "no statistic " + state + "/" + module + "/" + name);
  return impl_->tensor("/stats/" + state + "/" + runFileLayerName(layer) + "/" + module + "/" + name);
}

std::vector<std::string> RunFileReader::curveNames() const {
  H5Guard g;
  std::vector<std::string> out;
  std::vector<std::string> pending{""};
  while (!pending.empty()) {
    const std::string prefix = pending.back();
    pending.pop_back();
    for (const auto& [name, isGroup] : impl_->children("/curves" + (prefix.empty() ? "" : "/" + prefix))) {
      const std::string full = prefix.empty() ? name : prefix + "/" + name;
      if (isGroup) pending.push_back(full);
      else out.push_back(full);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

LossCurve RunFileReader::curve(const std::string& name) const {
  H5Guard g;
  for (const auto& part : splitPath(name))
    if (!validPlainName(part)) throwNotFound(impl_->path, "no curve '" + name + "'");
  const at::Tensor m = impl_->tensor("/curves/" + name).to(at::kDouble).contiguous();
  if (m.dim() != 2 || m.size(1) != 2) throwInvalid(impl_->path, "curve '" + name + "' is not an N×2 table");
  LossCurve c;
  const double* p = m.data_ptr<double>();
  for (int64_t i = 0; i < m.size(0); ++i) {
    c.steps.push_back(p[2 * i]);
    c.losses.push_back(p[2 * i + 1]);
  }
  return c;
}

std::vector<PerplexityRow> RunFileReader::perplexities() const {
  H5Guard g;
  return impl_->table("/metrics/perplexity", perplexityFields(), [](const TableBuffer& b, size_t r) {
    return PerplexityRow{b.text(r, 0), b.text(r, 1), b.f64(r, 2), b.i64(r, 3)};
  });
}

std::vector<TimingRow> RunFileReader::timings() const {
  H5Guard g;
  return impl_->table("/metrics/timings", timingFields(),
                      [](const TableBuffer& b, size_t r) { return TimingRow{b.text(r, 0), b.f64(r, 1)}; });
}

void RunFileReader::readEverything() const {
  configJson();
  metricsJson();
  if (hasR1()) r1();
  for (int layer : r2Layers()) r2(layer);
  for (const auto& state : statStates())
    for (int layer : statLayers(state))
      for (const auto& module : statModules(state, layer))
        for (const auto& name : statNames(state, layer, module)) stat(state, layer, module, name);
  for (const auto& name : curveNames()) curve(name);
  perplexities();
  timings();
}

}  // namespace jq
