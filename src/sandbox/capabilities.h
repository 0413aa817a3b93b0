// SPDX-License-Identifier: Apache-2.0
// File: capabilities.h
// Dropping every capability and locking the securebits in the sandbox child, then setting
// no_new_privs. One apply function for the child (async-signal-safe, returns errno) and a
// read-back used by tests and the run record.
#pragma once

#include <cstdint>

namespace agentbox::sandbox {

// Securebits the child sets and locks: root gets no implicit capabilities at execve
// (NOROOT), uid changes never add or clear capabilities (NO_SETUID_FIXUP), keep-caps stays off
// for good (KEEP_CAPS_LOCKED) and the ambient set can never be raised (NO_CAP_AMBIENT_RAISE).
uint64_t lockedSecurebits();

// Where dropCapabilities() stopped, for a one-line setup error ("capabilities: capset: EPERM").
enum class CapStep : uint8_t {
  kNone,
  kSecurebits,
  kAmbient,
  kBounding,
  kCapset,
  kNoNewPrivs,
  kVerify,
};
const char* capStepName(CapStep step);

// Runs in the child, after the mounts and landlock (they need CAP_SYS_ADMIN in the user
// namespace) and before seccomp. Order matters: securebits and the bounding set need
// CAP_SETPCAP, so they come before capset() empties the effective set.
//   1. PR_SET_SECUREBITS with lockedSecurebits()
//   2. PR_CAP_AMBIENT_CLEAR_ALL
//   3. PR_CAPBSET_DROP for every capability the kernel knows (stops at EINVAL)
//   4. capset(): effective, permitted and inheritable all zero
//   5. PR_SET_NO_NEW_PRIVS
//   6. read back: capget() all zero, bounding and ambient empty, NoNewPrivs 1
// Returns 0 or an errno; *failed_step (if not null) names the step that failed.
// Async-signal-safe: plain prctl/capget/capset syscalls, no allocation.
int dropCapabilities(CapStep* failed_step = nullptr);

// Read-back of the current process (tests, `doctor`).
struct CapabilityState {
  uint64_t effective = 0;
  uint64_t permitted = 0;
  uint64_t inheritable = 0;
  uint64_t bounding = 0;  // bit N set if cap N is in the bounding set
  uint64_t ambient = 0;
  uint64_t securebits = 0;
  bool no_new_privs = false;
};
// Returns 0 or an errno. Async-signal-safe.
int readCapabilityState(CapabilityState* out);

}  // namespace agentbox::sandbox
