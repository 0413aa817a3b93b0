// SPDX-License-Identifier: Apache-2.0
// File: shape_scanner.cc
// Byte classes with SSE2 where the target has it (every x86-64), a byte loop otherwise; the
// shapes are shifts and ANDs of 64-bit masks, so a block without a candidate costs no branch.
#include "redact/shape_scanner.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace agentbox::redact::detail {

namespace {

constexpr size_t kBlockBytes = 64;
constexpr unsigned kCardWindow = 23;  // bytes a card number's 13-19 digits may spread over
constexpr unsigned kCardDigits = 13;

// Bit i = the class of byte i - k (1 <= k <= 63), the bytes before the block taken from
// the previous block's mask.
inline uint64_t back(uint64_t cur, uint64_t prev, unsigned k) {
  return (cur << k) | (prev >> (64 - k));
}

#if defined(__x86_64__)
inline uint64_t bits16(__m128i hit, unsigned quarter) {
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(hit)) & 0xFFFFU)
         << (16 * quarter);
}

inline __m128i splat(char c) {
  return _mm_set1_epi8(c);
}

// A signed compare after shifting `lo` to -128 tests lo <= byte < lo + count in one step.
inline __m128i inRange(__m128i v, char lo, int count) {
  const __m128i shifted = _mm_add_epi8(v, splat(static_cast<char>(0x80 - lo)));
  return _mm_cmplt_epi8(shifted, splat(static_cast<char>(0x80 + count)));
}

void classifySse2(const char* p, ShapeScanner::Masks& m) {
  for (unsigned q = 0; q < 4; ++q) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + size_t{16} * q));
    const __m128i digit = inRange(v, '0', 10);
    const __m128i dash = _mm_cmpeq_epi8(v, splat('-'));
    const __m128i sep = _mm_or_si128(dash, _mm_cmpeq_epi8(v, splat(' ')));
    const __m128i letter = inRange(_mm_or_si128(v, splat(0x20)), 'a', 6);
    m.digit |= bits16(digit, q);
    m.sep |= bits16(sep, q);
    m.dash |= bits16(dash, q);
    m.dot |= bits16(_mm_cmpeq_epi8(v, splat('.')), q);
    m.colon |= bits16(_mm_cmpeq_epi8(v, splat(':')), q);
    m.hex |= bits16(_mm_or_si128(digit, letter), q);
  }
}

// The same classes 32 bytes at a time, on CPUs that have AVX2 (chosen at run time). Helpers
// are macros: a lambda or inline function would not inherit the target attribute.
#define AGENTBOX_SPLAT32(c) _mm256_set1_epi8(static_cast<char>(c))
#define AGENTBOX_IN_RANGE32(v, lo, count)             \
  _mm256_cmpgt_epi8(AGENTBOX_SPLAT32(0x80 + (count)), \
                    _mm256_add_epi8((v), AGENTBOX_SPLAT32(0x80 - (lo))))
#define AGENTBOX_BITS32(hit, half) \
  (static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(hit))) << (32 * (half)))

__attribute__((target("avx2"))) void classifyAvx2(const char* p, ShapeScanner::Masks& m) {
  for (unsigned h = 0; h < 2; ++h) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + size_t{32} * h));
    const __m256i digit = AGENTBOX_IN_RANGE32(v, '0', 10);
    const __m256i dash = _mm256_cmpeq_epi8(v, AGENTBOX_SPLAT32('-'));
    const __m256i sep = _mm256_or_si256(dash, _mm256_cmpeq_epi8(v, AGENTBOX_SPLAT32(' ')));
    const __m256i letter = AGENTBOX_IN_RANGE32(_mm256_or_si256(v, AGENTBOX_SPLAT32(0x20)), 'a', 6);
    m.digit |= AGENTBOX_BITS32(digit, h);
    m.sep |= AGENTBOX_BITS32(sep, h);
    m.dash |= AGENTBOX_BITS32(dash, h);
    m.dot |= AGENTBOX_BITS32(_mm256_cmpeq_epi8(v, AGENTBOX_SPLAT32('.')), h);
    m.colon |= AGENTBOX_BITS32(_mm256_cmpeq_epi8(v, AGENTBOX_SPLAT32(':')), h);
    m.hex |= AGENTBOX_BITS32(_mm256_or_si256(digit, letter), h);
  }
}

