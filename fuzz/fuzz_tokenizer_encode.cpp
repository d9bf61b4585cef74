// Fuzzes Tokenizer::encode with the demo model's tokenizer (Llama 3 style: byte-level BPE, split regex, special
// tokens). Oracle: byte-level BPE is lossless, so decoding what was encoded (without BOS) must give back the input
// exactly; invalid UTF-8 must be refused with jq::Error(InvalidInput), never crash or loop.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "FuzzSupport.h"
#include "common/Error.h"
#include "tokenizer/Tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const jq::Tokenizer tok =
      jq::Tokenizer::fromJson(jq::fuzz::readSourceFile("resources/demo-model/tokenizer.json"), "demo tokenizer.json");
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<int64_t> ids;
  try {
    ids = tok.encode(text, false);
  } catch (const jq::Error& e) {
    if (e.kind() != jq::ErrorKind::InvalidInput) std::abort();
    return 0;
  }
  for (int64_t id : ids)
    if (id < 0 || id >= tok.vocabSize()) std::abort();
  if (tok.decode(ids) != text) std::abort();
  const std::vector<int64_t> withBos = tok.encode(text, true);
  if (withBos.size() != ids.size() + (tok.bosId() ? 1 : 0)) std::abort();
  return 0;
}
