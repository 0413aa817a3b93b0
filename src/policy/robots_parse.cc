// SPDX-License-Identifier: Apache-2.0
// File: robots_parse.cc
#include "policy/robots_parse.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace agentbox::policy {

namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isBlank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && isBlank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// Case-insensitive for letters, exact for everything else; `lower` is a lowercase literal.
bool keyIs(std::string_view key, std::string_view lower) {
  if (key.size() != lower.size()) {
    return false;
  }
  for (size_t i = 0; i < key.size(); ++i) {
    const char l = lower[i];
    const char c = key[i];
    if (l >= 'a' && l <= 'z' ? (c | 0x20) != l : c != l) {
      return false;
    }
  }
  return true;
}

RobotsKey classifyKey(std::string_view k) {
  switch (k.size()) {
    case 5:
      return keyIs(k, "allow") ? RobotsKey::kAllow : RobotsKey::kOther;
    case 7:
      if (keyIs(k, "sitemap")) {
        return RobotsKey::kSitemap;
      }
      return keyIs(k, "disalow") ? RobotsKey::kDisallow : RobotsKey::kOther;
    case 8:
      return (keyIs(k, "disallow") || keyIs(k, "dissalow") || keyIs(k, "diasllow") ||
              keyIs(k, "disallaw"))
                 ? RobotsKey::kDisallow
                 : RobotsKey::kOther;
    case 9:
      if (keyIs(k, "useragent")) {
        return RobotsKey::kUserAgent;
      }
      return keyIs(k, "dissallow") ? RobotsKey::kDisallow : RobotsKey::kOther;
    case 10:
      return (keyIs(k, "user-agent") || keyIs(k, "user agent")) ? RobotsKey::kUserAgent
                                                                : RobotsKey::kOther;
    case 11:
      return keyIs(k, "crawl-delay") ? RobotsKey::kCrawlDelay : RobotsKey::kOther;
    default:
      return RobotsKey::kOther;
  }
}

// What the lexer needs to know about 16 octets at once; bit i is octet i. Short lines make
// per-octet loops the cost of parsing, so the search for delimiters and the check for octets
// that need normalizing go 16 at a time (SSE2 on x86-64, a plain loop elsewhere).
struct Chunk {
  uint32_t key_stop;  // LF CR '#' ':'
  uint32_t val_stop;  // LF CR '#'
  uint32_t eol;       // LF CR
  uint32_t blank;     // ' ' '\t' '\v' '\f'
  uint32_t special;   // <= 0x20, >= 0x7F, '%' '*' '$'
};

// Past the end of the input the chunk reads as line ends, so every search stops at `end`.
[[gnu::always_inline]] inline Chunk scanChunk(const char* p, const char* end) {
  char pad[16];
  if (end - p < 16) {
    const auto n = static_cast<size_t>(end - p);
    std::memcpy(pad, p, n);
    std::memset(pad + n, '\n', 16 - n);
    p = pad;
  }
#if defined(__SSE2__)
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  auto eq = [&x](char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
  auto bits = [](__m128i m) { return static_cast<uint32_t>(_mm_movemask_epi8(m)); };
  const __m128i eol = _mm_or_si128(eq('\n'), eq('\r'));
  const __m128i val_stop = _mm_or_si128(eol, eq('#'));
  const __m128i blank =
      _mm_or_si128(_mm_or_si128(eq(' '), eq('\t')), _mm_or_si128(eq('\v'), eq('\f')));
  const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x20)), x);
  const __m128i high = _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x7F)), x);
  const __m128i ops = _mm_or_si128(eq('%'), _mm_or_si128(eq('*'), eq('$')));
  return {bits(_mm_or_si128(val_stop, eq(':'))), bits(val_stop), bits(eol), bits(blank),
          bits(_mm_or_si128(_mm_or_si128(low, high), ops))};
#else
  Chunk c{};
  for (uint32_t i = 0; i < 16; ++i) {
    const auto o = static_cast<unsigned char>(p[i]);
    const uint32_t bit = 1U << i;
    const bool eol = o == '\n' || o == '\r';
    c.eol |= eol ? bit : 0;
    c.val_stop |= (eol || o == '#') ? bit : 0;
    c.key_stop |= (eol || o == '#' || o == ':') ? bit : 0;
    c.blank |= isBlank(static_cast<char>(o)) ? bit : 0;
    c.special |= (o <= 0x20 || o >= 0x7F || o == '%' || o == '*' || o == '$') ? bit : 0;
  }
  return c;
#endif
}

int firstBit(uint32_t m) {
  return __builtin_ctz(m);
}
int lastBit(uint32_t m) {
  return 31 - __builtin_clz(m);
}

