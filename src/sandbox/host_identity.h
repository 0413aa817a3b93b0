// SPDX-License-Identifier: Apache-2.0
// File: host_identity.h
// Who is calling agentbox: host uid/gid, and whether the caller is privileged. Privilege is
// decided by capabilities held in the initial user namespace, not by uid 0: root inside a
// user namespace (a rootless container) cannot write arbitrary id maps.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "util/result.h"

namespace agentbox::sandbox {

struct HostIdentity {
  uid_t uid = 0;            // real uid of the caller
  gid_t gid = 0;            // real gid of the caller
  std::string user;         // login name, or the uid as text when it has none
  std::string home;         // the caller's home directory (hidden from the sandbox)
  bool privileged = false;  // CAP_SETUID+CAP_SETGID+CAP_SYS_ADMIN in the initial user ns
};

// Asks capget(2) for the effective capabilities and reads /proc/self/uid_map.
Result<HostIdentity> detectHostIdentity();

// Pure: the "privileged" rule over the effective capability set and the text of
// /proc/self/uid_map; the second form takes the set from /proc/self/status's CapEff line.
bool isPrivilegedWith(uint64_t effective_caps, std::string_view uid_map);
bool isPrivileged(std::string_view proc_status, std::string_view uid_map);

}  // namespace agentbox::sandbox
