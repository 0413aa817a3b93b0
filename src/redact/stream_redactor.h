// SPDX-License-Identifier: Apache-2.0
// File: stream_redactor.h
// Redacts one output stream (a child's stdout, a log, a file) incrementally.
//
// Contract
// - Build one RuleSet per run and share it; open one StreamRedactor per stream. A
//   StreamRedactor is not thread-safe: call it from one thread (the supervisor's event loop).
// - Call order: write()* interleaved with flushIdle(), then finish() exactly once. After
//   finish() or a failure every call returns the error.
// - Holdback: bytes that could still belong to a match in progress are withheld until the
//   match completes or fails. In text mode at most RuleSet::maxHoldbackBytes() bytes are held
//   (tests/redact/stream_redactor_test.cc checks it). In JSON Lines mode a line is held until
//   its '\n' (up to StreamOptions::max_line_bytes, then the rest of that line is redacted as
//   text).
// - Idle flush: when no write() came for StreamOptions::idle_flush, flushIdle() releases the
//   bytes that cannot belong to any candidate in progress, and only those. A poll loop sets
//   its timeout from nextFlushDeadline(). A candidate is never released unredacted because the
//   writer is slow; finish() redacts a pending candidate that could still be a secret.
// - Fail closed: if the engine cannot run (Vectorscan error, memory exhaustion, an injected
//   fault) the held bytes are dropped, kWithheldNotice is written to the sink once, failed()
//   becomes true, and this and every later call return an Errc::kInternal error; no byte is
//   ever passed through unredacted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "redact/rule.h"
#include "redact/rule_set.h"
#include "util/result.h"

namespace agentbox::redact {

using Clock = std::chrono::steady_clock;

// The one line written instead of the rest of the stream when the engine fails.
inline constexpr std::string_view kWithheldNotice =
    "[agentbox: output withheld: the redaction engine failed]\n";

// One redaction. Offsets are into the stream's input bytes: half-open, 0-based; line and
// column are 1-based, column in bytes. Never contains the secret itself.
struct Finding {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t line = 0;
  uint64_t column = 0;
  std::string rule_id;
  RuleClass rule_class = RuleClass::kSecret;
  Severity severity = Severity::kHigh;
  std::string fingerprint;  // 8 hex digits, HMAC of the secret under the state dir's key
  uint64_t end_line = 0;    // line and 1-based byte column just past the secret (SARIF)
  uint64_t end_column = 0;
};

// Receives redacted bytes (in order) and findings. write() errors (EPIPE on a terminal) are
// returned to the caller of StreamRedactor unchanged; they do not mark the redactor failed.
class Sink {
 public:
  Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  virtual ~Sink() = default;
  virtual Status write(std::span<const std::byte> bytes) = 0;
  virtual void onFinding(const Finding& finding) { (void)finding; }
};

// Findings counted for the run record ("redaction": {"by_rule": {}, "by_class": {}}).
struct RedactionCounts {
  std::map<std::string, uint64_t, std::less<>> by_rule;
  std::map<std::string, uint64_t, std::less<>> by_class;
  uint64_t total() const;
  void merge(const RedactionCounts& other);  // stdout + stderr into one record
};

enum class InputFormat {
  kText,       // any bytes
  kJsonLines,  // one JSON value per line; only string values are redacted, structure kept
};

struct StreamOptions {
  InputFormat format = InputFormat::kText;
  std::chrono::milliseconds idle_flush{50};  // pause after which held bytes are re-examined
  size_t max_line_bytes = 4 * 1024 * 1024;   // JSON Lines: longest line kept whole
  std::string name = "-";                    // reported in findings' "file"
};

class StreamRedactor {
 public:
  // Allocates this stream's Vectorscan scratch and stream. Errors: kResource.
  static Result<StreamRedactor> open(std::shared_ptr<const RuleSet> rules,
                                     StreamOptions options = {});

  StreamRedactor(StreamRedactor&&) noexcept;
  StreamRedactor& operator=(StreamRedactor&&) noexcept;
  StreamRedactor(const StreamRedactor&) = delete;
  StreamRedactor& operator=(const StreamRedactor&) = delete;
  ~StreamRedactor();

  // Scans `bytes` and writes to `sink` every byte that can no longer be part of a match.
  Status write(std::span<const std::byte> bytes, Sink& sink, Clock::time_point now = Clock::now());
  Status write(std::string_view text, Sink& sink, Clock::time_point now = Clock::now()) {
    return write(std::as_bytes(std::span<const char>(text.data(), text.size())), sink, now);
  }
  // If `now` is at or past nextFlushDeadline(), releases what no candidate can claim.
  Status flushIdle(Clock::time_point now, Sink& sink);
  // When flushIdle() would next release something; nullopt if nothing is waiting.
  std::optional<Clock::time_point> nextFlushDeadline() const;
  // End of stream: resolves every candidate, redacts pending ones, writes the rest.
  Status finish(Sink& sink);

  const RedactionCounts& counts() const;
  size_t heldBytes() const;  // input bytes received but not yet written (or replaced)
  bool failed() const;

  // Makes the next write() behave as if Vectorscan failed (tests of fail-closed behaviour).
  void injectFailureForTest();
  // Triggers whose candidate was not opened because it could not match (text mode).
  [[nodiscard]] uint64_t candidatesLeftOutForTest() const;

 private:
  struct Impl;
  explicit StreamRedactor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Convenience for whole buffers (tests, the run record's strings): redacts `text` in one pass
// with a fresh stream. Errors as StreamRedactor.
Result<std::string> redactString(std::shared_ptr<const RuleSet> rules, std::string_view text,
                                 InputFormat format = InputFormat::kText);

}  // namespace agentbox::redact