// First octet at or after `p` whose bit is set in the chosen mask (or `end`).
template <uint32_t Chunk::*Mask>
const char* findFirst(const char* p, const char* end) {
  for (;; p += 16) {
    const uint32_t m = scanChunk(p, end).*Mask;
    if (m != 0) {
      return p + firstBit(m);
    }
  }
}

// Reads a value from `v` (first non-blank octet) up to LF, CR or '#'. Sets `last` one past its
// last non-blank octet and says whether the value is a literal (RobotsRecord::literal).
const char* scanValue(const char* v, const char* end, const char*& last, bool& literal) {
  last = v;
  literal = true;
  bool pending_blank = false;  // blanks seen after the last non-blank octet
  for (const char* c = v;; c += 16) {
    const Chunk ch = scanChunk(c, end);
    const uint32_t keep = ch.val_stop != 0 ? (1U << firstBit(ch.val_stop)) - 1 : 0xFFFFU;
    const uint32_t blank = ch.blank & keep;
    const uint32_t solid = keep & ~blank;
    if ((ch.special & solid) != 0) {
      literal = false;
    }
    if (solid != 0) {
      const int hi = lastBit(solid);
      if (pending_blank || (blank & ((1U << hi) - 1)) != 0) {
        literal = false;  // a blank inside the value
      }
      pending_blank = (blank >> hi) != 0;
      last = c + hi + 1;
    } else if (blank != 0) {
      pending_blank = true;
    }
    if (ch.val_stop != 0) {
      return c + firstBit(ch.val_stop);
    }
  }
}

// Splits a line without colon, "key value", into two words; false unless exactly two.
bool splitWords(std::string_view line, std::string_view& key, std::string_view& value) {
  line = trim(line);
  size_t ws = 0;
  while (ws < line.size() && !isBlank(line[ws])) {
    ++ws;
  }
  if (line.empty() || ws == line.size()) {
    return false;
  }
  key = line.substr(0, ws);
  value = trim(line.substr(ws));
  for (char c : value) {
    if (isBlank(c)) {
      return false;  // more than two words: not a record we can read without a colon
    }
  }
  return true;
}

}  // namespace

std::string_view robotsEffectiveBody(std::string_view body) {
  if (body.size() > kRobotsMaxBytes) {
    body = body.substr(0, kRobotsMaxBytes);
    const size_t end = body.find_last_of("\r\n");
    body = end == std::string_view::npos ? std::string_view() : body.substr(0, end + 1);
  }
  static constexpr unsigned char kBom[] = {0xEF, 0xBB, 0xBF};
  size_t skip = 0;
  while (skip < sizeof(kBom) && skip < body.size() &&
         static_cast<unsigned char>(body[skip]) == kBom[skip]) {
    ++skip;
  }
  return body.substr(skip);
}

RobotsLexer::RobotsLexer(std::string_view body) {
  const std::string_view b = robotsEffectiveBody(body);
  pos_ = b.data();
  end_ = b.data() + b.size();
}

bool RobotsLexer::next(RobotsRecord& out) {
  const char* const end = end_;
  const char* p = pos_;
  while (p < end) {
    ++line_;
    const char* const q = findFirst<&Chunk::key_stop>(p, end);
    std::string_view key;
    std::string_view value;
    bool ok = false;
    bool literal = false;
    const char* r = q;
    if (q < end && *q == ':') {
      key = trim(std::string_view(p, static_cast<size_t>(q - p)));
      const char* v = q + 1;
      while (v < end && isBlank(*v)) {
        ++v;
      }
      const char* last = v;
      r = scanValue(v, end, last, literal);
      value = std::string_view(v, static_cast<size_t>(last - v));
      ok = !key.empty();
    } else {
      ok = splitWords(std::string_view(p, static_cast<size_t>(q - p)), key, value);
    }
    if (r < end && *r == '#') {
      r = findFirst<&Chunk::eol>(r, end);
    }
    if (r < end) {
      r += (*r == '\r' && r + 1 < end && r[1] == '\n') ? 2 : 1;
    }
    p = r;
    if (ok) {
      pos_ = p;
      out.line = line_;
      out.key = classifyKey(key);
      out.name = key;
      out.value = value;
      out.literal = literal;
      return true;
    }
  }
  pos_ = p;
  return false;
}

double parseRobotsCrawlDelay(std::string_view value) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
      ++i;
    }
    return i > start;
  };
  if (!digits()) {
    return -1;
  }
  if (i < value.size()) {
    if (value[i] != '.') {
      return -1;
    }
    ++i;
    if (!digits() || i != value.size()) {
      return -1;
    }
  }
  double out = 0;
  const auto [ptr, ec] =
      std::from_chars(value.data(), value.data() + value.size(), out, std::chars_format::fixed);
  if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(out)) {
    return -1;
  }
  return out;
}

}  // namespace agentbox::policy
