// SPDX-License-Identifier: Apache-2.0
// File: id_map.h
// Plans the sandbox's uid/gid maps. The command always runs as 1001:1001 inside.
//  - Unprivileged caller: one line, 1001 -> caller (the kernel allows nothing else), and
//    setgroups is denied. Files the caller owns appear owned by the sandbox user.
//  - Privileged caller: a subordinate range (first /etc/subuid, /etc/subgid entry for the
//    caller of at least kMinRange ids, else the fixed range kFallbackBase + 65536), so no id in
//    the sandbox is host root: a process there cannot write e.g. /proc/sys/kernel/core_pattern.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/host_identity.h"
#include "util/result.h"

namespace agentbox::sandbox {

inline constexpr uint32_t kSandboxUid = 1001;
inline constexpr uint32_t kSandboxGid = 1001;
inline constexpr uint32_t kFallbackBase = 100000;  // used when /etc/subuid names no range
inline constexpr uint32_t kFallbackCount = 65536;
inline constexpr uint32_t kMinRange = kSandboxUid + 1;

struct IdRange {
  uint32_t inside = 0;
  uint32_t outside = 0;
  uint32_t count = 0;
};

struct IdMapPlan {
  std::vector<IdRange> uids;
  std::vector<IdRange> gids;
  bool deny_setgroups = false;            // unprivileged callers must write "deny" first
  bool child_becomes_root = false;        // privileged: the child setresuid(0)s inside before setup
  uint32_t host_uid_of_sandbox_user = 0;  // where uid 1001 lands on the host
  uint32_t host_gid_of_sandbox_user = 0;
  std::string source;  // "caller", "/etc/subuid", or "fallback 100000+65536"

  std::string uidMapText() const;
  std::string gidMapText() const;
};

// subuid/subgid: the contents of /etc/subuid and /etc/subgid ("" when absent).
Result<IdMapPlan> planIdMap(const HostIdentity& caller, std::string_view subuid,
                            std::string_view subgid);

}  // namespace agentbox::sandbox
