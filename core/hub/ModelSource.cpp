#include "hub/ModelSource.h"

#include <filesystem>

#include "common/Error.h"
#include "common/Log.h"
#include "hub/HubCache.h"
#include "hub/HubClient.h"
#include "hub/RepoRef.h"

namespace jq {

const std::vector<std::string>& defaultModelFilePatterns() {
  static const std::vector<std::string> patterns = {"*.json", "*.safetensors", "tokenizer.model"};
  return patterns;
}

std::string resolveModelDirectory(const std::string& modelOrId, const HubSettings& settings, const JobContext& job,
                                  bool allowDownload) {
  std::error_code ec;
  if (std::filesystem::is_directory(modelOrId, ec)) return modelOrId;
  const RepoRef ref = RepoRef::parse(modelOrId);
  const HubCache cache(settings.cacheDir);
  if (auto snapshot = cache.findSnapshot(ref, RepoType::Model)) {
    JQ_INFO(modelOrId << " -> " << *snapshot);
    return *snapshot;
  }
  if (settings.offline || !allowDownload) {
    try {
      cache.snapshotDir(ref, RepoType::Model);
    } catch (const Error& e) {
      throw Error(ErrorKind::NotFound, std::string(e.message()) +
                                           (settings.offline ? " (HF_HUB_OFFLINE is set, so nothing is downloaded)"
                                                             : ""));
    }
  }
  DownloadOptions options;
  options.revision = ref.revision;
  options.include = defaultModelFilePatterns();
  JQ_WARN(modelOrId << " is not in the Hub cache " << settings.cacheDir << "; downloading it");
  return HubClient(settings).downloadSnapshot(ref.id, options, job).snapshotPath;
}

}  // namespace jq
