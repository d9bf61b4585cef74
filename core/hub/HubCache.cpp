#include "hub/HubCache.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "common/Error.h"
#include "hub/HubFiles.h"

namespace jq {

namespace fs = std::filesystem;

HubCache::HubCache(std::string cacheDir) : dir_(std::move(cacheDir)) {}

std::string HubCache::repoDir(const std::string& repoId, RepoType type) const {
  return dir_ + "/" + repoFolderName(repoId, type);
}

std::optional<std::string> HubCache::commitFor(const RepoRef& ref, RepoType type) const {
  const std::string repo = repoDir(ref.id, type);
  const std::string refFile = repo + "/refs/" + ref.revision;
  std::error_code ec;
  if (fs::is_regular_file(refFile, ec)) {
    const std::string commit = hubdetail::trimmed(hubdetail::readSmallFile(refFile));
    if (!commit.empty()) return commit;
  }
  if (isCommitHash(ref.revision) && fs::is_directory(repo + "/snapshots/" + ref.revision, ec)) return ref.revision;
  return std::nullopt;
}

std::optional<std::string> HubCache::findSnapshot(const RepoRef& ref, RepoType type) const {
  const auto commit = commitFor(ref, type);
  if (!commit) return std::nullopt;
  const std::string snap = repoDir(ref.id, type) + "/snapshots/" + *commit;
  std::error_code ec;
  if (!fs::is_directory(snap, ec)) return std::nullopt;
  return snap;
}

std::string HubCache::snapshotDir(const RepoRef& ref, RepoType type) const {
  if (auto snap = findSnapshot(ref, type)) return *snap;
  const std::string repo = repoDir(ref.id, type);
  const std::string fetch = "; fetch it with `jointquant download " + ref.id +
                            (ref.revision == "main" ? std::string() : " --revision " + ref.revision) +
                            "` or huggingface_hub (check HF_HOME / HF_HUB_CACHE if it is cached elsewhere)";
  std::error_code ec;
  if (!fs::is_directory(repo, ec))
    throw Error(ErrorKind::NotFound, std::string(repoTypeName(type)) + " '" + ref.id + "' is not in the Hub cache " +
                                         dir_ + fetch);
  if (auto commit = commitFor(ref, type))
    throw Error(ErrorKind::NotFound, "revision '" + ref.revision + "' of '" + ref.id + "' points to commit " +
                                         *commit + " but " + repo + "/snapshots/" + *commit + " is missing" + fetch);
  throw Error(ErrorKind::NotFound, "revision '" + ref.revision + "' of '" + ref.id + "' is not cached (no " + repo +
                                       "/refs/" + ref.revision + " and no snapshot of that commit)" + fetch);
}

std::vector<CachedRepo> HubCache::list(RepoType type) const {
  std::vector<CachedRepo> repos;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return repos;
  const std::string prefix = type == RepoType::Model ? "models--" : "datasets--";
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !entry.is_directory(ec)) continue;
    CachedRepo repo;
    repo.type = type;
    repo.path = entry.path().string();
    // "models--org--name" -> "org/name"; ids cannot contain "--", so the split is unambiguous.
    std::string rest = name.substr(prefix.size());
    for (size_t p = rest.find("--"); p != std::string::npos; p = rest.find("--", p + 1)) rest.replace(p, 2, "/");
    repo.id = rest;

    // refs/ may nest ("refs/pr/1"): every regular file below it is a ref holding a commit.
    std::map<std::string, std::vector<std::string>> refsByCommit;
    const fs::path refsDir = entry.path() / "refs";
    if (fs::is_directory(refsDir, ec)) {
      for (const auto& r : fs::recursive_directory_iterator(refsDir, ec)) {
        if (!r.is_regular_file(ec)) continue;
        const std::string commit = hubdetail::trimmed(hubdetail::readSmallFile(r.path().string()));
        refsByCommit[commit].push_back(r.path().lexically_relative(refsDir).generic_string());
      }
    }

    std::set<std::string> repoBlobs;
    const fs::path snapsDir = entry.path() / "snapshots";
    if (fs::is_directory(snapsDir, ec)) {
      for (const auto& s : fs::directory_iterator(snapsDir, ec)) {
        if (!s.is_directory(ec)) continue;
        CachedRevision rev;
        rev.commit = s.path().filename().string();
        rev.snapshotPath = s.path().string();
        rev.refs = refsByCommit[rev.commit];
        std::sort(rev.refs.begin(), rev.refs.end());
        rev.lastModified = hubdetail::mtimeSeconds(s.path());
        std::set<std::string> blobs;
        for (const auto& f : fs::recursive_directory_iterator(s.path(), ec)) {
          if (f.is_directory(ec)) continue;
          // Follow the symlink to its blob; a dangling link (blob deleted) counts as a file of no size.
          const fs::path target = fs::weakly_canonical(f.path(), ec);
          ++rev.files;
          if (fs::is_regular_file(target, ec) && blobs.insert(target.string()).second)
            rev.sizeBytes += fs::file_size(target, ec);
        }
        repoBlobs.insert(blobs.begin(), blobs.end());
        repo.revisions.push_back(std::move(rev));
      }
    }
    for (const auto& b : repoBlobs) repo.sizeBytes += fs::file_size(b, ec);
    std::sort(repo.revisions.begin(), repo.revisions.end(), [](const CachedRevision& a, const CachedRevision& b) {
      return a.lastModified != b.lastModified ? a.lastModified > b.lastModified : a.commit < b.commit;
    });
    repos.push_back(std::move(repo));
  }
  std::sort(repos.begin(), repos.end(), [](const CachedRepo& a, const CachedRepo& b) { return a.id < b.id; });
  return repos;
}

}  // namespace jq
