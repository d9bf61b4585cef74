#include "io/MappedHdf5Cache.h"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/Error.h"

namespace jq {
namespace {

std::atomic<int> counter{0};

std::string errnoText(int e) { return std::strerror(e); }

// Writes the HDF5 structure (contiguous, early-allocated, never-filled datasets) and returns each dataset's file
// offset. HDF5 itself writes no data here: the space is only reserved in the file's address map.
std::vector<int64_t> createLayout(const std::string& path,
                                  const std::vector<std::tuple<std::string, int64_t, int64_t>>& matrices,
                                  hid_t elementType) {
  std::vector<int64_t> offsets;
  // Page-aligned datasets: the mapped tensors then start on a page, as vectorised reads and DMA prefer.
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_alignment(fapl, 1, 4096);
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  if (file < 0) throwIo(path, "cannot create the activation cache file");
  bool ok = true;
  for (const auto& [name, rows, cols] : matrices) {
    const hsize_t dims[2] = {hsize_t(rows), hsize_t(cols)};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_layout(dcpl, H5D_CONTIGUOUS);
    H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    const hid_t set = H5Dcreate2(file, name.c_str(), elementType, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    const haddr_t off = set >= 0 ? H5Dget_offset(set) : HADDR_UNDEF;
    if (set >= 0) H5Dclose(set);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (off == HADDR_UNDEF) {
      ok = false;
      break;
    }
    offsets.push_back(int64_t(off));
  }
  if (H5Fclose(file) < 0) ok = false;
  if (!ok) {
    std::remove(path.c_str());
    throwIo(path, "cannot lay out the activation cache datasets");
  }
  return offsets;
}

}  // namespace

int64_t MappedHdf5Cache::dataBytes(const std::vector<std::tuple<std::string, int64_t, int64_t>>& matrices,
                                   at::ScalarType dtype) {
  int64_t total = 0;
  for (const auto& m : matrices) total += std::get<1>(m) * std::get<2>(m) * int64_t(c10::elementSize(dtype));
  return total;
}

int64_t freeDiskBytes(const std::string& folder) {
  struct statvfs st {};
  if (statvfs(folder.c_str(), &st) != 0) return -1;
  return int64_t(st.f_bavail) * int64_t(st.f_frsize);
}

MappedHdf5Cache::MappedHdf5Cache(const std::string& folder,
                                 const std::vector<std::tuple<std::string, int64_t, int64_t>>& matrices,
                                 at::ScalarType dtype)
    : dtype_(dtype) {
  namespace fs = std::filesystem;
  if (dtype != at::kFloat && dtype != at::kBFloat16 && dtype != at::kHalf)
    throw Error(ErrorKind::Unsupported, std::string("the activation cache holds float32, bfloat16 or float16, not ") +
                                            c10::toString(dtype));
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throwNotFound(folder, "the activation cache folder does not exist");
  path_ = (fs::path(folder) / ("jointquant-capture-" + std::to_string(::getpid()) + "-" +
                               std::to_string(counter.fetch_add(1)) + ".h5"))
              .string();
  const int64_t need = dataBytes(matrices, dtype);
  const int64_t avail = freeDiskBytes(folder);
  if (avail >= 0 && avail < need + (int64_t(64) << 20))
    throwIo(path_, "not enough disk space for the activation cache: " + std::to_string(need >> 20) + " MiB needed, " +
                       std::to_string(avail >> 20) + " MiB free (use fewer windows, --capture-tokens, or another "
                       "--capture-cache folder)");

  const std::vector<int64_t> offsets = createLayout(path_, matrices, dtype == at::kFloat ? H5T_IEEE_F32LE : H5T_STD_U16LE);
  for (size_t i = 0; i < matrices.size(); ++i) {
    const int64_t rows = std::get<1>(matrices[i]), cols = std::get<2>(matrices[i]);
    layout_.push_back({offsets[i], {rows, cols}});
    bytes_ = std::max(bytes_, offsets[i] + rows * cols * int64_t(c10::elementSize(dtype)));
  }
  auto fail = [&](const std::string& what, int e) {
    if (map_) ::munmap(map_, size_t(bytes_));
    if (fd_ >= 0) ::close(fd_);
    map_ = nullptr;
    fd_ = -1;
    std::remove(path_.c_str());
    throwIo(path_, what + ": " + errnoText(e));
  };
  fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) fail("cannot open the activation cache", errno);
  const int64_t metadataEnd = int64_t(::lseek(fd_, 0, SEEK_END));
  bytes_ = std::max(bytes_, metadataEnd);
  // Reserve every block now: writing through a mapping onto a full disk would kill the process with SIGBUS.
  if (const int e = ::posix_fallocate(fd_, 0, off_t(bytes_)); e != 0) fail("cannot reserve disk space for the activation cache", e);
  map_ = ::mmap(nullptr, size_t(bytes_), PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    fail("cannot map the activation cache", errno);
  }
}

MappedHdf5Cache::~MappedHdf5Cache() {
  if (map_) ::munmap(map_, size_t(bytes_));
  if (fd_ >= 0) ::close(fd_);
  if (!path_.empty()) std::remove(path_.c_str());
}

at::Tensor MappedHdf5Cache::matrix(const std::shared_ptr<MappedHdf5Cache>& self, size_t i) {
  const auto& [offset, shape] = self->layout_.at(i);
  void* data = static_cast<char*>(self->map_) + offset;
  std::shared_ptr<MappedHdf5Cache> keep = self;
  return at::from_blob(data, {shape.first, shape.second}, [keep](void*) mutable { keep.reset(); },
                       at::TensorOptions().dtype(self->dtype_));
}

}  // namespace jq
