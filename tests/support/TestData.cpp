#include "support/TestData.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace jq::test {

std::string sourceDir() { return JQ_SOURCE_DIR; }
std::string testDataDir() { return JQ_TEST_DATA_DIR; }
std::string testData(const std::string& rel) { return testDataDir() + "/" + rel; }
std::string demoModelDir() { return sourceDir() + "/resources/demo-model"; }
std::string fetchedData(const std::string& rel) { return std::string(JQ_FETCHED_DATA_DIR) + "/" + rel; }

namespace {
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    path = std::filesystem::temp_directory_path() / ("jq-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};
}  // namespace

std::string tempDir() {
  static ScratchDir dir;
  return dir.path.string();
}

bool fileExists(const std::string& path) { return std::filesystem::exists(path); }

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace jq::test
