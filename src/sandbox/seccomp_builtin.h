// SPDX-License-Identifier: Apache-2.0
// File: seccomp_builtin.h
// The built-in seccomp profile: an allow-list in the manner of Docker's default profile,
// default action EPERM (so a syscall the kernel adds next year is denied), with the
// high-signal families (mount, namespaces, ptrace, kernel modules, bpf, ...) compiled as
// SECCOMP_RET_USER_NOTIF into the same filter so that each attempt becomes a violation
// report. docs/hardening.md lists every family and why it is denied.
#pragma once

#include <string>
#include <vector>

#include "sandbox/seccomp_rules.h"

namespace agentbox::sandbox {

// clone flags that create a namespace; clone() with any of them is a violation.
inline constexpr uint64_t kCloneNamespaceFlags =
    0x7E020000;  // NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET

// The built-in profile as rules (pure; native architecture only, other ABIs kill the
// process: a 32-bit int 0x80 or x32 call would otherwise reach a second syscall table).
SeccompRules builtinSeccompRules();

// For a run without network and IPC namespaces (best-effort on a host without user
// namespaces): replaces every socket() rule and every System V / POSIX IPC rule of `rules`
// (built-in or a Docker profile) so that AF_UNIX sockets, non-TCP inet sockets and IPC calls
// are violations, while TCP sockets stay creatable for landlock to confine.
void restrictForSharedHost(SeccompRules& rules);

// Syscall names the built-in profile answers with SECCOMP_RET_USER_NOTIF under some or all
// arguments (for docs, tests and the run record).
std::vector<std::string> builtinNotifySyscalls();

// The mandatory guard for a user-supplied profile: for every syscall of
// builtinNotifySyscalls() and clone3 that `rules` would allow (an allowing rule, or no rule
// under an allowing default), drops the profile's rules for it and inserts the built-in
// ones. A profile can thus deny these families more strictly, but never open them.
// Returns the names whose rules were replaced.
std::vector<std::string> applyMandatoryGuard(SeccompRules& rules);

}  // namespace agentbox::sandbox
