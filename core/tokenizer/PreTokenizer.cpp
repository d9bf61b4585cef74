#include "tokenizer/PreTokenizer.h"

#include <array>
#include <optional>
#include <vector>

#include "tokenizer/Regex.h"
#include "tokenizer/Utf8.h"

namespace jq {

using tokjson::Json;
using tokjson::Where;

namespace {

// GPT-2's bytes_to_unicode: printable Latin-1 bytes keep their code point, the other 68 bytes take
// U+0100, U+0101, ... in byte order.
struct ByteLevelTable {
  std::array<std::string, 256> toChar;
  std::array<int, 324> toByte{};
  ByteLevelTable() {
    toByte.fill(-1);
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      const char32_t cp = printable ? char32_t(b) : char32_t(256 + extra++);
      utf8::append(toChar[b], cp);
      toByte[cp] = b;
    }
  }
};

const ByteLevelTable& byteLevelTable() {
  static const ByteLevelTable table;
  return table;
}

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

Behavior behaviorFromJson(const Json& j, const Where& at) {
  const std::string s = tokjson::stringField(j, "behavior", at);
  if (s == "Removed") return Behavior::Removed;
  if (s == "Isolated") return Behavior::Isolated;
  if (s == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (s == "MergedWithNext") return Behavior::MergedWithNext;
  if (s == "Contiguous") return Behavior::Contiguous;
  tokjson::invalid(at, "unknown split behavior '" + s + "'");
}

// Turns the alternating (span, is_match) cover of a text into the pieces a SplitDelimiterBehavior keeps,
// one element at a time, with the same folding rules as tokenizers' NormalizedString::split.
class SplitFolder {
 public:
  SplitFolder(Behavior behavior, std::function<void(size_t, size_t)> emit)
      : behavior_(behavior), emit_(std::move(emit)) {}

  void push(size_t begin, size_t end, bool isMatch) {
    switch (behavior_) {
      case Behavior::Isolated:
        emit_(begin, end);
        break;
      case Behavior::Removed:
        if (!isMatch) emit_(begin, end);
        break;
      case Behavior::Contiguous:
        if (isMatch == previousMatch_ && pending_) {
          pending_->second = end;
        } else {
          flush();
          pending_ = {begin, end};
        }
        break;
      case Behavior::MergedWithPrevious:
        if (isMatch && !previousMatch_ && pending_) {
          pending_->second = end;
        } else {
          flush();
          pending_ = {begin, end};
        }
        break;
      case Behavior::MergedWithNext:
        // A delimiter joins the piece after it when that piece is not a delimiter itself.
        if (heldMatch_) {
          if (!isMatch) {
            emit_(heldMatch_->first, end);
            heldMatch_.reset();
          } else {
            emit_(heldMatch_->first, heldMatch_->second);
            heldMatch_ = {begin, end};
          }
        } else if (isMatch) {
          heldMatch_ = {begin, end};
        } else {
          emit_(begin, end);
        }
        break;
    }
    previousMatch_ = isMatch;
  }

  void finish() {
    flush();
    if (heldMatch_) emit_(heldMatch_->first, heldMatch_->second);
    heldMatch_.reset();
  }

 private:
  void flush() {
    if (pending_) emit_(pending_->first, pending_->second);
    pending_.reset();
  }

  Behavior behavior_;
  std::function<void(size_t, size_t)> emit_;
  bool previousMatch_ = false;
  std::optional<std::pair<size_t, size_t>> pending_;
  std::optional<std::pair<size_t, size_t>> heldMatch_;
};

// Feeds the cover of `text` by the matches of `pattern` (the gaps between matches are non-matches) into the
// folder, then emits non-empty sub-pieces of `piece`.
void splitPiece(const Piece& piece, const std::function<void(const std::function<void(size_t, size_t)>&)>& matches,
                bool invert, Behavior behavior, const PieceSink& sink) {
  const std::string& text = piece.text;
  SplitFolder folder(behavior, [&](size_t b, size_t e) {
    if (e > b) sink(Piece{text.substr(b, e - b), piece.atStart && b == 0});
  });
  size_t previous = 0;
  matches([&](size_t b, size_t e) {
    if (previous != b) folder.push(previous, b, invert);
    folder.push(b, e, !invert);
    previous = e;
  });
  if (previous != text.size()) folder.push(previous, text.size(), invert);
  folder.finish();
}

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> stages) : stages_(std::move(stages)) {}

  void run(Piece&& piece, const PieceSink& sink) const override {
    if (stages_.empty()) {
      sink(std::move(piece));
      return;
    }
    // sinks[k] feeds stage k; the last one is the caller's sink.
    std::vector<PieceSink> sinks(stages_.size() + 1);
    sinks[stages_.size()] = sink;
    for (size_t k = stages_.size(); k-- > 1;) {
      sinks[k] = [this, k, &sinks](Piece&& p) { stages_[k]->run(std::move(p), sinks[k + 1]); };
    }
    stages_[0]->run(std::move(piece), sinks[1]);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> stages_;
};

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(Regex pattern, Behavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}

  void run(Piece&& piece, const PieceSink& sink) const override {
    splitPiece(
        piece,
        [&](const std::function<void(size_t, size_t)>& onMatch) {
          pattern_.forEachMatch(piece.text, [&](const MatchSpan& m) { onMatch(m.begin, m.end); });
        },
        invert_, behavior_, sink);
  }

