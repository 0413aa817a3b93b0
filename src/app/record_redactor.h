// SPDX-License-Identifier: Apache-2.0
// File: record_redactor.h
// Redacts the run record (run_record.h) in its two parts with one JSON Lines redactor: the
// head when the sandbox has started (while pid 1 builds its root), the tail after the
// command. One redactor for both: its Vectorscan scratch and streams are set up once, not
// once per part. Not thread-safe; one owner.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "redact/rule_set.h"
#include "redact/stream_redactor.h"

namespace agentbox::app {

class RecordRedactor {
 public:
  // Opens the redactor and redacts `head` (compact JSON on one line). nullopt if `rules` is
  // null or the engine fails: the caller then redacts the whole record its own way.
  static std::optional<RecordRedactor> start(std::shared_ptr<const redact::RuleSet> rules,
                                             const std::string& head);

  // Redacts `tail` and returns the joined pretty record (joinRunRecord); nullopt if the engine
  // fails or a part does not parse. Call once.
  std::optional<std::string> finish(const std::string& tail);

 private:
  RecordRedactor(redact::StreamRedactor redactor, std::string head)
      : redactor_(std::move(redactor)), head_(std::move(head)) {}
  redact::StreamRedactor redactor_;
  std::string head_;  // redacted
};

}  // namespace agentbox::app
