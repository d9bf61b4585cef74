// Hugging Face Hub caches built by hand, laid out as huggingface_hub writes them (refs/<branch> holding a commit,
// blobs/<etag>, snapshots/<commit>/<file> as relative symlinks into blobs/), for tests/hub and tests/gui.
#pragma once

#include <QtCore/QCryptographicHash>
#include <QtCore/QFile>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/TestData.h"

namespace jq::test {

namespace fs = std::filesystem;

inline void writeText(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

inline void linkBlob(const fs::path& repo, const std::string& commit, const std::string& file, const std::string& blob) {
  const fs::path link = repo / "snapshots" / commit / file;
  fs::create_directories(link.parent_path());
  // Relative, as huggingface_hub writes it: from snapshots/<commit>/<dirs> back up to blobs/.
  std::string up = "../../";
  for (char c : file)
    if (c == '/') up += "../";
  fs::create_symlink(up + "blobs/" + blob, link);
}

// Every variable that moves the cache, cleared so a developer's own environment cannot leak into a case.
inline const char* const kHubVars[] = {"HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME",
                                       "HF_DATASETS_CACHE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH",
                                       "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT"};

inline void clearHubEnvironment() {
  for (const char* v : kHubVars) ::unsetenv(v);
}

// resources/demo-model cached as `repoId` ("org/name") at `commit`, with refs/main pointing at it: every file a
// blob named by its etag (sha256 for the safetensors, as LFS files are; git blob sha1 for the others). Returns the
// snapshot folder.
inline std::string cacheDemoModel(const std::string& cacheDir, const std::string& repoId, const std::string& commit) {
  std::string folder = "models--" + repoId;
  for (size_t i = folder.find('/'); i != std::string::npos; i = folder.find('/', i)) folder.replace(i, 1, "--");
  const fs::path repo = fs::path(cacheDir) / folder;
  for (const char* name : {"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"}) {
    QFile f(QString::fromStdString(demoModelDir() + "/" + name));
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray bytes = f.readAll();
    const bool lfs = std::string(name).find(".safetensors") != std::string::npos;
    const QByteArray etag =
        lfs ? QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()
            : QCryptographicHash::hash("blob " + QByteArray::number(bytes.size()) + '\0' + bytes,
                                       QCryptographicHash::Sha1)
                  .toHex();
    writeText(repo / "blobs" / etag.toStdString(), bytes.toStdString());
    linkBlob(repo, commit, name, etag.toStdString());
  }
  writeText(repo / "refs" / "main", commit);
  return (repo / "snapshots" / commit).string();
}

}  // namespace jq::test