 private:
  Regex pattern_;
  Behavior behavior_;
  bool invert_;
};

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex, const std::string& file)
      : addPrefixSpace_(addPrefixSpace) {
    if (useRegex) {
      // GPT-2's pattern, as tokenizers' ByteLevel pre-tokenizer hard-codes it.
      gpt2_ = std::make_unique<Regex>(
          "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", file);
    }
  }

  void run(Piece&& piece, const PieceSink& sink) const override {
    if (addPrefixSpace_ && piece.text[0] != ' ') piece.text.insert(0, 1, ' ');
    if (!gpt2_) {
      map(piece);
      sink(std::move(piece));
      return;
    }
    splitPiece(
        piece,
        [&](const std::function<void(size_t, size_t)>& onMatch) {
          gpt2_->forEachMatch(piece.text, [&](const MatchSpan& m) { onMatch(m.begin, m.end); });
        },
        false, Behavior::Isolated, [&](Piece&& p) {
          map(p);
          sink(std::move(p));
        });
  }

 private:
  static void map(Piece& p) {
    const auto& table = byteLevelTable();
    std::string out;
    out.reserve(p.text.size() + p.text.size() / 2);
    for (unsigned char b : p.text) out += table.toChar[b];
    p.text.swap(out);
  }

  bool addPrefixSpace_;
  std::unique_ptr<Regex> gpt2_;
};

enum class PrependScheme { Always, First, Never };

class MetaspacePreTokenizer : public PreTokenizer {
 public:
  MetaspacePreTokenizer(char32_t replacement, PrependScheme scheme, bool split) : scheme_(scheme), split_(split) {
    utf8::append(replacement_, replacement);
  }

  void run(Piece&& piece, const PieceSink& sink) const override {
    std::string& t = piece.text;
    std::string replaced;
    replaced.reserve(t.size() + 8);
    for (char c : t) {
      if (c == ' ') {
        replaced += replacement_;
      } else {
        replaced += c;
      }
    }
    t.swap(replaced);
    const bool startsWithReplacement = t.compare(0, replacement_.size(), replacement_) == 0;
    if (!startsWithReplacement &&
        (scheme_ == PrependScheme::Always || (scheme_ == PrependScheme::First && piece.atStart))) {
      t.insert(0, replacement_);
    }
    if (!split_) {
      sink(std::move(piece));
      return;
    }
    splitPiece(
        piece,
        [&](const std::function<void(size_t, size_t)>& onMatch) {
          size_t pos = 0;
          while ((pos = t.find(replacement_, pos)) != std::string::npos) {
            onMatch(pos, pos + replacement_.size());
            pos += replacement_.size();
          }
        },
        false, Behavior::MergedWithNext, sink);
  }

 private:
  std::string replacement_;
  PrependScheme scheme_;
  bool split_;
};

}  // namespace

const std::string& byteLevelChar(unsigned char b) { return byteLevelTable().toChar[b]; }

int byteLevelByte(char32_t c) {
  const auto& t = byteLevelTable().toByte;
  return c < t.size() ? t[c] : -1;
}

std::unique_ptr<PreTokenizer> PreTokenizer::fromJson(const Json& j, const Where& at) {
  const std::string type = tokjson::typeOf(j, at);
  const Where here = at.child(type);
  if (type == "Sequence") {
    const Json& list = tokjson::field(j, "pretokenizers", here);
    if (!list.is_array()) tokjson::invalid(here, "'pretokenizers' must be an array");
    std::vector<std::unique_ptr<PreTokenizer>> stages;
    for (size_t i = 0; i < list.size(); ++i) {
      stages.push_back(fromJson(list[i], Where{at.file, here.component + "[" + std::to_string(i) + "]"}));
    }
    return std::make_unique<SequencePreTokenizer>(std::move(stages));
  }
  if (type == "Split") {
    return std::make_unique<SplitPreTokenizer>(tokjson::pattern(tokjson::field(j, "pattern", here), here),
                                               behaviorFromJson(j, here), tokjson::boolField(j, "invert", here, false));
  }
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevelPreTokenizer>(tokjson::boolField(j, "add_prefix_space", here, true),
                                                   tokjson::boolField(j, "use_regex", here, true), at.file);
  }
  if (type == "Metaspace") {
    const char32_t replacement = tokjson::charField(j, "replacement", here);
    PrependScheme scheme = PrependScheme::Always;  // tokenizers' default when the field is absent
    if (auto s = tokjson::optionalString(j, "prepend_scheme", here)) {
      if (*s == "always") {
        scheme = PrependScheme::Always;
      } else if (*s == "first") {
        scheme = PrependScheme::First;
      } else if (*s == "never") {
        scheme = PrependScheme::Never;
      } else {
        tokjson::invalid(here, "unknown prepend_scheme '" + *s + "'");
      }
    }
    // Files older than prepend_scheme say add_prefix_space; false means never.
    if (j.contains("add_prefix_space") && j["add_prefix_space"].is_boolean() && !j["add_prefix_space"].get<bool>()) {
      if (scheme != PrependScheme::Never && j.contains("prepend_scheme") && !j["prepend_scheme"].is_null()) {
        tokjson::invalid(here, "add_prefix_space does not match declared prepend_scheme");
      }
      scheme = PrependScheme::Never;
    }
    return std::make_unique<MetaspacePreTokenizer>(replacement, scheme, tokjson::boolField(j, "split", here, true));
  }
  tokjson::unsupported(here, "pre-tokenizer type '" + type +
                                 "' is not supported (supported: Sequence, Split, ByteLevel, Metaspace)");
}

}  // namespace jq
