#include "io/SafetensorsFile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include "common/Log.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "common/AtomicFile.h"
#include "common/Error.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; a big-endian host would need byte swapping");

namespace jq {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The reference implementation refuses headers above 100 MB (MAX_HEADER_SIZE in safetensors/src/tensor.rs).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeEntry {
  const char* name;
  size_t size;
  int rank;              // position in the reference's Dtype enum; the writer orders tensors by it, descending
  bool torchSupported;
  at::ScalarType type;
};

// Every dtype of the format, so that files holding e.g. U16 or FP8 tensors still open (their other tensors
// stay readable); only the ones LibTorch 1.13 has can be turned into tensors.
const DtypeEntry kDtypes[] = {
    {"BOOL", 1, 0, true, at::kBool},        {"U8", 1, 1, true, at::kByte},
    {"I8", 1, 2, true, at::kChar},          {"F8_E5M2", 1, 3, false, at::kByte},
    {"F8_E4M3", 1, 4, false, at::kByte},    {"I16", 2, 5, true, at::kShort},
    {"U16", 2, 6, false, at::kShort},       {"F16", 2, 7, true, at::kHalf},
    {"BF16", 2, 8, true, at::kBFloat16},    {"I32", 4, 9, true, at::kInt},
    {"U32", 4, 10, false, at::kInt},        {"F32", 4, 11, true, at::kFloat},
    {"F64", 8, 12, true, at::kDouble},      {"I64", 8, 13, true, at::kLong},
    {"U64", 8, 14, false, at::kLong},
};

const DtypeEntry* findDtype(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

[[noreturn]] void invalidTensor(const std::string& file, const std::string& tensor, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, {file, tensor, {}});
}

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// A non-negative JSON integer, or nullopt.
std::optional<uint64_t> unsignedValue(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
  return std::nullopt;
}

// The file's bytes, mapped privately: the file is opened read-only and never changes, while accidental in-place
// writes to a returned tensor land in copy-on-write pages instead of faulting.
struct Mapping {
  void* base = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (base) ::munmap(base, size);
  }
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void readExactly(int fd, void* buf, size_t n, uint64_t offset, const std::string& path) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const ssize_t got = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      throwIo(path, std::string("read failed: ") + std::strerror(errno));
    }
    if (got == 0) throwIo(path, "file ended early while reading the header (was it truncated meanwhile?)");
    p += got;
    n -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
}

}  // namespace

size_t safetensorsDtypeSize(const std::string& dtype) {
  const DtypeEntry* d = findDtype(dtype);
  return d ? d->size : 0;
}

at::ScalarType scalarTypeOfSafetensorsDtype(const std::string& dtype) {
  const DtypeEntry* d = findDtype(dtype);
  if (!d || !d->torchSupported)
    throw Error(ErrorKind::Unsupported, "safetensors dtype '" + dtype + "' has no LibTorch equivalent here");
  return d->type;
}

std::string safetensorsDtypeOf(at::ScalarType type) {
  for (const auto& d : kDtypes)
    if (d.torchSupported && d.type == type) return d.name;
  throw Error(ErrorKind::Unsupported,
              std::string("tensors of type ") + c10::toString(type) + " cannot be stored in safetensors here");
}

// ---------------------------------------------------------------------------------------------------------------

struct SafetensorsFile::Impl {
  std::string path;
  uint64_t headerBytes = 0;
  uint64_t dataBytes = 0;
  std::map<std::string, TensorInfo> tensors;
  std::map<std::string, std::string> metadata;
  std::shared_ptr<Mapping> mapping;
};

