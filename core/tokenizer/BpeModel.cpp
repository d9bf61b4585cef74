#include "tokenizer/BpeModel.h"

#include <array>
#include <cstdio>
#include <deque>
#include <mutex>
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "common/JsonInteger.h"
#include "tokenizer/Utf8.h"

namespace jq {

using tokjson::Json;
using tokjson::Where;

namespace {

// tokenizers caches words shorter than this many bytes.
constexpr size_t kMaxCachedWordBytes = 256;
constexpr size_t kCacheShards = 16;
constexpr size_t kCacheEntriesPerShard = 8192;

struct Merge {
  int32_t rank;
  int32_t newId;
};

inline uint64_t pairKey(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

size_t tableCapacity(size_t entries) {
  size_t capacity = 16;
  while (capacity < entries * 2) capacity <<= 1;
  return capacity;
}

// Open-addressing string → id table (linear probing, load <= 1/2). One probe usually touches one cache line,
// where std::unordered_map chases nodes; this lookup runs for every character of every uncached word.
class TokenTable {
 public:
  void reserve(size_t entries) {
    slots_.assign(tableCapacity(entries), Slot{});
    mask_ = slots_.size() - 1;
  }
  // `key` must outlive the table. Returns false when the key is already present.
  bool insert(std::string_view key, int32_t id) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const size_t h = std::hash<std::string_view>()(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id < 0) {
        s = Slot{key.data(), uint32_t(key.size()), uint32_t(h), id};
        ++size_;
        return true;
      }
      if (s.hash == uint32_t(h) && s.view() == key) return false;
    }
  }
  int32_t find(std::string_view key) const {
    if (slots_.empty()) return -1;
    const size_t h = std::hash<std::string_view>()(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id < 0) return -1;
      if (s.hash == uint32_t(h) && s.view() == key) return s.id;
    }
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    const char* data = nullptr;
    uint32_t len = 0;
    uint32_t hash = 0;
    int32_t id = -1;
    std::string_view view() const { return {data, len}; }
  };
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    reserve(std::max<size_t>(old.size(), 8));
    size_ = 0;
    for (const Slot& s : old) {
      if (s.id >= 0) insert(s.view(), s.id);
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Open-addressing (left id, right id) → merge table.
class MergeTable {
 public:
  void reserve(size_t entries) {
    slots_.assign(tableCapacity(entries), Slot{});
    bits_ = 0;
    while ((size_t(1) << bits_) < slots_.size()) ++bits_;
    mask_ = slots_.size() - 1;
  }
  void assign(uint64_t key, Merge value) {  // the table was reserved for every entry
    for (size_t i = index(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == kEmpty || s.key == key) {
        s.key = key;
        s.merge = value;
        return;
      }
    }
  }
  const Merge* find(uint64_t key) const {
    for (size_t i = index(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.merge;
      if (s.key == kEmpty) return nullptr;
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t(0);  // ids are below 2^31, so no real key has all bits set
  struct Slot {
    uint64_t key = kEmpty;
    Merge merge{0, 0};
  };
  size_t index(uint64_t key) const { return size_t((key * 0x9E3779B97F4A7C15ull) >> (64 - bits_)); }
  std::vector<Slot> slots_;
  unsigned bits_ = 0;
  size_t mask_ = 0;
};

// 4-ary min-heap of (rank << 32 | position): the lowest rank first, then the leftmost position, as in
// tokenizers' merge queue. Four children per node halve the depth of a binary heap and share cache lines.
class MergeQueue {
 public:
  void reserve(size_t n) { heap_.reserve(n); }
  void pushUnordered(uint64_t item) { heap_.push_back(item); }
  void heapify() {
    if (heap_.size() < 2) return;
    for (size_t i = (heap_.size() - 2) / 4 + 1; i-- > 0;) siftDown(i);
  }
  void push(uint64_t item) {
    heap_.push_back(item);
    size_t i = heap_.size() - 1;
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (heap_[parent] <= item) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = item;
  }
  bool empty() const { return heap_.empty(); }
  uint64_t pop() {
    const uint64_t top = heap_.front();
    const uint64_t last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
      heap_.front() = last;
      siftDown(0);
    }
    return top;
  }

 private:
  void siftDown(size_t i) {
    const uint64_t item = heap_[i];
    const size_t n = heap_.size();
    while (true) {
      const size_t first = 4 * i + 1;
      if (first >= n) break;
      size_t best = first;
      const size_t stop = std::min(first + 4, n);
      for (size_t c = first + 1; c < stop; ++c) {
        if (heap_[c] < heap_[best]) best = c;
      }
      if (heap_[best] >= item) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = item;
  }
  std::vector<uint64_t> heap_;
};

struct Symbol {
  int32_t id;
  int32_t prev;
  int32_t next;
  uint32_t len;  // bytes of the word it covers; 0 once merged into its left neighbour
};

struct CacheShard {
  std::mutex mutex;
  std::unordered_map<std::string, std::vector<int32_t>> words;
};

}  // namespace

struct BpeModel::Impl {
  std::string file;
  std::deque<std::string> storage;  // token strings; the tables point into it
  TokenTable vocab;
  std::vector<const std::string*> byId;
  MergeTable merges;
  std::optional<std::string> unkToken;
  std::string prefix;  // continuing_subword_prefix
  std::string suffix;  // end_of_word_suffix
  bool fuseUnk = false;
  bool byteFallback = false;
  bool ignoreMerges = false;
  std::array<int32_t, 256> byteTokens{};  // id of "<0xNN>", -1 when absent
  std::array<int32_t, 128> asciiTokens{};  // id of each one-byte character, -1 when absent
  mutable std::array<CacheShard, kCacheShards> cache;
  // Characters that no merge can join to a different character on their left: each is a token by itself and
  // no token holds it right after another character. A word splits losslessly before such a character when
  // the character before it is a token too (see splitPoints).
  std::unordered_set<char32_t> boundaryChars;

  std::optional<int32_t> find(std::string_view token) const {
    const int32_t id = vocab.find(token);
    if (id < 0) return std::nullopt;
    return id;
  }

  int32_t unkId() const {
    auto id = find(*unkToken);
    if (!id) tokjson::invalid({file, "model.BPE"}, "unk_token '" + *unkToken + "' is not in the vocabulary");
    return *id;
  }

  void mergeWord(std::string_view word, std::vector<int32_t>& ids) const;
  void mergeCached(std::string_view word, std::vector<int64_t>& out) const;
  void findBoundaryChars();
};

BpeModel::BpeModel() : impl_(std::make_unique<Impl>()) {}
BpeModel::~BpeModel() = default;

std::unique_ptr<BpeModel> BpeModel::fromJson(const Json& j, const Where& at) {
  std::string type = "BPE";
  if (j.is_object() && j.contains("type")) type = tokjson::typeOf(j, at);
  const Where here = at.child(type);
  if (type != "BPE") {
    tokjson::unsupported(here, "model type '" + type + "' is not supported (only BPE)");
  }
  if (j.contains("dropout") && !j["dropout"].is_null()) {
    if (!j["dropout"].is_number()) tokjson::invalid(here, "'dropout' must be a number or null");
    const double p = j["dropout"].get<double>();
    if (p < 0.0 || p > 1.0) tokjson::invalid(here, "'dropout' must lie in [0, 1]");
    if (p > 0.0) tokjson::unsupported(here, "BPE dropout is random; only dropout null or 0 is supported");
  }

  std::unique_ptr<BpeModel> model(new BpeModel());
  Impl& m = *model->impl_;
  m.file = at.file;
  m.unkToken = tokjson::optionalString(j, "unk_token", here);
  m.prefix = tokjson::optionalString(j, "continuing_subword_prefix", here).value_or("");
  m.suffix = tokjson::optionalString(j, "end_of_word_suffix", here).value_or("");
  m.fuseUnk = tokjson::boolField(j, "fuse_unk", here, false);
  m.byteFallback = tokjson::boolField(j, "byte_fallback", here, false);
  m.ignoreMerges = tokjson::boolField(j, "ignore_merges", here, false);

  const Json& vocab = tokjson::field(j, "vocab", here);
  if (!vocab.is_object()) tokjson::invalid(here, "'vocab' must be an object {token: id}");
  int64_t maxId = -1;
  m.vocab.reserve(vocab.size());
  std::vector<int32_t> ids;
  ids.reserve(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    const std::optional<int64_t> value = jsonInt64(it.value());
    if (!value && it.value().is_number_unsigned())
      tokjson::invalid(here, "vocabulary id " + it.value().dump() + " is too large");
    if (!value || *value < 0)
      tokjson::invalid(here, "vocabulary entry '" + it.key() + "' must map to a non-negative integer id");
    const int64_t id = *value;
    if (id > INT32_MAX - 1) tokjson::invalid(here, "vocabulary id " + std::to_string(id) + " is too large");
    m.storage.push_back(it.key());
    m.vocab.insert(m.storage.back(), int32_t(id));
    ids.push_back(int32_t(id));
    maxId = std::max(maxId, id);
  }
  // byId is a dense table indexed by id. Real vocabularies number their tokens 0..n-1; a damaged file with one
  // id near 2^31 would otherwise cost 16 GB here. Gaps are allowed (as in tokenizers), up to 2^20 unused ids.
  if (maxId >= int64_t(vocab.size()) + (int64_t(1) << 20))
    tokjson::invalid(here, "vocabulary id " + std::to_string(maxId) + " is far beyond the vocabulary's " +
                               std::to_string(vocab.size()) + " entries (more than 2^20 unused ids; damaged file?)");
  m.byId.assign(size_t(maxId + 1), nullptr);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!m.byId[size_t(ids[i])]) m.byId[size_t(ids[i])] = &m.storage[i];
  }
  for (int c = 0; c < 128; ++c) m.asciiTokens[c] = m.vocab.find(std::string(1, char(c)));
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    m.byteTokens[b] = m.find(name).value_or(-1);
  }

  const Json& merges = tokjson::field(j, "merges", here);
  if (!merges.is_array()) tokjson::invalid(here, "'merges' must be an array");
  m.merges.reserve(merges.size());
  int32_t rank = 0;
  std::string a, b, merged;
  for (size_t i = 0; i < merges.size(); ++i) {
    const Json& item = merges[i];
    if (item.is_string()) {
      // Legacy "a b" lines; the "#version" header of merges.txt does not count as a rank.
      const std::string& line = item.get_ref<const std::string&>();
      if (line.rfind("#version", 0) == 0) continue;
      const size_t space = line.find(' ');
      if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos) {
        tokjson::invalid(here, "merge " + std::to_string(i) + " ('" + line + "') must be two tokens separated by one space");
      }
      a = line.substr(0, space);
      b = line.substr(space + 1);
    } else if (item.is_array() && item.size() == 2 && item[0].is_string() && item[1].is_string()) {
      a = item[0].get<std::string>();
      b = item[1].get<std::string>();
    } else {
      tokjson::invalid(here, "merge " + std::to_string(i) + " must be a string \"a b\" or a pair [\"a\", \"b\"]");
    }
    const auto idA = m.find(a);
    const auto idB = m.find(b);
    if (!idA || !idB) {
      tokjson::invalid(here, "merge " + std::to_string(i) + " uses '" + (idA ? b : a) + "', which is not in the vocabulary");
    }
    if (!m.prefix.empty() && b.compare(0, m.prefix.size(), m.prefix) != 0) {
      tokjson::invalid(here, "merge " + std::to_string(i) + ": '" + b + "' lacks the continuing_subword_prefix");
    }
    merged = a + b.substr(m.prefix.size());
    const auto idNew = m.find(merged);
    if (!idNew) {
      tokjson::invalid(here, "merge " + std::to_string(i) + " produces '" + merged + "', which is not in the vocabulary");
    }
    // A repeated pair keeps its last rank, as tokenizers' HashMap collect does.
    m.merges.assign(pairKey(*idA, *idB), Merge{rank, *idNew});
    ++rank;
  }
  if (m.prefix.empty() && m.suffix.empty()) m.findBoundaryChars();
  return model;
}

