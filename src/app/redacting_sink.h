// SPDX-License-Identifier: Apache-2.0
// File: redacting_sink.h
// The run's OutputSink: stdout and stderr each stream through their own StreamRedactor to
// agentbox's own stdout/stderr and to the run directory's output.log, so no byte of the
// command reaches a terminal or a file unredacted. Fails closed: if a redactor fails, its
// stream is withheld (one notice line) and failed() says so for the run record.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "redact/stream_redactor.h"
#include "sandbox/supervisor.h"
#include "util/unique_fd.h"

namespace agentbox::app {

class RedactingSink : public sandbox::OutputSink {
 public:
  // rules == nullptr: OUTPUT_SANITIZATION is off, bytes pass through (the record says so).
  static Result<std::unique_ptr<RedactingSink>> open(std::shared_ptr<const redact::RuleSet> rules,
                                                     const std::string& log_path);

  void write(sandbox::StreamId stream, std::span<const std::byte> data) override;
  std::optional<std::chrono::steady_clock::time_point> nextDeadline() const override;
  void onIdle(std::chrono::steady_clock::time_point now) override;
  void finish() override;

  redact::RedactionCounts counts() const;
  bool failed() const { return failed_; }
  bool enabled() const { return enabled_; }

 private:
  // Writes redacted bytes to one terminal fd and the shared log.
  class FdSink : public redact::Sink {
   public:
    FdSink(int fd, const UniqueFd& log) : fd_(fd), log_(log) {}
    Status write(std::span<const std::byte> bytes) override;

   private:
    int fd_;
    bool broken_ = false;  // EPIPE: keep redacting and logging, stop writing the terminal
    const UniqueFd& log_;
  };
  struct Stream {
    std::optional<redact::StreamRedactor> redactor;
    std::unique_ptr<FdSink> sink;
  };

  RedactingSink() = default;
  void handle(Status s);
  Stream& streamFor(sandbox::StreamId id) { return id == sandbox::StreamId::kStdout ? out_ : err_; }

  UniqueFd log_;
  Stream out_;
  Stream err_;
  bool enabled_ = true;
  bool failed_ = false;
};

}  // namespace agentbox::app
