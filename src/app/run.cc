// SPDX-License-Identifier: Apache-2.0
// File: run.cc
#include "app/run.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>

#include "app/policy_reload.h"
#include "app/policy_watcher.h"
#include "app/record_redactor.h"
#include "app/redacting_sink.h"
#include "app/redaction_keys.h"
#include "app/redaction_setup.h"
#include "app/run_dir.h"
#include "app/run_proxy.h"
#include "app/run_record.h"
#include "app/state_cache.h"
#include "redact/stream_redactor.h"
#include "sandbox/supervisor.h"
#include "util/sys.h"

namespace agentbox::app {

namespace {

void printLine(const std::string& line) {
  std::string out = "agentbox: " + line + "\n";
  Status ignored = sys::writeAll(STDERR_FILENO, out);
  (void)ignored;
}

bool isWithin(const std::string& inner, const std::string& outer) {
  if (outer == "/") {
    return true;
  }
  return inner == outer ||
         (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
          inner[outer.size()] == '/');
}

// The run's OutputSink once the redaction rules exist (RunRequest's on_started attaches it,
// before the sandbox is released: nothing is written to it earlier).
class DeferredSink : public sandbox::OutputSink {
 public:
  void attach(std::unique_ptr<RedactingSink> sink) { sink_ = std::move(sink); }
  // Closes output.log and frees the redactor (after the run; what it counted was read).
  void detach() { sink_.reset(); }
  RedactingSink* operator->() const { return sink_.get(); }
  void write(sandbox::StreamId stream, std::span<const std::byte> data) override {
    sink_->write(stream, data);
  }
  std::optional<std::chrono::steady_clock::time_point> nextDeadline() const override {
    return sink_ == nullptr ? std::nullopt : sink_->nextDeadline();
  }
  void onIdle(std::chrono::steady_clock::time_point now) override {
    if (sink_ != nullptr) {
      sink_->onIdle(now);
    }
  }
  void finish() override {
    if (sink_ != nullptr) {
      sink_->finish();
    }
  }

