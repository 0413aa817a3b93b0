// SPDX-License-Identifier: Apache-2.0
// File: landlock_rules.cc
// Landlock plan (pure) and apply (child, async-signal-safe).
#include "sandbox/landlock_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "util/linux_compat_landlock.h"
#include "util/sys_harden.h"

namespace agentbox::sandbox {
namespace ll = landlock_uapi;

namespace {

constexpr uint64_t kReadExec = ll::kFsExecute | ll::kFsReadFile | ll::kFsReadDir;
// Rights that make sense on a non-directory; the kernel rejects the others (EINVAL).
constexpr uint64_t kFileRights =
    ll::kFsExecute | ll::kFsWriteFile | ll::kFsReadFile | ll::kFsTruncate | ll::kFsIoctlDev;
// Creating device nodes needs CAP_MKNOD anyway; never grant it.
constexpr uint64_t kNeverGranted = ll::kFsMakeChar | ll::kFsMakeBlock;

// ABI 4+: TCP port rules for the lists the request names.
void planPorts(const LandlockRequest& request, LandlockPlan& plan) {
  if (!request.bind_ports.has_value() && !request.connect_ports.has_value()) {
    return;
  }
  if (plan.abi < 4) {
    plan.missing.emplace_back(
        fmt::format("landlock: TCP port rules need ABI 4 (kernel has {})", plan.abi));
    return;
  }
  std::map<uint16_t, uint64_t> by_port;
  auto add = [&](const std::optional<std::vector<uint16_t>>& ports, uint64_t right) {
    if (!ports) {
      return;
    }
    plan.handled_net |= right;
    for (uint16_t p : *ports) {
      by_port[p] |= right;
    }
  };
  add(request.bind_ports, ll::kNetBindTcp);
  add(request.connect_ports, ll::kNetConnectTcp);
  for (const auto& [port, access] : by_port) {
    plan.ports.push_back({port, access});
  }
}

// ABI 6+: signals and abstract unix sockets stay inside the domain.
void planScopes(const LandlockRequest& request, LandlockPlan& plan) {
  if (!request.scope_signals && !request.scope_abstract_unix) {
    return;
  }
  if (plan.abi < 6) {
    plan.missing.emplace_back(fmt::format(
        "landlock: signal and abstract-socket scoping need ABI 6 (kernel has {})", plan.abi));
    return;
  }
  plan.scoped |= request.scope_signals ? ll::kScopeSignal : 0;
  plan.scoped |= request.scope_abstract_unix ? ll::kScopeAbstractUnixSocket : 0;
}

}  // namespace

LandlockRequest sandboxLandlockRequest(bool workspace_writable) {
  LandlockRequest r;
  r.read_exec_paths = {"/usr", "/bin", "/sbin", "/lib", "/lib32",       "/lib64",     "/libx32",
                       "/etc", "/opt", "/proc", "/sys", "/dev/urandom", "/dev/random"};
  r.read_write_paths = {"/tmp",      "/home/agent", "/dev/shm", "/dev/null", "/dev/zero",
                        "/dev/full", "/dev/tty",    "/dev/pts", "/dev/ptmx"};
  (workspace_writable ? r.read_write_paths : r.read_exec_paths).emplace_back("/workspace");
  r.list_paths = {"/", "/dev"};
  return r;
}

LandlockPlan planLandlock(const LandlockRequest& request, int kernel_abi) {
  LandlockPlan plan;
  plan.abi = std::min(kernel_abi, ll::kNewestKnownAbi);
  if (plan.abi <= 0) {
    plan.abi = 0;
    plan.missing.emplace_back("landlock: not available in this kernel (ABI 0)");
    return plan;
  }
  plan.enabled = true;
  plan.handled_fs = ll::fsRightsForAbi(plan.abi);
  const uint64_t rw = plan.handled_fs & ~kNeverGranted;
  auto add_paths = [&](const std::vector<std::string>& paths, uint64_t access) {
    for (const std::string& p : paths) {
      plan.paths.push_back({p, access & plan.handled_fs});
    }
  };
  add_paths(request.list_paths, ll::kFsReadDir);
  add_paths(request.read_exec_paths, kReadExec);
  add_paths(request.read_write_paths, rw);
  if (plan.abi < 3) {
    plan.missing.emplace_back(
        fmt::format("landlock: truncate() not restricted (needs ABI 3, kernel has {})", plan.abi));
  }
  if (plan.abi < 5) {
    plan.missing.emplace_back(fmt::format(
        "landlock: device ioctl() not restricted (needs ABI 5, kernel has {})", plan.abi));
  }

  planPorts(request, plan);
  planScopes(request, plan);
  return plan;
}

std::string LandlockPlan::describe() const {
  if (!enabled) {
    return "abi=0";
  }
  std::string scopes;
  if ((scoped & ll::kScopeSignal) != 0) {
    scopes = "signal";
  }
  if ((scoped & ll::kScopeAbstractUnixSocket) != 0) {
    scopes += scopes.empty() ? "abstract_unix" : ",abstract_unix";
  }
  return fmt::format("abi={} fs_rules={} net_rules={} scoped={}", abi, paths.size(), ports.size(),
                     scopes.empty() ? "none" : scopes);
}

Result<int> detectLandlockAbi() {
  int abi = 0;
  if (int err = sys_harden::landlockAbi(&abi); err != 0) {
    return Error::sys(err, "landlock_create_ruleset(LANDLOCK_CREATE_RULESET_VERSION)");
  }
  return abi;
}

namespace {

// Adds one path rule; ENOENT/ENOTDIR (a path this root lacks) is counted, not an error.
int addPathRule(int ruleset, const LandlockPathRule& rule, LandlockApplyStats& stats) {
  int fd = -1;
  if (int err = sys_harden::openPath(rule.path.c_str(), &fd); err != 0) {
    if (err == ENOENT || err == ENOTDIR) {
      ++stats.paths_missing;
      return 0;
    }
    return err;
  }
  // Most rules name directories: try the full rights first and fall back to the file
  // subset on EINVAL (the kernel's answer for directory rights on a file), which saves an
  // fstat() per directory.
  int err = sys_harden::landlockAddPathRule(ruleset, ll::PathBeneathAttr{rule.access, fd});
  if (err == EINVAL && (rule.access & kFileRights) != 0 && (rule.access & ~kFileRights) != 0) {
    err = sys_harden::landlockAddPathRule(ruleset,
                                          ll::PathBeneathAttr{rule.access & kFileRights, fd});
  }
  if (err == 0) {
    ++stats.rules_added;
  }
  sys_harden::closeFd(fd);
  return err;
}

}  // namespace

int applyLandlock(const LandlockPlan& plan, LandlockApplyStats* stats_out) {
  LandlockApplyStats local;
  LandlockApplyStats& stats = stats_out != nullptr ? *stats_out : local;
  stats = {};
  if (!plan.enabled) {
    return 0;
  }
  const ll::RulesetAttr attr{plan.handled_fs, plan.handled_net, plan.scoped};
  int ruleset = -1;
  if (int err = sys_harden::landlockCreateRuleset(attr, ll::rulesetAttrSize(plan.abi), &ruleset);
      err != 0) {
    return err;
  }
  int err = 0;
  for (const LandlockPathRule& rule : plan.paths) {
    if ((err = addPathRule(ruleset, rule, stats)) != 0) {
      break;
    }
  }
  for (size_t i = 0; err == 0 && i < plan.ports.size(); ++i) {
    err = sys_harden::landlockAddNetRule(ruleset,
                                         ll::NetPortAttr{plan.ports[i].access, plan.ports[i].port});
    stats.rules_added += err == 0 ? 1 : 0;
  }
  if (err == 0) {
    err = sys_harden::landlockRestrictSelf(ruleset, 0);
  }
  sys_harden::closeFd(ruleset);
  return err;
}

}  // namespace agentbox::sandbox
