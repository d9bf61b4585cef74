#include "tokenizer/Decoder.h"

#include "tokenizer/PreTokenizer.h"
#include "tokenizer/Regex.h"
#include "tokenizer/Utf8.h"

namespace jq {

using tokjson::Json;
using tokjson::Where;

namespace {

constexpr const char* kReplacementChar = "\xEF\xBF\xBD";

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> parts) : parts_(std::move(parts)) {}
  void decodeChain(std::vector<std::string>& tokens) const override {
    for (const auto& p : parts_) p->decodeChain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> parts_;
};

// All tokens become one string: each token's characters map back to bytes (a token with a character outside
// the byte alphabet keeps its own UTF-8 bytes), then the bytes are read as UTF-8, lossily.
class ByteLevelDecoder : public Decoder {
 public:
  void decodeChain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (const std::string& t : tokens) {
      const size_t mark = bytes.size();
      bool mapped = true;
      size_t pos = 0;
      while (pos < t.size()) {
        const int b = byteLevelByte(utf8::next(t, pos));
        if (b < 0) {
          mapped = false;
          break;
        }
        bytes.push_back(static_cast<char>(b));
      }
      if (!mapped) {
        bytes.resize(mark);
        bytes += t;
      }
    }
    tokens.assign(1, utf8::fromBytesLossy(bytes));
  }
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(Regex pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void decodeChain(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) {
      std::string out;
      size_t copied = 0;
      pattern_.forEachMatch(t, [&](const MatchSpan& m) {
        out.append(t, copied, m.begin - copied);
        out += content_;
        copied = m.end;
      });
      out.append(t, copied, std::string::npos);
      t.swap(out);
    }
  }

 private:
  Regex pattern_;
  std::string content_;
};

class ByteFallbackDecoder : public Decoder {
 public:
  void decodeChain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string pending;  // bytes of consecutive <0xNN> tokens
    auto flush = [&] {
      if (pending.empty()) return;
      if (utf8::findInvalid(pending) == std::string::npos) {
        out.push_back(pending);
      } else {
        for (size_t i = 0; i < pending.size(); ++i) out.emplace_back(kReplacementChar);
      }
      pending.clear();
    };
    for (std::string& t : tokens) {
      int byte = -1;
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') byte = parseHex(t[3], t[4]);
      if (byte >= 0) {
        pending.push_back(static_cast<char>(byte));
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    tokens.swap(out);
  }

 private:
  static int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  static int parseHex(char hi, char lo) {
    const int h = hexDigit(hi), l = hexDigit(lo);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
  }
};

class FuseDecoder : public Decoder {
 public:
  void decodeChain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    tokens.assign(1, all);
  }
};

// Removes up to `start` leading and `stop` trailing occurrences of one character from every token.
class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  void decodeChain(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) {
      std::vector<char32_t> chars;
      size_t pos = 0;
      while (pos < t.size()) chars.push_back(utf8::next(t, pos));
      size_t begin = 0;
      while (begin < start_ && begin < chars.size() && chars[begin] == content_) ++begin;
      size_t end = chars.size();
      for (size_t i = 0; i < stop_ && end > begin && chars[end - 1] == content_; ++i) --end;
      std::string out;
      for (size_t i = begin; i < end; ++i) utf8::append(out, chars[i]);
      t.swap(out);
    }
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

// The replacement character becomes a space, except in the first token when a prefix was prepended.
class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(char32_t replacement, bool dropInFirst) : replacement_(replacement), dropInFirst_(dropInFirst) {}
  void decodeChain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const std::string& t = tokens[i];
      size_t pos = 0;
      while (pos < t.size()) {
        const char32_t c = utf8::next(t, pos);
        if (c == replacement_) {
          if (!(i == 0 && dropInFirst_)) out += ' ';
        } else {
          utf8::append(out, c);
        }
      }
      tokens[i].swap(out);
    }
  }

 private:
  char32_t replacement_;
  bool dropInFirst_;
};

}  // namespace

std::unique_ptr<Decoder> Decoder::fromJson(const Json& j, const Where& at) {
  const std::string type = tokjson::typeOf(j, at);
  const Where here = at.child(type);
  if (type == "Sequence") {
    const Json& list = tokjson::field(j, "decoders", here);
    if (!list.is_array()) tokjson::invalid(here, "'decoders' must be an array");
    std::vector<std::unique_ptr<Decoder>> parts;
    for (size_t i = 0; i < list.size(); ++i) {
      parts.push_back(fromJson(list[i], Where{at.file, here.component + "[" + std::to_string(i) + "]"}));
    }
    return std::make_unique<SequenceDecoder>(std::move(parts));
  }
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "Replace") {
    return std::make_unique<ReplaceDecoder>(tokjson::pattern(tokjson::field(j, "pattern", here), here),
                                            tokjson::stringField(j, "content", here));
  }
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") {
    const int64_t start = tokjson::intField(j, "start", here);
    const int64_t stop = tokjson::intField(j, "stop", here);
    if (start < 0 || stop < 0) tokjson::invalid(here, "'start' and 'stop' must be non-negative");
    return std::make_unique<StripDecoder>(tokjson::charField(j, "content", here), size_t(start), size_t(stop));
  }
  if (type == "Metaspace") {
    bool prepends = true;  // prepend_scheme defaults to "always"
    if (auto s = tokjson::optionalString(j, "prepend_scheme", here)) prepends = *s != "never";
    if (j.contains("add_prefix_space") && j["add_prefix_space"].is_boolean() && !j["add_prefix_space"].get<bool>()) {
      prepends = false;
    }
    return std::make_unique<MetaspaceDecoder>(tokjson::charField(j, "replacement", here), prepends);
  }
  tokjson::unsupported(here, "decoder type '" + type +
                                 "' is not supported (supported: Sequence, ByteLevel, Metaspace, Replace, "
                                 "ByteFallback, Fuse, Strip)");
}

}  // namespace jq