void BpeModel::Impl::findBoundaryChars() {
  // A merge result is the concatenation of its parts, and it must be a token. So if no token contains
  // "x c" with x != c, no merge ever joins a symbol ending in x to one starting with c.
  std::unordered_set<char32_t> joinedAfterOther;
  for (const std::string& token : storage) {
    if (utf8::findInvalid(token) != std::string::npos) continue;  // such tokens never match text
    size_t pos = 0;
    char32_t previous = 0;
    bool first = true;
    while (pos < token.size()) {
      const char32_t c = utf8::next(token, pos);
      if (!first && c != previous) joinedAfterOther.insert(c);
      previous = c;
      first = false;
    }
  }
  for (const std::string& token : storage) {
    if (token.empty() || utf8::findInvalid(token) != std::string::npos) continue;
    size_t pos = 0;
    const char32_t c = utf8::next(token, pos);
    if (pos == token.size() && !joinedAfterOther.count(c)) boundaryChars.insert(c);
  }
}

void BpeModel::Impl::mergeWord(std::string_view word, std::vector<int32_t>& ids) const {
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  auto add = [&](int32_t id, uint32_t len) {
    const auto n = int32_t(symbols.size());
    if (n > 0) symbols.back().next = n;
    symbols.push_back(Symbol{id, n - 1, -1, len});
  };
  bool unkPending = false;  // an unknown run waiting to be added: unkPendingId over unkPendingLen bytes
  int32_t unkPendingId = 0;
  uint32_t unkPendingLen = 0;
  std::string piece;
  size_t pos = 0;
  while (pos < word.size()) {
    const size_t n = utf8::sequenceLength(static_cast<unsigned char>(word[pos]));
    const bool first = pos == 0;
    const bool last = pos + n >= word.size();
    std::optional<int32_t> id;
    const bool plain = prefix.empty() && suffix.empty();
    if (plain && n == 1 && static_cast<unsigned char>(word[pos]) < 128 && asciiTokens[size_t(word[pos])] >= 0) {
      id = asciiTokens[size_t(word[pos])];
    }
    piece.clear();
    if (!first) piece += prefix;
    piece.append(word.data() + pos, n);
    if (last) piece += suffix;
    pos += n;
    if (!id) id = find(piece);
    if (id) {
      if (unkPending) {
        add(unkPendingId, unkPendingLen);
        unkPending = false;
      }
      add(*id, uint32_t(n));
      continue;
    }
    if (byteFallback) {
      bool all = true;
      for (unsigned char c : piece) all = all && byteTokens[c] >= 0;
      if (all) {
        for (unsigned char c : piece) add(byteTokens[c], 1);
        continue;
      }
    }
    if (unkToken) {
      if (unkPending && fuseUnk) {
        unkPendingLen += uint32_t(n);
      } else {
        if (unkPending) add(unkPendingId, unkPendingLen);
        unkPending = true;
        unkPendingId = unkId();
        unkPendingLen = uint32_t(n);
      }
    }
    // Without unk_token and byte fallback the character is dropped, as in tokenizers.
  }
  if (unkPending) add(unkPendingId, unkPendingLen);

  MergeQueue queue;
  queue.reserve(symbols.size() * 2);
  for (size_t i = 0; i + 1 < symbols.size(); ++i) {
    if (const Merge* mg = merges.find(pairKey(symbols[i].id, symbols[i + 1].id))) {
      queue.pushUnordered((uint64_t(uint32_t(mg->rank)) << 32) | i);
    }
  }
  queue.heapify();
  while (!queue.empty()) {
    const uint64_t top = queue.pop();
    const auto rank = int32_t(top >> 32);
    const auto at = int32_t(uint32_t(top));
    Symbol& left = symbols[at];
    if (left.len == 0 || left.next < 0) continue;
    const Symbol right = symbols[left.next];
    // A stale entry: the pair at `pos` changed since it was queued (ranks identify pairs).
    const Merge* mg = merges.find(pairKey(left.id, right.id));
    if (!mg || mg->rank != rank) continue;
    const int32_t rightPos = left.next;
    left.id = mg->newId;
    left.len += right.len;
    left.next = right.next;
    symbols[rightPos].len = 0;
    if (right.next >= 0) symbols[right.next].prev = at;
    if (left.prev >= 0) {
      if (const Merge* p = merges.find(pairKey(symbols[left.prev].id, left.id))) {
        queue.push((uint64_t(uint32_t(p->rank)) << 32) | uint32_t(left.prev));
      }
    }
    if (left.next >= 0) {
      if (const Merge* q = merges.find(pairKey(left.id, symbols[left.next].id))) {
        queue.push((uint64_t(uint32_t(q->rank)) << 32) | uint32_t(at));
      }
    }
  }
  for (const Symbol& s : symbols) {
    if (s.len != 0) ids.push_back(s.id);
  }
}

