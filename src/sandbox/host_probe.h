// SPDX-License-Identifier: Apache-2.0
// File: host_probe.h
// What isolation this host gives this user, tried for real (a throwaway child per
// namespace, a test cgroup, an overlay mount in a user namespace), for `agentbox doctor`.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"

namespace agentbox::sandbox {

struct LayerCheck {
  std::string layer;  // "user-namespace", "landlock", "cgroup-memory", ...
  bool available = false;
  std::string detail;    // what was found (ABI, version, errno)
  std::string fix;       // how to get it, when missing ("" when available)
  bool required = true;  // the strict default needs it
};

// Runs every check; each is independent and cleans up after itself.
std::vector<LayerCheck> probeHost(const policy::Policy& policy);

}  // namespace agentbox::sandbox
