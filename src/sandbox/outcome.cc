// SPDX-License-Identifier: Apache-2.0
// File: outcome.cc
// Maps what the supervisor saw at the end of a run to the outcome and exit status of
// DESIGN.md's table.
#include <sys/wait.h>

#include <cstring>

#include "sandbox/supervisor.h"

namespace agentbox::sandbox {

const char* outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kExited:
      return "exited";
    case Outcome::kSignaled:
      return "signaled";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kOom:
      return "oom";
    case Outcome::kViolation:
      return "violation";
    case Outcome::kSetupError:
      return "setup-error";
  }
  return "setup-error";
}

namespace {

std::string errnoText(int err) {
  const char* name = strerrorname_np(err);
  const char* desc = strerrordesc_np(err);
  return fmt::format("{} ({})", name != nullptr ? name : "E?", desc != nullptr ? desc : "?");
}

std::string detailOf(const ChildReport& r) {
  return std::string(r.detail.data(), strnlen(r.detail.data(), r.detail.size()));
}

}  // namespace

RunResult classifyExit(const ExitFacts& facts) {
  RunResult r;
  if (facts.setup_failure.has_value()) {
    const ChildReport& f = *facts.setup_failure;
    r.outcome = Outcome::kSetupError;
    r.exit_code = 125;
    r.error = fmt::format("sandbox setup failed at step '{}': {}: {}; run 'agentbox doctor'",
                          childStageName(f.stage), detailOf(f), errnoText(f.err));
    return r;
  }
  if (facts.killed_for_violation) {
    r.outcome = Outcome::kViolation;
    r.exit_code = 159;
    r.error = "the command was killed for a policy violation (seccomp on_violation = kill)";
    return r;
  }
  if (facts.command_wait_status.has_value()) {
    int st = *facts.command_wait_status;
    if (WIFSIGNALED(st)) {
      r.outcome = Outcome::kSignaled;
      r.signal = WTERMSIG(st);
      r.exit_code = 128 + WTERMSIG(st);
    } else {
      r.outcome = Outcome::kExited;
      r.exit_code = WEXITSTATUS(st);
    }
    if (facts.exec_failure.has_value()) {
      const ChildReport& f = *facts.exec_failure;
      std::string name = detailOf(f);
      name = name.substr(name.find(' ') == std::string::npos ? 0 : name.find(' ') + 1);
      r.error = f.err == ENOENT ? fmt::format(
                                      "cannot run '{}' in the sandbox: not found in PATH or the "
                                      "path does not exist inside the sandbox",
                                      name)
                                : fmt::format(
                                      "cannot run '{}' in the sandbox: {}; check that it is an "
                                      "executable file inside the sandbox",
                                      name, errnoText(f.err));
    }
    return r;
  }
  if (facts.timed_out) {
    r.outcome = Outcome::kTimeout;
    r.exit_code = 124;
    return r;
  }
  if (facts.init_si_code == CLD_KILLED || facts.init_si_code == CLD_DUMPED) {
    r.outcome = Outcome::kSignaled;
    r.signal = facts.init_si_status;
    r.exit_code = 128 + facts.init_si_status;
    r.error = fmt::format("the sandbox's init was killed by signal {} from outside",
                          facts.init_si_status);
    return r;
  }
  r.outcome = Outcome::kSetupError;
  r.exit_code = 125;
  r.error = fmt::format(
      "the sandbox's init exited with status {} without reporting; run "
      "'agentbox doctor'",
      facts.init_si_status);
  return r;
}

}  // namespace agentbox::sandbox
