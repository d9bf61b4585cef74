// Where tests find their inputs. Golden data made by tools/ with transformers lives in tests/data/;
// files fetched in the test set-up (real Llama tokenizers) live in the build tree.
#pragma once

#include <string>

namespace jq::test {

std::string sourceDir();                        // repository root
std::string testDataDir();                      // tests/data
std::string testData(const std::string& rel);   // tests/data/<rel>
std::string demoModelDir();                     // resources/demo-model
std::string fetchedData(const std::string& rel);  // <build>/testdata/<rel>
std::string tempDir();                          // a fresh per-process scratch folder, removed at exit
bool fileExists(const std::string& path);
std::string readFile(const std::string& path);  // whole file; throws std::runtime_error if unreadable

}  // namespace jq::test
