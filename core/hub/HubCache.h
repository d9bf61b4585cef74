// The Hugging Face Hub cache as huggingface_hub lays it out, read and listed without Python:
//
//   <cache>/models--org--name/
//     refs/main                      the commit hash that branch "main" pointed at when it was last fetched
//     blobs/<etag>                   file contents, named by sha256 (LFS files) or git blob sha1 (small files)
//     snapshots/<commit>/<file>      relative symlinks into blobs/, one folder per commit ever fetched
//     .no_exist/<commit>/<file>      files known to be absent (ignored here)
//
// A snapshot folder is a normal model folder (config.json, *.safetensors, tokenizer.json) for every loader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/RepoRef.h"

namespace jq {

struct CachedRevision {
  std::string commit;
  std::vector<std::string> refs;  // branch/tag names pointing at this commit ("main", "refs/pr/1", ...)
  std::string snapshotPath;
  uint64_t sizeBytes = 0;         // distinct blobs the snapshot's files point to
  int64_t files = 0;
  int64_t lastModified = 0;       // seconds since the epoch, the snapshot folder's mtime
};

// One cached repository, for the model panel: what it is, which revisions are there, how much disk it takes.
struct CachedRepo {
  std::string id;                 // "org/name"
  RepoType type = RepoType::Model;
  std::string path;               // <cache>/models--org--name
  uint64_t sizeBytes = 0;         // distinct blobs referenced by any snapshot
  std::vector<CachedRevision> revisions;  // newest first
};

class HubCache {
 public:
  explicit HubCache(std::string cacheDir);
  const std::string& dir() const { return dir_; }

  std::string repoDir(const std::string& repoId, RepoType type) const;

  // The commit `ref.revision` names in the cache: refs/<revision> when present, else the revision itself when it is
  // a commit hash whose snapshot exists (huggingface_hub's offline lookup does the same). Nothing when unknown.
  std::optional<std::string> commitFor(const RepoRef& ref, RepoType type) const;

  // The snapshot folder of the revision, or nothing when the cache does not hold it.
  std::optional<std::string> findSnapshot(const RepoRef& ref, RepoType type) const;

  // Like findSnapshot, but throws jq::Error(NotFound) with a sentence saying what is missing (the repo, the ref,
  // the snapshot) and how to fetch it (`jointquant download`).
  std::string snapshotDir(const RepoRef& ref, RepoType type) const;

  // Every cached repository of that type, sorted by id. An absent cache folder is an empty list.
  std::vector<CachedRepo> list(RepoType type = RepoType::Model) const;

 private:
  std::string dir_;
};

}  // namespace jq
