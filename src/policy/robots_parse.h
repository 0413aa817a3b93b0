// SPDX-License-Identifier: Apache-2.0
// File: robots_parse.h
// The line layer of robots.txt (RFC 9309 §2.2): size cap, byte order mark, CR / LF / CRLF
// line ends, comments, "key: value" records. It knows nothing about groups; Robots does that.
// Never fails: any input is read, and what is not a record is skipped.
#pragma once

#include <cstddef>
#include <cstdint>
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

// What a key names: case-insensitive for letters, exact for every other octet, whole word.
RobotsKey classifyRobotsKey(std::string_view name);

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
  explicit RobotsLexer(std::string_view body);

  // Defined inline below, so that the caller's loop (Robots::compile) makes no call per line.
  bool next(RobotsRecord& out);

 private:
  // What the lexer needs to know about 64 octets of the body, one bit per octet (bit i is
  // octet base_ + i); octets past the end of the body read as LF, so every search stops at
  // the end. Each block is classified once (SSE2: four 16-octet steps), and the line layer is
  // then a few bit scans per line: every octet is looked at once, except blanks around keys.
  struct Block {
    uint64_t eol = 0;       // LF CR
    uint64_t key_stop = 0;  // LF CR '#' ':' (ends a key)
    // LF CR '#' and the octets that keep a value from being a literal (RobotsRecord): <= 0x20,
    // >= 0x7F, '%' '*' '$'. (key_stop & special) is LF CR '#', what ends a value.
    uint64_t special = 0;
  };
  void load(size_t at);
  // Offset of the first octet at or after `at` whose bit is set in pick(block), or the size
  // of the body. Offsets only move forward, so each block is loaded once.
  template <class Pick>
  size_t find(size_t at, Pick pick);

  const char* data_;
  size_t size_;
  size_t pos_ = 0;   // start of the next line
  size_t base_ = 0;  // offset of block_'s first octet, a multiple of 64
  Block block_;
  uint32_t line_ = 0;
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

}  // namespace robots_internal

template <class Pick>
inline size_t RobotsLexer::find(size_t at, Pick pick) {
  for (;;) {
    if (at - base_ >= 64) {  // also when at < base_ (wraps)
      load(at);
    }
    const uint64_t m = pick(block_) >> (at - base_);
    if (m != 0) {
      return at + static_cast<size_t>(__builtin_ctzll(m));
    }
    at = base_ + 64;  // at most size_: the block holding size_ has its LF padding
  }
}

[[gnu::always_inline]] inline bool RobotsLexer::next(RobotsRecord& out) {
  using robots_internal::isBlank;
  const char* const s = data_;
  const size_t n = size_;
  size_t p = pos_;
  while (p < n) {
    ++line_;
    const size_t q = find(p, [](const Block& b) { return b.key_stop; });
    std::string_view key;
    std::string_view value;
    bool ok = false;
    bool literal = false;
    size_t r = q;
    if (q < n && s[q] == ':') {
      size_t k = p;
      while (isBlank(s[k])) {  // stops at the ':'
        ++k;
      }
      size_t key_end = q;
      while (key_end > k && isBlank(s[key_end - 1])) {
        --key_end;
      }
      key = std::string_view(s + k, key_end - k);
      size_t v = q + 1;
      while (v < n && isBlank(s[v])) {
        ++v;
      }
      // The first octet that ends the value or keeps it from being a literal; find() leaves
      // block_ on the block that holds it.
      const size_t sp = find(v, [](const Block& b) { return b.special; });
      size_t last = sp;
      r = sp;
      if (((block_.key_stop >> (sp - base_)) & 1) == 0) {  // not LF CR '#': not the end yet
        r = find(sp, [](const Block& b) { return b.key_stop & b.special; });
        last = r;
        while (last > v && isBlank(s[last - 1])) {
          --last;
        }
      }
      literal = sp >= last;  // nothing but trailing blanks from sp on
      value = std::string_view(s + v, last - v);
      ok = key_end != k;
    } else {
      ok = robots_internal::splitWords(std::string_view(s + p, q - p), key, value);
    }
    if (r < n && s[r] == '#') {
      r = find(r, [](const Block& b) { return b.eol; });
    }
    if (r < n) {
      r += (s[r] == '\r' && r + 1 < n && s[r + 1] == '\n') ? 2 : 1;
    }
    p = r;
    if (ok) {
      pos_ = p;
      out.line = line_;
      out.key = classifyRobotsKey(key);
      out.name = key;
      out.value = value;
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
