// SPDX-License-Identifier: Apache-2.0
// File: shared_host.h
// Best-effort on a host that gives no user namespace (Ubuntu's AppArmor restriction,
// user.max_user_namespaces=0, an unprivileged container): the run shares the host's
// namespaces and is confined by landlock (filesystem read-only except the workspace in write
// mode and a private temp dir; no TCP port at all), seccomp (no AF_UNIX, UDP or host IPC),
// capabilities, no_new_privs, rlimits and, where delegated, cgroups. Strict refuses instead.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"
#include "sandbox/child_plan.h"
#include "sandbox/landlock_rules.h"
#include "util/result.h"

namespace agentbox::sandbox {

// 0 when a child can be cloned into the sandbox's namespaces (user, mount, pid, net, ipc,
// uts), else the errno clone3 gave. Costs one short-lived child.
int sandboxNamespacesErrno();

// What a shared-host run cannot give, for stderr and the run record.
std::vector<std::string> sharedHostMissingLayers(int clone_errno);

// Refuses what cannot be enforced without a mount namespace (one line each, with the fix):
// hidden paths, the read-only .git guard in write mode, binds at another sandbox path.
Status checkSharedHostPolicy(const policy::Policy& policy, const std::string& workspace,
                             bool privileged);

// Landlock rules at host paths: system directories and /proc read+execute, the workspace
// (read-write in write mode), the run's temp dir, the character devices a shell writes, the
// policy's binds at their host paths; no TCP bind or connect unless the policy lists ports.
LandlockRequest sharedHostLandlockRequest(const policy::Policy& policy,
                                          const std::string& workspace, const std::string& tmp_dir);

// Turns a namespaced plan into the shared-host one: no mounts, no id changes, the
// workspace's host path as the working directory, HOME and TMPDIR in the run's temp dir.
void adaptPlanForSharedHost(ChildPlan& plan, const std::string& workspace,
                            const std::string& tmp_dir);

// The run's private temp dir (mode 0700 under $TMPDIR or /tmp), removed with its contents.
class RunTempDir {
 public:
  static Result<RunTempDir> create();
  RunTempDir() = default;
  RunTempDir(RunTempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  RunTempDir& operator=(RunTempDir&& o) noexcept;
  RunTempDir(const RunTempDir&) = delete;
  RunTempDir& operator=(const RunTempDir&) = delete;
  ~RunTempDir();
  const std::string& path() const { return path_; }

 private:
  explicit RunTempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace agentbox::sandbox
