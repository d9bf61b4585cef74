#include "hub/RepoRef.h"

#include <cctype>

#include "common/Error.h"

namespace jq {

bool RepoRef::isValidId(const std::string& id) {
  if (id.empty() || id.size() > 96) return false;
  if (id.find("--") != std::string::npos || id.find("..") != std::string::npos) return false;
  size_t slashes = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(id[i]);
    if (c == '/') {
      // Neither part may be empty.
      if (++slashes > 1 || i == 0 || i + 1 == id.size()) return false;
    } else if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  // Python's \b in the Hub's pattern: no part starts or ends with '-' or '.'.
  size_t start = 0;
  while (start <= id.size()) {
    size_t end = id.find('/', start);
    if (end == std::string::npos) end = id.size();
    const char first = id[start], last = id[end - 1];
    if (first == '-' || first == '.' || last == '-' || last == '.') return false;
    start = end + 1;
  }
  return true;
}

RepoRef RepoRef::parse(const std::string& spec) {
  RepoRef r;
  const size_t at = spec.find('@');
  r.id = spec.substr(0, at);
  if (at != std::string::npos) {
    r.revision = spec.substr(at + 1);
    if (r.revision.empty()) throw Error(ErrorKind::InvalidInput, "'" + spec + "': empty revision after '@'");
  }
  if (!isValidId(r.id))
    throw Error(ErrorKind::InvalidInput,
                "'" + spec + "' is neither an existing folder nor a Hub repo id (org/name[@revision])");
  return r;
}

const char* repoTypeName(RepoType type) { return type == RepoType::Model ? "model" : "dataset"; }

std::string repoFolderName(const std::string& repoId, RepoType type) {
  std::string folder = type == RepoType::Model ? "models" : "datasets";
  size_t start = 0;
  while (true) {
    const size_t slash = repoId.find('/', start);
    folder += "--" + repoId.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return folder;
}

bool isCommitHash(const std::string& revision) {
  if (revision.size() != 40) return false;
  for (char c : revision)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace jq
