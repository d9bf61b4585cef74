#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "tokenizer/Regex.h"

#include <cctype>

#include "common/Error.h"
#include "tokenizer/Utf8.h"

namespace jq {

namespace {

// Unicode White_Space, which is Oniguruma's \s (checked against libonig 6.9.8 code point by code point).
constexpr const char* kWhiteSpaceItems =
    "\\x{09}-\\x{0D}\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}"
    "\\x{3000}";
// Oniguruma's \w: Letter | Mark | Number | Connector_Punctuation.
constexpr const char* kWordItems = "\\p{L}\\p{M}\\p{N}\\p{Pc}";
// Oniguruma's \h: a hexadecimal digit.
constexpr const char* kHexItems = "0-9A-Fa-f";

std::string pcre2Message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

// Copies the escape starting at pattern[i] ('\\') verbatim, including a braced argument (\p{..}, \x{..})
// or a multi-byte character; returns the index after it.
size_t copyEscape(const std::string& p, size_t i, std::string& out) {
  size_t j = i + 1;
  if (j >= p.size()) {
    out += '\\';
    return j;
  }
  const char c = p[j];
  if ((c == 'p' || c == 'P' || c == 'x' || c == 'o' || c == 'u') && j + 1 < p.size() && p[j + 1] == '{') {
    const size_t close = p.find('}', j + 2);
    const size_t stop = close == std::string::npos ? p.size() : close + 1;
    out.append(p, i, stop - i);
    return stop;
  }
  const size_t n = utf8::sequenceLength(static_cast<unsigned char>(c));
  out.append(p, i, 1 + n);
  return j + n;
}

}  // namespace

std::string Regex::translate(const std::string& p, const std::string& source) {
  std::string out;
  out.reserve(p.size() * 2);
  bool inClass = false;
  size_t classStart = 0;  // index in `p` of the first item of the current class
  size_t i = 0;
  auto unsupported = [&](const std::string& what) {
    throwUnsupported(source, "regex pattern '" + p + "' uses " + what +
                                 ", which has no PCRE2 equivalent with Oniguruma's meaning");
  };
  while (i < p.size()) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      if (e == 'Q') {  // \Q...\E quotes literally in both engines
        const size_t stop = p.find("\\E", i + 2);
        const size_t end = stop == std::string::npos ? p.size() : stop + 2;
        out.append(p, i, end - i);
        i = end;
        continue;
      }
      const char* items = nullptr;
      bool negated = false;
      switch (e) {
        case 's': items = kWhiteSpaceItems; break;
        case 'S': items = kWhiteSpaceItems; negated = true; break;
        case 'w': items = kWordItems; break;
        case 'W': items = kWordItems; negated = true; break;
        case 'h': items = kHexItems; break;
        case 'H': items = kHexItems; negated = true; break;
        default: break;
      }
      if (items) {
        if (inClass) {
          if (negated) unsupported(std::string("\\") + e + " inside a bracket class");
          out += items;
        } else {
          out += negated ? "[^" : "[";
          out += items;
          out += ']';
        }
        i += 2;
        continue;
      }
      if (e == 'u' && i + 5 < p.size() && std::isxdigit(static_cast<unsigned char>(p[i + 2])) &&
          std::isxdigit(static_cast<unsigned char>(p[i + 3])) && std::isxdigit(static_cast<unsigned char>(p[i + 4])) &&
          std::isxdigit(static_cast<unsigned char>(p[i + 5]))) {
        out += "\\x{" + p.substr(i + 2, 4) + "}";  // Oniguruma's \uHHHH
        i += 6;
        continue;
      }
      i = copyEscape(p, i, out);
      continue;
    }
    if (inClass) {
      if (c == ']' && i != classStart) {
        inClass = false;
        out += ']';
        ++i;
        continue;
      }
      if (c == '[') {
        if (i + 1 < p.size() && p[i + 1] == ':') {  // POSIX bracket [:alpha:]
          const size_t stop = p.find(":]", i + 2);
          if (stop == std::string::npos) unsupported("an unterminated POSIX bracket");
          out.append(p, i, stop + 2 - i);
          i = stop + 2;
          continue;
        }
        unsupported("a nested character class");
      }
      if (c == '&' && i + 1 < p.size() && p[i + 1] == '&') unsupported("character class intersection (&&)");
      out += c;
      ++i;
      continue;
    }
    if (c == '[') {
      inClass = true;
      out += '[';
      ++i;
      if (i < p.size() && p[i] == '^') {
        out += '^';
        ++i;
      }
      classStart = i;  // a ']' right here is a literal in both engines
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

struct Regex::Code {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Code() {
    if (code) pcre2_code_free(code);
  }
};

Regex::Regex(const std::string& pattern, const std::string& source) : pattern_(pattern) {
  const std::string translated = translate(pattern, source);
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &error, &offset, nullptr);
  if (!code) {
    throwInvalid(source, "cannot compile regex pattern '" + pattern + "': " + pcre2Message(error) +
                             " (at offset " + std::to_string(offset) + " of '" + translated + "')");
  }
  code_ = std::make_unique<Code>();
  code_->code = code;
  code_->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
}

Regex Regex::literal(const std::string& text, const std::string& source) {
  if (text.empty()) {
    // regex::escape("") is the empty pattern, which matches the empty string everywhere.
    return Regex(std::string(), source);
  }
  Regex r;
  r.pattern_ = text;
  r.literal_ = text;
  return r;
}

Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::~Regex() = default;

void Regex::forEachMatch(std::string_view text, const std::function<void(const MatchSpan&)>& onMatch) const {
  if (!literal_.empty()) {
    size_t pos = 0;
    while (true) {
      const size_t found = text.find(literal_, pos);
      if (found == std::string_view::npos) break;
      onMatch({found, found + literal_.size()});
      pos = found + literal_.size();
    }
    return;
  }
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(code_->code, nullptr), &pcre2_match_data_free);
  if (!data) throw Error(ErrorKind::OutOfMemory, "cannot allocate PCRE2 match data");
  std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)> context(nullptr,
                                                                                    &pcre2_match_context_free);
  std::unique_ptr<pcre2_jit_stack, decltype(&pcre2_jit_stack_free)> jitStack(nullptr, &pcre2_jit_stack_free);

  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  const size_t length = text.size();
  size_t lastEnd = 0;
  bool haveLast = false;
  size_t lastMatchEnd = 0;
  while (lastEnd <= length) {
    int rc = pcre2_match(code_->code, subject, length, lastEnd, PCRE2_NO_UTF_CHECK, data.get(), context.get());
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !jitStack) {
      // The default 32 KiB JIT stack is too small for this subject: retry with a growable one.
      context.reset(pcre2_match_context_create(nullptr));
      jitStack.reset(pcre2_jit_stack_create(32 * 1024, 64 * 1024 * 1024, nullptr));
      if (!context || !jitStack) throw Error(ErrorKind::OutOfMemory, "cannot allocate a PCRE2 JIT stack");
      pcre2_jit_stack_assign(context.get(), nullptr, jitStack.get());
      continue;
    }
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      throw Error(ErrorKind::Internal, "regex '" + pattern_ + "' failed on a text of " + std::to_string(length) +
                                           " bytes: " + pcre2Message(rc));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
    const size_t begin = ovector[0];
    const size_t end = ovector[1];
    if (begin == end && haveLast && lastMatchEnd == end) {
      lastEnd += lastEnd < length ? utf8::sequenceLength(static_cast<unsigned char>(text[lastEnd])) : 1;
      continue;
    }
    lastEnd = end;
    lastMatchEnd = end;
    haveLast = true;
    onMatch({begin, end});
  }
}

std::vector<MatchSpan> Regex::findAll(std::string_view text) const {
  std::vector<MatchSpan> spans;
  forEachMatch(text, [&](const MatchSpan& m) { spans.push_back(m); });
  return spans;
}

}  // namespace jq