#undef AGENTBOX_BITS32
#undef AGENTBOX_IN_RANGE32
#undef AGENTBOX_SPLAT32

ShapeScanner::Classify pickClassify() {
  return __builtin_cpu_supports("avx2") ? &classifyAvx2 : &classifySse2;
}

ShapeScanner::Classify baselineClassify() {
  return &classifySse2;
}
#else
void classifyBytes(const char* p, ShapeScanner::Masks& m) {
  for (unsigned k = 0; k < kBlockBytes; ++k) {
    const auto c = static_cast<unsigned char>(p[k]);
    const uint64_t bit = uint64_t{1} << k;
    const bool digit = static_cast<unsigned char>(c - '0') <= 9;
    const bool letter = static_cast<unsigned char>((c | 0x20U) - 'a') < 6;
    m.digit |= digit ? bit : 0;
    m.sep |= (c == ' ' || c == '-') ? bit : 0;
    m.dash |= c == '-' ? bit : 0;
    m.dot |= c == '.' ? bit : 0;
    m.colon |= c == ':' ? bit : 0;
    m.hex |= (digit || letter) ? bit : 0;
  }
}

ShapeScanner::Classify pickClassify() {
  return &classifyBytes;
}

ShapeScanner::Classify baselineClassify() {
  return &classifyBytes;
}
#endif

// The masks of the last 64 bytes after a block of which only the first `n` (0 < n < 64)
// bytes are input.
ShapeScanner::Masks joined(const ShapeScanner::Masks& prev, const ShapeScanner::Masks& cur,
                           size_t n) {
  auto join = [n](uint64_t p, uint64_t c) { return (c << (kBlockBytes - n)) | (p >> n); };
  ShapeScanner::Masks m;
  m.digit = join(prev.digit, cur.digit);
  m.sep = join(prev.sep, cur.sep);
  m.dash = join(prev.dash, cur.dash);
  m.dot = join(prev.dot, cur.dot);
  m.colon = join(prev.colon, cur.colon);
  m.hex = join(prev.hex, cur.hex);
  m.v4_first = join(prev.v4_first, cur.v4_first);
  m.v4_second = join(prev.v4_second, cur.v4_second);
  m.v6_first = join(prev.v6_first, cur.v6_first);
  m.v6_second = join(prev.v6_second, cur.v6_second);
  return m;
}

// Bits kCardWindow-1..0 = bytes i..i-22 (bit 22 = byte i).
inline uint32_t cardWindow(uint64_t cur, uint64_t prev, unsigned i) {
  const unsigned low = kCardWindow - 1;
  const uint64_t w = i >= low ? cur >> (i - low) : (cur << (low - i)) | (prev >> (64 - low + i));
  return static_cast<uint32_t>(w) & ((1U << kCardWindow) - 1);
}

// Bit i: bytes i-12..i all have the class. Each step doubles the length; the previous
// block's partial results are exact in the high bits that the shifts bring in.
inline uint64_t runOf13(uint64_t cur, uint64_t prev) {
  const uint64_t r2 = cur & back(cur, prev, 1);
  const uint64_t p2 = prev & (prev << 1);
  const uint64_t r4 = r2 & back(r2, p2, 2);
  const uint64_t p4 = p2 & (p2 << 2);
  const uint64_t r8 = r4 & back(r4, p4, 4);
  const uint64_t p8 = p4 & (p4 << 4);
  return r8 & back(r8, p8, 5);
}

