// A Hub repository named the way the Python tools name it: "org/name" or "name", optionally "@revision" (a branch,
// a tag or a commit hash), as in `jointquant eval --model meta-llama/Llama-3.2-1B@main`.
#pragma once

#include <string>

namespace jq {

enum class RepoType { Model, Dataset };

struct RepoRef {
  std::string id;                 // "org/name" or "name"
  std::string revision = "main";  // branch, tag, "refs/pr/N" or a 40-hex commit

  // Throws jq::Error(InvalidInput) when `spec` is not a valid repo id (huggingface_hub's rules: letters, digits,
  // '-', '_', '.', at most one '/', no "--" or "..", at most 96 characters) or the revision after '@' is empty.
  static RepoRef parse(const std::string& spec);
  // The same check without throwing.
  static bool isValidId(const std::string& id);
};

const char* repoTypeName(RepoType type);  // "model", "dataset"

// The cache folder of a repository: "models--org--name", "datasets--name".
std::string repoFolderName(const std::string& repoId, RepoType type);

// A full commit hash (40 lower-case hex digits): a revision that needs no refs/ lookup.
bool isCommitHash(const std::string& revision);

}  // namespace jq
