// SPDX-License-Identifier: Apache-2.0
// File: confirm_prefilter.h
// Internal to redact/: a cheap necessary condition for a rule's RE2 confirm regex, derived
// from the regex itself, checked before RE2 runs. Most candidate windows of near-miss text
// (`ghp_short`, `user@host`, `token count`) cannot match, and RE2's fixed cost per call
// (250-1,100 cycles) was most of the time spent on them.
//
// The facts are a lower bound on the match length and the segments every match contains, in
// order: runs of byte classes that appear contiguously (`://`, `@`, 16 bytes of
// `[A-Za-z0-9+/=_.~-]`). A text without them has no match anywhere, so skipping RE2 there
// changes no decision. The parser knows the RE2 syntax the rules use; on anything else it
// gives up and the prefilter accepts every text (RE2 decides, as before).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace agentbox::redact::detail {

class ConfirmPrefilter {
 public:
  // Accepts every text.
  ConfirmPrefilter() = default;
  // The facts of `regex` (RE2 syntax, Latin-1: one byte is one character).
  static ConfirmPrefilter fromRegex(std::string_view regex);

  // False only if no substring of `text` can match the regex.
  [[nodiscard]] bool mayMatch(std::string_view text) const;

  // The regex is "<one byte>(<group 1>)<one byte>" at its top level (every `prefixed` rule),
  // so group 1 is the match without its first and last byte and RE2 need not capture.
  [[nodiscard]] bool groupIsMiddle() const { return group_is_middle_; }

  // mayMatch() is false for every text shorter than this (0: no such bound).
  [[nodiscard]] uint32_t rejectsShorterThan() const { return analyzed_ ? min_length_ : 0; }

  [[nodiscard]] uint32_t minLengthForTest() const { return min_length_; }
  [[nodiscard]] size_t segmentCountForTest() const { return segments_.size(); }
  [[nodiscard]] bool analyzedForTest() const { return analyzed_; }

  // One segment, searched with shift-and: bit j of masks[kind[b]] says byte b fits position
  // j. Bytes with the same positions share a kind, so a segment takes 256 bytes and a few
  // masks instead of 2 KiB: the tables of every rule a near-miss line wakes stay in L1.
  struct Segment {
    std::array<uint8_t, 256> kind{};  // kind 0: the byte fits no position
    std::vector<uint64_t> masks;      // by kind
    uint64_t accept = 0;              // the bit of the last position
    uint32_t length = 0;
    // A run: 2-32 positions of one class of ASCII bytes ([A-Za-z0-9+/=_.~-]{16}), looked for
    // 32 bytes at a time where the CPU has AVX2. Bit h of run_rows[l] says byte 16h + l fits.
    bool run = false;
    std::array<uint8_t, 16> run_rows{};
  };

  // Looks for runs with the byte-at-a-time search only (what a CPU without AVX2 does).
  void useScalarForTest() { scalar_only_ = true; }
  // True if some segment is a run (see Segment::run).
  [[nodiscard]] bool hasRunForTest() const;

 private:
  bool scalar_only_ = false;
  bool analyzed_ = false;
  bool group_is_middle_ = false;
  uint32_t min_length_ = 0;
  std::vector<Segment> segments_;  // in match order, gaps allowed between them
};

}  // namespace agentbox::redact::detail