SafetensorsFile::~SafetensorsFile() = default;

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  Fd fd;
  fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd.fd < 0) {
    if (errno == ENOENT) throwNotFound(path, "safetensors file does not exist");
    throwIo(path, std::string("cannot open: ") + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) throwIo(path, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throwInvalid(path, "not a regular file");
  const uint64_t fileSize = static_cast<uint64_t>(st.st_size);

  if (fileSize < 8)
    throwInvalid(path, "file is " + std::to_string(fileSize) +
                           " bytes long, too short for the 8-byte header length of a safetensors file");
  unsigned char lenBytes[8];
  readExactly(fd.fd, lenBytes, 8, 0, path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | lenBytes[i];
  if (n > kMaxHeaderBytes)
    throwInvalid(path, "header length " + std::to_string(n) + " exceeds the 100 MB limit of the format "
                       "(not a safetensors file, or a corrupt one)");
  if (n > fileSize - 8)
    throwInvalid(path, "header length " + std::to_string(n) + " runs past the end of the file (" +
                           std::to_string(fileSize) + " bytes; truncated?)");

  std::string headerText(n, '\0');
  readExactly(fd.fd, headerText.data(), n, 8, path);

  json header;
  try {
    header = json::parse(headerText);
  } catch (const json::exception& e) {
    throwInvalid(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) throwInvalid(path, "header must be a JSON object of tensors");

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->headerBytes = n;
  impl->dataBytes = fileSize - 8 - n;

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) throwInvalid(path, "__metadata__ must be an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) throwInvalid(path, "__metadata__ value '" + m.key() + "' is not a string");
        impl->metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (!v.is_object()) invalidTensor(path, name, "header entry is not an object");
    for (const char* key : {"dtype", "shape", "data_offsets"})
      if (!v.contains(key)) invalidTensor(path, name, std::string("header entry lacks '") + key + "'");

    TensorInfo info;
    info.name = name;
    if (!v["dtype"].is_string()) invalidTensor(path, name, "dtype is not a string");
    info.dtype = v["dtype"].get<std::string>();
    const DtypeEntry* dt = findDtype(info.dtype);
    if (!dt) invalidTensor(path, name, "unknown dtype '" + info.dtype + "'");

    if (!v["shape"].is_array()) invalidTensor(path, name, "shape is not a list");
    uint64_t numel = 1;
    for (const json& d : v["shape"]) {
      const auto dim = unsignedValue(d);
      if (!dim) invalidTensor(path, name, "shape entry " + d.dump() + " is not a non-negative integer");
      if (*dim > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(numel, *dim, &numel))
        invalidTensor(path, name, "shape " + v["shape"].dump() + " overflows a 64-bit element count");
      info.shape.push_back(static_cast<int64_t>(*dim));
    }
    uint64_t nbytes = 0;
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(dt->size), &nbytes))
      invalidTensor(path, name, "shape " + shapeText(info.shape) + " overflows a 64-bit byte count");

    const json& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !unsignedValue(off[0]) || !unsignedValue(off[1]))
      invalidTensor(path, name, "data_offsets must be two non-negative integers, got " + off.dump());
    info.begin = *unsignedValue(off[0]);
    info.end = *unsignedValue(off[1]);
    if (info.end < info.begin)
      invalidTensor(path, name, "data_offsets " + off.dump() + " end before they begin");
    if (info.end > impl->dataBytes)
      invalidTensor(path, name, "data_offsets " + off.dump() + " run past the data section (" +
                                    std::to_string(impl->dataBytes) + " bytes; truncated file?)");
    if (info.end - info.begin != nbytes)
      invalidTensor(path, name, info.dtype + " × " + shapeText(info.shape) + " needs " + std::to_string(nbytes) +
                                    " bytes but data_offsets " + off.dump() + " span " +
                                    std::to_string(info.end - info.begin));
    impl->tensors.emplace(name, std::move(info));
  }

  // The tensors must tile the data section: sorted by offset, each starts where the previous one ended.
  std::vector<const TensorInfo*> order;
  for (const auto& [name, info] : impl->tensors) order.push_back(&info);
  std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return std::tie(a->begin, a->end, a->name) < std::tie(b->begin, b->end, b->name);
  });
  uint64_t expected = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo* t : order) {
    if (t->begin < expected)
      invalidTensor(path, t->name, "data [" + std::to_string(t->begin) + ", " + std::to_string(t->end) +
                                       ") overlaps tensor '" + previous->name + "' [" +
                                       std::to_string(previous->begin) + ", " + std::to_string(previous->end) + ")");
    if (t->begin > expected)
      invalidTensor(path, t->name, "a hole of " + std::to_string(t->begin - expected) +
                                       " bytes precedes this tensor's data (the format allows none)");
    expected = t->end;
    previous = t;
  }
  if (expected != impl->dataBytes)
    throwInvalid(path, std::to_string(impl->dataBytes - expected) + " bytes at the end of the data section belong "
                       "to no tensor (the format allows none)");

  // Only now, with the header fully checked, is the data mapped.
  auto mapping = std::make_shared<Mapping>();
  mapping->size = static_cast<size_t>(fileSize);
  void* base = ::mmap(nullptr, mapping->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.fd, 0);
  if (base == MAP_FAILED) base = ::mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (base == MAP_FAILED) throwIo(path, std::string("cannot memory-map: ") + std::strerror(errno));
  mapping->base = base;
  impl->mapping = std::move(mapping);

  std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->impl_ = std::move(impl);
  return file;
}

