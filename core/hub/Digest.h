// SHA-256 and SHA-1, streamed: the Hub names every cached blob by a digest of its bytes (sha256 for LFS files,
// the git blob sha1 for small files), and every finished download is checked against that name before it is
// stored under it. Self-contained: the core needs no crypto library for two hashes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace jq {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(const std::string& bytes) { update(bytes.data(), bytes.size()); }
  std::string hexDigest();  // finishes the hash; lower-case hex, 64 characters

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t used_ = 0;
  uint64_t length_ = 0;
};

class Sha1 {
 public:
  Sha1();
  void update(const void* data, size_t size);
  void update(const std::string& bytes) { update(bytes.data(), bytes.size()); }
  std::string hexDigest();  // finishes the hash; lower-case hex, 40 characters

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 5> h_;
  std::array<uint8_t, 64> buf_{};
  size_t used_ = 0;
  uint64_t length_ = 0;
};

// Git's object id of a file of `size` bytes: sha1("blob <size>\0" + bytes). Feed the bytes with update().
class GitBlobSha1 {
 public:
  explicit GitBlobSha1(uint64_t size);
  void update(const void* data, size_t size) { sha_.update(data, size); }
  std::string hexDigest() { return sha_.hexDigest(); }

 private:
  Sha1 sha_;
};

// Digest of a whole file on disk; throws jq::Error naming the file when it cannot be read.
std::string sha256OfFile(const std::string& path);
std::string gitBlobSha1OfFile(const std::string& path);

}  // namespace jq
