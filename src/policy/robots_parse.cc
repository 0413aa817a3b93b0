// SPDX-License-Identifier: Apache-2.0
// File: robots_parse.cc
#include "policy/robots_parse.h"

#include <algorithm>
#include <array>
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
  // Most files have no CR at all: then the line starts are the octets after an LF.
  const uint64_t after_lf = (raw.lf << 1) | lf;
  out.start[w] = (raw.cr | cr) == 0 ? after_lf : after_lf | (((raw.cr << 1) | cr) & ~raw.lf);
  lf = raw.lf >> 63;
  cr = raw.cr >> 63;
}

#if defined(AGENTBOX_ROBOTS_AVX512)
// Each octet's classes as bits of one octet, looked up by its low and by its high nibble and
// combined with AND: each bit stands for a set of low nibbles times a set of high nibbles.
enum NibbleClass : uint8_t {
  kNibbleLf = 1,        // 0x0A
  kNibbleCr = 2,        // 0x0D
  kNibbleHash = 4,      // '#' 0x23
  kNibbleColon = 8,     // ':' 0x3A
  kNibbleOp = 16,       // '$' 0x24, '%' 0x25, '*' 0x2A
  kNibbleDel = 32,      // 0x7F
  kNibbleCtlHigh = 64,  // < 0x20 or >= 0x80
  kNibbleSpace = 128,   // 0x20
};

// The classes of octet c.
constexpr unsigned octetClasses(unsigned c) {
  unsigned bits = 0;
  bits |= c == '\n' ? kNibbleLf : 0;
  bits |= c == '\r' ? kNibbleCr : 0;
  bits |= c == '#' ? kNibbleHash : 0;
  bits |= c == ':' ? kNibbleColon : 0;
  bits |= (c == '$' || c == '%' || c == '*') ? kNibbleOp : 0;
  bits |= c == 0x7F ? kNibbleDel : 0;
  bits |= (c < 0x20 || c >= 0x80) ? kNibbleCtlHigh : 0;
  bits |= c == ' ' ? kNibbleSpace : 0;
  return bits;
}

// Entry n: the classes of some octet whose low (or high) nibble is n.
constexpr std::array<uint8_t, 16> nibbleTable(bool high) {
  std::array<uint8_t, 16> t{};
  for (unsigned n = 0; n < 16; ++n) {
    unsigned bits = 0;
    for (unsigned other = 0; other < 16; ++other) {
      bits |= octetClasses(high ? n << 4 | other : other << 4 | n);
    }
    t[n] = static_cast<uint8_t>(bits);
  }
  return t;
}

constexpr std::array<uint8_t, 64> laneTables(const std::array<uint8_t, 16>& t) {
  std::array<uint8_t, 64> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = t[i % 16];
  }
  return out;
}

// The AND of the two lookups has exactly the bits of the octet's own classes, which holds
// because each class is a product of nibble sets (checked here for all 256 octets).
constexpr bool nibbleTablesExact() {
  constexpr auto kLow = nibbleTable(false);
  constexpr auto kHigh = nibbleTable(true);
  for (unsigned c = 0; c < 256; ++c) {
    if ((kLow[c & 15] & kHigh[c >> 4]) != octetClasses(c)) {
      return false;
    }
  }
  return true;
}
static_assert(nibbleTablesExact());

// The blocks of a run from p, for CPUs with AVX-512BW. Same classes as rawBaseline(), from one
// nibble lookup per block and one test per class: fewer operations on mask registers than a
// compare per octet value and ORs of the masks (each such operation costs about a cycle).
[[gnu::target("avx512bw")]] void classifyAvx512(const char* p, Run& run) {
  // The shuffle looks up within each 16-octet lane, so each lane gets a copy of the table.
  static constexpr auto kLo = laneTables(nibbleTable(false));
  static constexpr auto kHi = laneTables(nibbleTable(true));
  const __m512i lo_table = _mm512_loadu_si512(kLo.data());
  const __m512i hi_table = _mm512_loadu_si512(kHi.data());
  const __m512i low_nibble = _mm512_set1_epi8(0x0F);
  const __m512i lf_bits = _mm512_set1_epi8(kNibbleLf);
  const __m512i cr_bits = _mm512_set1_epi8(kNibbleCr);
  const __m512i value_end_bits = _mm512_set1_epi8(kNibbleLf | kNibbleCr | kNibbleHash);
  const __m512i key_stop_bits =
      _mm512_set1_epi8(kNibbleLf | kNibbleCr | kNibbleHash | kNibbleColon);
  const __m512i special_bits = _mm512_set1_epi8(
      static_cast<char>(kNibbleHash | kNibbleOp | kNibbleDel | kNibbleCtlHigh | kNibbleSpace));
  uint64_t lf = run.lf;
  uint64_t cr = run.cr;
  LexerWindow& out = *run.out;
  const size_t end = run.at + run.count;  // a local: the stores to `out` might alias `run`
  for (size_t w = run.at; w < end; ++w, p += 64) {
    const __m512i x = _mm512_loadu_si512(p);
    const __m512i lo = _mm512_shuffle_epi8(lo_table, _mm512_and_si512(x, low_nibble));
    const __m512i hi =
        _mm512_shuffle_epi8(hi_table, _mm512_and_si512(_mm512_srli_epi16(x, 4), low_nibble));
    const __m512i classes = _mm512_and_si512(lo, hi);
    RawBlock raw;
    raw.lf = _cvtmask64_u64(_mm512_test_epi8_mask(classes, lf_bits));
    raw.cr = _cvtmask64_u64(_mm512_test_epi8_mask(classes, cr_bits));
    raw.value_end = _cvtmask64_u64(_mm512_test_epi8_mask(classes, value_end_bits));
    raw.key_stop = _cvtmask64_u64(_mm512_test_epi8_mask(classes, key_stop_bits));
    raw.special = _cvtmask64_u64(_mm512_test_epi8_mask(classes, special_bits));
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
