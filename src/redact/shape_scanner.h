// SPDX-License-Identifier: Apache-2.0
// File: shape_scanner.h
// Internal to redact/: the triggers without a literal (DigitShape), found 64 bytes at a time.
// Each block of input becomes one bit mask per byte class (digit, ' ' or '-', '-', '.', ':',
// hex digit), and every shape is a function of the masks of its last few bytes: a shape
// fires at byte i when the bytes before i, shifted into place, all have their class. The
// masks of the previous 64 bytes are kept, so a shape split across writes fires as if the
// stream had come in one write. Every shape looks back at most 23 bytes.
//
// Where each shape fires (byte i, a digit unless said otherwise; "run" = maximal run of
// [0-9 -] bytes; bytes before the stream start count as none of the classes):
//   kCardNumber  at least 13 digits among bytes i-22..i that are in the run holding i
//   kSsn         bytes i-10..i are DDD-DD-DDDD
//   kNanpPhone   bytes i-7..i are DDD[ -]DDDD and byte i-8 is not a digit
//   kIpv4        byte i is the '.' that ends G.G.G., each G a maximal run of 1-3 digits
//   kIpv6        byte i is the ':' that ends G:G:G:, each G a maximal run of 1-4 hex digits
// Not thread-safe; one per TextEngine.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "redact/rule.h"

namespace agentbox::redact::detail {

// (trigger index, end offset of the trigger) as the Vectorscan callback reports it.
using TriggerHit = std::pair<uint32_t, uint64_t>;

// hits[first, mid) and hits[mid, end) are each by end offset: makes hits[first, end) so, the
// first range's hits before the second's where they end at one byte. The engine joins a
// trigger to its rule's newest window, so one rule's triggers must come in order of their end
// however the matchers that found them are interleaved (a later trigger first would swallow
// an earlier one, and that would depend on how the input was cut).
inline void mergeByEnd(std::vector<TriggerHit>& hits, size_t first, size_t mid,
                       std::vector<TriggerHit>& scratch) {
  if (first < mid && mid < hits.size() && hits[mid - 1].second > hits[mid].second) {
    // The first range is moved aside (scratch keeps its capacity between writes) and merged
    // back into place with the second.
    const auto at = [&hits](size_t i) { return hits.begin() + static_cast<std::ptrdiff_t>(i); };
    scratch.assign(at(first), at(mid));
    std::merge(scratch.begin(), scratch.end(), at(mid), hits.end(), at(first),
               [](const TriggerHit& a, const TriggerHit& b) { return a.second < b.second; });
  }
}

class ShapeScanner {
 public:
  // `shapes`: (trigger index, shape) of every shape trigger, in the order the triggers that
  // fire at one byte are reported.
  explicit ShapeScanner(const std::vector<std::pair<uint32_t, DigitShape>>& shapes);

  // Appends the hits in bytes [p, p + n), which start at stream offset `base`, by end offset;
  // hits that end at one byte: card/SSN/NANP, then IPv4, then IPv6.
  void scan(const char* p, size_t n, uint64_t base, std::vector<TriggerHit>& out);
  // A new stream: nothing before the next byte.
  void reset() { prev_ = {}; }
  // Which instructions classify the bytes: the best the CPU has unless a test picks one.
  enum class Isa : uint8_t {
    kBaseline,  // SSE2 on x86-64, a byte loop elsewhere
    kAvx2,
    kAvx512,  // AVX-512BW: one 64-byte register per block
  };
  // Classifies with `isa`; false (and no change) if this CPU or build does not have it.
  [[nodiscard]] bool useIsaForTest(Isa isa);
  [[nodiscard]] bool active() const {
    return digits_on_ || ipv4_trigger_ >= 0 || ipv6_trigger_ >= 0;
  }

  // Bit k of each mask is byte k of a 64-byte block.
  struct Masks {
    uint64_t digit = 0;
    uint64_t sep = 0;    // ' ' or '-'
    uint64_t dash = 0;   // '-'
    uint64_t dot = 0;    // '.'
    uint64_t colon = 0;  // ':'
    uint64_t hex = 0;    // 0-9 A-F a-f
  };
  // Fills the byte classes of `blocks` blocks of 64 bytes, out[k] for bytes 64k..64k+63 (SSE2,
  // AVX2, AVX-512BW or a byte loop, picked for the CPU); the other fields are zero.
  using Classify = void (*)(const char* p, size_t blocks, Masks* out);

 private:
  // Whole blocks (n a multiple of 64): one at a time, or eight at a time with AVX-512F.
  void scanBlocks(const char* p, size_t n, uint64_t base, std::vector<TriggerHit>& out);
  void scanLanes(const char* p, size_t n, uint64_t base, std::vector<TriggerHit>& out);
  // `m` is a block, `q` the 64 bytes before it.
  void block(const Masks& m, const Masks& q, uint64_t base, std::vector<TriggerHit>& out);
  void digitHits(const Masks& m, const Masks& q, uint64_t base, std::vector<TriggerHit>& out) const;
  // Appends the hits of one block from its NANP, SSN and card-candidate bits, by byte.
  void emitDigitHits(uint64_t nanp, uint64_t ssn, uint64_t card_candidates, uint64_t digit,
                     uint64_t run, uint64_t prev_digit, uint64_t prev_run, uint64_t base,
                     std::vector<TriggerHit>& out) const;
  // The candidates with at least 13 digits among the 23 bytes that end there, in their run.
  static uint64_t cardHits(uint64_t candidates, uint64_t digit, uint64_t run, uint64_t prev_digit,
                           uint64_t prev_run);
  static uint64_t ipv4Hits(const Masks& m, const Masks& q);
  static uint64_t ipv6Hits(const Masks& m, const Masks& q);

  Classify classify_;
  bool lanes_ = false;  // scanLanes() (the CPU has AVX-512BW)
  std::vector<std::pair<uint32_t, DigitShape>> digit_shapes_;  // card, SSN, NANP only
  bool card_on_ = false;
  bool ssn_on_ = false;
  bool nanp_on_ = false;
  bool digits_on_ = false;
  int64_t ipv4_trigger_ = -1;
  int64_t ipv6_trigger_ = -1;
  Masks prev_;                  // the 64 bytes before the next one
  std::vector<TriggerHit> v4_;  // this write's IPv4 hits, appended after the digit hits
  std::vector<TriggerHit> v6_;
  std::vector<TriggerHit> merge_scratch_;
};

}  // namespace agentbox::redact::detail
