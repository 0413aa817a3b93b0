// SPDX-License-Identifier: Apache-2.0
// File: seccomp_compile.h
// SeccompRules -> a ready classic-BPF program (libseccomp, in the parent), and the child's
// install step (one seccomp() syscall, async-signal-safe).
//
// Call order in the sandbox child (see docs/hardening.md):
//   ... mounts, pivot_root, landlock, dropCapabilities() (sets no_new_privs) ...
//   installSeccompAndSendListener(program, sock)   // last step before execve
//   execve(...)
// no_new_privs must be set before the install (an unprivileged filter requires it), and
// seccomp comes last so that the setup syscalls before it are not subject to the filter.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "sandbox/seccomp_rules.h"
#include "util/result.h"

namespace agentbox::sandbox {

// A compiled filter. Immutable after compileSeccomp(); safe to read from a forked child.
struct SeccompProgram {
  std::string profile_name;                  // SeccompRules::name
  std::vector<sock_filter> filter;           // the BPF program handed to seccomp()
  std::vector<std::string> notify_syscalls;  // syscalls with a SECCOMP_RET_USER_NOTIF rule
  size_t rule_count = 0;                     // rules libseccomp accepted
  std::vector<std::string> warnings;         // e.g. names this libseccomp does not know

  // True if the filter can return SECCOMP_RET_USER_NOTIF: it must then be installed with a
  // listener, or every such syscall fails with ENOSYS instead of being reported.
  bool usesNotify() const { return !notify_syscalls.empty(); }

  // The run record's layer detail: "profile=builtin rules=412 bpf_insns=659 notify=45".
  std::string describe() const;
};

// Compiles `rules` for the native architecture plus `rules.arches`. Syscall names libseccomp
// does not know are skipped (with `nr_fallback` used where given) and listed in ONE warning.
// Errors: kInvalidInput for a rule libseccomp rejects (bad argument index, conflicting
// rules), kUnsupported if the running kernel lacks an action the rules use, kInternal for
// export failures.
Result<SeccompProgram> compileSeccomp(const SeccompRules& rules);

// --- child side: async-signal-safe, no allocation; each returns 0 or an errno ---

// Installs `program` on the calling thread. If program.usesNotify(), the filter is installed
// with SECCOMP_FILTER_FLAG_NEW_LISTENER (and WAIT_KILLABLE_RECV where the kernel has it, so
// a signal does not turn one attempt into a stream of notifications) and the listener fd
// (O_CLOEXEC) is stored in *listener_fd; else *listener_fd is -1.
int installSeccomp(const SeccompProgram& program, int* listener_fd);

// installSeccomp(), then sends the listener fd to the supervisor over the connected AF_UNIX
// socket `sock_fd` (SCM_RIGHTS) and closes the child's copy. With no notify rules, nothing
// is sent. The supervisor receives it with receiveSeccompListener() (seccomp_notify.h).
int installSeccompAndSendListener(const SeccompProgram& program, int sock_fd);

}  // namespace agentbox::sandbox
