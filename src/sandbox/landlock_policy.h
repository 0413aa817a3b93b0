// SPDX-License-Identifier: Apache-2.0
// File: landlock_policy.h
// From a Policy to the Landlock request: the sandbox's fixed paths
// (sandboxLandlockRequest), the policy's extra binds and its `[network.ports]`.
#pragma once

#include "policy/policy.h"
#include "sandbox/landlock_rules.h"

namespace agentbox::sandbox {

// Pure. /workspace is read-write in WorkspaceMode::kWrite, read+execute otherwise; extra
// read-only binds are read+execute and extra read-write binds read-write (at their sandbox
// path); `network.ports.bind/connect` become TCP port rules when present.
LandlockRequest landlockRequestForPolicy(const policy::Policy& policy);

}  // namespace agentbox::sandbox
