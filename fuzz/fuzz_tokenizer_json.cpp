// Fuzzes Tokenizer::fromJson (the tokenizer.json loader: model, normalizer, pre-tokenizer with its regex,
// post-processor, decoder, added tokens). A tokenizer that loads is then used once on a short fixed text, since
// loading alone does not reach tables that are only consulted while encoding.
#include <cstdint>
#include <string>

#include "FuzzSupport.h"
#include "common/Error.h"
#include "tokenizer/Tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const jq::Tokenizer tok = jq::Tokenizer::fromJson(text, "fuzz/tokenizer.json");
    const std::vector<int64_t> ids = tok.encode("Hello world! 12345 <|begin_of_text|> naïve", true);
    tok.decode(ids);
    tok.vocabSize();
  } catch (const jq::Error&) {
  }
  return 0;
}
