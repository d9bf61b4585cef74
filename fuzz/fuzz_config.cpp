// Fuzzes LlamaConfig::fromJsonText. Besides "only jq::Error may escape", a config that was accepted must survive
// its own round trip (toJsonText, parse again, same fields) and have a parameter count that fits int64 — the
// latter is computed from the same fields `jointquant info` prints, where an overflow would be undefined behaviour.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "FuzzSupport.h"
#include "common/Error.h"
#include "model/LlamaConfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  jq::LlamaConfig c;
  try {
    c = jq::LlamaConfig::fromJsonText(text, "fuzz/config.json");
  } catch (const jq::Error&) {
    return 0;
  }
  if (c.parameterCount() <= 0) std::abort();
  const jq::LlamaConfig again = jq::LlamaConfig::fromJsonText(c.toJsonText(), "round trip");
  if (again.vocabSize != c.vocabSize || again.hiddenSize != c.hiddenSize || again.headDim != c.headDim ||
      again.numKeyValueHeads != c.numKeyValueHeads || again.numHiddenLayers != c.numHiddenLayers ||
      again.intermediateSize != c.intermediateSize || again.ropeScaling.type != c.ropeScaling.type ||
      again.tieWordEmbeddings != c.tieWordEmbeddings || again.eosTokenIds != c.eosTokenIds)
    std::abort();
  return 0;
}
