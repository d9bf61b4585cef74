// Downloads from the Hugging Face Hub with libcurl, into the cache exactly as huggingface_hub's hf_hub_download
// and snapshot_download write it, so Python tools reuse what we fetch and we reuse what they fetched:
//
//   HEAD {endpoint}/{repo}/resolve/{revision}/{file}  -> X-Repo-Commit, ETag / X-Linked-Etag, size (not followed:
//                                                        LFS files answer with a redirect to their storage)
//   GET  the same URL (or the redirect) into blobs/<etag>.incomplete, resumed with a Range request after a broken
//        connection or an interrupted earlier run, checked (sha256 of LFS files, git blob sha1 of the others),
//        renamed to blobs/<etag>; only then snapshots/<commit>/<file> becomes a relative symlink to the blob and
//        refs/<revision> records the commit.
//
// The token (HubSettings::token) goes only to the endpoint's host; gated and private repos need it. The same
// .locks/<repo folder>/<etag>.lock files as huggingface_hub (flock) keep a Python download and ours apart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/Job.h"
#include "hub/HubSettings.h"
#include "hub/RepoRef.h"

namespace jq {

struct RepoFiles {
  std::string commit;               // the revision resolved to a commit ("sha" of the API answer)
  std::vector<std::string> files;   // "rfilename" of every sibling, in the API's order
};

struct DownloadedFile {
  std::string file;                 // path inside the repo
  std::string path;                 // snapshots/<commit>/<file> in the cache
  std::string etag;                 // blob name: sha256 (LFS) or git sha1
  uint64_t size = 0;
  uint64_t bytesTransferred = 0;    // body bytes received by this call (0 when the blob was cached already)
  uint64_t resumedFrom = 0;         // offset of the first Range request (0 when the transfer started at byte 0)
  int requests = 0;                 // GET requests made for the body (1 without interruptions)
  bool cached = false;              // the blob was already there
};

struct SnapshotDownload {
  std::string repoId;
  std::string commit;
  std::string snapshotPath;
  std::vector<DownloadedFile> files;
};

struct DownloadOptions {
  std::string revision = "main";
  std::vector<std::string> include;  // glob patterns (fnmatch, '*' also matches '/'); empty = every file
  RepoType type = RepoType::Model;
  int maxAttempts = 5;               // GET requests per file before giving up on a flaky connection
};

class HubClient {
 public:
  // Throws jq::Error(InvalidInput) when settings.offline: HF_HUB_OFFLINE forbids every request.
  explicit HubClient(HubSettings settings);

  // GET {endpoint}/api/{models|datasets}/{repo}/revision/{revision}.
  RepoFiles listFiles(const std::string& repoId, const std::string& revision, RepoType type = RepoType::Model) const;

  // One file (hf_hub_download). Progress: stage "download", bytes of this file. Cancelling leaves the
  // .incomplete blob for the next call to resume.
  DownloadedFile downloadFile(const std::string& repoId, const std::string& file, const DownloadOptions& options,
                              const JobContext& job) const;

  // Every file of the revision matching options.include (snapshot_download). Files are fetched at the resolved
  // commit, so a branch moving meanwhile cannot mix two commits in one snapshot.
  SnapshotDownload downloadSnapshot(const std::string& repoId, const DownloadOptions& options,
                                    const JobContext& job) const;

  const HubSettings& settings() const { return settings_; }

 private:
  HubSettings settings_;
};

// fnmatch-style match of a repo path against one glob pattern, as huggingface_hub's allow_patterns does
// ('*' and '?' match '/' too; a pattern ending in '/' means everything below that folder).
bool hubPatternMatches(const std::string& pattern, const std::string& path);

}  // namespace jq
