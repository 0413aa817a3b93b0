// SPDX-License-Identifier: Apache-2.0
// File: text_engine.h
// The streaming core behind StreamRedactor (internal to redact/): Vectorscan finds triggers
// in stream mode (the digit shapes and 1-3 byte keywords have scanners of their own), each trigger
// opens a candidate window kept across writes, and when the window completes RE2 (or an exact
// literal check) decides what is redacted.
#pragma once

#include <hs/hs.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "redact/rule_set.h"
#include "redact/shape_scanner.h"
#include "redact/short_literals.h"
#include "redact/stream_redactor.h"
#include "util/result.h"

namespace agentbox::redact {

class TextEngine {
 public:
  // Errors: kResource if Vectorscan cannot allocate scratch or stream state.
  static Result<std::unique_ptr<TextEngine>> open(std::shared_ptr<const RuleSet> rules);
  TextEngine(const TextEngine&) = delete;
  TextEngine& operator=(const TextEngine&) = delete;
  ~TextEngine();

  Status write(std::span<const std::byte> bytes, Sink& sink);
  // Releases the bytes no candidate in progress (or partial trigger at the end) can claim.
  Status flushIdle(Sink& sink);
  // End of input: everything is resolved and written; the engine then starts a new stream
  // (offsets restart at 0) so it can be reused, e.g. for each JSON string.
  Status finish(Sink& sink);

  size_t held() const { return static_cast<size_t>(end_ - emit_); }
  bool failed() const { return failed_; }
  const std::string& failure() const { return failure_; }
  const RedactionCounts& counts() const { return counts_; }
  void injectFailure() { inject_failure_ = true; }
  // Candidates not opened because they were too short to match (tooShortToMatch).
  [[nodiscard]] uint64_t candidatesLeftOut() const { return left_out_; }
  // Line/column tracking costs a newline count of every byte; findings need it.
  void setTrackLines(bool on) { track_lines_ = on; }

 private:
  struct Candidate {
    uint32_t rule;
    uint32_t keyword_length;
    uint64_t win_start;            // first byte the confirm step sees
    uint64_t trigger_end;          // end of the (first) trigger
    uint64_t scan;                 // next byte to test for continuation
    uint64_t force_until;          // a merged later trigger: continue at least to here
    uint64_t limit;                // the window never extends past this
    uint64_t hold;                 // output at and after this offset is withheld
    uint64_t marker_from;          // where to resume the end-marker search
    std::vector<uint64_t> merged;  // ends of later triggers that joined this window
    bool done = false;             // resolved; removed at the next compaction
    // A match belongs to this candidate only if one of its triggers ends inside it.
    bool owns(uint64_t match_start, uint64_t match_end) const {
      auto inside = [&](uint64_t t) { return t > match_start && t <= match_end; };
      if (inside(trigger_end)) {
        return true;
      }
      for (uint64_t t : merged) {
        if (inside(t)) {
          return true;
        }
      }
      return false;
    }
  };
  struct Span {
    uint64_t start;
    uint64_t end;
    uint32_t rule;
  };

  explicit TextEngine(std::shared_ptr<const RuleSet> rules)
      : rules_(std::move(rules)),
        shapes_(rules_->digitTriggers()),
        short_(rules_->shortLiterals()) {}
  static int onMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                     void* ctx);
  Status fail(std::string reason);
  Status scan(std::span<const std::byte> bytes);
  void addCandidate(uint32_t trigger, uint64_t to);
  // True if a new candidate of `cr` (window from `ws`, trigger ending at `to`) can be left out:
  // its window is already complete and shorter than any match of the rule's regex.
  [[nodiscard]] bool tooShortToMatch(const CompiledRule& cr, uint64_t ws, uint64_t to,
                                     uint64_t limit) const;
  // The first offset in [from, to) whose byte is not in the set `stops` was made from, else
  // `to`.
  [[nodiscard]] uint64_t firstOutside(const detail::StopBytes& stops, uint64_t from,
                                      uint64_t to) const;
  void advance(bool eof);
  bool advanceOne(Candidate& c, bool eof, uint64_t max_pos);
  // The bytes the confirm regex sees for `c`: a view into buf_/chunk_, or text_.
  std::string_view confirmText(const Candidate& c);
  void resolve(const Candidate& c, bool eof);
  void resolveLiteral(const Candidate& c);
  void addSpan(uint64_t start, uint64_t end, uint32_t rule);
  bool acceptValue(const CompiledRule& cr, std::string_view value, std::string_view match) const;
  uint64_t holdPoint(uint64_t boundary) const;
  size_t idleTail() const;
  Status emitUpTo(uint64_t boundary, Sink& sink);
  Status emitRaw(uint64_t from, uint64_t to, Sink& sink);
  Status emitGroup(size_t count, Sink& sink);
  void emitPiece(const char* p, size_t n, uint64_t from);
  void trimHistory();
  void appendRange(uint64_t from, uint64_t to, std::string& out) const;
  std::string_view range(uint64_t from, uint64_t to, std::string& scratch) const;
  unsigned char at(uint64_t off) const {
    return static_cast<unsigned char>(off >= chunk_base_ ? chunk_[off - chunk_base_]
                                                         : buf_[off - base_]);
  }

  std::shared_ptr<const RuleSet> rules_;
  detail::ShapeScanner shapes_;        // the triggers without a literal (card, SSN, phone, IP)
  detail::ShortLiteralScanner short_;  // the 1-3 byte keywords
  hs_scratch_t* scratch_ = nullptr;
  hs_stream_t* stream_ = nullptr;         // RuleSet::database()
  hs_stream_t* secret_stream_ = nullptr;  // RuleSet::secretDatabase()
  // Bytes [base_, end_): some already written (context), rest held. During write() the
  // caller's bytes are scanned where they are: buf_ holds [base_, chunk_base_) and chunk_
  // [chunk_base_, end_), and only what is still needed is copied into buf_ before write()
  // returns. Between writes chunk_base_ == end_.
  std::string buf_;
  uint64_t base_ = 0;
  const char* chunk_ = nullptr;
  uint64_t chunk_base_ = 0;
  uint64_t emit_ = 0;  // everything before this is written
  uint64_t end_ = 0;
  std::vector<std::pair<uint32_t, uint64_t>> matches_;        // (trigger, end) from the callback
  std::vector<std::pair<uint32_t, uint64_t>> merge_scratch_;  // detail::mergeByEnd
  std::vector<Candidate> open_;
  std::vector<int64_t> last_open_;  // per rule: index in open_ of its newest candidate, or -1
  std::vector<Span> spans_;         // resolved, sorted by start
  std::string text_;                // scratch for the confirm step
  std::string scratch_text_;        // a range that spans buf_ and chunk_, made contiguous
  RedactionCounts counts_;
  bool track_lines_ = false;
  uint64_t line_ = 1;
  uint64_t line_start_ = 0;
  bool failed_ = false;
  bool inject_failure_ = false;
  uint64_t left_out_ = 0;
  std::string failure_;
  std::string pending_failure_;  // set by resolve(), turned into fail() by its caller
};

}  // namespace agentbox::redact
