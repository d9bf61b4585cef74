#include "common/AtomicFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/Error.h"

namespace jq {

namespace {
std::atomic<int> counter{0};
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  temp_ = path_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::commit() {
  int fd = ::open(temp_.c_str(), O_RDONLY);
  if (fd < 0) throwIo(path_, std::string("temporary file vanished before commit: ") + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throwIo(path_, std::string("fsync failed: ") + std::strerror(errno));
  if (std::rename(temp_.c_str(), path_.c_str()) != 0)
    throwIo(path_, std::string("cannot rename temporary file into place: ") + std::strerror(errno));
  committed_ = true;
}

void writeFileAtomically(const std::string& path, const std::string& bytes) {
  AtomicFile file(path);
  {
    std::ofstream out(file.tempPath(), std::ios::binary | std::ios::trunc);
    if (!out) throwIo(path, std::string("cannot create file: ") + std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throwIo(path, "write failed (disk full?)");
  }
  file.commit();
}

}  // namespace jq
