// SPDX-License-Identifier: Apache-2.0
// File: supervisor.h
// The Supervisor spawns the sandbox (clone3 into new user, mount, pid, net, ipc, uts and
// cgroup namespaces), writes its id maps, releases it, then runs one poll loop that streams
// the command's output to an OutputSink, pumps stdin, forwards signals, enforces the
// wall-clock timeout and, when pid 1 exits, classifies the outcome.
//
// Threading: call supervise() from one thread; that thread must outlive the run, because the
// sandbox's PR_SET_PDEATHSIG is tied to the thread that cloned it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "sandbox/cgroups.h"
#include "sandbox/child_plan.h"
#include "sandbox/sandbox_spec.h"
#include "util/blob_cache.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::sandbox {

enum class Outcome { kExited, kSignaled, kTimeout, kOom, kViolation, kSetupError };
const char* outcomeName(Outcome outcome);

enum class StreamId { kStdout, kStderr };

// Receives the command's output as it arrives. Called only from the supervising thread.
class OutputSink {
 public:
  OutputSink() = default;
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;
  OutputSink(OutputSink&&) = delete;
  OutputSink& operator=(OutputSink&&) = delete;
  virtual ~OutputSink() = default;
  virtual void write(StreamId stream, std::span<const std::byte> data) = 0;
  // When onIdle() next wants a call (a streaming redactor's 50 ms flush); nullopt = never.
  virtual std::optional<std::chrono::steady_clock::time_point> nextDeadline() const {
    return std::nullopt;
  }
  virtual void onIdle(std::chrono::steady_clock::time_point now) { (void)now; }
  // End of both streams.
  virtual void finish() = 0;
};

// One entry of the run record's `violations`.
struct Violation {
  std::string kind;     // "syscall" | "network" | "filesystem"
  std::string subject;  // "mount(...)": the syscall with its decoded arguments
  std::string rule;     // "seccomp:<profile>"
  std::chrono::system_clock::time_point time;
  pid_t pid = 0;
};

// One isolation layer as the run record reports it.
struct LayerStatus {
  std::string name;
  bool active = false;
  std::string detail;  // parameters when active
  std::string reason;  // why not, when inactive
};

struct RunResult {
  Outcome outcome = Outcome::kSetupError;
  int exit_code = 125;        // agentbox's exit status (DESIGN.md table)
  std::optional<int> signal;  // the signal that ended the command, if any
  std::string error;          // one line for the user when setup or exec failed
  uint64_t wall_ms = 0;
  uint64_t cpu_ms = 0;
  uint64_t peak_memory_bytes = 0;           // cgroup peak; without cgroups the largest single RSS
  std::optional<uint64_t> peak_pids;        // cgroup pids peak (sampled on v1)
  std::optional<uint64_t> pids_limit_hits;  // forks refused by the pids limit
  bool limits_enforced = false;             // memory, cpus, pids held by a cgroup
  bool output_truncated = false;            // output beyond output_limit was dropped
  std::vector<LayerStatus> layers;
  std::vector<Violation> violations;
  uint64_t violations_suppressed = 0;  // beyond the reporting cap, counted only
  std::vector<std::string> warnings;
};

// The run's cgroups (a kernfs directory per hierarchy, then the limit writes: 0.3-0.8 ms),
// made on another thread from construction on. A caller that knows the cgroup name before its
// own set-up (run directory, stale-run reaping) starts them then and hands them to supervise
// (SuperviseRequest::cgroups); otherwise supervise makes them. `policy` must outlive the
// object. Destruction waits for the thread; cgroups made but never taken are removed.
class PendingCgroups {
 public:
  PendingCgroups(const policy::Policy& policy, std::string name);
  PendingCgroups(const PendingCgroups&) = delete;
  PendingCgroups& operator=(const PendingCgroups&) = delete;
  PendingCgroups(PendingCgroups&&) = default;
  PendingCgroups& operator=(PendingCgroups&&) = default;
  ~PendingCgroups() = default;

  const std::string& name() const { return name_; }
  // Waits for the thread. Call at most once.
  Result<RunCgroups> take() { return made_.get(); }

 private:
  std::string name_;
  std::future<Result<RunCgroups>> made_;
};

struct SuperviseRequest {
  const policy::Policy& policy;
  const RunTarget& target;
  OutputSink& output;
  int stdin_fd = 0;         // host side of the command's stdin; -1 = empty stdin
  std::string cgroup_name;  // "agentbox-run-<id>": the run's cgroup directories
  // Called once the sandbox's pid 1 exists (host pid) and its cgroups are made, before it is
  // released: the caller records both so that the next start can clean up after a kill -9.
  // `layers` is the run's layer report, final at this point (RunResult::layers repeats it).
  // An error stops the run before the command exists (the sandbox is killed; exit 125).
  std::function<Status(pid_t, const std::vector<std::string>& cgroup_dirs,
                       const std::vector<LayerStatus>& layers)>
      on_started;
  // network.mode = "proxy" requires it: receives the listening sockets the sandbox opened on
  // 127.0.0.1:3128 (and [::1]:3128 where IPv6 exists), once, before the command runs (on the
  // supervising thread). A proxy-mode policy without it is refused, never run without egress
  // control. The sandbox layer knows nothing of the proxy itself.
  std::function<void(std::vector<UniqueFd> listeners)> on_proxy_listeners;
  // Where the compiled seccomp program is kept between runs (seccomp_cache.h); null: none.
  const BlobCache* seccomp_cache = nullptr;
  // Cgroups the caller started early under cgroup_name, taken by supervise; null: supervise
  // makes them itself.
  PendingCgroups* cgroups = nullptr;
};

// Errors are failures before the sandbox started (exit 125); everything after is a RunResult.
Result<RunResult> supervise(const SuperviseRequest& request);

// Pure outcome classification, exposed for tests.
struct ExitFacts {
  std::optional<ChildReport> setup_failure{};  // kSetupFailed from pid 1
  std::optional<ChildReport> exec_failure{};   // kExecFailed from the command
  std::optional<int> command_wait_status{};    // from kExited
  bool timed_out = false;                      // we killed the sandbox at the deadline
  bool killed_for_violation = false;           // on_violation = "kill" fired
  int init_si_code = 0;                        // waitid's si_code for pid 1
  int init_si_status = 0;                      // exit status or signal number of pid 1
};
RunResult classifyExit(const ExitFacts& facts);

}  // namespace agentbox::sandbox
