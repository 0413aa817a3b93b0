// SPDX-License-Identifier: Apache-2.0
// File: robots_parse.cc
#include "policy/robots_parse.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <string>
#include <system_error>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define AGENTBOX_ROBOTS_AVX512 1
#endif

namespace agentbox::policy {

namespace {

using robots_internal::isBlank;

std::string_view trim(std::string_view s) {
  while (!s.empty() && isBlank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && isBlank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

bool robots_internal::splitWords(std::string_view line, std::string_view& key,
                                 std::string_view& value) {
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

robots_internal::WordSpans robots_internal::splitWordsAt(const char* s, size_t from, size_t to) {
  WordSpans w;
  std::string_view key;
  std::string_view value;
  if (splitWords(std::string_view(s + from, to - from), key, value)) {
    w.key_at = static_cast<size_t>(key.data() - s);
    w.key_len = key.size();
    w.value_at = static_cast<size_t>(value.data() - s);
    w.value_len = value.size();
  }
  return w;
}

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

#if defined(AGENTBOX_ROBOTS_AVX512)
namespace {

// The 64-octet block in one step, for CPUs with AVX-512BW: compares give the bit masks
// directly. Same classes as the SSE2 code in load().
[[gnu::target("avx512bw")]] void classifyAvx512(const char* p, uint64_t& eol, uint64_t& key_stop,
                                                uint64_t& special) {
  const __m512i x = _mm512_loadu_si512(p);
  const uint64_t lf = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\n'));
  const uint64_t cr = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\r'));
  const uint64_t hash = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('#'));
  const uint64_t colon = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(':'));
  const uint64_t star = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('*'));
  const uint64_t outside = _mm512_cmple_epu8_mask(x, _mm512_set1_epi8(0x20)) |
                           _mm512_cmpge_epu8_mask(x, _mm512_set1_epi8(0x7F));
  const uint64_t dollar_percent = _mm512_cmpeq_epi8_mask(
      _mm512_and_si512(x, _mm512_set1_epi8(static_cast<char>(0xFE))), _mm512_set1_epi8('$'));
  eol = lf | cr;
  key_stop = eol | hash | colon;
  special = outside | hash | dollar_percent | star;
}

bool haveAvx512() {
  static const bool kHave = __builtin_cpu_supports("avx512bw");
  return kHave;
}

}  // namespace
#endif

namespace {

struct Bits {
  uint64_t eol = 0;
  uint64_t key_stop = 0;
  uint64_t special = 0;
};

// The baseline classifier: SSE2 (every x86-64), four 16-octet steps; plain C++ elsewhere.
void classifyBaseline(const char* p, uint64_t& eol, uint64_t& key_stop, uint64_t& special) {
#if defined(__SSE2__)
  auto chunk = [](const char* c, unsigned shift, Bits& b) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c));
    auto eq = [&x](char o) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(o)); };
    auto bits = [shift](__m128i m) {
      return uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(m))} << shift;
    };
    const __m128i eol = _mm_or_si128(eq('\n'), eq('\r'));
    const __m128i hash = eq('#');
    // x + 1 < 0x22 as signed octets: exactly x <= 0x20 or x >= 0x7F.
    const __m128i outside = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(1)), _mm_set1_epi8(0x22));
    // '$' (0x24) and '%' (0x25) differ only in bit 0.
    const __m128i dollar_percent = _mm_cmpeq_epi8(
        _mm_and_si128(x, _mm_set1_epi8(static_cast<char>(0xFE))), _mm_set1_epi8('$'));
    b.eol |= bits(eol);
    b.key_stop |= bits(_mm_or_si128(_mm_or_si128(eol, hash), eq(':')));
    b.special |=
        bits(_mm_or_si128(_mm_or_si128(outside, hash), _mm_or_si128(dollar_percent, eq('*'))));
  };
  Bits b;
  chunk(p, 0, b);
  chunk(p + 16, 16, b);
  chunk(p + 32, 32, b);
  chunk(p + 48, 48, b);
  eol = b.eol;
  key_stop = b.key_stop;
  special = b.special;
