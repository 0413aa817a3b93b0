// SPDX-License-Identifier: Apache-2.0
// File: stream_redactor.cc
// Text mode delegates to one TextEngine. JSON Lines mode holds each line, redacts the decoded
// content of every string value with a per-string engine pass, and re-escapes what changed.
#include "redact/stream_redactor.h"

#include <algorithm>
#include <vector>

#include "redact/json_lines.h"
#include "redact/text_engine.h"

namespace agentbox::redact {

uint64_t RedactionCounts::total() const {
  uint64_t n = 0;
  for (const auto& [rule, count] : by_rule) {
    n += count;
  }
  return n;
}

void RedactionCounts::merge(const RedactionCounts& other) {
  for (const auto& [rule, count] : other.by_rule) {
    by_rule[rule] += count;
  }
  for (const auto& [cls, count] : other.by_class) {
    by_class[cls] += count;
  }
}

namespace {

// Collects a string's redacted form and its findings (offsets relative to the string).
class CollectSink final : public Sink {
 public:
  Status write(std::span<const std::byte> bytes) override {
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return ok();
  }
  void onFinding(const Finding& f) override { findings.push_back(f); }
  std::string out;
  std::vector<Finding> findings;
};

// Forwards bytes, and findings moved to their place in the whole stream (one line).
class LineSink final : public Sink {
 public:
  LineSink(Sink& inner, uint64_t base, uint64_t line, uint64_t line_offset)
      : inner_(inner), base_(base), line_(line), line_offset_(line_offset) {}
  Status write(std::span<const std::byte> bytes) override { return inner_.write(bytes); }
  void onFinding(const Finding& f) override {
    Finding g = f;
    g.start += base_;
    g.end += base_;
    g.line = line_;
    g.column = g.start - line_offset_ + 1;
    inner_.onFinding(g);
  }

 private:
  Sink& inner_;
  uint64_t base_;
  uint64_t line_;
  uint64_t line_offset_;
};

Status writeBytes(Sink& sink, std::string_view s) {
  return sink.write(std::as_bytes(std::span<const char>(s.data(), s.size())));
}

}  // namespace

struct StreamRedactor::Impl {
  std::shared_ptr<const RuleSet> rules;
  StreamOptions options;
  std::unique_ptr<TextEngine> engine;    // text mode: the stream; JSON Lines: per string
  std::unique_ptr<TextEngine> overflow;  // JSON Lines: a line longer than max_line_bytes
  std::string line;
  uint64_t offset = 0;  // input bytes consumed (JSON Lines bookkeeping)
  uint64_t line_no = 1;
  uint64_t line_offset = 0;  // input offset of the current line's first byte
  bool in_overflow = false;
  uint64_t overflow_base = 0;
  Clock::time_point last_write{};
  bool idle_pending = false;
  bool finished = false;
  bool notice_written = false;
  RedactionCounts merged;

  bool anyFailed() const { return engine->failed() || (overflow && overflow->failed()); }

  // After an engine failure: write the notice once, keep returning the error.
  Status failClosed(Status st, Sink& sink) {
    if (st.has_value() || !anyFailed()) {
      return st;
    }
    if (!notice_written) {
      notice_written = true;
      line.clear();
      (void)writeBytes(sink, kWithheldNotice);
    }
    return st;
  }

  Result<std::optional<std::string>> redactJsonString(std::string_view decoded,
                                                      std::span<const uint32_t> map,
                                                      std::vector<Finding>& findings) {
    CollectSink collect;
    AGENTBOX_TRY(engine->write(std::as_bytes(std::span<const char>(decoded.data(), decoded.size())),
                               collect));
    AGENTBOX_TRY(engine->finish(collect));
    if (collect.out == decoded) {
      return std::optional<std::string>();
    }
    for (Finding f : collect.findings) {
      const uint64_t raw_start = map[std::min<size_t>(f.start, map.size() - 1)];
      const uint64_t raw_end = map[std::min<size_t>(f.end, map.size() - 1)];
      f.start = line_offset + raw_start;
      f.end = line_offset + std::max(raw_end, raw_start + 1);
      f.line = line_no;
      f.column = raw_start + 1;
      findings.push_back(std::move(f));
    }
    return std::optional<std::string>(std::move(collect.out));
  }

  // One complete line (without its '\n'): JSON keeps its structure; anything else is text.
  Status processLine(Sink& sink) {
    std::vector<Finding> findings;
    Result<std::string> checked = rewriteJsonLine(line, nullptr);
    if (checked.has_value()) {
      JsonStringRewriter rewrite = [&](std::string_view decoded, std::span<const uint32_t> map) {
        return redactJsonString(decoded, map, findings);
      };
      Result<std::string> out = rewriteJsonLine(line, rewrite);
      if (!out.has_value()) {
        return std::move(out).error();
      }
      for (const Finding& f : findings) {
        sink.onFinding(f);
      }
      return writeBytes(sink, *out);
    }
    LineSink adjust(sink, line_offset, line_no, line_offset);
    AGENTBOX_TRY(
        engine->write(std::as_bytes(std::span<const char>(line.data(), line.size())), adjust));
    return engine->finish(adjust);
  }

