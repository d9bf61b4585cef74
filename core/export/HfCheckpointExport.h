// Writes a LlamaModel as a Hugging Face checkpoint folder that `AutoModelForCausalLM.from_pretrained` loads
// unchanged: config.json, safetensors (sharded with model.safetensors.index.json when larger than one shard) and
// the tokenizer files of the source folder.
//
// Only what a plain LlamaForCausalLM computes can be written. R1 and R2 fuse into the weights, RMSNorm weights
// fused to 1 stay ones, fake-quantized weights are stored dequantized. Online operations have no place in a
// transformers checkpoint: the R4 Hadamard on the down_proj input, the R3 Hadamard on q/k after RoPE, activation
// and KV-cache quantization. A model carrying any of them is refused (ErrorKind::Unsupported) rather than written
// as a checkpoint that would silently compute something else.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/Job.h"

namespace jq {

class LlamaModel;

struct HfExportOptions {
  // Largest shard in bytes of tensor data; transformers' default for save_pretrained is "5GB", ours 2 GB
  // (decimal, as transformers reads "2GB"). A tensor larger than the limit gets a shard of its own.
  int64_t maxShardBytes = 2'000'000'000;
  std::string dtype;            // "float32", "bfloat16", "float16"; empty = the model's dtype
  bool overwrite = false;       // replace an existing output folder (only after the new one is complete)
  bool copyTokenizer = true;    // tokenizer.json, tokenizer_config.json, ... of the source folder
  // Written as jointquant_export.json beside the weights (what produced the checkpoint); empty = not written.
  std::string provenanceJson;
};

struct HfExportResult {
  std::string directory;
  std::vector<std::string> shards;   // file names, in weight_map order
  int64_t totalBytes = 0;            // tensor data bytes (the index's metadata.total_size)
  int64_t totalParameters = 0;
  std::vector<std::string> copiedFiles;
  std::string dtype;
};

// Throws jq::Error(Unsupported) naming the first layer and operation that a transformers Llama cannot express.
void requireExportable(const LlamaModel& model);
bool isExportable(const LlamaModel& model, std::string* reason = nullptr);

// Writes the checkpoint into a temporary folder beside `outDir`, then renames it to `outDir`: a failure or a
// cancellation part-way leaves no `outDir` (and no temporary folder). `sourceDir` is the folder the model was
// loaded from: its config.json is the template of the new one (same transformers-4/5 style and extra keys;
// tie_word_embeddings and the dtype key updated) and its tokenizer files are copied. With an empty `sourceDir`
// the config is written from model.config() in transformers-5 style.
// Errors: Unsupported (see requireExportable), InvalidInput when `outDir` exists without `overwrite` or the options
// are bad, Io when writing fails, Cancelled. Progress: stage "export", one step per shard.
HfExportResult exportHfCheckpoint(const LlamaModel& model, const std::string& sourceDir, const std::string& outDir,
                                  const HfExportOptions& options = {}, const JobContext& job = {});

// Shard file names as transformers writes them: "model-00001-of-00003.safetensors"; one shard is "model.safetensors".
std::string hfShardName(int index, int count);

}  // namespace jq