#else
  Bits b;
  for (unsigned i = 0; i < 64; ++i) {
    const auto o = static_cast<unsigned char>(p[i]);
    const uint64_t bit = uint64_t{1} << i;
    const bool line_end = o == '\n' || o == '\r';
    b.eol |= line_end ? bit : 0;
    b.key_stop |= (line_end || o == '#' || o == ':') ? bit : 0;
    b.special |= (o <= 0x20 || o >= 0x7F || o == '#' || o == '%' || o == '*' || o == '$') ? bit : 0;
  }
  eol = b.eol;
  key_stop = b.key_stop;
  special = b.special;
#endif
}

}  // namespace

RobotsLexer::RobotsLexer(std::string_view body, Classifier classifier) {
  const std::string_view b = robotsEffectiveBody(body);
  data_ = b.data();
  size_ = b.size();
#if defined(AGENTBOX_ROBOTS_AVX512)
  avx512_ = classifier == Classifier::kWidest && haveAvx512();
#else
  static_cast<void>(classifier);
#endif
  load(0);
}

// Kept small (no frame; the classifier is a tail call): it runs once per 64 octets.
void RobotsLexer::load(size_t at) {
  base_ = at & ~size_t{63};
  if (size_ - base_ < 64) {
    loadLast();
    return;
  }
  classify(data_ + base_);
}

void RobotsLexer::loadLast() {
  char pad[64];
  const size_t n = size_ - base_;
  if (n != 0) {
    std::memcpy(pad, data_ + base_, n);
  }
  std::memset(pad + n, '\n', 64 - n);
  classify(pad);
}

void RobotsLexer::classify(const char* p) {
#if defined(AGENTBOX_ROBOTS_AVX512)
  if (avx512_) {
    classifyAvx512(p, block_.eol, block_.key_stop, block_.special);
    return;
  }
#endif
  classifyBaseline(p, block_.eol, block_.key_stop, block_.special);
}

std::vector<RobotsRecord> robotsRecordsByScanForTest(std::string_view body) {
  static constexpr std::string_view kNames[] = {
      "user-agent", "useragent", "user agent", "allow",    "disallow",    "disalow",
      "dissallow",  "dissalow",  "diasllow",   "disallaw", "crawl-delay", "sitemap"};
  static constexpr RobotsKey kKeys[] = {
      RobotsKey::kUserAgent, RobotsKey::kUserAgent, RobotsKey::kUserAgent,  RobotsKey::kAllow,
      RobotsKey::kDisallow,  RobotsKey::kDisallow,  RobotsKey::kDisallow,   RobotsKey::kDisallow,
      RobotsKey::kDisallow,  RobotsKey::kDisallow,  RobotsKey::kCrawlDelay, RobotsKey::kSitemap};
  std::vector<RobotsRecord> out;
  const std::string_view b = robotsEffectiveBody(body);
  uint32_t line = 0;
  size_t p = 0;
  while (p < b.size()) {
    ++line;
    const size_t eol = std::min(b.find_first_of("\r\n", p), b.size());
    std::string_view text = b.substr(p, eol - p);
    p = eol + (b.substr(eol, 2) == "\r\n" ? 2 : 1);
    text = text.substr(0, text.find('#'));
    RobotsRecord rec;
    rec.line = line;
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      rec.name = trim(text.substr(0, colon));
      rec.value = trim(text.substr(colon + 1));
      rec.literal = true;
      for (const char c : rec.value) {
        const auto o = static_cast<unsigned char>(c);
        rec.literal = rec.literal && o > 0x20 && o < 0x7F && c != '%' && c != '*' && c != '$';
      }
      if (rec.name.empty()) {
        continue;
      }
    } else if (!robots_internal::splitWords(text, rec.name, rec.value)) {
      continue;
    }
    std::string lower(rec.name);
    for (char& c : lower) {
      c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    for (size_t i = 0; i < std::size(kNames); ++i) {
      if (lower == kNames[i]) {
        rec.key = kKeys[i];
      }
    }
    out.push_back(rec);
  }
  return out;
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