  Status writeJsonLines(std::span<const std::byte> bytes, Sink& sink) {
    std::string_view in(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    while (!in.empty()) {
      const size_t nl = in.find('\n');
      const std::string_view part = in.substr(0, nl);
      if (in_overflow) {
        LineSink adjust(sink, overflow_base, line_no, line_offset);
        AGENTBOX_TRY(overflow->write(std::as_bytes(std::span<const char>(part.data(), part.size())),
                                     adjust));
        if (nl != std::string_view::npos) {
          AGENTBOX_TRY(overflow->finish(adjust));
          in_overflow = false;
        }
      } else {
        line.append(part);
        if (nl == std::string_view::npos && line.size() > options.max_line_bytes) {
          // Too long to hold whole: the rest of this line is redacted as streaming text.
          in_overflow = true;
          overflow_base = line_offset;
          LineSink adjust(sink, overflow_base, line_no, line_offset);
          AGENTBOX_TRY(overflow->write(
              std::as_bytes(std::span<const char>(line.data(), line.size())), adjust));
          line.clear();
        } else if (nl != std::string_view::npos) {
          AGENTBOX_TRY(processLine(sink));
          line.clear();
        }
      }
      offset += part.size();
      if (nl == std::string_view::npos) {
        break;
      }
      AGENTBOX_TRY(writeBytes(sink, "\n"));
      ++offset;
      ++line_no;
      line_offset = offset;
      in.remove_prefix(nl + 1);
    }
    return ok();
  }

  Status finishJsonLines(Sink& sink) {
    if (in_overflow) {
      LineSink adjust(sink, overflow_base, line_no, line_offset);
      return overflow->finish(adjust);
    }
    if (!line.empty()) {
      AGENTBOX_TRY(processLine(sink));
      line.clear();
    }
    return ok();
  }

  size_t held() const {
    if (options.format == InputFormat::kText) {
      return engine->held();
    }
    return line.size() + (overflow ? overflow->held() : 0);
  }
};

StreamRedactor::StreamRedactor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamRedactor::StreamRedactor(StreamRedactor&&) noexcept = default;
StreamRedactor& StreamRedactor::operator=(StreamRedactor&&) noexcept = default;
StreamRedactor::~StreamRedactor() = default;

Result<StreamRedactor> StreamRedactor::open(std::shared_ptr<const RuleSet> rules,
                                            StreamOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->rules = rules;
  impl->options = std::move(options);
  AGENTBOX_ASSIGN_OR_RETURN(impl->engine, TextEngine::open(rules));
  impl->engine->setTrackLines(true);
  if (impl->options.format == InputFormat::kJsonLines) {
    AGENTBOX_ASSIGN_OR_RETURN(impl->overflow, TextEngine::open(rules));
    impl->overflow->setTrackLines(true);
  }
  return StreamRedactor(std::move(impl));
}

Status StreamRedactor::write(std::span<const std::byte> bytes, Sink& sink, Clock::time_point now) {
  Impl& d = *impl_;
  if (d.finished) {
    return makeError(Errc::kInternal, "redaction: write after finish");
  }
  d.last_write = now;
  d.idle_pending = true;
  Status st = d.options.format == InputFormat::kText ? d.engine->write(bytes, sink)
                                                     : d.writeJsonLines(bytes, sink);
  return d.failClosed(std::move(st), sink);
}

Status StreamRedactor::flushIdle(Clock::time_point now, Sink& sink) {
  Impl& d = *impl_;
  if (d.finished || !d.idle_pending || now < d.last_write + d.options.idle_flush) {
    return d.anyFailed() ? makeError(Errc::kInternal, "redaction engine failed; output withheld")
                         : ok();
  }
  d.idle_pending = false;
  Status st = ok();
  if (d.options.format == InputFormat::kText) {
    st = d.engine->flushIdle(sink);
  } else if (d.in_overflow) {
    LineSink adjust(sink, d.overflow_base, d.line_no, d.line_offset);
    st = d.overflow->flushIdle(adjust);
  }
  return d.failClosed(std::move(st), sink);
}

std::optional<Clock::time_point> StreamRedactor::nextFlushDeadline() const {
  const Impl& d = *impl_;
  if (d.finished || !d.idle_pending || d.anyFailed()) {
    return std::nullopt;
  }
  const bool waiting = d.options.format == InputFormat::kText
                           ? d.engine->held() > 0
                           : (d.in_overflow && d.overflow->held() > 0);
  if (!waiting) {
    return std::nullopt;
  }
  return d.last_write + d.options.idle_flush;
}

Status StreamRedactor::finish(Sink& sink) {
  Impl& d = *impl_;
  if (d.finished) {
    return makeError(Errc::kInternal, "redaction: finish called twice");
  }
  d.finished = true;
  Status st =
      d.options.format == InputFormat::kText ? d.engine->finish(sink) : d.finishJsonLines(sink);
  return d.failClosed(std::move(st), sink);
}

const RedactionCounts& StreamRedactor::counts() const {
  Impl& d = *impl_;
  d.merged = d.engine->counts();
  if (d.overflow) {
    d.merged.merge(d.overflow->counts());
  }
  return d.merged;
}

size_t StreamRedactor::heldBytes() const {
  return impl_->held();
}
bool StreamRedactor::failed() const {
  return impl_->anyFailed();
}

uint64_t StreamRedactor::candidatesLeftOutForTest() const {
  return impl_->engine->candidatesLeftOut();
}

void StreamRedactor::injectFailureForTest() {
  impl_->engine->injectFailure();
  if (impl_->overflow) {
    impl_->overflow->injectFailure();
  }
}

Result<std::string> redactString(std::shared_ptr<const RuleSet> rules, std::string_view text,
                                 InputFormat format) {
  StreamOptions options;
  options.format = format;
  AGENTBOX_ASSIGN_OR_RETURN(StreamRedactor r, StreamRedactor::open(std::move(rules), options));
  CollectSink sink;
  AGENTBOX_TRY(r.write(text, sink));
  AGENTBOX_TRY(r.finish(sink));
  return std::move(sink.out);
}

}  // namespace agentbox::redact
