// safetensors reading and writing.
// Format: u64 little-endian header size N, N bytes of JSON {name: {dtype, shape, data_offsets}} with optional
// `__metadata__` (string to string), then the data section. Offsets are relative to the data section, tensors are
// C-contiguous little-endian, and the tensors must tile the data section exactly (no overlap, no holes, no
// trailing bytes), as the reference implementation (huggingface/safetensors) enforces.
// Everything is validated before any tensor byte is touched; the data is memory-mapped.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace jq {

struct TensorInfo {
  std::string name;
  std::string dtype;              // "F32", "F16", "BF16", "I64", ... as in the file
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;    // byte offsets relative to the data section
};

// Element size of a safetensors dtype name ("BF16" -> 2), 0 when the name is not a safetensors dtype.
size_t safetensorsDtypeSize(const std::string& dtype);
// The LibTorch scalar type for a dtype name; throws Unsupported for names LibTorch 1.13 cannot hold (U16, F8_*).
at::ScalarType scalarTypeOfSafetensorsDtype(const std::string& dtype);
// The safetensors name of a LibTorch scalar type; throws Unsupported for types safetensors has no name for here.
std::string safetensorsDtypeOf(at::ScalarType type);

// One .safetensors file, memory-mapped. Tensors returned by tensor() are CPU tensors that alias the mapping
// (zero copy) and keep it alive after the SafetensorsFile is gone. The mapping is private copy-on-write: an
// in-place operation on a returned tensor never reaches the file, but it does cost memory for the pages it
// touches, so clone() what you mean to modify.
class SafetensorsFile {
 public:
  // Throws NotFound when the file is missing, Io when it cannot be read or mapped, InvalidInput naming the
  // file (and tensor) for any malformed header.
  static std::shared_ptr<SafetensorsFile> open(const std::string& path);
  ~SafetensorsFile();

  const std::string& path() const;
  std::vector<std::string> names() const;                 // sorted
  bool has(const std::string& name) const;
  const TensorInfo& info(const std::string& name) const;  // throws NotFound naming file and tensor
  // BF16/F16/F32/F64/I64/I32/I16/I8/U8/BOOL. Zero copy when the data is aligned for its type (always for files
  // written by the reference library or writeSafetensors); otherwise an aligned copy.
  at::Tensor tensor(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const;
  uint64_t dataBytes() const;                             // size of the data section

 private:
  SafetensorsFile() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A checkpoint's tensors: one `model.safetensors`, or shards named by `model.safetensors.index.json`.
class TensorStore {
 public:
  // `dir` is a checkpoint folder. The index wins when both it and model.safetensors exist (as in transformers).
  // Throws NotFound when the folder or any safetensors file is missing, InvalidInput (naming the index and the
  // shard) when the index is malformed, names a missing shard, or names a tensor its shard lacks.
  static TensorStore openDirectory(const std::string& dir);
  static TensorStore openFile(const std::string& path);

  std::vector<std::string> names() const;                 // sorted
  bool has(const std::string& name) const;
  const TensorInfo& info(const std::string& name) const;  // throws NotFound naming the checkpoint and tensor
  at::Tensor tensor(const std::string& name) const;       // memory-mapped CPU tensor in the file's dtype
  std::string fileOf(const std::string& name) const;
  const std::string& source() const { return source_; }   // the folder or file it was opened from

 private:
  const std::shared_ptr<SafetensorsFile>& fileFor(const std::string& name) const;
  std::string source_;
  std::map<std::string, std::shared_ptr<SafetensorsFile>> byName_;
};

// Writes tensors (any device; copied to CPU, made contiguous) atomically: temporary file, then rename.
// Byte-identical to the reference `safetensors.torch.save_file` for the same tensors and metadata: tensors
// ordered by descending dtype then name, header keys in reference order, header padded with spaces so the data
// starts at a multiple of 8. Throws InvalidInput for the reserved name "__metadata__", Unsupported for dtypes
// outside the list above, Io when the file cannot be written.
void writeSafetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace jq
