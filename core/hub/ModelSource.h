// What `--model` may name: a folder on disk, or a Hub model id ("org/name[@revision]") that is looked up in the
// Hub cache, as transformers' from_pretrained does — a folder wins when both could apply.
#pragma once

#include <string>
#include <vector>

#include "common/Job.h"
#include "hub/HubSettings.h"

namespace jq {

// The files a Llama checkpoint needs; what resolveModelDirectory downloads when the id is not cached.
const std::vector<std::string>& defaultModelFilePatterns();

// A folder is returned as given. An id resolves to its cached snapshot folder. When the revision is not cached:
// with settings.offline (HF_HUB_OFFLINE), or when `allowDownload` is false, throws jq::Error(NotFound) saying so;
// otherwise downloads the checkpoint files (defaultModelFilePatterns) into the cache and returns the new snapshot.
std::string resolveModelDirectory(const std::string& modelOrId, const HubSettings& settings, const JobContext& job,
                                  bool allowDownload = true);

}  // namespace jq
