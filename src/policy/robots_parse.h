// SPDX-License-Identifier: Apache-2.0
// File: robots_parse.h
// The line layer of robots.txt (RFC 9309 §2.2): size cap, byte order mark, CR / LF / CRLF
// line ends, comments, "key: value" records. It knows nothing about groups; Robots does that.
// Never fails: any input is read, and what is not a record is skipped.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace agentbox::policy {

// Parsing limit (§2.5 requires at least 500 KiB). Content past it is ignored, and so is the
// line it cuts: a rule truncated mid-path could say something the file never said.
inline constexpr size_t kRobotsMaxBytes = size_t{500} * 1024;

// The part of `body` that is parsed: at most kRobotsMaxBytes (ending at the last line end
// inside the cap when the body is longer), without a leading UTF-8 byte order mark (or a
// leading prefix of one, as Google's parser also skips).
std::string_view robotsEffectiveBody(std::string_view body);

enum class RobotsKey : uint8_t {
  kUserAgent,   // "user-agent" (also the typos "useragent", "user agent")
  kAllow,       // "allow"
  kDisallow,    // "disallow" (also "disalow", "dissallow", "dissalow", "diasllow", "disallaw")
  kCrawlDelay,  // "crawl-delay" (an extension; see docs/robots.md)
  kSitemap,     // "sitemap" (§2.2.4; never ends or joins a group)
  kOther,       // any other key (§2.2.4)
};

// One record. `value` has surrounding blanks and any comment removed; views point into the
// body given to RobotsLexer.
struct RobotsRecord {
  uint32_t line = 0;  // 1-based line number in the file
  RobotsKey key = RobotsKey::kOther;
  std::string_view name;   // the key as written
  std::string_view value;  // may be empty
  // True if `value` is a plain literal: no '%', '*', '$', inner blank, control or non-ASCII
  // octet, so it is already in normalized form (robots_pattern.h) and has no operator.
  bool literal = false;
};

namespace robots_internal {

// What the lexer knows about a window of kLexerWindowBlocks blocks of 64 octets of the body:
// one bit per octet per class (bit i of word w is octet 64 * w + i of the window); octets past
// the end of the body read as LF, so every search stops at the end. A window is classified at
// once, ahead of the lines that read it, and the start of each line is a class of its own:
// finding the next line never waits on the octets of the current one, so the work on
// consecutive lines overlaps.
inline constexpr size_t kLexerWindowBlocks = 16;  // 1 KiB of text
struct LexerWindow {
  std::array<uint64_t, kLexerWindowBlocks> key_stop;  // LF CR '#' ':' (ends a key)
  // LF CR '#' and the octets that keep a value from being a literal (RobotsRecord): <= 0x20,
  // >= 0x7F, '%' '*' '$'.
  std::array<uint64_t, kLexerWindowBlocks> special;
  std::array<uint64_t, kLexerWindowBlocks> value_end;  // LF CR '#' (ends a value)
  // A line starts here: after an LF, or after a CR that is not followed by an LF.
  std::array<uint64_t, kLexerWindowBlocks> start;
};

}  // namespace robots_internal

// Reads records in file order:
//   RobotsLexer lex(body);
//   RobotsRecord rec;
//   while (lex.next(rec)) { ... }
// A record is `key ":" value`. As in Google's parser, a line without a colon whose content is
// exactly two blank-separated words is read as `key value` ("Disallow /tmp"): the intent is
// plain, and a polite agent errs on the side of obeying. Lines that are blank, comments or
// without a key are skipped (but counted for line numbers). `body` must outlive the lexer.
class RobotsLexer {
 public:
  // How 64-octet blocks are classified; all give the same records. kWidest picks AVX-512BW
  // when the CPU has it (x86-64), else the baseline (SSE2, or plain C++ elsewhere).
  // kBaseline is there so that tests and the fuzz target check both.
  enum class Classifier : uint8_t { kWidest, kBaseline };

  explicit RobotsLexer(std::string_view body, Classifier classifier = Classifier::kWidest);

  // Defined inline below, so that the caller's loop (Robots::compile) makes no call per line.
  bool next(RobotsRecord& out);

 private:
  using Window = robots_internal::LexerWindow;
  // The last block of a window is only read as the upper part of a search that starts in the
  // block before it, so a window moves on every kLexerWindowBlocks - 1 blocks.
  static constexpr size_t kWindowReach = (robots_internal::kLexerWindowBlocks - 1) * 64;
  // Classifies the window that begins with the block holding `at` (<= size_).
  void refill(size_t at);
  // Offset of the first octet at or after `at` (<= size_) whose bit is set in `bits` (a class
  // of window_), or some offset >= size_ if there is none before the end. A search that
  // starts before the window or near its end refills it; the lexer's searches go forward
  // (those of one line start at or after its start), so each block is classified about once.
  size_t find(size_t at, const uint64_t* bits);

  const char* data_;
  size_t size_;
  size_t pos_ = 0;     // start of the next line
  size_t window_ = 0;  // offset of the window's first octet, a multiple of 64
  uint32_t line_ = 0;
  bool avx512_ = false;  // classify blocks with AVX-512BW (chosen at run time)
  Window bits_;
};