const std::string& SafetensorsFile::path() const { return impl_->path; }

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(impl_->tensors.size());
  for (const auto& kv : impl_->tensors) out.push_back(kv.first);
  return out;
}

bool SafetensorsFile::has(const std::string& name) const { return impl_->tensors.count(name) != 0; }

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
  const auto it = impl_->tensors.find(name);
  if (it == impl_->tensors.end())
    throw Error(ErrorKind::NotFound, "no such tensor in the file", {impl_->path, name, {}});
  return it->second;
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const TensorInfo& ti = info(name);
  const DtypeEntry* dt = findDtype(ti.dtype);
  if (!dt->torchSupported)
    throw Error(ErrorKind::Unsupported, "dtype " + ti.dtype + " cannot be loaded into a LibTorch tensor",
                {impl_->path, name, {}});
  const auto options = at::TensorOptions().dtype(dt->type).device(at::kCPU);
  if (ti.begin == ti.end) return at::empty(ti.shape, options);

  char* data = static_cast<char*>(impl_->mapping->base) + 8 + impl_->headerBytes + ti.begin;
  if (reinterpret_cast<uintptr_t>(data) % dt->size != 0) {
    // Writers other than the reference may leave tensors unaligned; kernels may assume alignment.
    at::Tensor copy = at::empty(ti.shape, options);
    std::memcpy(copy.data_ptr(), data, ti.end - ti.begin);
    return copy;
  }
  std::shared_ptr<Mapping> keepAlive = impl_->mapping;
  return at::from_blob(data, ti.shape, [keepAlive](void*) mutable { keepAlive.reset(); }, options);
}

const std::map<std::string, std::string>& SafetensorsFile::metadata() const { return impl_->metadata; }

uint64_t SafetensorsFile::dataBytes() const { return impl_->dataBytes; }

// ---------------------------------------------------------------------------------------------------------------

TensorStore TensorStore::openFile(const std::string& path) {
  TensorStore store;
  store.source_ = path;
  auto file = SafetensorsFile::open(path);
  for (const auto& name : file->names()) store.byName_[name] = file;
  return store;
}

TensorStore TensorStore::openDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throwNotFound(dir, "checkpoint folder does not exist");
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  const fs::path single = fs::path(dir) / "model.safetensors";

  if (!fs::exists(index, ec)) {
    if (fs::exists(single, ec)) {
      TensorStore store = openFile(single.string());
      store.source_ = dir;
      return store;
    }
    throwNotFound(dir, "no model.safetensors or model.safetensors.index.json in the checkpoint folder");
  }

  const std::string indexPath = index.string();
  std::ifstream in(indexPath, std::ios::binary);
  if (!in) throwIo(indexPath, "cannot read the shard index");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throwInvalid(indexPath, std::string("shard index is not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
    throwInvalid(indexPath, "shard index has no 'weight_map' object");

  TensorStore store;
  store.source_ = dir;
  std::map<std::string, std::shared_ptr<SafetensorsFile>> shards;
  for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
    const std::string& tensor = it.key();
    if (!it.value().is_string())
      throw Error(ErrorKind::InvalidInput, "weight_map entry is not a file name", {indexPath, tensor, {}});
    const std::string shard = it.value().get<std::string>();
    const fs::path rel(shard);
    bool escapes = rel.is_absolute() || shard.empty();
    for (const auto& part : rel)
      if (part == "..") escapes = true;
    if (escapes)
      throw Error(ErrorKind::InvalidInput, "shard name '" + shard + "' leaves the checkpoint folder",
                  {indexPath, tensor, {}});

    auto found = shards.find(shard);
    if (found == shards.end()) {
      const fs::path shardPath = fs::path(dir) / rel;
      if (!fs::exists(shardPath, ec))
        throwInvalid(indexPath, "the index names shard '" + shard + "', which is missing from the folder (" +
                                    shardPath.string() + ")");
      found = shards.emplace(shard, SafetensorsFile::open(shardPath.string())).first;
    }
    if (!found->second->has(tensor))
      throw Error(ErrorKind::InvalidInput, "the index places this tensor in shard '" + shard + "', which lacks it",
                  {indexPath, tensor, {}});
    store.byName_[tensor] = found->second;
  }
  JQ_DEBUG(dir << ": " << store.byName_.size() << " tensors in " << shards.size() << " shards");
  return store;
}

