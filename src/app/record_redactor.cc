// SPDX-License-Identifier: Apache-2.0
// File: record_redactor.cc
#include "app/record_redactor.h"

#include <utility>

#include "app/run_record.h"

namespace agentbox::app {

namespace {

class StringSink final : public redact::Sink {
 public:
  Status write(std::span<const std::byte> bytes) override {
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return ok();
  }
  std::string out;
};

}  // namespace

std::optional<RecordRedactor> RecordRedactor::start(std::shared_ptr<const redact::RuleSet> rules,
                                                    const std::string& head) {
  if (rules == nullptr) {
    return std::nullopt;
  }
  Result<redact::StreamRedactor> r = redact::StreamRedactor::open(
      std::move(rules), {.format = redact::InputFormat::kJsonLines, .name = "result.json"});
  if (!r.has_value()) {
    return std::nullopt;
  }
  // The newline ends the line, so the redactor processes it now and holds nothing back.
  StringSink sink;
  if (!r->write(head + "\n", sink).has_value() || r->failed() || r->heldBytes() != 0 ||
      sink.out.empty() || sink.out.back() != '\n') {
    return std::nullopt;
  }
  sink.out.pop_back();
  return RecordRedactor(std::move(*r), std::move(sink.out));
}

std::optional<std::string> RecordRedactor::finish(const std::string& tail) {
  StringSink sink;
  if (!redactor_.write(tail, sink).has_value() || !redactor_.finish(sink).has_value() ||
      redactor_.failed()) {
    return std::nullopt;
  }
  return joinRunRecord(head_, sink.out);
}

}  // namespace agentbox::app
