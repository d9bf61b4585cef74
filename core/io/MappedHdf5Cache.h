// A scratch HDF5 file of float32 (or 16-bit float) matrices used as ordinary CPU tensors without being held in RAM.
//
// Captured calibration activations of a large model can exceed host memory (Llama-3-8B: 256 GiB of q_proj/up_proj
// rows for 128 windows of 2048 tokens). The cache lays every matrix out as a contiguous HDF5 dataset whose space is
// allocated when the file is created, then maps the whole file into memory: the tensors returned by matrix() view
// the mapping, writes to them go to the file, and the kernel's page cache decides what stays resident. Readers
// (calibration mini-batches) see plain at::Tensor rows and need no HDF5 code; h5py can open the file while it exists.
//
// The disk space is reserved up front (posix_fallocate), so a full disk is a clear jq::Error naming the file before
// any row is captured, never a SIGBUS later. The file is temporary: it is deleted when the last tensor viewing it is
// released.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace jq {

class MappedHdf5Cache {
 public:
  // Creates `folder`/jointquant-capture-<pid>-<n>.h5 holding one dataset per (name, rows, cols) of `dtype`:
  // float32, or bfloat16/float16 stored as their raw 16 bits (HDF5 1.10 has no 16-bit float type, so h5py sees
  // uint16 there). Throws jq::Error(Io) naming the file when it cannot be created, sized or mapped (e.g. not enough
  // space), jq::Error(Unsupported) for another dtype.
  MappedHdf5Cache(const std::string& folder, const std::vector<std::tuple<std::string, int64_t, int64_t>>& matrices,
                  at::ScalarType dtype = at::kFloat);
  ~MappedHdf5Cache();
  MappedHdf5Cache(const MappedHdf5Cache&) = delete;
  MappedHdf5Cache& operator=(const MappedHdf5Cache&) = delete;

  const std::string& path() const { return path_; }
  int64_t fileBytes() const { return bytes_; }

  // The i-th matrix as a [rows, cols] CPU tensor of the cache's dtype over the mapping. The tensor keeps `self` alive, so the
  // mapping (and the file) lives as long as any such tensor does.
  static at::Tensor matrix(const std::shared_ptr<MappedHdf5Cache>& self, size_t i);

  // Bytes a cache of these matrices needs on disk (the data; the HDF5 metadata adds a few KiB).
  static int64_t dataBytes(const std::vector<std::tuple<std::string, int64_t, int64_t>>& matrices,
                           at::ScalarType dtype = at::kFloat);

 private:
  std::string path_;
  int fd_ = -1;
  void* map_ = nullptr;
  int64_t bytes_ = 0;
  at::ScalarType dtype_ = at::kFloat;
  std::vector<std::pair<int64_t, std::pair<int64_t, int64_t>>> layout_;  // file offset, (rows, cols)
};

// Free bytes of the file system holding `folder` (statvfs); -1 when it cannot be asked.
int64_t freeDiskBytes(const std::string& folder);

}  // namespace jq