void appendHits(uint64_t hits, uint32_t trigger, uint64_t base, std::vector<TriggerHit>& out) {
  for (; hits != 0; hits &= hits - 1) {
    out.emplace_back(trigger, base + static_cast<uint64_t>(__builtin_ctzll(hits)) + 1);
  }
}

}  // namespace

ShapeScanner::ShapeScanner(const std::vector<std::pair<uint32_t, DigitShape>>& shapes)
    : classify_(pickClassify()) {
  for (const auto& [trigger, shape] : shapes) {
    switch (shape) {
      case DigitShape::kIpv4:
        ipv4_trigger_ = trigger;
        break;
      case DigitShape::kIpv6:
        ipv6_trigger_ = trigger;
        break;
      case DigitShape::kCardNumber:
      case DigitShape::kSsn:
      case DigitShape::kNanpPhone:
        card_on_ = card_on_ || shape == DigitShape::kCardNumber;
        ssn_on_ = ssn_on_ || shape == DigitShape::kSsn;
        nanp_on_ = nanp_on_ || shape == DigitShape::kNanpPhone;
        digit_shapes_.emplace_back(trigger, shape);
        break;
      case DigitShape::kNone:
        break;
    }
  }
  digits_on_ = !digit_shapes_.empty();
}

void ShapeScanner::useBaselineForTest() {
  classify_ = baselineClassify();
}

void ShapeScanner::scan(const char* p, size_t n, uint64_t base, std::vector<TriggerHit>& out) {
  v4_.clear();
  v6_.clear();
  size_t i = 0;
  for (; i + kBlockBytes <= n; i += kBlockBytes) {
    Masks m;
    classify_(p + i, m);
    block(m, base + i, out);
    prev_ = m;
  }
  if (i < n) {
    // Zero bytes are in none of the classes, so the padding neither fires nor completes a
    // shape; the kept masks are shifted so that they end at the last real byte.
    std::array<char, kBlockBytes> tail{};
    std::memcpy(tail.data(), p + i, n - i);
    Masks m;
    classify_(tail.data(), m);
    block(m, base + i, out);
    prev_ = joined(prev_, m, n - i);
  }
  out.insert(out.end(), v4_.begin(), v4_.end());
  out.insert(out.end(), v6_.begin(), v6_.end());
}

void ShapeScanner::block(Masks& m, uint64_t base, std::vector<TriggerHit>& out) {
  if (digits_on_ && m.digit != 0) {
    digitHits(m, base, out);
  }
  if (ipv4_trigger_ >= 0 && m.dot != 0) {
    appendHits(ipv4Hits(m), static_cast<uint32_t>(ipv4_trigger_), base, v4_);
  }
  if (ipv6_trigger_ >= 0 && m.colon != 0) {
    appendHits(ipv6Hits(m), static_cast<uint32_t>(ipv6_trigger_), base, v6_);
  }
}

void ShapeScanner::digitHits(const Masks& m, uint64_t base, std::vector<TriggerHit>& out) const {
  const Masks& q = prev_;
  auto digit = [&](unsigned k) { return back(m.digit, q.digit, k); };
  const uint64_t four = m.digit & digit(1) & digit(2) & digit(3);  // bytes i-3..i
  uint64_t nanp = 0;
  uint64_t ssn = 0;
  // Both need DDDD after a ' ' or '-' after a digit; log lines seldom have that.
  if ((four & back(m.sep, q.sep, 4) & digit(5)) != 0) {
    const uint64_t three_before = digit(5) & digit(6) & digit(7);  // bytes i-7..i-5
    if (nanp_on_) {
      nanp = four & back(m.sep, q.sep, 4) & three_before & ~digit(8);
    }
    if (ssn_on_) {
      ssn = four & back(m.dash, q.dash, 4) & digit(5) & digit(6) & back(m.dash, q.dash, 7) &
            digit(8) & digit(9) & digit(10);
    }
  }
  const uint64_t card = card_on_ ? cardHits(m, q) : uint64_t{0};
  for (uint64_t any = nanp | ssn | card; any != 0; any &= any - 1) {
    const auto i = static_cast<unsigned>(__builtin_ctzll(any));
    const uint64_t bit = uint64_t{1} << i;
    for (const auto& [trigger, shape] : digit_shapes_) {
      const uint64_t fired = shape == DigitShape::kCardNumber ? card
                             : shape == DigitShape::kSsn      ? ssn
                                                              : nanp;
      if ((fired & bit) != 0) {
        out.emplace_back(trigger, base + i + 1);
      }
    }
  }
}

