#include "tokenizer/Tokenizer.h"

#include "common/Log.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "common/Error.h"
#include "tokenizer/AddedVocabulary.h"
#include "tokenizer/BpeModel.h"
#include "tokenizer/Decoder.h"
#include "tokenizer/Normalizer.h"
#include "tokenizer/PostProcessor.h"
#include "tokenizer/PreTokenizer.h"
#include "tokenizer/TokenizerJson.h"
#include "tokenizer/Utf8.h"

namespace jq {

using tokjson::Json;
using tokjson::Where;

struct Tokenizer::Impl {
  std::string source;
  std::unique_ptr<BpeModel> model;
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> preTokenizer;
  std::unique_ptr<PostProcessor> postProcessor;
  std::unique_ptr<Decoder> decoder;
  AddedVocabulary added;
  int64_t vocabSize = 0;
};

namespace {

const Json* component(const Json& root, const char* key) {
  auto it = root.find(key);
  if (it == root.end() || it->is_null()) return nullptr;
  return &*it;
}

std::vector<AddedToken> addedTokensFromJson(const Json& root, const Where& at) {
  std::vector<AddedToken> tokens;
  const Json* list = component(root, "added_tokens");
  if (!list) return tokens;
  if (!list->is_array()) tokjson::invalid(at, "'added_tokens' must be an array");
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& j = (*list)[i];
    const Where here{at.file, "added_tokens[" + std::to_string(i) + "]"};
    AddedToken t;
    t.content = tokjson::stringField(j, "content", here);
    t.id = tokjson::intField(j, "id", here);
    if (t.id < 0) tokjson::invalid(here, "'id' must be non-negative");
    t.special = tokjson::boolField(j, "special", here, false);
    t.singleWord = tokjson::boolField(j, "single_word", here, false);
    t.lstrip = tokjson::boolField(j, "lstrip", here, false);
    t.rstrip = tokjson::boolField(j, "rstrip", here, false);
    t.normalized = tokjson::boolField(j, "normalized", here, !t.special);
    tokens.push_back(std::move(t));
  }
  return tokens;
}

// Progress of one encode call, in bytes of pieces handed to the model (approximate: the byte-level mapping
// lengthens non-ASCII text).
class EncodeProgress {
 public:
  EncodeProgress(const JobContext* job, size_t total) : job_(job), total_(int64_t(total)) {}
  void advance(size_t bytes) {
    if (!job_) return;
    done_ += int64_t(bytes);
    if (done_ - lastReport_ >= kStep) {
      lastReport_ = done_;
      job_->checkCancelled("tokenize");
      job_->report("tokenize", std::min(done_, total_), total_);
    }
  }
  void finish() {
    if (job_) job_->report("tokenize", total_, total_);
  }

 private:
  static constexpr int64_t kStep = 1 << 18;
  const JobContext* job_;
  int64_t total_;
  int64_t done_ = 0;
  int64_t lastReport_ = 0;
};

}  // namespace

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Tokenizer Tokenizer::fromFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) {
    file = (fs::path(path) / "tokenizer.json").string();
    if (!fs::exists(file, ec)) throwNotFound(path, "the model directory has no tokenizer.json");
  } else if (!fs::exists(path, ec)) {
    throwNotFound(path, "tokenizer file does not exist");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throwIo(file, "cannot open the tokenizer file for reading");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throwIo(file, "reading the tokenizer file failed");
  return fromJson(text.str(), file);
}

Tokenizer Tokenizer::fromJson(const std::string& jsonText, const std::string& source) {
  Json root;
  try {
    root = Json::parse(jsonText);
  } catch (const Json::exception& e) {
    throwInvalid(source, std::string("not a valid tokenizer.json: ") + e.what());
  }
  const Where at{source, ""};
  if (!root.is_object()) tokjson::invalid(at, "a tokenizer.json must hold a JSON object");
  if (auto v = tokjson::optionalString(root, "version", at); v && *v != "1.0") {
    tokjson::unsupported(at, "tokenizer.json version '" + *v + "' is not supported (only \"1.0\")");
  }
  if (component(root, "truncation")) {
    tokjson::unsupported(at.child("truncation"), "truncation settings are not supported; remove them from the file");
  }
  if (const Json* padding = component(root, "padding")) {
    const Json* strategy = padding->is_object() ? component(*padding, "strategy") : nullptr;
    const Json* multiple = padding->is_object() ? component(*padding, "pad_to_multiple_of") : nullptr;
    const bool batchLongest = strategy && strategy->is_string() && strategy->get<std::string>() == "BatchLongest";
    if (!batchLongest || multiple) {
      tokjson::unsupported(at.child("padding"), "padding that changes a single sequence is not supported");
    }
  }

  auto impl = std::make_shared<Impl>();
  impl->source = source;
  const Json* model = component(root, "model");
  if (!model) tokjson::invalid(at, "field 'model' is missing");
  impl->model = BpeModel::fromJson(*model, at.child("model"));
  if (const Json* j = component(root, "normalizer")) impl->normalizer = Normalizer::fromJson(*j, at.child("normalizer"));
  if (const Json* j = component(root, "pre_tokenizer")) {
    impl->preTokenizer = PreTokenizer::fromJson(*j, at.child("pre_tokenizer"));
  }
  if (const Json* j = component(root, "post_processor")) {
    impl->postProcessor = PostProcessor::fromJson(*j, at.child("post_processor"));
  }
  if (const Json* j = component(root, "decoder")) impl->decoder = Decoder::fromJson(*j, at.child("decoder"));

  std::vector<AddedToken> added = addedTokensFromJson(root, at);
  std::vector<std::pair<std::string, int64_t>> declared;
  for (const auto& t : added) declared.emplace_back(t.content, t.id);
  impl->added.add(std::move(added), *impl->model, impl->normalizer.get());
  std::unordered_set<std::string> contents;
  int64_t overlapping = 0;
  for (const auto& [content, id] : declared) {
    const auto given = impl->added.tokenToId(content);
    if (given && *given != id) {
      JQ_WARN(source << ": added token '" << content << "' is declared with id " << id << " but gets id " << *given);
    }
    if (!content.empty() && contents.insert(content).second && impl->model->tokenToId(content)) ++overlapping;
  }
  impl->vocabSize = impl->model->size() + int64_t(contents.size()) - overlapping;
  return Tokenizer(impl);
}

