// SPDX-License-Identifier: Apache-2.0
// File: child_planner.h
// Pure: turns the policy, the run target and host facts into the ChildPlan the sandbox child
// executes (mount steps of the new root, environment, exec candidates). No system calls.
#pragma once

#include "policy/policy.h"
#include "sandbox/child_plan.h"
#include "sandbox/id_map.h"
#include "sandbox/sandbox_spec.h"

namespace agentbox::sandbox {

inline constexpr const char* kSandboxPath =
    "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

struct PlanInputs {
  const policy::Policy& policy;
  const RunTarget& target;
  const HostFacts& host;
  const IdMapPlan& ids;
  int workspace_tree_fd = -1;  // a parent-made (idmapped) tree, or -1 to bind the path
};

// Fills everything but the fd fields, which the supervisor sets once it has made the pipes.
ChildPlan planChild(const PlanInputs& in);

// The environment inside: PATH, HOME, USER, TERM, LANG, then the policy's extra variables.
std::vector<std::string> sandboxEnvironment(const policy::Policy& policy, const RunTarget& target);

}  // namespace agentbox::sandbox
