// Write-then-rename: a reader never sees a half-written output, and a crash or cancel mid-write leaves
// any earlier file at `path` intact.
#pragma once

#include <string>

namespace jq {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);   // chooses "<path>.tmp-<pid>-<n>" in the same directory
  ~AtomicFile();                            // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& tempPath() const { return temp_; }
  const std::string& path() const { return path_; }
  void commit();                            // fsync + rename over `path`; throws jq::Error on failure

 private:
  std::string path_;
  std::string temp_;
  bool committed_ = false;
};

// Convenience: write the whole byte string atomically.
void writeFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace jq
