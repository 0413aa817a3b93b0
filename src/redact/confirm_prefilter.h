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

  [[nodiscard]] uint32_t minLengthForTest() const { return min_length_; }
  [[nodiscard]] size_t segmentCountForTest() const { return segments_.size(); }
  [[nodiscard]] bool analyzedForTest() const { return analyzed_; }

  // One segment, searched with shift-and: bit j of masks[b] says byte b fits position j.
  struct Segment {
    std::array<uint64_t, 256> masks{};
    uint64_t accept = 0;  // the bit of the last position
    uint32_t length = 0;
  };

 private:
  bool analyzed_ = false;
  bool group_is_middle_ = false;
  uint32_t min_length_ = 0;
  std::vector<Segment> segments_;  // in match order, gaps allowed between them
};

}  // namespace agentbox::redact::detail
