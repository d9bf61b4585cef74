// Evaluation data sets by id, found where the Python tools keep them, and read to exactly the string they
// evaluate (the conventions are data/EvaluationText.h's; this only finds the files and feeds them to it).
//
//   "wikitext2" (also "wikitext", "wikitext-2-raw-v1", "Salesforce/wikitext")   splits test (default), train, validation
//   "ptb" (also "ptb_text_only", "ptb-text-only/ptb_text_only")                 splits test (default), train, validation
//   "c4" (also "allenai/c4")                                                    split validation: GPTQ's shard
//                                                                                 en/c4-validation.00000-of-00008.json.gz
// A spec may name the split after a colon: "wikitext2:train".
//
// Where it looks, in this order:
//   1. the Hub cache (HubSettings::cacheDir), datasets--<id>/snapshots/<refs/main first, then newer first>/: the raw
//      files (wiki.<split>.raw, ptb.<split>.txt), or the c4 shard (json.gz);
//   2. the `datasets` library's download cache (HubSettings::datasetsCacheDir): downloads/<hash> files whose
//      <hash>.json records the original URL (the legacy loading scripts fetched ptb.<split>.txt and the c4
//      shards that way), and downloads/extracted/*/wikitext-2-raw/wiki.<split>.raw (the unpacked raw zip).
// Parquet and Arrow files are not read (Debian 12 packages no Arrow/Parquet C++ library): a cache holding only
// those gives an error that says how to export the rows once with Python.
#pragma once

#include <string>

#include "data/EvaluationText.h"
#include "hub/HubSettings.h"

namespace jq {

struct HubDatasetSpec {
  std::string name;   // canonical: "wikitext2", "ptb", "c4"
  std::string split;  // "test", "train", "validation"
};

// True for the ids above (with or without ":split"); a path on disk is never an id.
bool isHubDatasetId(const std::string& spec);
// Throws jq::Error(InvalidInput) for an unknown id or split.
HubDatasetSpec parseHubDatasetSpec(const std::string& spec);

struct HubDatasetFile {
  std::string path;        // a file data/EvaluationText reads with `format`
  DatasetFormat format = DatasetFormat::Text;
  std::string foundAt;     // the cached file it came from (differs from `path` for decompressed shards)
};

// Finds the data set in the caches. gzip'd shards are decompressed into `scratchDir` (created if missing), because
// the evaluation loader reads plain files. Throws jq::Error(NotFound) listing where it looked, or
// (Unsupported) when only parquet/arrow files are cached.
HubDatasetFile findHubDataset(const HubSettings& settings, const std::string& spec, const std::string& scratchDir);

// A data argument as `jointquant --dataset/--calib` and the workbench's data fields take it: a file that exists, or
// anything that is not a data set id, comes back as it is with `format`; an id is found with findHubDataset (shards
// unpacked into `scratchDir`) and comes with the name of its format unless `format` names one.
struct DatasetArgument {
  std::string path;
  std::string format;  // a datasetFormatName(), or empty = guessed from the file name
};
DatasetArgument resolveDatasetArgument(const HubSettings& settings, const std::string& fileOrId,
                                       const std::string& format, const std::string& scratchDir);

// findHubDataset + loadEvaluationText, with a scratch folder of its own that is removed afterwards.
EvaluationText loadHubDatasetText(const HubSettings& settings, const std::string& spec);

// Decompresses a .gz file (one or more gzip members) to `dest`; throws jq::Error naming `source` when it is not gzip.
void gunzipFile(const std::string& source, const std::string& dest);

}  // namespace jq