namespace robots_internal {

// ' ' '\t' '\v' '\f' (not CR or LF, which end lines).
inline bool isBlank(char c) {
  constexpr uint64_t kBlanks = uint64_t{1} << ' ' | 1U << '\t' | 1U << '\v' | 1U << '\f';
  const auto o = static_cast<unsigned char>(c);
  return o <= ' ' && ((kBlanks >> o) & 1) != 0;
}

// Splits a line without colon, "key value", into two words; false unless exactly two.
bool splitWords(std::string_view line, std::string_view& key, std::string_view& value);

// splitWords() of s[from, to), as offsets into s; key_len is 0 unless there are two words.
struct WordSpans {
  size_t key_at = 0;
  size_t key_len = 0;
  size_t value_at = 0;
  size_t value_len = 0;
};
WordSpans splitWordsAt(const char* s, size_t from, size_t to);

// A key to recognize (at least 4 octets) as two words that may overlap: its first and its last
// W octets, W = 4 for keys shorter than 8 and 8 otherwise, so that a comparison is two loads of
// the key's own octets. (A narrower load merged into a wider word, as memcpy of 5 octets into a
// uint64_t compiles to, goes through the stack and stalls store-to-load forwarding.) `*_fold`
// has 0x20 at the letters, so (octets | fold) == word is case-insensitive for letters and exact
// for the rest ("user agent" must not match "user\0agent"). The key is lowercase.
struct Keyword {
  uint64_t head = 0;
  uint64_t head_fold = 0;
  uint64_t tail = 0;
  uint64_t tail_fold = 0;
};

constexpr size_t keywordWord(size_t n) {
  return n < 8 ? 4 : 8;
}

// Octets s[from, from + w) laid out as memcpy would put them in a w-octet unsigned integer.
constexpr uint64_t packOctets(std::string_view s, size_t from, size_t w, bool fold) {
  uint64_t v = 0;
  for (size_t i = 0; i < w; ++i) {
    const auto c = static_cast<unsigned char>(s[from + i]);
    const uint64_t o = fold ? ((c >= 'a' && c <= 'z') ? 0x20U : 0U) : c;
    v |= o << (std::endian::native == std::endian::little ? 8 * i : 8 * (w - 1 - i));
  }
  return v;
}

inline constexpr Keyword keyword(std::string_view lower) {
  const size_t w = keywordWord(lower.size());
  Keyword k;
  k.head = packOctets(lower, 0, w, false);
  k.head_fold = packOctets(lower, 0, w, true);
  k.tail = packOctets(lower, lower.size() - w, w, false);
  k.tail_fold = packOctets(lower, lower.size() - w, w, true);
  return k;
}

inline constexpr Keyword kAllowKey = keyword("allow");
inline constexpr Keyword kSitemapKey = keyword("sitemap");
inline constexpr Keyword kDisalowKey = keyword("disalow");
inline constexpr Keyword kDisallowKey = keyword("disallow");
inline constexpr Keyword kDissalowKey = keyword("dissalow");
inline constexpr Keyword kDiasllowKey = keyword("diasllow");
inline constexpr Keyword kDisallawKey = keyword("disallaw");
inline constexpr Keyword kUseragentKey = keyword("useragent");
inline constexpr Keyword kDissallowKey = keyword("dissallow");
inline constexpr Keyword kUserDashAgentKey = keyword("user-agent");
inline constexpr Keyword kUserSpaceAgentKey = keyword("user agent");
inline constexpr Keyword kCrawlDelayKey = keyword("crawl-delay");

template <size_t W>
inline uint64_t loadOctets(const char* p) {
  static_assert(W == 4 || W == 8);
  if constexpr (W == 4) {
    uint32_t v = 0;
    std::memcpy(&v, p, W);
    return v;
  } else {
    uint64_t v = 0;
    std::memcpy(&v, p, W);
    return v;
  }
}

// `k` points at exactly N octets.
template <size_t N>
inline bool keyIs(const char* k, const Keyword& w) {
  static_assert(N >= 4);
  constexpr size_t kWord = keywordWord(N);
  if ((loadOctets<kWord>(k) | w.head_fold) != w.head) {
    return false;
  }
  if constexpr (N > kWord) {
    return (loadOctets<kWord>(k + N - kWord) | w.tail_fold) == w.tail;
  }
  return true;
}

}  // namespace robots_internal