void BpeModel::Impl::mergeCached(std::string_view word, std::vector<int64_t>& out) const {
  const bool cacheable = word.size() < kMaxCachedWordBytes;
  CacheShard* shard = nullptr;
  std::string key;
  if (cacheable) {
    key.assign(word);
    shard = &cache[std::hash<std::string>()(key) % kCacheShards];
    std::lock_guard<std::mutex> lock(shard->mutex);
    auto it = shard->words.find(key);
    if (it != shard->words.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> ids;
  mergeWord(word, ids);
  out.insert(out.end(), ids.begin(), ids.end());
  if (shard) {
    std::lock_guard<std::mutex> lock(shard->mutex);
    if (shard->words.size() < kCacheEntriesPerShard) shard->words.emplace(std::move(key), std::move(ids));
  }
}

void BpeModel::tokenize(std::string_view word, std::vector<int64_t>& out) const {
  const Impl& m = *impl_;
  if (word.empty()) return;
  if (m.ignoreMerges) {
    if (auto id = m.find(word)) {
      out.push_back(*id);
      return;
    }
  }
  if (word.size() < kMaxCachedWordBytes || m.boundaryChars.empty()) {
    m.mergeCached(word, out);
    return;
  }
  // A long word (Llama 2 encodes whole texts as one): cut it where no merge can reach across, so each part
  // is merged (and cached) alone with the same result, instead of one heap over millions of symbols.
  size_t partStart = 0;
  size_t pos = 0;
  char32_t previous = 0;
  bool previousIsToken = false;
  std::string one;
  while (pos < word.size()) {
    const size_t at = pos;
    const char32_t c = utf8::next(word, pos);
    if (at > partStart && previousIsToken && c != previous && m.boundaryChars.count(c)) {
      m.mergeCached(word.substr(partStart, at - partStart), out);
      partStart = at;
    }
    one.assign(word.data() + at, pos - at);
    previousIsToken = m.find(one).has_value();
    previous = c;
  }
  m.mergeCached(word.substr(partStart), out);
}

std::optional<int64_t> BpeModel::tokenToId(std::string_view token) const {
  auto id = impl_->find(token);
  if (!id) return std::nullopt;
  return *id;
}

const std::string* BpeModel::idToToken(int64_t id) const {
  if (id < 0 || id >= int64_t(impl_->byId.size())) return nullptr;
  return impl_->byId[size_t(id)];
}

int64_t BpeModel::size() const { return int64_t(impl_->vocab.size()); }

}  // namespace jq
