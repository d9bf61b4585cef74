// Included once by every fuzz target (it defines LLVMFuzzerInitialize). The parsers under test read paths, not
// buffers, so each input is written to an in-memory file (memfd) and handed over as /proc/self/fd/N: no disk
// traffic, nothing left behind after a crash.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "common/Log.h"

// libFuzzer calls this once before the first input. Warnings about odd but accepted inputs (a tokenizer's
// duplicate ids, say) would otherwise be printed millions of times and slow the run down.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  jq::setLogLevel("off");
  return 0;
}

namespace jq::fuzz {

class MemoryFile {
 public:
  explicit MemoryFile(const char* name) : fd_(::memfd_create(name, MFD_CLOEXEC)) {
    if (fd_ < 0) std::abort();  // the harness cannot work at all; not a finding
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  // Replaces the whole content; returns the path that opens it.
  const std::string& set(const uint8_t* data, size_t size) {
    if (::ftruncate(fd_, 0) != 0) std::abort();
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) std::abort();
      done += static_cast<size_t>(n);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

// A file of the repository (seed data the targets load once, e.g. a tokenizer to encode with).
inline std::string readSourceFile(const std::string& relative) {
  std::ifstream in(std::string(JQ_SOURCE_DIR) + "/" + relative, std::ios::binary);
  if (!in) std::abort();
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace jq::fuzz
