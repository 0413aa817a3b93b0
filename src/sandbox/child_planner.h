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
// Where the egress proxy listens inside the sandbox (network.mode = "proxy").
inline constexpr uint16_t kProxyPort = 3128;

// A host path the sandbox sees at `sandbox_path`: cloned by the child from `host_path`, or a
// tree the parent made (`tree_fd`, privileged callers: the child could not traverse e.g.
// /root to reach the path itself).
struct ExtraMount {
  std::string host_path;
  std::string sandbox_path;
  bool read_only = true;
  bool is_file = false;
  int tree_fd = -1;
};

// A sandbox path masked by the policy's `hidden` list.
struct HiddenPath {
  std::string sandbox_path;
  bool is_dir = true;  // directory: an empty read-only tmpfs; file: /dev/null read-only
};

struct PlanInputs {
  const policy::Policy& policy;
  const RunTarget& target;
  const HostFacts& host;
  const IdMapPlan& ids;
  int workspace_tree_fd = -1;  // a parent-made (idmapped) tree, or -1 to bind the path
  // Extra binds of the policy, then the read-only guard of /workspace/.git (write mode
  // without allow_git_write), in mount order; and the hidden paths, mounted last.
  std::vector<ExtraMount> extra;
  std::vector<HiddenPath> hidden;
};

// Fills everything but the fd fields, which the supervisor sets once it has made the pipes.
ChildPlan planChild(const PlanInputs& in);

// The environment inside: PATH, HOME, USER, TERM, LANG, then the policy's extra variables.
std::vector<std::string> sandboxEnvironment(const policy::Policy& policy, const RunTarget& target);

}  // namespace agentbox::sandbox
