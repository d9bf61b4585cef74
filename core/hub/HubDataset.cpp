#include "hub/HubDataset.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "common/Error.h"
#include "hub/HubCache.h"
#include "hub/HubFiles.h"
#include "hub/RepoRef.h"

namespace jq {

namespace fs = std::filesystem;

namespace {

struct DatasetConvention {
  std::string name;
  DatasetFormat format;
  std::vector<std::string> aliases;  // ids accepted on the command line, Hub repo ids among them
  std::vector<std::string> repos;    // Hub repos that have held it (old and new names)
  std::vector<std::string> splits;
};

const std::vector<DatasetConvention>& conventions() {
  static const std::vector<DatasetConvention> all = {
      {"wikitext2", DatasetFormat::WikiText2,
       {"wikitext2", "wikitext", "wikitext-2", "wikitext-2-raw-v1", "Salesforce/wikitext"},
       {"wikitext", "Salesforce/wikitext"}, {"test", "train", "validation"}},
      {"ptb", DatasetFormat::Ptb, {"ptb", "ptb_text_only", "ptb-text-only/ptb_text_only"},
       {"ptb_text_only", "ptb-text-only/ptb_text_only"}, {"test", "train", "validation"}},
      {"c4", DatasetFormat::C4, {"c4", "allenai/c4"}, {"allenai/c4"}, {"validation"}},
  };
  return all;
}

const DatasetConvention* conventionFor(const std::string& id) {
  for (const auto& c : conventions())
    if (std::find(c.aliases.begin(), c.aliases.end(), id) != c.aliases.end()) return &c;
  return nullptr;
}

// The file name each convention's Python loader reads for a split.
std::string rawFileName(const DatasetConvention& c, const std::string& split) {
  const std::string s = split == "validation" ? "valid" : split;
  if (c.name == "wikitext2") return "wiki." + s + ".raw";
  if (c.name == "ptb") return "ptb." + s + ".txt";
  return "c4-validation.00000-of-00008.json.gz";
}

// wikitext-103 ships files of the same names; only wikitext-2's may be taken.
bool acceptablePath(const DatasetConvention& c, const std::string& path) {
  if (c.name != "wikitext2") return true;
  return path.find("103") == std::string::npos;
}

std::vector<fs::path> snapshotsNewestFirst(const HubSettings& settings, const std::string& repo) {
  std::vector<fs::path> out;
  const HubCache cache(settings.cacheDir);
  if (auto main = cache.findSnapshot(RepoRef{repo, "main"}, RepoType::Dataset)) out.emplace_back(*main);
  std::error_code ec;
  const fs::path dir = fs::path(cache.repoDir(repo, RepoType::Dataset)) / "snapshots";
  std::vector<std::pair<int64_t, fs::path>> others;
  if (fs::is_directory(dir, ec))
    for (const auto& s : fs::directory_iterator(dir, ec))
      if (s.is_directory(ec) && (out.empty() || s.path() != out.front()))
        others.emplace_back(hubdetail::mtimeSeconds(s.path()), s.path());
  std::sort(others.begin(), others.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& o : others) out.push_back(o.second);
  return out;
}

struct SearchLog {
  std::vector<std::string> looked;
  std::vector<std::string> columnar;  // parquet/arrow files of the data set seen on the way
};

std::optional<std::string> findInHubCache(const HubSettings& settings, const DatasetConvention& c,
                                          const std::string& split, SearchLog& log) {
  const std::string wanted = rawFileName(c, split);
  for (const auto& repo : c.repos) {
    const std::string repoDir = HubCache(settings.cacheDir).repoDir(repo, RepoType::Dataset);
    log.looked.push_back(repoDir + "/snapshots/*/**/" + wanted);
    std::error_code ec;
    for (const auto& snap : snapshotsNewestFirst(settings, repo)) {
      std::optional<std::string> preferred, other;
      for (const auto& f : fs::recursive_directory_iterator(snap, ec)) {
        if (f.is_directory(ec)) continue;
        const std::string rel = f.path().lexically_relative(snap).generic_string();  // not relative(): it follows the blob symlink
        const std::string base = f.path().filename().string();
        if (hubdetail::hasSuffix(base, ".parquet") || hubdetail::hasSuffix(base, ".arrow")) {
          if (rel.find(split) != std::string::npos && acceptablePath(c, rel)) log.columnar.push_back(f.path().string());
          continue;
        }
        if (base != wanted || !acceptablePath(c, rel)) continue;
        // A dangling symlink (blob removed, or still downloading elsewhere) is no file.
        if (!fs::is_regular_file(f.path(), ec)) continue;
        if (c.name == "wikitext2" && rel.find("wikitext-2-raw") != std::string::npos) preferred = f.path().string();
        else if (!other) other = f.path().string();
      }
      if (preferred) return preferred;
      if (other) return other;
    }
  }
  return std::nullopt;
}

std::optional<std::string> findInDatasetsCache(const HubSettings& settings, const DatasetConvention& c,
                                               const std::string& split, SearchLog& log) {
  const std::string wanted = rawFileName(c, split);
  const fs::path downloads = fs::path(settings.datasetsCacheDir) / "downloads";
  std::error_code ec;
  if (!fs::is_directory(downloads, ec)) {
    log.looked.push_back(downloads.string() + " (absent)");
    return std::nullopt;
  }
  log.looked.push_back(downloads.string() + "/<hash> with <hash>.json naming .../" + wanted);
  for (const auto& f : fs::directory_iterator(downloads, ec)) {
    const std::string p = f.path().string();
    if (!hubdetail::hasSuffix(p, ".json") || !f.is_regular_file(ec)) continue;
    try {
      const auto meta = nlohmann::json::parse(hubdetail::readSmallFile(p));
      const std::string url = meta.value("url", std::string());
      const size_t slash = url.find_last_of('/');
      const std::string base = url.substr(slash == std::string::npos ? 0 : slash + 1);
      const std::string data = p.substr(0, p.size() - 5);
      if (base == wanted && acceptablePath(c, url) && fs::is_regular_file(data, ec)) return data;
    } catch (const std::exception&) {
      // Not a download record (another tool's JSON); skip it.
    }
  }
  if (c.name == "wikitext2") {
    const fs::path extracted = downloads / "extracted";
    log.looked.push_back(extracted.string() + "/*/wikitext-2-raw/" + wanted);
    if (fs::is_directory(extracted, ec))
      for (const auto& d : fs::directory_iterator(extracted, ec)) {
        const fs::path candidate = d.path() / "wikitext-2-raw" / wanted;
        if (fs::is_regular_file(candidate, ec)) return candidate.string();
      }
  }
  return std::nullopt;
}

std::string makeScratchDir() {
  std::string pattern = (fs::temp_directory_path() / "jointquant-hub-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throwIo(pattern, "cannot create a scratch folder");
  return pattern;
}

}  // namespace

bool isHubDatasetId(const std::string& spec) {
  return conventionFor(spec.substr(0, spec.find(':'))) != nullptr;
}

HubDatasetSpec parseHubDatasetSpec(const std::string& spec) {
  const size_t colon = spec.find(':');
  const std::string id = spec.substr(0, colon);
  const DatasetConvention* c = conventionFor(id);
  if (!c) throw Error(ErrorKind::InvalidInput, "unknown data set id '" + id + "' (wikitext2, ptb, c4)");
  HubDatasetSpec out{c->name, colon == std::string::npos ? c->splits.front() : spec.substr(colon + 1)};
  if (out.split == "valid") out.split = "validation";
  if (std::find(c->splits.begin(), c->splits.end(), out.split) == c->splits.end()) {
    std::string known;
    for (const auto& s : c->splits) known += (known.empty() ? "" : ", ") + s;
    throw Error(ErrorKind::InvalidInput,
                "data set '" + id + "' has no split '" + out.split + "' here (supported: " + known + ")");
  }
  return out;
}

void gunzipFile(const std::string& source, const std::string& dest) {
  gzFile in = gzopen(source.c_str(), "rb");
  if (!in) throwIo(source, "cannot open gzip file");
  std::ofstream out(dest, std::ios::binary | std::ios::trunc);
  if (!out) {
    gzclose(in);
    throwIo(dest, "cannot write the decompressed shard");
  }
  std::vector<char> buf(1 << 20);
  while (true) {
    const int n = gzread(in, buf.data(), unsigned(buf.size()));
    if (n < 0) {
      int err = 0;
      const std::string msg = gzerror(in, &err);
      gzclose(in);
      throwInvalid(source, "not a valid gzip file: " + msg);
    }
    if (n == 0) break;
    out.write(buf.data(), n);
  }
  // A stream cut short ends reading without a negative count: zlib only records Z_BUF_ERROR.
  int err = Z_OK;
  const std::string msg = gzerror(in, &err);
  gzclose(in);
  if (err != Z_OK) throwInvalid(source, "gzip stream is damaged or cut short: " + msg);
  if (!out) throwIo(dest, "write failed while decompressing");
}

HubDatasetFile findHubDataset(const HubSettings& settings, const std::string& specText, const std::string& scratchDir) {
  const HubDatasetSpec spec = parseHubDatasetSpec(specText);
  const DatasetConvention& c = *conventionFor(spec.name);
  SearchLog log;
  std::optional<std::string> found = findInHubCache(settings, c, spec.split, log);
  if (!found) found = findInDatasetsCache(settings, c, spec.split, log);
  if (!found) {
    if (!log.columnar.empty())
      throw Error(ErrorKind::Unsupported,
                  "data set '" + specText + "' is cached only as parquet/arrow (" + log.columnar.front() +
                      "), which this build cannot read. Export its rows once with Python, e.g. for wikitext2: "
                      "python3 -c \"import datasets,json; d=datasets.load_dataset('wikitext','wikitext-2-raw-v1',"
                      "split='" + spec.split + "'); open('wikitext2-" + spec.split + ".jsonl','w').writelines("
                      "json.dumps({'text':t})+'\\n' for t in d['text'])\" (for ptb the field is 'sentence'), then "
                      "pass --dataset wikitext2-" + spec.split + ".jsonl --format " + c.name);
    std::string where;
    for (const auto& l : log.looked) where += "\n  " + l;
    throw Error(ErrorKind::NotFound, "data set '" + specText + "' (" + rawFileName(c, spec.split) +
                                         ") is not in the caches; looked in:" + where +
                                         "\n(see docs/hub.md for what is read and how to fetch it)");
  }
  HubDatasetFile out;
  out.format = c.format;
  out.foundAt = *found;
  out.path = *found;
  const std::string wanted = rawFileName(c, spec.split);
  // By the expected name, not the found one: the `datasets` download cache names files by a hash.
  if (hubdetail::hasSuffix(wanted, ".gz")) {
    std::error_code ec;
    fs::create_directories(scratchDir, ec);
    // The evaluation loader tells JSON lines by the extension: keep ".json" after dropping ".gz".
    const std::string base = wanted.substr(0, wanted.size() - 3);
    out.path = (fs::path(scratchDir) / base).string();
    gunzipFile(*found, out.path);
  }
  return out;
}

DatasetArgument resolveDatasetArgument(const HubSettings& settings, const std::string& fileOrId,
                                       const std::string& format, const std::string& scratchDir) {
  std::error_code ec;
  if (fs::exists(fileOrId, ec) || !isHubDatasetId(fileOrId)) return {fileOrId, format};
  const HubDatasetFile f = findHubDataset(settings, fileOrId, scratchDir);
  return {f.path, format.empty() ? datasetFormatName(f.format) : format};
}

EvaluationText loadHubDatasetText(const HubSettings& settings, const std::string& spec) {
  const std::string scratch = makeScratchDir();
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{scratch};
  const HubDatasetFile file = findHubDataset(settings, spec, scratch);
  return loadEvaluationText(file.path, file.format);
}

}  // namespace jq
