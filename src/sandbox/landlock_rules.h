// SPDX-License-Identifier: Apache-2.0
// File: landlock_rules.h
// Landlock for the sandbox child: a pure plan built in the parent from plain path and port
// lists (`planLandlock`) and an async-signal-safe apply in the child (`applyLandlock`).
//
// ABI handling: the plan is made for the ABI the running kernel reports (landlockAbi()),
// capped at the newest ABI this code knows (7). Rights a kernel lacks are left out of the
// plan and named in `LandlockPlan::missing`, so a best-effort run can report them; ABI 0
// (Landlock absent or disabled) yields a plan with `enabled == false`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace agentbox::sandbox {

struct LandlockRequest {
  std::vector<std::string> read_exec_paths;   // read files, list dirs, execute
  std::vector<std::string> read_write_paths;  // everything but mknod of devices
  std::vector<std::string> list_paths;        // directory listing only (e.g. "/")
  // TCP ports (ABI 4+). nullopt: not restricted by Landlock; an empty list: none allowed.
  std::optional<std::vector<uint16_t>> bind_ports;
  std::optional<std::vector<uint16_t>> connect_ports;
  bool scope_signals = true;        // ABI 6+: no signals to processes outside the domain
  bool scope_abstract_unix = true;  // ABI 6+: no connect to abstract sockets outside it
};

// The paths agentbox's sandbox needs, as DESIGN.md and issue 12 list them: read+execute for
// the system directories (and /workspace unless writable), read-write for /tmp,
// /home/agent, /dev/shm, the character devices a shell writes and /workspace in write mode.
LandlockRequest sandboxLandlockRequest(bool workspace_writable);

struct LandlockPathRule {
  std::string path;     // opened in the child with O_PATH; absent paths are skipped
  uint64_t access = 0;  // rights for a directory; reduced to file rights for a file
};

struct LandlockPortRule {
  uint16_t port = 0;
  uint64_t access = 0;  // kNetBindTcp / kNetConnectTcp
};

struct LandlockPlan {
  bool enabled = false;  // false: nothing to apply (ABI 0)
  int abi = 0;           // the ABI planned for
  uint64_t handled_fs = 0;
  uint64_t handled_net = 0;
  uint64_t scoped = 0;
  std::vector<LandlockPathRule> paths;
  std::vector<LandlockPortRule> ports;
  std::vector<std::string> missing;  // requested protections this ABI cannot give
  // "abi=7 fs_rules=14 net_rules=1 scoped=signal,abstract_unix" for the run record.
  std::string describe() const;
};

// Pure. `kernel_abi` is landlockAbi()'s answer.
LandlockPlan planLandlock(const LandlockRequest& request, int kernel_abi);

// The running kernel's ABI, 0 if Landlock is unavailable. Errors only on an unexpected errno.
Result<int> detectLandlockAbi();

// What applyLandlock() did (fixed size, filled in the child; can be written into shared
// memory or a pipe for the parent's run record).
struct LandlockApplyStats {
  int rules_added = 0;
  int paths_missing = 0;  // ENOENT/ENOTDIR paths skipped
};

// Child side, async-signal-safe (no allocation): creates the ruleset, opens each path
// O_PATH and adds its rule, adds the port rules, and calls landlock_restrict_self().
// Needs no_new_privs OR CAP_SYS_ADMIN in the current user namespace: call it before
// dropCapabilities() or after setNoNewPrivs(). Returns 0 or an errno; a plan with
// enabled == false returns 0 and does nothing.
int applyLandlock(const LandlockPlan& plan, LandlockApplyStats* stats = nullptr);

}  // namespace agentbox::sandbox
