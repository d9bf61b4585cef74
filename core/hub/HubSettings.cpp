#include "hub/HubSettings.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace jq {

namespace {

std::string envOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// Python's os.path.expanduser for the "~" and "~/..." forms, which is all the cache variables use.
std::string expandUser(const std::string& path) {
  if (path.empty() || path[0] != '~' || (path.size() > 1 && path[1] != '/')) return path;
  return envOrEmpty("HOME") + path.substr(1);
}

bool envIsTrue(const std::string& value) {
  std::string v = value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  return v == "1" || v == "ON" || v == "YES" || v == "TRUE";
}

std::string trimWhitespace(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

HubSettings HubSettings::fromEnvironment() {
  HubSettings s;
  const std::string xdg = envOrEmpty("XDG_CACHE_HOME");
  const std::string hfHome = envOrEmpty("HF_HOME");
  s.home = expandUser(!hfHome.empty() ? hfHome : (xdg.empty() ? std::string("~/.cache") : xdg) + "/huggingface");

  std::string hub = envOrEmpty("HF_HUB_CACHE");
  if (hub.empty()) hub = envOrEmpty("HUGGINGFACE_HUB_CACHE");
  s.cacheDir = expandUser(!hub.empty() ? hub : s.home + "/hub");

  const std::string datasets = envOrEmpty("HF_DATASETS_CACHE");
  s.datasetsCacheDir = expandUser(!datasets.empty() ? datasets : s.home + "/datasets");

  std::string endpoint = envOrEmpty("HF_ENDPOINT");
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (!endpoint.empty()) s.endpoint = endpoint;

  s.token = trimWhitespace(envOrEmpty("HF_TOKEN"));
  if (s.token.empty()) s.token = trimWhitespace(envOrEmpty("HUGGING_FACE_HUB_TOKEN"));
  if (s.token.empty()) {
    const std::string tokenPath = envOrEmpty("HF_TOKEN_PATH");
    std::ifstream in(expandUser(!tokenPath.empty() ? tokenPath : s.home + "/token"));
    std::string line;
    if (in && std::getline(in, line)) s.token = trimWhitespace(line);
  }

  std::string offline = envOrEmpty("HF_HUB_OFFLINE");
  if (offline.empty()) offline = envOrEmpty("TRANSFORMERS_OFFLINE");
  s.offline = envIsTrue(offline);
  return s;
}

}  // namespace jq
