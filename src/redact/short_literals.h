// SPDX-License-Identifier: Apache-2.0
// File: short_literals.h
// Internal to redact/: the triggers whose keyword is 1-3 printable ASCII bytes ("@", "+1",
// "SK", "eyJ"), found without Vectorscan. Its literal matcher (FDR) slows down with every short
// literal in its set: on the benchmark's mixed log, the built-in keywords scan at 2.4 GB/s with
// the 24 such literals and at 3.3 GB/s without them (docs/performance.md).
//
// The literals are put into at most 8 buckets. For each of the last three bytes before a
// possible match end, a table gives every byte value the set of buckets whose literals may
// have it there (a literal shorter than 3 bytes takes any byte at the positions before it).
// A byte ends a candidate when one bucket is in all three sets; each candidate is then
// compared with the literals of its buckets, so the tables may over-approximate (the AVX2
// path's nibble tables do) and hits are exact on every path.
//
// ShortLiterals is built once with the RuleSet and shared; ShortLiteralScanner is one
// stream's state (the two bytes before the next write), one per TextEngine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "redact/shape_scanner.h"
#include "util/result.h"

namespace agentbox::redact::detail {

struct ShortLiteral {
  uint32_t trigger = 0;  // reported as the Vectorscan callback would report it
  std::string bytes;     // 1-3 bytes, each 0x20-0x7e
  bool caseless = false;
};

class ShortLiterals {
 public:
  static constexpr size_t kMaxLength = 3;
  static constexpr size_t kMaxLiterals = 64;
  static constexpr size_t kBuckets = 8;

  // True if `keyword` can be one of the literals (length and bytes).
  [[nodiscard]] static bool eligible(std::string_view keyword);

  ShortLiterals() = default;
  // Errors: kInvalidInput if there are more than kMaxLiterals or one is not eligible (RuleSet
  // only passes what fits: a literal dropped here would be a trigger never reported).
  static Result<ShortLiterals> build(std::vector<ShortLiteral> literals);

  [[nodiscard]] bool empty() const { return literals_.empty(); }
  [[nodiscard]] const std::vector<ShortLiteral>& literals() const { return literals_; }

  // exact[j][c]: the buckets whose literals may have byte c at position j (0 = two bytes
  // before the end, 2 = the end byte).
  struct Tables {
    std::array<std::array<uint8_t, 256>, 3> exact{};
    std::array<std::array<uint8_t, 16>, 3> low_nibble{};   // superset by the low nibble
    std::array<std::array<uint8_t, 16>, 3> high_nibble{};  // ... and by the high nibble
  };
  [[nodiscard]] const Tables& tables() const { return tables_; }
  // Indices into literals() of bucket b's literals, by trigger.
  [[nodiscard]] const std::vector<uint32_t>& bucket(size_t b) const { return buckets_[b]; }

 private:
  void group();  // fills buckets_ and tables_ from literals_

  std::vector<ShortLiteral> literals_;
  std::array<std::vector<uint32_t>, kBuckets> buckets_;
  Tables tables_;
};

class ShortLiteralScanner {
 public:
  // `set` must outlive the scanner (the RuleSet owns it).
  explicit ShortLiteralScanner(const ShortLiterals& set);

  [[nodiscard]] bool active() const { return !set_->empty(); }
  // Appends (trigger, end offset) of every literal that ends in [p, p + n), which starts at
  // stream offset `base`, by end offset; literals ending at one byte in bucket order.
  void scan(const char* p, size_t n, uint64_t base, std::vector<TriggerHit>& out);
  // A new stream: nothing before the next byte.
  void reset() { history_ = {}; }

  using Isa = ShapeScanner::Isa;  // kAvx512 here also needs AVX512-VBMI
  // Finds candidates with `isa`; false (and no change) if this CPU or build does not have it.
  [[nodiscard]] bool useIsaForTest(Isa isa);

  // Bit k of out[b]: byte 64 * b + k of the blocks may end a literal. `p` points two bytes
  // before the first block (those bytes and the blocks are all read).
  using Find = void (*)(const ShortLiterals::Tables& t, const char* p, size_t blocks,
                        uint64_t* out);

 private:
  // Checks the candidate ending at index `end` of the bytes `at` gives (index -2 and -1 are
  // the history) and appends its hits.
  template <typename At>
  void verify(const At& at, int64_t end, uint64_t base, std::vector<TriggerHit>& out) const;

  const ShortLiterals* set_;
  Find find_;
  std::array<char, 2> history_{};  // the two bytes before the next write; 0 = none
};

}  // namespace agentbox::redact::detail
