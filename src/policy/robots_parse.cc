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

namespace {

using robots_internal::LexerWindow;

// One block's classes before line starts are worked out (they need the octet before it).
struct RawBlock {
  uint64_t lf = 0;
  uint64_t cr = 0;
  uint64_t key_stop = 0;
  uint64_t special = 0;
  uint64_t value_end = 0;
};

// Where a run of blocks goes: window words [at, at + count). `lf` and `cr` say whether the
// octet before the run is an LF or a CR (bit 0), and are the run's last octet's afterwards.
struct Run {
  LexerWindow* out;
  size_t at;
  size_t count;
  uint64_t lf;
  uint64_t cr;
};

// A line starts after an LF, and after a CR whose next octet is not an LF (CR LF is one end).
// `lf` and `cr` are locals of the caller's loop, so that the carry stays in registers.
[[gnu::always_inline]] inline void finishBlock(const RawBlock& raw, uint64_t& lf, uint64_t& cr,
                                               LexerWindow& out, size_t w) {
  out.key_stop[w] = raw.key_stop;
  out.special[w] = raw.special;
  out.value_end[w] = raw.value_end;
  out.start[w] = ((raw.lf << 1) | lf) | (((raw.cr << 1) | cr) & ~raw.lf);
  lf = raw.lf >> 63;
  cr = raw.cr >> 63;
}

#if defined(AGENTBOX_ROBOTS_AVX512)
// The blocks of a run from p, for CPUs with AVX-512BW: compares give the bit masks directly.
// Same classes as rawBaseline().
[[gnu::target("avx512bw")]] void classifyAvx512(const char* p, Run& run) {
  uint64_t lf = run.lf;
  uint64_t cr = run.cr;
  LexerWindow& out = *run.out;
  for (size_t w = run.at; w < run.at + run.count; ++w, p += 64) {
    __m512i x = _mm512_loadu_si512(p);
    // Classes are combined in mask registers: each move to a general register costs more
    // than the compare that made the mask.
    __mmask64 lf_mask = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\n'));
    __mmask64 cr_mask = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\r'));
    __mmask64 hash = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('#'));
    // x + 1 < 0x22 as signed octets: exactly x <= 0x20 or x >= 0x7F.
    __mmask64 outside =
        _mm512_cmplt_epi8_mask(_mm512_add_epi8(x, _mm512_set1_epi8(1)), _mm512_set1_epi8(0x22));
    // '$' (0x24) and '%' (0x25) differ only in bit 0.
    __mmask64 dollar_percent = _mm512_cmpeq_epi8_mask(
        _mm512_and_si512(x, _mm512_set1_epi8(static_cast<char>(0xFE))), _mm512_set1_epi8('$'));
    __mmask64 value_end = _kor_mask64(_kor_mask64(lf_mask, cr_mask), hash);
    RawBlock raw;
    raw.lf = _cvtmask64_u64(lf_mask);
    raw.cr = _cvtmask64_u64(cr_mask);
    raw.value_end = _cvtmask64_u64(value_end);
    raw.key_stop =
        _cvtmask64_u64(_kor_mask64(value_end, _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(':'))));
    raw.special = _cvtmask64_u64(
        _kor_mask64(_kor_mask64(outside, hash),
                    _kor_mask64(dollar_percent, _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('*')))));
    finishBlock(raw, lf, cr, out, w);
  }
  run.lf = lf;
  run.cr = cr;
}

bool haveAvx512() {
  static const bool kHave = __builtin_cpu_supports("avx512bw");
  return kHave;
}
#endif