// What a key names: case-insensitive for letters, exact for every other octet, whole word.
// Inline: it runs once per record in Robots::compile's loop.
[[gnu::always_inline]] inline RobotsKey classifyRobotsKey(std::string_view key) {
  using robots_internal::keyIs;
  namespace ri = robots_internal;
  const char* k = key.data();
  switch (key.size()) {
    case 5:
      return keyIs<5>(k, ri::kAllowKey) ? RobotsKey::kAllow : RobotsKey::kOther;
    case 7:
      if (keyIs<7>(k, ri::kSitemapKey)) {
        return RobotsKey::kSitemap;
      }
      return keyIs<7>(k, ri::kDisalowKey) ? RobotsKey::kDisallow : RobotsKey::kOther;
    case 8:
      return (keyIs<8>(k, ri::kDisallowKey) || keyIs<8>(k, ri::kDissalowKey) ||
              keyIs<8>(k, ri::kDiasllowKey) || keyIs<8>(k, ri::kDisallawKey))
                 ? RobotsKey::kDisallow
                 : RobotsKey::kOther;
    case 9:
      if (keyIs<9>(k, ri::kUseragentKey)) {
        return RobotsKey::kUserAgent;
      }
      return keyIs<9>(k, ri::kDissallowKey) ? RobotsKey::kDisallow : RobotsKey::kOther;
    case 10:
      return (keyIs<10>(k, ri::kUserDashAgentKey) || keyIs<10>(k, ri::kUserSpaceAgentKey))
                 ? RobotsKey::kUserAgent
                 : RobotsKey::kOther;
    case 11:
      return keyIs<11>(k, ri::kCrawlDelayKey) ? RobotsKey::kCrawlDelay : RobotsKey::kOther;
    default:
      return RobotsKey::kOther;
  }
}

inline size_t RobotsLexer::find(size_t at, const uint64_t* bits) {
  for (;;) {
    size_t rel = at - window_;  // also when at < window_ (wraps)
    if (rel >= kWindowReach) {
      refill(at);
      rel = at - window_;
    }
    // At least 57 bits from `at` on, in one load: no branch on where a block ends.
    uint64_t m = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&m, reinterpret_cast<const char*>(bits) + rel / 8, 8);
      m >>= at % 8;  // window_ is a multiple of 64, so this is rel % 8
    } else {
      size_t w = rel / 64;
      unsigned shift = rel % 64;
      m = (bits[w] >> shift) | ((bits[w + 1] << 1) << (63 - shift));
    }
    if (m != 0) {
      return at + static_cast<size_t>(__builtin_ctzll(m));
    }
    // None in the bits read: go on from the first octet past them (at most size_, since
    // octets past the end have every bit).
    at = std::endian::native == std::endian::little ? (at | 7) + 57 : at + 64;
  }
}

// The key and value are kept as offsets until the record is written: a std::string_view whose
// address is taken (splitWords) lives on the stack, and reading it back as one 16-octet value
// after two 8-octet stores stalls store-to-load forwarding once per line.
[[gnu::always_inline]] inline bool RobotsLexer::next(RobotsRecord& out) {
  using robots_internal::isBlank;
  const char* const s = data_;
  const size_t n = size_;
  size_t p = pos_;
  while (p < n) {
    ++line_;
    const size_t q = find(p, bits_.key_stop.data());
    // The next line's start depends only on p, not on what this line holds.
    size_t next_line = find(p + 1, bits_.start.data());
    size_t key_at = 0;
    size_t key_len = 0;
    size_t value_at = 0;
    size_t value_len = 0;
    bool literal = false;
    if (q < n && s[q] == ':') {
      size_t k = p;
      while (isBlank(s[k])) {  // stops at the ':'
        ++k;
      }
      size_t key_end = q;
      while (key_end > k && isBlank(s[key_end - 1])) {
        --key_end;
      }
      key_at = k;
      key_len = key_end - k;
      size_t v = q + 1;
      while (v < n && isBlank(s[v])) {
        ++v;
      }
      // The first octet that ends the value or keeps it from being a literal.
      const size_t sp = find(v, bits_.special.data());
      size_t last = sp;
      if (sp < n && s[sp] != '\n' && s[sp] != '\r' && s[sp] != '#') {  // not the end yet
        last = find(sp, bits_.value_end.data());
        while (last > v && isBlank(s[last - 1])) {
          --last;
        }
      }
      literal = sp >= last;  // nothing but trailing blanks from sp on
      value_at = v;
      value_len = last - v;
    } else {
      const robots_internal::WordSpans w = robots_internal::splitWordsAt(s, p, q);
      key_at = w.key_at;
      key_len = w.key_len;
      value_at = w.value_at;
      value_len = w.value_len;
    }
    p = next_line;
    if (key_len != 0) {
      pos_ = p;
      out.line = line_;
      out.key = classifyRobotsKey(std::string_view(s + key_at, key_len));
      out.name = std::string_view(s + key_at, key_len);
      out.value = std::string_view(s + value_at, value_len);
      out.literal = literal;
      return true;
    }
  }
  pos_ = p;
  return false;
}

// The same records as RobotsLexer, found by a plain per-line scan (std::string_view::find,
// no bit tricks): the reference RobotsLexer is tested and fuzzed against.
std::vector<RobotsRecord> robotsRecordsByScanForTest(std::string_view body);

// Parses a crawl-delay value: a plain non-negative decimal number, `DIGITS [ "." DIGITS ]`
// ("2", "2.5", "0"). Anything else ("abc", "-5", "10s", "1,5", "+2", ".5", "2.", "") and
// numbers too large for a double give a negative result, meaning "ignore this line".
double parseRobotsCrawlDelay(std::string_view value);

}  // namespace agentbox::policy
