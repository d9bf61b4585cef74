// Helpers of the robustness tests: running the `jointquant` CLI as a user would (QProcess, optionally with a
// file-size limit standing in for a full disk), scratch copies of the demo model to damage, and raw edits of a
// safetensors file that keep its header consistent except for the one thing a row breaks.
#pragma once

#include <QtCore/QProcess>
#include <QtTest/QtTest>

#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/TestData.h"

namespace jq::test {

struct CliResult {
  int exitCode = -1;
  bool crashed = false;  // killed by a signal: always a failure of the program, never an acceptable answer
  std::string out, err;
};

// Runs `program args...` (the CLI, or a helper). fileSizeLimit > 0 sets RLIMIT_FSIZE in the child (bytes) and
// ignores SIGXFSZ, so a write beyond the limit fails with EFBIG exactly where a full disk fails with ENOSPC.
inline CliResult runProgram(const QString& program, const QStringList& args, rlim_t fileSizeLimit = 0) {
  QProcess p;
  if (fileSizeLimit > 0) {
    p.setChildProcessModifier([fileSizeLimit] {
      struct rlimit lim{fileSizeLimit, fileSizeLimit};
      ::setrlimit(RLIMIT_FSIZE, &lim);
      std::signal(SIGXFSZ, SIG_IGN);  // SIG_IGN survives exec; the default action would kill the child instead
    });
  }
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("OMP_NUM_THREADS", "2");
  p.setProcessEnvironment(env);
  p.start(program, args);
  CliResult r;
  if (!p.waitForStarted(30000)) {
    r.err = "could not start " + program.toStdString();
    return r;
  }
  p.waitForFinished(300000);
  r.crashed = p.exitStatus() == QProcess::CrashExit;
  r.exitCode = p.exitCode();
  r.out = p.readAllStandardOutput().toStdString();
  r.err = p.readAllStandardError().toStdString();
  return r;
}

inline void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Every entry of a folder, by file name.
inline std::vector<std::string> listDir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A fresh folder under the per-process scratch folder.
inline std::string freshDir(const std::string& name) {
  const std::string d = tempDir() + "/" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// A copy of the demo model (config.json, model.safetensors, tokenizer.json) in a fresh folder.
inline std::string copyDemoModel(const std::string& name) {
  const std::string d = freshDir(name);
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json"})
    std::filesystem::copy_file(demoModelDir() + "/" + f, d + "/" + f);
  return d;
}

// A safetensors file split into its parts, edited, and put together again.
struct RawSafetensors {
  nlohmann::ordered_json header;
  std::string data;

  static RawSafetensors read(const std::string& path) {
    const std::string bytes = readFile(path);
    uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);  // little-endian host (the reader static_asserts the same)
    RawSafetensors s;
    s.header = nlohmann::ordered_json::parse(bytes.substr(8, n));
    s.data = bytes.substr(8 + n);
    return s;
  }
  std::string bytes() const {
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    const uint64_t n = text.size();
    return std::string(reinterpret_cast<const char*>(&n), 8) + text + data;
  }
  void write(const std::string& path) const { writeBytes(path, bytes()); }
  uint64_t begin(const std::string& tensor) const { return header.at(tensor).at("data_offsets").at(0).get<uint64_t>(); }
};

// The first `n` characters of the demo test text: enough tokens for a few short windows, quick to evaluate.
inline std::string demoTextFile(const std::string& path, size_t n) {
  writeBytes(path, readFile(sourceDir() + "/resources/demo-corpus/test.txt").substr(0, n));
  return path;
}

}  // namespace jq::test