uint64_t ShapeScanner::cardHits(const Masks& m, const Masks& prev) {
  const uint64_t run = m.digit | m.sep;
  const uint64_t prev_run = prev.digit | prev.sep;
  // 13 digits in a run need 13 run bytes in a row: a cheap filter before counting.
  uint64_t candidates = m.digit & runOf13(run, prev_run);
  uint64_t hits = 0;
  for (; candidates != 0; candidates &= candidates - 1) {
    const auto i = static_cast<unsigned>(__builtin_ctzll(candidates));
    uint32_t digits = cardWindow(m.digit, prev.digit, i);
    // Digits before the last byte outside the run are not part of it.
    const uint32_t breaks = ~cardWindow(run, prev_run, i) & ((1U << kCardWindow) - 1);
    if (breaks != 0) {
      digits &= ~0U << (32 - static_cast<unsigned>(__builtin_clz(breaks)));
    }
    if (__builtin_popcount(digits) >= static_cast<int>(kCardDigits)) {
      hits |= uint64_t{1} << i;
    }
  }
  return hits;
}

// A '.' (':') after a maximal run of 1-3 digits (1-4 hex digits) is a first group; one whose
// run of exactly k follows the '.' of a first group is a second; the same after a second is a
// hit. The run is maximal because the byte before it is the separator.
uint64_t ShapeScanner::ipv4Hits(Masks& m) const {
  const Masks& q = prev_;
  auto digit = [&](unsigned k) { return back(m.digit, q.digit, k); };
  auto dot = [&](unsigned k) { return back(m.dot, q.dot, k); };
  const uint64_t d1 = m.dot & digit(1);
  const uint64_t d2 = d1 & digit(2);
  const uint64_t d3 = d2 & digit(3);
  const uint64_t g1 = d1 & dot(2);  // exactly one digit between two dots
  const uint64_t g2 = d2 & dot(3);
  const uint64_t g3 = d3 & dot(4);
  auto linked = [&](uint64_t cur, uint64_t prev) {
    return (g1 & back(cur, prev, 2)) | (g2 & back(cur, prev, 3)) | (g3 & back(cur, prev, 4));
  };
  m.v4_first = d1 & ~(d3 & digit(4));
  m.v4_second = linked(m.v4_first, q.v4_first);
  return linked(m.v4_second, q.v4_second);
}

uint64_t ShapeScanner::ipv6Hits(Masks& m) const {
  const Masks& q = prev_;
  auto hex = [&](unsigned k) { return back(m.hex, q.hex, k); };
  auto colon = [&](unsigned k) { return back(m.colon, q.colon, k); };
  const uint64_t h1 = m.colon & hex(1);
  const uint64_t h2 = h1 & hex(2);
  const uint64_t h3 = h2 & hex(3);
  const uint64_t h4 = h3 & hex(4);
  const uint64_t g1 = h1 & colon(2);
  const uint64_t g2 = h2 & colon(3);
  const uint64_t g3 = h3 & colon(4);
  const uint64_t g4 = h4 & colon(5);
  auto linked = [&](uint64_t cur, uint64_t prev) {
    return (g1 & back(cur, prev, 2)) | (g2 & back(cur, prev, 3)) | (g3 & back(cur, prev, 4)) |
           (g4 & back(cur, prev, 5));
  };
  m.v6_first = h1 & ~(h4 & hex(5));
  m.v6_second = linked(m.v6_first, q.v6_first);
  return linked(m.v6_second, q.v6_second);
}

}  // namespace agentbox::redact::detail
