// SPDX-License-Identifier: Apache-2.0
// File: redacting_sink.cc
#include "app/redacting_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include "util/sys.h"

namespace agentbox::app {

Status RedactingSink::FdSink::write(std::span<const std::byte> bytes) {
  if (!broken_ && !sys::writeAll(fd_, bytes).has_value()) {
    broken_ = true;
  }
  if (log_.valid()) {
    Status ignored = sys::writeAll(log_.get(), bytes);
    (void)ignored;
  }
  return ok();
}

Result<std::unique_ptr<RedactingSink>> RedactingSink::open(
    std::shared_ptr<const redact::RuleSet> rules, const std::string& log_path) {
  std::unique_ptr<RedactingSink> s(new RedactingSink());
  AGENTBOX_ASSIGN_OR_RETURN(s->log_,
                            sys::open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600));
  s->out_.sink = std::make_unique<FdSink>(STDOUT_FILENO, s->log_);
  s->err_.sink = std::make_unique<FdSink>(STDERR_FILENO, s->log_);
  if (rules == nullptr) {
    s->enabled_ = false;
    return s;
  }
  AGENTBOX_ASSIGN_OR_RETURN(redact::StreamRedactor out,
                            redact::StreamRedactor::open(rules, {.name = "stdout"}));
  AGENTBOX_ASSIGN_OR_RETURN(redact::StreamRedactor err,
                            redact::StreamRedactor::open(rules, {.name = "stderr"}));
  s->out_.redactor.emplace(std::move(out));
  s->err_.redactor.emplace(std::move(err));
  return s;
}

void RedactingSink::handle(Status s) {
  // The redactor has already written its withheld notice and refuses further input.
  if (!s.has_value()) {
    failed_ = true;
  }
}

void RedactingSink::write(sandbox::StreamId id, std::span<const std::byte> data) {
  Stream& st = streamFor(id);
  if (!enabled_) {
    Status ignored = st.sink->write(data);
    (void)ignored;
    return;
  }
  if (!st.redactor->failed()) {
    handle(st.redactor->write(data, *st.sink));
  }
}

std::optional<std::chrono::steady_clock::time_point> RedactingSink::nextDeadline() const {
  if (!enabled_) {
    return std::nullopt;
  }
  std::optional<std::chrono::steady_clock::time_point> a = out_.redactor->nextFlushDeadline();
  std::optional<std::chrono::steady_clock::time_point> b = err_.redactor->nextFlushDeadline();
  if (!a.has_value()) {
    return b;
  }
  if (!b.has_value()) {
    return a;
  }
  return std::min(*a, *b);
}

void RedactingSink::onIdle(std::chrono::steady_clock::time_point now) {
  if (!enabled_) {
    return;
  }
  for (Stream* st : {&out_, &err_}) {
    if (!st->redactor->failed()) {
      handle(st->redactor->flushIdle(now, *st->sink));
    }
  }
}

void RedactingSink::finish() {
  if (!enabled_) {
    return;
  }
  for (Stream* st : {&out_, &err_}) {
    if (!st->redactor->failed()) {
      handle(st->redactor->finish(*st->sink));
    }
  }
}

redact::RedactionCounts RedactingSink::counts() const {
  redact::RedactionCounts c;
  if (enabled_) {
    c.merge(out_.redactor->counts());
    c.merge(err_.redactor->counts());
  }
  return c;
}

}  // namespace agentbox::app