#if defined(__SSE2__)
// One block in four 16-octet steps (every x86-64).
RawBlock rawBaseline(const char* p) {
  RawBlock b;
  for (unsigned shift = 0; shift < 64; shift += 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + shift));
    auto eq = [&x](char o) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(o)); };
    auto bits = [shift](__m128i m) {
      return uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(m))} << shift;
    };
    __m128i lf = eq('\n');
    __m128i cr = eq('\r');
    __m128i hash = eq('#');
    // x + 1 < 0x22 as signed octets: exactly x <= 0x20 or x >= 0x7F.
    __m128i outside = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(1)), _mm_set1_epi8(0x22));
    // '$' (0x24) and '%' (0x25) differ only in bit 0.
    __m128i dollar_percent = _mm_cmpeq_epi8(
        _mm_and_si128(x, _mm_set1_epi8(static_cast<char>(0xFE))), _mm_set1_epi8('$'));
    __m128i value_end = _mm_or_si128(_mm_or_si128(lf, cr), hash);
    b.lf |= bits(lf);
    b.cr |= bits(cr);
    b.value_end |= bits(value_end);
    b.key_stop |= bits(_mm_or_si128(value_end, eq(':')));
    b.special |=
        bits(_mm_or_si128(_mm_or_si128(outside, hash), _mm_or_si128(dollar_percent, eq('*'))));
  }
  return b;
}
#else
// Plain C++ elsewhere.
RawBlock rawBaseline(const char* p) {
  RawBlock b;
  for (unsigned i = 0; i < 64; ++i) {
    const auto o = static_cast<unsigned char>(p[i]);
    const uint64_t bit = uint64_t{1} << i;
    b.lf |= o == '\n' ? bit : 0;
    b.cr |= o == '\r' ? bit : 0;
    b.value_end |= (o == '\n' || o == '\r' || o == '#') ? bit : 0;
    b.key_stop |= (o == '\n' || o == '\r' || o == '#' || o == ':') ? bit : 0;
    b.special |= (o <= 0x20 || o >= 0x7F || o == '#' || o == '%' || o == '*' || o == '$') ? bit : 0;
  }
  return b;
}
#endif

// The baseline classifier of a run's blocks from p.
void classifyBaseline(const char* p, Run& run) {
  uint64_t lf = run.lf;
  uint64_t cr = run.cr;
  for (size_t w = run.at; w < run.at + run.count; ++w, p += 64) {
    finishBlock(rawBaseline(p), lf, cr, *run.out, w);
  }
  run.lf = lf;
  run.cr = cr;
}

}  // namespace

// NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init): refill(0) writes all of bits_.
RobotsLexer::RobotsLexer(std::string_view body, Classifier classifier) {
  const std::string_view b = robotsEffectiveBody(body);
  data_ = b.data();
  size_ = b.size();
#if defined(AGENTBOX_ROBOTS_AVX512)
  avx512_ = classifier == Classifier::kWidest && haveAvx512();
#else
  static_cast<void>(classifier);
#endif
  refill(0);
}

void RobotsLexer::refill(size_t at) {
  window_ = at & ~size_t{63};
  char before = window_ != 0 ? data_[window_ - 1] : '\0';
  Run run{&bits_, 0, 0, before == '\n' ? 1U : 0U, before == '\r' ? 1U : 0U};
  auto classify = [this, &run](const char* p, size_t count) {
    run.count = count;
#if defined(AGENTBOX_ROBOTS_AVX512)
    if (avx512_) {
      classifyAvx512(p, run);
      run.at += count;
      return;
    }
#endif
    classifyBaseline(p, run);
    run.at += count;
  };
  constexpr size_t kBlocks = robots_internal::kLexerWindowBlocks;
  size_t full = std::min(kBlocks, (size_ - window_) / 64);
  classify(data_ + window_, full);
  if (full == kBlocks) {
    return;
  }
  // The block that holds the end, padded with LF; after it, nothing but LF.
  char pad[64];
  size_t tail = window_ + full * 64;
  size_t n = size_ - tail;
  if (n != 0) {
    std::memcpy(pad, data_ + tail, n);
  }
  std::memset(pad + n, '\n', 64 - n);
  classify(pad, 1);
  for (size_t w = full + 1; w < kBlocks; ++w) {
    bits_.key_stop[w] = bits_.special[w] = bits_.value_end[w] = bits_.start[w] = ~uint64_t{0};
  }
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
