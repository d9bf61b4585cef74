// Small file-system helpers shared by the hub module's sources (one header, because the module is compiled as a
// single unity translation unit where file-local copies would collide).
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/Error.h"

namespace jq::hubdetail {

inline std::string readSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throwIo(path, "cannot read file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string trimmed(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

inline bool hasSuffix(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

inline int64_t mtimeSeconds(const std::filesystem::path& p) {
  std::error_code ec;
  const auto t = std::filesystem::last_write_time(p, ec);
  if (ec) return 0;
  // file_clock's epoch is unspecified in C++17; the difference to now() converts it to system_clock.
  const auto sys = std::chrono::system_clock::now() +
                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                       t - std::filesystem::file_time_type::clock::now());
  return std::chrono::duration_cast<std::chrono::seconds>(sys.time_since_epoch()).count();
}

}  // namespace jq::hubdetail
