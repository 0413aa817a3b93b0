// SPDX-License-Identifier: Apache-2.0
// File: seccomp_policy.h
// From a Policy to what the seccomp layer needs: the compiled program (built-in profile or
// the Docker/OCI JSON profile `[seccomp] profile` names) and the notifier's options.
// Parent side; call once per run before spawning the child.
#pragma once

#include "policy/policy.h"
#include "sandbox/seccomp_cache.h"
#include "sandbox/seccomp_compile.h"
#include "sandbox/seccomp_notify.h"
#include "util/result.h"

namespace agentbox::sandbox {

// profile == "default" (or empty): builtinSeccompRules(). Otherwise the file is loaded with
// the host's context (native arch, empty capability set, running kernel) and the mandatory
// guard, then compiled. Errors: kNotFound/kIo for the file, kInvalidInput for a malformed
// profile (message has the byte offset: exit 125). Warnings (unknown syscall names) are in
// SeccompProgram::warnings for the run record. `shared_host`: the run has no network or IPC
// namespace (restrictForSharedHost is applied to the rules before compiling). `cache`: where
// compiled programs are kept between runs (seccomp_cache.h); null compiles every time.
Result<SeccompProgram> seccompProgramForPolicy(const policy::Policy& policy,
                                               bool shared_host = false,
                                               const BlobCache* cache = nullptr);

// on_violation = "deny" -> OnViolation::kDeny, "kill" -> OnViolation::kKill.
NotifierOptions notifierOptionsForPolicy(const policy::Policy& policy);

}  // namespace agentbox::sandbox
