// Where the Hugging Face tools keep things, read from the same environment variables with the same precedence as
// huggingface_hub (constants.py), so a cache filled by Python is found here and the other way round.
#pragma once

#include <string>

namespace jq {

struct HubSettings {
  // HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface.
  std::string home;
  // HF_HUB_CACHE, else the legacy HUGGINGFACE_HUB_CACHE, else <home>/hub.
  std::string cacheDir;
  // HF_DATASETS_CACHE, else <home>/datasets: where the `datasets` library keeps its downloads.
  std::string datasetsCacheDir;
  // HF_ENDPOINT without a trailing '/', else https://huggingface.co.
  std::string endpoint = "https://huggingface.co";
  // HF_TOKEN, else the legacy HUGGING_FACE_HUB_TOKEN, else the first line of the token file (HF_TOKEN_PATH, else
  // <home>/token, which `huggingface-cli login` writes). Empty when there is none.
  std::string token;
  // HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) set to 1, ON, YES or TRUE: never touch the network.
  bool offline = false;

  static HubSettings fromEnvironment();
};

}  // namespace jq
