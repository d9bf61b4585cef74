#include "export/HfCheckpointExport.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Log.h"
#include "io/SafetensorsFile.h"
#include "model/LlamaModel.h"

namespace jq {

namespace fs = std::filesystem;

namespace {

std::atomic<int> exportFolderCounter{0};

// Files a tokenizer (fast or slow) and generation need; copied when the source has them.
const char* const kHfSideFiles[] = {"tokenizer.json",        "tokenizer_config.json", "special_tokens_map.json",
                                     "tokenizer.model",       "added_tokens.json",     "vocab.json",
                                     "merges.txt",            "chat_template.jinja",   "chat_template.json",
                                     "generation_config.json"};

std::string hfDtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    default: break;
  }
  throw Error(ErrorKind::Unsupported, std::string("cannot export weights of dtype ") + c10::toString(t));
}

// Removes a half-written export folder on every exit path except success.
struct ExportFolderGuard {
  fs::path path;
  bool keep = false;
  ~ExportFolderGuard() {
    if (keep || path.empty()) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The model's tensors with transformers' names, in its state_dict order (layers by index, not by string).
std::vector<std::pair<std::string, at::Tensor>> orderedHfTensors(const LlamaModel& model) {
  std::map<std::string, at::Tensor> all = model.stateDict();
  std::vector<std::pair<std::string, at::Tensor>> out;
  auto take = [&](const std::string& name) {
    auto it = all.find(name);
    if (it == all.end()) return;
    out.emplace_back(it->first, it->second);
    all.erase(it);
  };
  take("model.embed_tokens.weight");
  for (int i = 0; i < model.numLayers(); ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    for (const char* m : {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                          "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
      take(p + m + ".weight");
      take(p + m + ".bias");
    }
    take(p + "input_layernorm.weight");
    take(p + "post_attention_layernorm.weight");
  }
  take("model.norm.weight");
  take("lm_head.weight");
  take("lm_head.bias");
  for (auto& [name, t] : all) out.emplace_back(name, t);  // anything stateDict gains later still gets written
  return out;
}

std::string exportConfigJson(const LlamaModel& model, const std::string& sourceDir, const std::string& dtypeName) {
  nlohmann::json j;
  const fs::path src = sourceDir.empty() ? fs::path() : fs::path(sourceDir) / "config.json";
  if (!src.empty() && fs::exists(src)) {
    std::ifstream in(src);
    std::stringstream ss;
    ss << in.rdbuf();
    try {
      j = nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::exception& e) {
      throwInvalid(src.string(), std::string("config.json is not valid JSON: ") + e.what());
    }
    if (!j.is_object()) throwInvalid(src.string(), "config.json is not a JSON object");
  } else {
    j = nlohmann::json::parse(model.config().toJsonText());
  }
  // Keep the source's style: transformers 4 reads torch_dtype, 5 reads dtype (and still accepts torch_dtype).
  const bool hasV4 = j.contains("torch_dtype"), hasV5 = j.contains("dtype");
  if (hasV4) j["torch_dtype"] = dtypeName;
  if (hasV5 || (!hasV4 && j.contains("rope_parameters"))) j["dtype"] = dtypeName;
  if (!hasV4 && !j.contains("dtype")) j["torch_dtype"] = dtypeName;
  j["tie_word_embeddings"] = model.embeddingsTied();
  // A quantization_config would make transformers look for a quantizer; our weights are plain dequantized tensors.
  j.erase("quantization_config");
  return j.dump(2) + "\n";
}

}  // namespace

std::string hfShardName(int index, int count) {
  if (count <= 1) return "model.safetensors";
  char buf[64];
  std::snprintf(buf, sizeof buf, "model-%05d-of-%05d.safetensors", index + 1, count);
  return buf;
}

bool isExportable(const LlamaModel& model, std::string* reason) {
  auto fail = [&](const std::string& why) {
    if (reason) *reason = why;
    return false;
  };
  for (int i = 0; i < model.numLayers(); ++i) {
    const DecoderLayer& L = model.layer(i);
    for (LinearKind kind : kLayerLinearKinds)
      if (L.linear(kind).inputTransform)
        return fail("layer " + std::to_string(i) + " " + toString(kind) +
                    " has an online input transform (R4 Hadamard on the down_proj input or activation "
                    "quantization), which a transformers Llama checkpoint cannot express");
    if (L.qkTransform)
      return fail("layer " + std::to_string(i) +
                  " has an online transform of q/k after RoPE (R3 Hadamard or K-cache quantization), which a "
                  "transformers Llama checkpoint cannot express");
    if (L.valueTransform)
      return fail("layer " + std::to_string(i) +
                  " has an online transform of the values (V-cache quantization), which a transformers Llama "
                  "checkpoint cannot express");
  }
  if (model.lmHead().inputTransform)
    return fail("lm_head has an online input transform, which a transformers Llama checkpoint cannot express");
  return true;
}

void requireExportable(const LlamaModel& model) {
  std::string why;
  if (!isExportable(model, &why)) throw Error(ErrorKind::Unsupported, "cannot export as a Hugging Face checkpoint: " + why);
}

HfExportResult exportHfCheckpoint(const LlamaModel& model, const std::string& sourceDir, const std::string& outDir,
                                  const HfExportOptions& options, const JobContext& job) {
  requireExportable(model);
  if (outDir.empty()) throw Error(ErrorKind::InvalidInput, "export: no output folder given");
  if (options.maxShardBytes <= 0)
    throw Error(ErrorKind::InvalidInput, "export: the shard size must be positive", {outDir, {}, {}});
  const at::ScalarType dtype = options.dtype.empty() ? model.dtype() : modelDtypeFromName(options.dtype);
  const std::string dtypeName = hfDtypeName(dtype);

  fs::path out = fs::path(outDir);
  if (out.filename().empty()) out = out.parent_path();  // "dir/" -> "dir"
  std::error_code ec;
  if (fs::exists(out, ec) && !options.overwrite)
    throw Error(ErrorKind::InvalidInput, "the output folder already exists (pass overwrite to replace it)",
                {out.string(), {}, {}});
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    throw Error(ErrorKind::NotFound, "the folder that should hold the export does not exist", {parent.string(), {}, {}});

  ExportFolderGuard temp;
  temp.path = parent / (out.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                        std::to_string(exportFolderCounter++));
  fs::remove_all(temp.path, ec);
  if (!fs::create_directory(temp.path, ec))
    throwIo(temp.path.string(), "cannot create the temporary export folder: " + ec.message());

  // Pack tensors into shards as transformers does: in state_dict order, a new shard when the next tensor would
  // overflow the current one.
  const auto tensors = orderedHfTensors(model);
  std::vector<std::vector<size_t>> shards;
  int64_t current = 0, total = 0, params = 0;
  const int64_t elemBytes = int64_t(c10::elementSize(dtype));
  for (size_t i = 0; i < tensors.size(); ++i) {
    const int64_t bytes = tensors[i].second.numel() * elemBytes;
    if (shards.empty() || (current + bytes > options.maxShardBytes && !shards.back().empty())) {
      shards.emplace_back();
      current = 0;
    }
    shards.back().push_back(i);
    current += bytes;
    total += bytes;
    params += tensors[i].second.numel();
  }

  HfExportResult result;
  result.directory = out.string();
  result.totalBytes = total;
  result.totalParameters = params;
  result.dtype = dtypeName;
  nlohmann::json weightMap = nlohmann::json::object();
  const int count = int(shards.size());
  for (int s = 0; s < count; ++s) {
    job.checkCancelled("export");
    const std::string name = hfShardName(s, count);
    std::map<std::string, at::Tensor> piece;
    for (size_t i : shards[size_t(s)]) {
      const auto& [tname, t] = tensors[i];
      piece[tname] = t.detach().to(at::kCPU, dtype).contiguous();
      weightMap[tname] = name;
    }
    writeSafetensors((temp.path / name).string(), piece, {{"format", "pt"}});
    result.shards.push_back(name);
    job.report("export", s + 1, count, name);
  }
  job.checkCancelled("export");
  if (count > 1) {
    nlohmann::json index = {{"metadata", {{"total_size", total}, {"total_parameters", params}}},
                            {"weight_map", weightMap}};
    writeFileAtomically((temp.path / "model.safetensors.index.json").string(), index.dump(2) + "\n");
  }
  writeFileAtomically((temp.path / "config.json").string(), exportConfigJson(model, sourceDir, dtypeName));
  if (options.copyTokenizer && !sourceDir.empty()) {
    for (const char* f : kHfSideFiles) {
      const fs::path src = fs::path(sourceDir) / f;
      if (!fs::is_regular_file(src, ec)) continue;
      if (!fs::copy_file(src, temp.path / f, fs::copy_options::overwrite_existing, ec))
        throwIo(src.string(), "cannot copy into the export: " + ec.message());
      result.copiedFiles.push_back(f);
    }
  }
  if (!options.provenanceJson.empty())
    writeFileAtomically((temp.path / "jointquant_export.json").string(), options.provenanceJson);
  job.checkCancelled("export");

  // Into place. An existing folder (overwrite) is moved aside first and removed only after the rename succeeded.
  fs::path aside;
  if (fs::exists(out, ec)) {
    aside = parent / (out.filename().string() + ".old-" + std::to_string(::getpid()) + "-" +
                      std::to_string(exportFolderCounter++));
    fs::rename(out, aside, ec);
    if (ec) throwIo(out.string(), "cannot move the existing folder aside: " + ec.message());
  }
  fs::rename(temp.path, out, ec);
  if (ec) {
    std::error_code ignored;
    if (!aside.empty()) fs::rename(aside, out, ignored);
    throwIo(out.string(), "cannot rename the finished export into place: " + ec.message());
  }
  temp.keep = true;
  if (!aside.empty()) fs::remove_all(aside, ec);
  JQ_INFO("exported " << count << " shard(s), " << double(total) / 1e6 << " MB, to " << out.string());
  return result;
}

}  // namespace jq
