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

#include "common/AtomicFile.h"
#include "common/Error.h"

namespace jq {

namespace {

constexpr const char* kFormatName = "jointquant-run";
constexpr int kFormatVersion = 1;

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

Hid utf8StringType() {
  Hid t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

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

struct PplRecord {
  const char* method;
  const char* dataset;
  double perplexity;
  int64_t seqlen;
};
struct TimingRecord {
  const char* stage;
  double seconds;
};

Hid perplexityType() {
  Hid str = utf8StringType();
  Hid t(H5Tcreate(H5T_COMPOUND, sizeof(PplRecord)), H5Tclose);
  H5Tinsert(t.get(), "method", HOFFSET(PplRecord, method), str.get());
  H5Tinsert(t.get(), "dataset", HOFFSET(PplRecord, dataset), str.get());
  H5Tinsert(t.get(), "perplexity", HOFFSET(PplRecord, perplexity), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "seqlen", HOFFSET(PplRecord, seqlen), H5T_NATIVE_INT64);
  return t;
}

Hid timingType() {
  Hid str = utf8StringType();
  Hid t(H5Tcreate(H5T_COMPOUND, sizeof(TimingRecord)), H5Tclose);
  H5Tinsert(t.get(), "stage", HOFFSET(TimingRecord, stage), str.get());
  H5Tinsert(t.get(), "seconds", HOFFSET(TimingRecord, seconds), H5T_NATIVE_DOUBLE);
  return t;
}

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
    Hid type = utf8StringType();
    Hid space(H5Screate(H5S_SCALAR), H5Sclose);
    Hid attr(H5Acreate2(obj.get(), name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char* p = value.c_str();
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), &p) < 0)
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

  template <typename Record>
  void table(const std::string& path, const Hid& memType, const std::vector<Record>& rows) {
    Hid fileType(H5Tcopy(memType.get()), H5Tclose);
    H5Tpack(fileType.get());
    const hsize_t n = rows.size();
    Hid space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Hid ds(H5Dcreate2(file_, path.c_str(), fileType.get(), space.get(), lcpl_.get(), H5P_DEFAULT, H5P_DEFAULT),
           H5Dclose);
    if (!ds.valid()) fail("cannot create table " + path);
    if (n > 0 && H5Dwrite(ds.get(), memType.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) < 0)
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
    // HDF5 refuses to create a file under a name it holds open; the name is never created on disk.
    static std::atomic<int> runFileImageSerial{0};
    const std::string memoryName = d.path + ".in-memory-" + std::to_string(runFileImageSerial++);
    Hid file(H5Fcreate(memoryName.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
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
    std::vector<PplRecord> ppl;
    for (const auto& r : d.perplexities) ppl.push_back({r.method.c_str(), r.dataset.c_str(), r.perplexity, r.seqlen});
    b.table("/metrics/perplexity", perplexityType(), ppl);
    std::vector<TimingRecord> tim;
    for (const auto& r : d.timings) tim.push_back({r.stage.c_str(), r.seconds});
    b.table("/metrics/timings", timingType(), tim);

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

  bool exists(const std::string& p) const {
    std::string prefix;
    for (const auto& part : splitPath(p)) {
      if (part.empty()) continue;
      prefix += "/" + part;
      if (H5Lexists(file.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
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

  std::string stringAttribute(const char* name) const {
    if (H5Aexists(file.get(), name) <= 0) return {};
    Hid attr(H5Aopen(file.get(), name, H5P_DEFAULT), H5Aclose);
    Hid type(H5Aget_type(attr.get()), H5Tclose);
    if (!attr.valid() || H5Tget_class(type.get()) != H5T_STRING)
      invalid(std::string("attribute '") + name + "' is not a string");
    if (H5Tis_variable_str(type.get()) > 0) {
      Hid mem = utf8StringType();
      char* p = nullptr;
      if (H5Aread(attr.get(), mem.get(), &p) < 0)
        invalid(std::string("cannot read attribute '") + name + "': " + h5Detail());
      std::string s = p ? p : "";
      H5free_memory(p);
      return s;
    }
    // Fixed-length strings (as h5py writes for numpy byte strings).
    const size_t n = H5Tget_size(type.get());
    checkFits(std::string("attribute '") + name + "'", static_cast<long double>(n));
    std::string s(n, '\0');
    Hid mem(H5Tcopy(type.get()), H5Tclose);
    if (H5Aread(attr.get(), mem.get(), s.data()) < 0)
      invalid(std::string("cannot read attribute '") + name + "': " + h5Detail());
    s.resize(std::strlen(s.c_str()));
    return s;
  }

  template <typename Record, typename Convert>
  auto table(const std::string& p, const Hid& memType, Convert convert) const {
    std::vector<decltype(convert(std::declval<Record>()))> out;
    if (!exists(p)) return out;
    Hid ds(H5Dopen2(file.get(), p.c_str(), H5P_DEFAULT), H5Dclose);
    Hid space(H5Dget_space(ds.get()), H5Sclose);
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (!ds.valid() || n < 0) invalid("cannot open table " + p + ": " + h5Detail());
    checkFits(p, static_cast<long double>(n) * sizeof(Record));
    std::vector<Record> rows(static_cast<size_t>(n));
    if (n > 0 && H5Dread(ds.get(), memType.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) < 0)
      invalid("cannot read table " + p + ": " + h5Detail());
    for (const Record& r : rows) out.push_back(convert(r));
#if H5_VERSION_GE(1, 12, 0)
    if (n > 0) H5Treclaim(memType.get(), space.get(), H5P_DEFAULT, rows.data());
#else
    if (n > 0) H5Dvlen_reclaim(memType.get(), space.get(), H5P_DEFAULT, rows.data());
#endif
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
std::string str(const char* p) { return p ? p : ""; }
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
  impl_->file = Hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
  if (!impl_->file.valid()) throwInvalid(path, "cannot open the HDF5 file (truncated or damaged?): " + h5Detail());
  if (impl_->stringAttribute("format") != kFormatName)
    throwInvalid(path, std::string("an HDF5 file, but not a JointQuant run file (no format = '") + kFormatName + "')");
  Hid attr(H5Aopen(impl_->file.get(), "format_version", H5P_DEFAULT), H5Aclose);
  if (!attr.valid() || H5Aread(attr.get(), H5T_NATIVE_INT, &impl_->version) < 0)
    throwInvalid(path, "run file lacks its format_version: " + h5Detail());
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
  return impl_->table<PplRecord>("/metrics/perplexity", perplexityType(), [](const PplRecord& r) {
    return PerplexityRow{str(r.method), str(r.dataset), r.perplexity, r.seqlen};
  });
}

std::vector<TimingRow> RunFileReader::timings() const {
  H5Guard g;
  return impl_->table<TimingRecord>("/metrics/timings", timingType(),
                                    [](const TimingRecord& r) { return TimingRow{str(r.stage), r.seconds}; });
}

}  // namespace jq