std::vector<int64_t> Tokenizer::encodeSequence(const std::string& text, const JobContext* job) const {
  const Impl& m = *impl_;
  if (const size_t bad = utf8::findInvalid(text); bad != std::string::npos) {
    throw Error(ErrorKind::InvalidInput, "the text to encode is not valid UTF-8 (byte " + std::to_string(bad) + ")",
                {m.source, {}, {}});
  }
  std::vector<int64_t> ids;
  ids.reserve(text.size() / 3 + 8);
  EncodeProgress progress(job, text.size());
  const PieceSink toModel = [&](Piece&& piece) {
    m.model->tokenize(piece.text, ids);
    progress.advance(piece.text.size());
  };

  std::vector<Segment> raw;
  m.added.split(text, true, false, raw);
  std::vector<Segment> normalized;
  for (Segment& segment : raw) {
    if (segment.tokenId >= 0) {
      ids.push_back(segment.tokenId);
      continue;
    }
    if (m.normalizer) m.normalizer->normalize(segment.text);
    normalized.clear();
    m.added.split(segment.text, segment.atStart, true, normalized);
    for (Segment& part : normalized) {
      if (part.tokenId >= 0) {
        ids.push_back(part.tokenId);
      } else if (m.preTokenizer) {
        m.preTokenizer->run(Piece{std::move(part.text), part.atStart}, toModel);
      } else {
        toModel(Piece{std::move(part.text), part.atStart});
      }
    }
  }
  progress.finish();
  return ids;
}

namespace {
std::vector<int64_t> concatenate(std::vector<std::vector<int64_t>>& parts) {
  std::vector<int64_t> out;
  size_t n = 0;
  for (const auto& p : parts) n += p.size();
  out.reserve(n);
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
}  // namespace

std::vector<int64_t> Tokenizer::encode(const std::string& text, bool addSpecialTokens) const {
  std::vector<std::vector<int64_t>> parts;
  parts.push_back(encodeSequence(text, nullptr));
  if (impl_->postProcessor) impl_->postProcessor->process(parts, addSpecialTokens);
  return parts.size() == 1 ? std::move(parts.front()) : concatenate(parts);
}

std::vector<int64_t> Tokenizer::encode(const std::string& text, bool addSpecialTokens, const JobContext& job) const {
  std::vector<std::vector<int64_t>> parts;
  parts.push_back(encodeSequence(text, &job));
  if (impl_->postProcessor) impl_->postProcessor->process(parts, addSpecialTokens);
  return parts.size() == 1 ? std::move(parts.front()) : concatenate(parts);
}

std::vector<int64_t> Tokenizer::encodePair(const std::string& first, const std::string& second,
                                           bool addSpecialTokens) const {
  std::vector<std::vector<int64_t>> parts;
  parts.push_back(encodeSequence(first, nullptr));
  parts.push_back(encodeSequence(second, nullptr));
  if (impl_->postProcessor) impl_->postProcessor->process(parts, addSpecialTokens);
  return concatenate(parts);
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const {
  const Impl& m = *impl_;
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int64_t id : ids) {
    const std::string* token = nullptr;
    if (const AddedToken* t = m.added.byId(id)) {
      token = &t->pattern;
    } else {
      token = m.model->idToToken(id);
    }
    if (!token) continue;
    if (skipSpecialTokens && m.added.isSpecial(*token)) continue;
    tokens.push_back(*token);
  }
  std::string out;
  if (m.decoder) {
    m.decoder->decodeChain(tokens);
    for (const auto& t : tokens) out += t;
  } else {
    for (size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
  }
  return out;
}

int64_t Tokenizer::vocabSize() const { return impl_->vocabSize; }

std::optional<int64_t> Tokenizer::bosId() const {
  return impl_->postProcessor ? impl_->postProcessor->leadingId() : std::nullopt;
}

std::optional<int64_t> Tokenizer::tokenToId(const std::string& token) const {
  if (auto id = impl_->added.tokenToId(token)) return id;
  return impl_->model->tokenToId(token);
}

std::string Tokenizer::idToToken(int64_t id) const {
  if (const AddedToken* t = impl_->added.byId(id)) return t->pattern;
  if (const std::string* token = impl_->model->idToToken(id)) return *token;
  throwInvalid(impl_->source, "no token has id " + std::to_string(id) + " (vocabulary size " +
                                   std::to_string(impl_->vocabSize) + ")");
}

const std::string& Tokenizer::source() const { return impl_->source; }

}  // namespace jq