std::vector<std::string> TensorStore::names() const {
  std::vector<std::string> out;
  out.reserve(byName_.size());
  for (const auto& kv : byName_) out.push_back(kv.first);
  return out;
}

bool TensorStore::has(const std::string& name) const { return byName_.count(name) != 0; }

const std::shared_ptr<SafetensorsFile>& TensorStore::fileFor(const std::string& name) const {
  const auto it = byName_.find(name);
  if (it == byName_.end()) throw Error(ErrorKind::NotFound, "no such tensor in the checkpoint", {source_, name, {}});
  return it->second;
}

const TensorInfo& TensorStore::info(const std::string& name) const { return fileFor(name)->info(name); }
at::Tensor TensorStore::tensor(const std::string& name) const { return fileFor(name)->tensor(name); }
std::string TensorStore::fileOf(const std::string& name) const { return fileFor(name)->path(); }

// ---------------------------------------------------------------------------------------------------------------

void writeSafetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  struct Item {
    std::string name;
    const DtypeEntry* dtype;
    at::Tensor data;
  };
  std::vector<Item> items;
  items.reserve(tensors.size());
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__")
      throwInvalid(path, "'__metadata__' is reserved by the format and cannot name a tensor");
    if (!t.defined()) throw Error(ErrorKind::InvalidInput, "tensor is undefined", {path, name, {}});
    std::string dtypeName;
    try {
      dtypeName = safetensorsDtypeOf(t.scalar_type());
    } catch (const Error& e) {
      throw Error(ErrorKind::Unsupported, e.message(), {path, name, {}});
    }
    items.push_back({name, findDtype(dtypeName), t.to(at::kCPU).contiguous()});
  }
  // The reference's order: descending dtype (which keeps every tensor aligned), then name.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.dtype->rank != b.dtype->rank) return a.dtype->rank > b.dtype->rank;
    return a.name < b.name;
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = meta;
  }
  uint64_t offset = 0;
  for (const Item& it : items) {
    const uint64_t nbytes = static_cast<uint64_t>(it.data.numel()) * it.dtype->size;
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["dtype"] = it.dtype->name;
    entry["shape"] = it.data.sizes().vec();
    entry["data_offsets"] = {offset, offset + nbytes};
    header[it.name] = entry;
    offset += nbytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    throwInvalid(path, std::string("a tensor name or metadata string is not valid UTF-8: ") + e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  AtomicFile file(path);
  std::FILE* out = std::fopen(file.tempPath().c_str(), "wb");
  if (!out) throwIo(path, std::string("cannot create file: ") + std::strerror(errno));
  bool ok = true;
  unsigned char len[8];
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xff);
  ok = ok && std::fwrite(len, 1, 8, out) == 8;
  ok = ok && std::fwrite(text.data(), 1, text.size(), out) == text.size();
  for (const Item& it : items) {
    const size_t nbytes = static_cast<size_t>(it.data.numel()) * it.dtype->size;
    if (nbytes) ok = ok && std::fwrite(it.data.data_ptr(), 1, nbytes, out) == nbytes;
  }
  ok = (std::fflush(out) == 0) && ok;
  const int err = errno;
  ok = (std::fclose(out) == 0) && ok;
  if (!ok) throwIo(path, std::string("write failed: ") + std::strerror(err));
  file.commit();
}

}  // namespace jq
