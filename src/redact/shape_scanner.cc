// SPDX-License-Identifier: Apache-2.0
// File: shape_scanner.cc
// Byte classes with SSE2 where the target has it (every x86-64), AVX2 or AVX-512BW where the
// CPU has them, a byte loop otherwise; the shapes are shifts and ANDs of 64-bit masks, so a
// block without a candidate costs no branch.
#include "redact/shape_scanner.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace agentbox::redact::detail {

namespace {

constexpr size_t kBlockBytes = 64;
constexpr size_t kBatchBlocks = 16;   // blocks classified per call (1 KiB, 1,280 bytes of masks)
constexpr unsigned kCardWindow = 23;  // bytes a card number's 13-19 digits may spread over
constexpr unsigned kCardDigits = 13;

// The shapes are written once for W = uint64_t (one block) and for W = Lanes (eight blocks,
// lane b = block b, in AVX-512 registers inside the functions compiled for AVX-512F): every
// operation is lane-wise, so both give the same bits.
using Lanes = uint64_t __attribute__((vector_size(64)));

#define AGENTBOX_LANEWISE inline __attribute__((always_inline))

namespace bits {
#include "redact/shape_bits.inc"
}  // namespace bits

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

void classifySse2Block(const char* p, ShapeScanner::Masks& m) {
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

void classifySse2(const char* p, size_t blocks, ShapeScanner::Masks* out) {
  for (size_t b = 0; b < blocks; ++b) {
    out[b] = {};
    classifySse2Block(p + b * kBlockBytes, out[b]);
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

__attribute__((target("avx2"))) inline void classifyAvx2Block(const char* p,
                                                              ShapeScanner::Masks& m) {
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

__attribute__((target("avx2"))) void classifyAvx2(const char* p, size_t blocks,
                                                  ShapeScanner::Masks* out) {
  for (size_t b = 0; b < blocks; ++b) {
    out[b] = {};
    classifyAvx2Block(p + b * kBlockBytes, out[b]);
  }
}

#undef AGENTBOX_BITS32
#undef AGENTBOX_IN_RANGE32
#undef AGENTBOX_SPLAT32

// All 64 bytes in one register; each compare gives its 64-bit mask directly.
#define AGENTBOX_SPLAT64(c) _mm512_set1_epi8(static_cast<char>(c))
__attribute__((target("avx512bw"))) inline void classifyAvx512Block(const char* p,
                                                                    ShapeScanner::Masks& m) {
  const __m512i v = _mm512_loadu_si512(p);
  const uint64_t digit =
      _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, AGENTBOX_SPLAT64('0')), AGENTBOX_SPLAT64(10));
  const uint64_t letter = _mm512_cmplt_epu8_mask(
      _mm512_sub_epi8(_mm512_or_si512(v, AGENTBOX_SPLAT64(0x20)), AGENTBOX_SPLAT64('a')),
      AGENTBOX_SPLAT64(6));
  const uint64_t dash = _mm512_cmpeq_epi8_mask(v, AGENTBOX_SPLAT64('-'));
  m.digit = digit;
  m.dash = dash;
  m.sep = dash | _mm512_cmpeq_epi8_mask(v, AGENTBOX_SPLAT64(' '));
  m.dot = _mm512_cmpeq_epi8_mask(v, AGENTBOX_SPLAT64('.'));
  m.colon = _mm512_cmpeq_epi8_mask(v, AGENTBOX_SPLAT64(':'));
  m.hex = digit | letter;
}

__attribute__((target("avx512bw"))) void classifyAvx512(const char* p, size_t blocks,
                                                        ShapeScanner::Masks* out) {
  for (size_t b = 0; b < blocks; ++b) {
    out[b] = {};
    classifyAvx512Block(p + b * kBlockBytes, out[b]);
  }
}
#undef AGENTBOX_SPLAT64

bool cpuHas(ShapeScanner::Isa isa) {
  switch (isa) {
    case ShapeScanner::Isa::kBaseline:
      return true;
    case ShapeScanner::Isa::kAvx2:
      return __builtin_cpu_supports("avx2");
    case ShapeScanner::Isa::kAvx512:
      return __builtin_cpu_supports("avx512bw");
  }
  return false;
}

ShapeScanner::Classify classifyFor(ShapeScanner::Isa isa) {
  switch (isa) {
    case ShapeScanner::Isa::kAvx512:
      return &classifyAvx512;
    case ShapeScanner::Isa::kAvx2:
      return &classifyAvx2;
    case ShapeScanner::Isa::kBaseline:
      break;
  }
  return &classifySse2;
}
#else
void classifyBytesBlock(const char* p, ShapeScanner::Masks& m) {
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

void classifyBytes(const char* p, size_t blocks, ShapeScanner::Masks* out) {
  for (size_t b = 0; b < blocks; ++b) {
    out[b] = {};
    classifyBytesBlock(p + b * kBlockBytes, out[b]);
  }
}

bool cpuHas(ShapeScanner::Isa isa) {
  return isa == ShapeScanner::Isa::kBaseline;
}

ShapeScanner::Classify classifyFor(ShapeScanner::Isa /*isa*/) {
  return &classifyBytes;
}
#endif

ShapeScanner::Classify pickClassify() {
  for (ShapeScanner::Isa isa : {ShapeScanner::Isa::kAvx512, ShapeScanner::Isa::kAvx2}) {
    if (cpuHas(isa)) {
      return classifyFor(isa);
    }
  }
  return classifyFor(ShapeScanner::Isa::kBaseline);
}

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
  return m;
}

// Bits kCardWindow-1..0 = bytes i..i-22 (bit 22 = byte i).
inline uint32_t cardWindow(uint64_t cur, uint64_t prev, unsigned i) {
  const unsigned low = kCardWindow - 1;
  const uint64_t w = i >= low ? cur >> (i - low) : (cur << (low - i)) | (prev >> (64 - low + i));
  return static_cast<uint32_t>(w) & ((1U << kCardWindow) - 1);
}

// The baseline x86-64 target has no POPCNT instruction, and __builtin_popcount becomes a
// library call there: bit counts are written out.
inline unsigned bitCount(uint32_t v) {
  v = v - ((v >> 1) & 0x55555555U);
  v = (v & 0x33333333U) + ((v >> 2) & 0x33333333U);
  v = (v + (v >> 4)) & 0x0F0F0F0FU;
  return (v * 0x01010101U) >> 24;
}

// True if a and b have at least three set bits between them.
inline bool atLeastThreeBits(uint64_t a, uint64_t b) {
  const uint64_t a1 = a & (a - 1);  // a without its lowest bit
  const uint64_t a2 = a1 & (a1 - 1);
  const uint64_t b1 = b & (b - 1);
  const uint64_t b2 = b1 & (b1 - 1);
  return (a2 | (a1 != 0 && b != 0 ? 1U : 0U) | (a != 0 && b1 != 0 ? 1U : 0U) | b2) != 0;
}

void appendHits(uint64_t hits, uint32_t trigger, uint64_t base, std::vector<TriggerHit>& out) {
  for (; hits != 0; hits &= hits - 1) {
    out.emplace_back(trigger, base + static_cast<uint64_t>(__builtin_ctzll(hits)) + 1);
  }
}

}  // namespace

ShapeScanner::ShapeScanner(const std::vector<std::pair<uint32_t, DigitShape>>& shapes)
    : classify_(pickClassify()), lanes_(cpuHas(Isa::kAvx512)) {
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

bool ShapeScanner::useIsaForTest(Isa isa) {
  if (!cpuHas(isa)) {
    return false;
  }
  classify_ = classifyFor(isa);
  lanes_ = isa == Isa::kAvx512;
  return true;
}

// A '.' (':') after a maximal run of 1-3 digits (1-4 hex digits) is a first group; one whose
// run of exactly k follows the '.' of a first group is a second; the same after a second is a
// hit. The run is maximal because the byte before it is the separator. A group looks back at
// most 5 bytes, so the previous block's groups in the bits a shift brings in are computed from
// that block's own bytes (the blocks before it cannot change them) and need not be kept.
namespace {

template <unsigned kLongest>
uint64_t separatorHits(uint64_t run, uint64_t sep, uint64_t prev_run, uint64_t prev_sep) {
  // A hit needs three separators within 2 * (kLongest + 1) + 1 bytes: fewer in this block and
  // the end of the one before, and nothing can fire (most blocks stop here).
  constexpr unsigned kReach = 2 * (kLongest + 1);
  if (!atLeastThreeBits(sep, prev_sep >> (64 - kReach))) {
    return 0;
  }
  return bits::groupHits<kLongest>(run, sep, prev_run, prev_sep);
}

}  // namespace

void ShapeScanner::scan(const char* p, size_t n, uint64_t base, std::vector<TriggerHit>& out) {
  v4_.clear();
  v6_.clear();
  const size_t first = out.size();
  const size_t whole = n - n % kBlockBytes;
  if (lanes_) {
    scanLanes(p, whole, base, out);
  } else {
    scanBlocks(p, whole, base, out);
  }
  if (whole < n) {
    // Zero bytes are in none of the classes, so the padding neither fires nor completes a
    // shape; the kept masks are shifted so that they end at the last real byte.
    std::array<char, kBlockBytes> tail{};
    std::memcpy(tail.data(), p + whole, n - whole);
    Masks m;
    classify_(tail.data(), 1, &m);
    block(m, prev_, base + whole, out);
    prev_ = joined(prev_, m, n - whole);
  }
  // Each list is by offset; merged (stable) so that one rule's hits are too.
  for (const std::vector<TriggerHit>* more : {&v4_, &v6_}) {
    const size_t mid = out.size();
    out.insert(out.end(), more->begin(), more->end());
    mergeByEnd(out, first, mid, merge_scratch_);
  }
}

void ShapeScanner::scanBlocks(const char* p, size_t n, uint64_t base,
                              std::vector<TriggerHit>& out) {
  // Classified a batch at a time (one indirect call, constants loaded once), then the shapes
  // of each block against the one before it.
  std::array<Masks, kBatchBlocks> batch;
  for (size_t i = 0; i < n;) {
    const size_t blocks = std::min(kBatchBlocks, (n - i) / kBlockBytes);
    classify_(p + i, blocks, batch.data());
    block(batch[0], prev_, base + i, out);
    for (size_t b = 1; b < blocks; ++b) {
      block(batch[b], batch[b - 1], base + i + b * kBlockBytes, out);
    }
    prev_ = batch[blocks - 1];
    i += blocks * kBlockBytes;
  }
}

#if defined(__x86_64__)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw")
#endif
namespace {
namespace lane_bits {
#include "redact/shape_bits.inc"
}  // namespace lane_bits

// One class's masks of a batch, by block: index 0 is the block before the batch, 1..16 the
// batch, and the rest zero, so that eight blocks and the eight before them are one load each.
struct LaneMasks {
  static constexpr size_t kSlots = kBatchBlocks + 8;
  alignas(64) std::array<uint64_t, kSlots> digit{};
  alignas(64) std::array<uint64_t, kSlots> sep{};
  alignas(64) std::array<uint64_t, kSlots> dash{};
  alignas(64) std::array<uint64_t, kSlots> dot{};
  alignas(64) std::array<uint64_t, kSlots> colon{};
  alignas(64) std::array<uint64_t, kSlots> hex{};

  void set(size_t k, const ShapeScanner::Masks& m) {
    digit[k] = m.digit;
    sep[k] = m.sep;
    dash[k] = m.dash;
    dot[k] = m.dot;
    colon[k] = m.colon;
    hex[k] = m.hex;
  }
  [[nodiscard]] ShapeScanner::Masks get(size_t k) const {
    return {digit[k], sep[k], dash[k], dot[k], colon[k], hex[k]};
  }
};

AGENTBOX_LANEWISE Lanes loadLanes(const uint64_t* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

AGENTBOX_LANEWISE void storeLanes(Lanes v, uint64_t* p) {
  std::memcpy(p, &v, sizeof(v));
}

}  // namespace
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

__attribute__((target("avx512f,avx512bw"))) void ShapeScanner::scanLanes(
    const char* p, size_t n, uint64_t base, std::vector<TriggerHit>& out) {
  LaneMasks lm;
  for (size_t i = 0; i < n;) {
    const size_t blocks = std::min(kBatchBlocks, (n - i) / kBlockBytes);
    lm.set(0, prev_);
    for (size_t b = 0; b < kBatchBlocks; ++b) {
      Masks m;
      if (b < blocks) {
        classifyAvx512Block(p + i + b * kBlockBytes, m);
      }
      lm.set(b + 1, m);
    }
    for (size_t g = 0; g < blocks; g += 8) {
      // Lane b: block g + b (slot g + b + 1) against the block before it (slot g + b).
      const Lanes digit = loadLanes(&lm.digit[g + 1]);
      const Lanes q_digit = loadLanes(&lm.digit[g]);
      const Lanes sep = loadLanes(&lm.sep[g + 1]);
      const Lanes q_sep = loadLanes(&lm.sep[g]);
      std::array<uint64_t, 8> nanp{};
      std::array<uint64_t, 8> ssn{};
      std::array<uint64_t, 8> cards{};
      std::array<uint64_t, 8> v4{};
      std::array<uint64_t, 8> v6{};
      if (digits_on_) {
        const lane_bits::DigitShapeBits<Lanes> shape = lane_bits::digitShapeBits(
            digit, sep, loadLanes(&lm.dash[g + 1]), q_digit, q_sep, loadLanes(&lm.dash[g]));
        storeLanes(shape.nanp, nanp.data());
        storeLanes(shape.ssn, ssn.data());
        storeLanes(shape.card_candidates, cards.data());
      }
      if (ipv4_trigger_ >= 0) {
        storeLanes(lane_bits::groupHits<3>(digit, loadLanes(&lm.dot[g + 1]), q_digit,
                                           loadLanes(&lm.dot[g])),
                   v4.data());
      }
      if (ipv6_trigger_ >= 0) {
        storeLanes(lane_bits::groupHits<4>(loadLanes(&lm.hex[g + 1]), loadLanes(&lm.colon[g + 1]),
                                           loadLanes(&lm.hex[g]), loadLanes(&lm.colon[g])),
                   v6.data());
      }
      for (size_t b = 0; b < 8 && g + b < blocks; ++b) {
        const size_t k = g + b + 1;
        const uint64_t at = base + i + (g + b) * kBlockBytes;
        if ((nanp[b] | ssn[b] | cards[b]) != 0) {
          emitDigitHits(nanp[b], ssn[b], cards[b], lm.digit[k], lm.digit[k] | lm.sep[k],
                        lm.digit[k - 1], lm.digit[k - 1] | lm.sep[k - 1], at, out);
        }
        appendHits(v4[b], static_cast<uint32_t>(ipv4_trigger_), at, v4_);
        appendHits(v6[b], static_cast<uint32_t>(ipv6_trigger_), at, v6_);
      }
    }
    prev_ = lm.get(blocks);
    i += blocks * kBlockBytes;
  }
}
#else
void ShapeScanner::scanLanes(const char* p, size_t n, uint64_t base, std::vector<TriggerHit>& out) {
  scanBlocks(p, n, base, out);
}
#endif

inline void ShapeScanner::block(const Masks& m, const Masks& q, uint64_t base,
                                std::vector<TriggerHit>& out) {
  if (digits_on_ && m.digit != 0) {
    digitHits(m, q, base, out);
  }
  if (ipv4_trigger_ >= 0 && m.dot != 0) {
    appendHits(ipv4Hits(m, q), static_cast<uint32_t>(ipv4_trigger_), base, v4_);
  }
  if (ipv6_trigger_ >= 0 && m.colon != 0) {
    appendHits(ipv6Hits(m, q), static_cast<uint32_t>(ipv6_trigger_), base, v6_);
  }
}

inline void ShapeScanner::digitHits(const Masks& m, const Masks& q, uint64_t base,
                                    std::vector<TriggerHit>& out) const {
  const bits::DigitShapeBits<uint64_t> shape =
      bits::digitShapeBits(m.digit, m.sep, m.dash, q.digit, q.sep, q.dash);
  emitDigitHits(shape.nanp, shape.ssn, shape.card_candidates, m.digit, m.digit | m.sep, q.digit,
                q.digit | q.sep, base, out);
}

inline void ShapeScanner::emitDigitHits(uint64_t nanp, uint64_t ssn, uint64_t card_candidates,
                                        uint64_t digit, uint64_t run, uint64_t prev_digit,
                                        uint64_t prev_run, uint64_t base,
                                        std::vector<TriggerHit>& out) const {
  nanp = nanp_on_ ? nanp : 0;
  ssn = ssn_on_ ? ssn : 0;
  const uint64_t card = card_on_ && card_candidates != 0
                            ? cardHits(card_candidates, digit, run, prev_digit, prev_run)
                            : uint64_t{0};
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

inline uint64_t ShapeScanner::cardHits(uint64_t candidates, uint64_t digit, uint64_t run,
                                       uint64_t prev_digit, uint64_t prev_run) {
  uint64_t hits = 0;
  for (; candidates != 0; candidates &= candidates - 1) {
    const auto i = static_cast<unsigned>(__builtin_ctzll(candidates));
    uint32_t digits = cardWindow(digit, prev_digit, i);
    // Digits before the last byte outside the run are not part of it.
    const uint32_t breaks = ~cardWindow(run, prev_run, i) & ((1U << kCardWindow) - 1);
    if (breaks != 0) {
      digits &= ~0U << (32 - static_cast<unsigned>(__builtin_clz(breaks)));
    }
    if (bitCount(digits) >= kCardDigits) {
      hits |= uint64_t{1} << i;
    }
  }
  return hits;
}

inline uint64_t ShapeScanner::ipv4Hits(const Masks& m, const Masks& q) {
  return separatorHits<3>(m.digit, m.dot, q.digit, q.dot);
}

inline uint64_t ShapeScanner::ipv6Hits(const Masks& m, const Masks& q) {
  return separatorHits<4>(m.hex, m.colon, q.hex, q.colon);
}

}  // namespace agentbox::redact::detail