 private:
  std::unique_ptr<RedactingSink> sink_;
};

Result<std::shared_ptr<const redact::RuleSet>> redactionRules(const RunRequest& req,
                                                              const std::string& state_dir,
                                                              std::string hmac_key) {
  RedactionInputs in;
  in.settings = req.policy.redaction;
  in.known_secrets = knownSecretsFromEnv(req.policy.sandbox.env, req.secret_env);
  in.home_dir = req.caller_home;
  in.hmac_key = std::move(hmac_key);
  in.state_dir = state_dir;
  return buildRedactionRules(std::move(in));
}

// Every string of the record passes through the same rules as the output (JSON Lines mode
// keeps the structure); if that fails, a minimal record without free text is written.
std::string redactRecord(const std::shared_ptr<const redact::RuleSet>& rules,
                         const std::string& compact, const std::string& id, int exit_code) {
  if (rules == nullptr) {
    return prettyRecord(compact);
  }
  Result<std::string> redacted =
      redact::redactString(rules, compact, redact::InputFormat::kJsonLines);
  if (redacted.has_value()) {
    return prettyRecord(*redacted);
  }
  return prettyRecord(fmt::format(
      R"({{"schema":"agentbox.run/1","id":"{}","exit_code":{},"error":"record withheld: the redaction engine failed"}})",
      id, exit_code));
}

Result<std::string> resolveWorkspace(const std::string& given) {
  Result<struct stat> st = sys::stat(given);
  if (!st.has_value()) {
    return makeError(Errc::kNotFound,
                     "workspace {} does not exist; pass an existing directory "
                     "with --workspace DIR",
                     given);
  }
  if (!S_ISDIR(st->st_mode)) {
    return makeError(Errc::kInvalidInput,
                     "workspace {} is not a directory; pass a directory with --workspace DIR",
                     given);
  }
  return sys::realPath(given).context("workspace {}", given);
}

// Policy denials of the proxy are violations of kind "network" (rate limits and malformed
// requests are not: they are recorded as connections only).
void addNetworkViolations(const std::vector<proxy::ConnectionEvent>& connections,
                          sandbox::RunResult& result) {
  for (const proxy::ConnectionEvent& e : connections) {
    if (e.decision != proxy::Decision::kDenied) {
      continue;
    }
    std::string subject = e.method == "CONNECT"
                              ? fmt::format("CONNECT {}:{}", e.host, e.port)
                              : fmt::format("{} http://{}:{}{}", e.method, e.host, e.port, e.path);
    result.violations.push_back({.kind = "network",
                                 .subject = std::move(subject),
                                 .rule = e.rule,
                                 .time = e.time,
                                 .pid = 0});
  }
}

int finishWithError(const Error& e) {
  printLine(e.oneLine());
  return 125;
}

}  // namespace

Status checkWorkspaceAgainstStateDir(const std::string& workspace, const std::string& state_dir) {
  if (isWithin(state_dir, workspace)) {
    return makeError(Errc::kDenied,
                     "workspace {} contains the agentbox state directory {}; the sandbox must not "
                     "see run records or keys: choose a project directory, or move the state dir "
                     "with AGENTBOX_STATE_DIR",
                     workspace, state_dir);
  }
  if (isWithin(workspace, state_dir)) {
    return makeError(Errc::kDenied,
                     "workspace {} lies inside the agentbox state directory {}; choose a project "
                     "directory outside it",
                     workspace, state_dir);
  }
  return ok();
}

int runCommand(const RunRequest& req) {
  Result<std::string> ws = resolveWorkspace(req.workspace);
  if (!ws.has_value()) {
    return finishWithError(ws.error());
  }
  if (Status made = sys::mkdirs(req.state_dir, 0700); !made.has_value()) {
    return finishWithError(std::move(made).error().addContext("state directory"));
  }
  Result<std::string> state = sys::realPath(req.state_dir);
  if (!state.has_value()) {
    return finishWithError(state.error());
  }
  if (Status s = checkWorkspaceAgainstStateDir(*ws, *state); !s.has_value()) {
    return finishWithError(s.error());
  }
  // The state dir's key: fingerprints, and the HMAC of the cached rule database and seccomp
  // program (state_cache.h).
  Result<std::string> key = loadOrCreateRedactionKey(*state);
  if (!key.has_value()) {
    return finishWithError(std::move(key).error().addContext("redaction key"));
  }
  const BlobCache seccomp_cache = stateDirCache(*state, "seccomp", *key);
  // The rules take milliseconds to build (the Vectorscan database ~10 ms when it is not in
  // the state dir's cache): build them on another thread while the sandbox is prepared,
  // cloned and put in its cgroups; they are joined before the sandbox is released, so no byte
  // of the command is ever produced without them.
  std::future<Result<std::shared_ptr<const redact::RuleSet>>> rules_future =
      std::async(std::launch::async, [&req, state_dir = *state, hmac_key = *key] {
        return redactionRules(req, state_dir, hmac_key);
      });
  // The cgroups (0.3-0.8 ms of kernfs work) are made on another thread from here on, beside
  // the reaping of stale runs, the run directory and the sandbox's own preparation.
  std::string run_id = RunDir::newId();
  sandbox::PendingCgroups cgroups(req.policy, "agentbox-run-" + run_id);
  std::vector<std::string> warnings = reapStaleRuns(*state);
  for (const std::string& w : warnings) {
    if (!req.quiet) {
      printLine("cleaned up " + w);
    }
  }
  Result<RunDir> dir = RunDir::create(*state, run_id);
  if (!dir.has_value()) {
    return finishWithError(std::move(dir).error().addContext("cannot create the run directory"));
  }
  std::shared_ptr<const redact::RuleSet> rules;
  bool rules_ready = false;
  std::optional<RecordRedactor> record_redactor;  // holds the record's head, redacted early
  DeferredSink sink;
  std::unique_ptr<RunProxy> proxy;
  if (req.policy.network.mode == policy::NetworkMode::kProxy) {
    // The proxy redacts paths before it records them: it needs the rules before it starts.
    Result<std::shared_ptr<const redact::RuleSet>> built = rules_future.get();
    if (!built.has_value()) {
      return finishWithError(std::move(built).error().addContext("redaction rules"));
    }
    rules = std::move(*built);
    rules_ready = true;
    Result<std::unique_ptr<RunProxy>> started_proxy = RunProxy::start(req.policy.network, rules);
    if (!started_proxy.has_value()) {
      return finishWithError(
          std::move(started_proxy).error().addContext("cannot start the egress proxy"));
    }
    proxy = std::move(*started_proxy);
  }
  std::unique_ptr<PolicyReloader> reloader;
  std::unique_ptr<PolicyWatcher> watcher;
  if (proxy != nullptr && !req.policy_file.empty() && req.reload_policy &&
      req.loaded_policy != nullptr) {
    reloader = std::make_unique<PolicyReloader>(
        req.policy_file, req.loaded_policy, req.reload_policy, *proxy,
        [&rules, quiet = req.quiet](const std::string& line) {
          if (!quiet) {
            // A loader error can quote the file: it passes the redactor like everything else.
            printLine(rules == nullptr ? line
                                       : redact::redactString(rules, line)
                                             .value_or("policy reload: (message withheld)"));
          }
        });
    Result<std::unique_ptr<PolicyWatcher>> w =
        PolicyWatcher::start(req.policy_file, [r = reloader.get()] { r->reload(); });
    if (w.has_value()) {
      watcher = std::move(*w);
    } else {
      warnings.push_back("live policy updates are off: " + w.error().oneLine());
    }
  }
  sandbox::RunTarget target{.argv = req.argv, .workspace = *ws, .term = req.term, .lang = req.lang};
  auto started = std::chrono::system_clock::now();
  Result<sandbox::RunResult> result = sandbox::supervise({
      .policy = req.policy,
      .target = target,
      .output = sink,
      .stdin_fd = STDIN_FILENO,
      .cgroup_name = cgroups.name(),
      .on_started = [&](pid_t pid, const std::vector<std::string>& cgroup_dirs,
                        const std::vector<sandbox::LayerStatus>& layers) -> Status {
        Status s = dir->recordCleanup(pid, cgroup_dirs);
        if (!s.has_value()) {
          warnings.push_back("cannot record the run for clean-up: " + s.error().oneLine());
        }
        if (!rules_ready) {
          Result<std::shared_ptr<const redact::RuleSet>> built = rules_future.get();
          if (!built.has_value()) {
            return std::move(built).error().addContext("redaction rules");
          }
          rules = std::move(*built);
        }
        if (rules == nullptr) {
          warnings.emplace_back(
              "output redaction is off (redaction.enabled = false or OUTPUT_SANITIZATION=false): "
              "the output, output.log and this record are not redacted");
          if (!req.quiet) {
            printLine("warning: " + warnings.back());
          }
        }
        Result<std::unique_ptr<RedactingSink>> opened =
            RedactingSink::open(rules, dir->path() + "/output.log");
        if (!opened.has_value()) {
          return std::move(opened).error().addContext("output redactor");
        }
        sink.attach(std::move(*opened));
        // Most of the record is known now: it is redacted while the sandbox builds its root,
        // not after the command (only the tail is left for then).
        record_redactor = RecordRedactor::start(rules, renderRunRecordHead({.id = dir->id(),
                                                                            .argv = req.argv,
                                                                            .workspace = *ws,
                                                                            .policy = req.policy,
                                                                            .started = started,
                                                                            .layers = layers}));
        return ok();
      },
      .on_proxy_listeners =
          proxy == nullptr
              ? std::function<void(std::vector<UniqueFd>)>()
              : [&](std::vector<UniqueFd> listeners) { proxy->addListeners(std::move(listeners)); },
      .seccomp_cache = &seccomp_cache,
      .cgroups = &cgroups,
  });
  watcher.reset();  // no reload after this point
  if (reloader != nullptr) {
    for (std::string& n : reloader->takeNotes()) {
      warnings.push_back(std::move(n));
    }
  }
  std::vector<proxy::ConnectionEvent> connections;
  if (proxy != nullptr) {
    proxy->stop();
    connections = proxy->takeEvents();
    for (std::string& n : proxy->takeNotes()) {
      warnings.push_back(std::move(n));
    }
  }
  if (!result.has_value()) {
    return finishWithError(result.error());
  }
  if (!result->error.empty()) {
    // The error can quote the command (argv): it passes the redactor like everything else.
    std::string line = result->error;
    if (rules != nullptr) {
      line = redact::redactString(rules, line).value_or("(message withheld: redaction failed)");
    }
    printLine(line);
  }
  addNetworkViolations(connections, *result);
  for (const std::string& w : result->warnings) {
    warnings.push_back(w);
    if (!req.quiet) {
      printLine("warning: " + w);
    }
  }
  redact::RedactionCounts counts = sink->counts();
  if (sink->failed()) {
    warnings.push_back("the redaction engine failed: the rest of the output was withheld");
  }
  const char* redaction_state = !sink->enabled() ? "off" : sink->failed() ? "failed" : "on";
  // output.log is complete and closed before result.json appears.
  sink.detach();
  const RunRecordInputs record_inputs{.id = dir->id(),
                                      .argv = req.argv,
                                      .workspace = *ws,
                                      .policy = req.policy,
                                      .started = started,
                                      .ended = std::chrono::system_clock::now(),
                                      .result = *result,
                                      .warnings = warnings,
                                      .redaction_by_rule = counts.by_rule,
                                      .redaction_by_class = counts.by_class,
                                      .redaction_state = redaction_state,
                                      .connections = &connections};
  std::optional<std::string> record;
  if (record_redactor.has_value()) {
    record = record_redactor->finish(renderRunRecordTail(record_inputs));
  }
  if (!record.has_value()) {  // no head (redaction off or failed): the whole record at once
    record = redactRecord(rules, renderRunRecord(record_inputs), dir->id(), result->exit_code);
  }
  if (Status s = sys::writeFileAtomic(dir->path() + "/result.json", *record, 0600);
      !s.has_value()) {
    printLine("cannot write the run record: " + s.error().oneLine());
  }
  if (req.report_path.has_value()) {
    if (Status s = sys::writeFileAtomic(*req.report_path, *record, 0644); !s.has_value()) {
      printLine(fmt::format("cannot write --report {}: {}", *req.report_path, s.error().oneLine()));
    }
  }
  return result->exit_code;
}

}  // namespace agentbox::app
