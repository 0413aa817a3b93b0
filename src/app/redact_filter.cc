// SPDX-License-Identifier: Apache-2.0
// File: redact_filter.cc
#include "app/redact_filter.h"

#include <fcntl.h>
#include <poll.h>

#include <algorithm>
#include <array>

#include "app/redaction_keys.h"
#include "redact/builtin_rules.h"
#include "redact/findings.h"
#include "redact/sarif.h"
#include "redact/stream_redactor.h"
#include "util/sys.h"

namespace agentbox::app {

namespace {

constexpr size_t kReadBytes = 256 * 1024;
constexpr size_t kFlushBytes = 256 * 1024;

// Buffers redacted output and findings; flushed after every engine call so a pipe reader
// sees output as soon as the engine releases it.
class FdSink final : public redact::Sink {
 public:
  // out_fd < 0: redacted bytes are dropped (SARIF on stdout). collect: findings are kept
  // for one SARIF log instead of being written as JSON Lines.
  FdSink(int out_fd, int findings_fd, bool collect)
      : out_fd_(out_fd), findings_fd_(collect ? -1 : findings_fd), collect_(collect) {}
  Status write(std::span<const std::byte> bytes) override {
    if (out_fd_ < 0) {
      return ok();
    }
    out_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return out_.size() >= kFlushBytes ? flush() : ok();
  }
  void onFinding(const redact::Finding& f) override {
    ++findings_;
    if (collect_) {
      files_.back().findings.push_back(f);
    } else if (findings_fd_ >= 0) {
      findings_out_ += redact::findingJsonLine(f, file_);
    }
  }
  Status flush() {
    if (!out_.empty()) {
      AGENTBOX_TRY(sys::writeAll(out_fd_, out_).context("write stdout"));
      out_.clear();
    }
    if (!findings_out_.empty()) {
      AGENTBOX_TRY(sys::writeAll(findings_fd_, findings_out_).context("write findings"));
      findings_out_.clear();
    }
    return ok();
  }
  void setFile(std::string file) {
    file_ = std::move(file);
    if (collect_) {
      files_.push_back({file_, {}});
    }
  }
  uint64_t findings() const { return findings_; }
  const std::vector<redact::SarifFile>& files() const { return files_; }

 private:
  int out_fd_;
  int findings_fd_;
  bool collect_;
  std::vector<redact::SarifFile> files_;
  std::string out_;
  std::string findings_out_;
  std::string file_ = "-";
  uint64_t findings_ = 0;
};

int pollTimeoutMs(const redact::StreamRedactor& r) {
  auto deadline = r.nextFlushDeadline();
  if (!deadline) {
    return -1;
  }
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - redact::Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Streams one input through a fresh redactor. Input read errors are kIo with the file name.
Status redactOne(int fd, const std::string& name,
                 const std::shared_ptr<const redact::RuleSet>& rules,
                 const RedactFilterRequest& req, FdSink& sink) {
  redact::StreamOptions opts;
  opts.format = req.jsonl ? redact::InputFormat::kJsonLines : redact::InputFormat::kText;
  opts.idle_flush = req.idle_flush;
  opts.name = name;
  AGENTBOX_ASSIGN_OR_RETURN(redact::StreamRedactor r, redact::StreamRedactor::open(rules, opts));
  sink.setFile(name);
  std::vector<std::byte> buf(kReadBytes);
  while (true) {
    std::array<pollfd, 1> pfd{{{fd, POLLIN, 0}}};
    AGENTBOX_ASSIGN_OR_RETURN(int ready, sys::poll(pfd, pollTimeoutMs(r)));
    if (ready == 0) {
      AGENTBOX_TRY(r.flushIdle(redact::Clock::now(), sink));
      AGENTBOX_TRY(sink.flush());
      continue;
    }
    auto n = sys::read(fd, buf);
    if (!n.has_value()) {
      (void)r.finish(sink);  // what was held is redacted, not dropped
      (void)sink.flush();
      return std::move(n).error().addContext(fmt::format("read {}", name));
    }
    if (*n == 0) {
      break;
    }
    AGENTBOX_TRY(r.write(std::span<const std::byte>(buf.data(), *n), sink));
    AGENTBOX_TRY(sink.flush());
  }
  AGENTBOX_TRY(r.finish(sink));
  return sink.flush();
}

// The one place `agentbox redact` leaves out opt-in built-ins (IP addresses: agents print
// them legitimately) unless the policy asks (`[redaction] ip_addresses = true`): they are
// disabled by id, so a policy that also disables them stays valid.
RedactionSettings withOptInRules(RedactionSettings settings) {
  for (const redact::Rule& r : redact::builtinRules()) {
    const bool keep = settings.ip_addresses && r.id.rfind("ip-", 0) == 0;
    if (r.opt_in && !keep &&
        std::find(settings.disable.begin(), settings.disable.end(), r.id) ==
            settings.disable.end()) {
      settings.disable.push_back(r.id);
    }
  }
  return settings;
}

}  // namespace

int runRedactFilter(const RedactFilterRequest& req, int out_fd, int err_fd) {
  auto fail = [&](const Error& e) {
    (void)sys::writeAll(err_fd, "agentbox: redact: " + e.oneLine() + "\n");
    return 2;
  };
  auto key = loadOrCreateRedactionKey(req.state_dir);
  if (!key.has_value()) {
    return fail(key.error());
  }
  RedactionInputs inputs{withOptInRules(req.settings), req.known_secrets, req.home_dir, *key,
                         req.state_dir};
  auto rules = buildRedactionRules(std::move(inputs));
  if (!rules.has_value()) {
    return fail(rules.error());
  }
  if (*rules == nullptr) {
    return fail(makeError(Errc::kInvalidInput, "output sanitization is off; nothing to do"));
  }
  for (const std::string& w : (*rules)->warnings()) {
    (void)sys::writeAll(err_fd, "agentbox: redact: warning: " + w + "\n");
  }
  UniqueFd findings_fd;
  if (req.findings_path) {
    auto f = sys::open(*req.findings_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (!f.has_value()) {
      return fail(std::move(f).error().addContext("findings file"));
    }
    findings_fd = std::move(*f);
  }
  const bool sarif = req.findings_format == FindingsFormat::kSarif;
  // --format sarif without --findings: a scan; the SARIF log is the output.
  FdSink sink(sarif && !req.findings_path ? -1 : out_fd, findings_fd.get(), sarif);
  std::vector<std::string> names = req.inputs;
  if (names.empty()) {
    names.push_back("-");
  }
  int status = 0;
  for (const std::string& name : names) {
    UniqueFd owned;
    int fd = 0;
    if (name != "-") {
      auto f = sys::open(name, O_RDONLY | O_CLOEXEC);
      if (!f.has_value()) {
        status = fail(f.error());
        continue;
      }
      owned = std::move(*f);
      fd = owned.get();
    }
    Status st = redactOne(fd, name, *rules, req, sink);
    if (!st.has_value()) {
      (void)sink.flush();  // the withheld-output notice, if the engine failed
      status = fail(st.error());
      if (st.error().code() == Errc::kInternal) {
        return 2;  // the engine failed: nothing more is passed through
      }
    }
  }
  if (sarif) {
    const std::string log = redact::sarifLog(**rules, sink.files(), req.tool_version);
    const int fd = req.findings_path ? findings_fd.get() : out_fd;
    if (Status st = sys::writeAll(fd, log).context("write SARIF"); !st.has_value()) {
      return fail(st.error());
    }
  }
  if (status == 0 && req.fail_on_findings && sink.findings() > 0) {
    return 1;
  }
  return status;
}

}  // namespace agentbox::app
