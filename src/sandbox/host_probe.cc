// SPDX-License-Identifier: Apache-2.0
// File: host_probe.cc
#include "sandbox/host_probe.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "sandbox/cgroup_layout.h"
#include "sandbox/cgroups.h"
#include "sandbox/host_identity.h"
#include "sandbox/id_map.h"
#include "sandbox/idmapped_tree.h"
#include "sandbox/landlock_rules.h"
#include "util/sys.h"

namespace agentbox::sandbox {

namespace {

const char* const kUsernsFix =
    "allow unprivileged user namespaces: sysctl user.max_user_namespaces=15000 (and on Debian "
    "kernel.unprivileged_userns_clone=1); on Ubuntu 24.04 give agentbox an AppArmor profile with "
    "the 'userns,' rule or set kernel.apparmor_restrict_unprivileged_userns=0; inside a "
    "container, run it with a seccomp profile that allows clone/unshare of namespaces";

// Clones a child with `flags` that runs `body` (may allocate: the doctor is single-threaded)
// and exits with its result; returns 0 or the errno of clone3 or of the body.
template <class Body>
int tryInChild(uint64_t flags, Body body) {
  compat::CloneArgs args{};
  args.flags = flags;
  args.exit_signal = SIGCHLD;
  Result<pid_t> pid = sys::clone3(args);
  if (!pid.has_value()) {
    return pid.error().sysErrno();
  }
  if (*pid == 0) {
    ::_exit(body());
  }
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

std::string errnoText(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : std::to_string(err);
}

void checkNamespaces(std::vector<LayerCheck>& out) {
  int user = tryInChild(CLONE_NEWUSER, [] { return 0; });
  out.push_back(
      {"user-namespace", user == 0,
       user == 0 ? "clone3(CLONE_NEWUSER) works" : "clone3(CLONE_NEWUSER): " + errnoText(user),
       user == 0 ? "" : kUsernsFix});
  struct Ns {
    const char* name;
    uint64_t flag;
  };
  for (Ns ns : {Ns{"mount-namespace", CLONE_NEWNS}, Ns{"pid-namespace", CLONE_NEWPID},
                Ns{"net-namespace", CLONE_NEWNET}, Ns{"ipc-namespace", CLONE_NEWIPC},
                Ns{"uts-namespace", CLONE_NEWUTS}, Ns{"cgroup-namespace", CLONE_NEWCGROUP}}) {
    int err = user != 0 ? user : tryInChild(CLONE_NEWUSER | ns.flag, [] { return 0; });
    out.push_back({ns.name, err == 0, err == 0 ? "available" : "clone3: " + errnoText(err),
                   err == 0 ? "" : kUsernsFix});
  }
}

void checkIdmap(std::vector<LayerCheck>& out) {
  Result<HostIdentity> me = detectHostIdentity();
  if (!me.has_value() || !me->privileged) {
    out.push_back({"idmapped-mounts", false, "unprivileged caller: the kernel refuses (EPERM)",
                   "not needed: the single-id map shows your files as the sandbox user's; files "
                   "of other users appear as nobody (docs/sandbox.md)"});
    out.back().required = false;
    return;
  }
  Result<IdMapPlan> ids = planIdMap(*me, "", "");
  Result<UniqueFd> tree = ids.has_value() ? makeIdmappedTree({.path = "/tmp",
                                                              .owner_uid = me->uid,
                                                              .owner_gid = me->gid,
                                                              .ids = *ids,
                                                              .read_only = true})
                                          : Result<UniqueFd>(ids.error());
  out.push_back({"idmapped-mounts", tree.has_value(),
                 tree.has_value() ? "open_tree + mount_setattr(MOUNT_ATTR_IDMAP) work"
                                  : tree.error().oneLine(),
                 tree.has_value() ? "" : "needs Linux 5.12+ and a filesystem with idmap support"});
  out.back().required = false;
}

void checkSeccomp(std::vector<LayerCheck>& out) {
  bool filter = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
  std::string actions =
      sys::readFile("/proc/sys/kernel/seccomp/actions_avail").value_or(std::string());
  bool notify = actions.find("user_notif") != std::string::npos;
  out.push_back({"seccomp", filter,
                 filter ? "seccomp filters available" : "prctl(PR_GET_SECCOMP) failed",
                 filter ? "" : "build the kernel with CONFIG_SECCOMP_FILTER"});
  out.push_back(
      {"seccomp-user-notification", notify,
       notify ? "user_notif in actions_avail" : "no user_notif action",
       notify ? "" : "Linux 5.0+ with CONFIG_SECCOMP_FILTER: violations cannot be reported"});
  out.back().required = false;
}

void checkLandlock(std::vector<LayerCheck>& out) {
  Result<int> abi = detectLandlockAbi();
  bool ok = abi.has_value() && *abi > 0;
  out.push_back({"landlock", ok,
                 ok ? "ABI " + std::to_string(*abi) + (*abi >= 4 ? " (ports)" : "") +
                          (*abi >= 6 ? " (signal and abstract-socket scoping)" : "")
                    : "not available",
                 ok ? "" : "boot with lsm=...,landlock (CONFIG_SECURITY_LANDLOCK), Linux 5.13+"});
}

void checkCgroups(const policy::Policy& policy, std::vector<LayerCheck>& out) {
  CgroupLayout layout = parseCgroupLayout(sys::readFile("/proc/self/mountinfo").value_or(""),
                                          sys::readFile("/proc/self/cgroup").value_or(""));
  Result<RunCgroups> cg =
      RunCgroups::create({.layout = layout,
                          .parent = policy.runtime.cgroup_root,
                          .name = "agentbox-run-doctor-" + std::to_string(::getpid()),
                          .limits = {.memory_bytes = policy.resources.memory_bytes,
                                     .cpus = policy.resources.cpus,
                                     .pids = policy.resources.pids}});
  bool ok = cg.has_value() && cg->version() != CgroupVersion::kNone;
  std::string version = !ok ? "none" : cg->version() == CgroupVersion::kV2 ? "v2" : "v1";
  out.push_back({"cgroups", ok,
                 ok ? version + ": " + cg->describe()
                    : (cg.has_value() ? cg->whyNone() : cg.error().oneLine()),
                 ok ? ""
                    : "run as root, or delegate a subtree (systemd: Delegate=yes; v1: mkdir + "
                      "chown in memory, pids, cpu, cpuacct) and set AGENTBOX_CGROUP_ROOT; see "
                      "docs/limits.md; or --best-effort"});
  for (const char* c : {"memory", "pids", "cpu", "cpuacct", "freezer"}) {
    bool v1 = layout.v1.count(c) != 0;
    out.push_back({std::string("cgroup-") + c, v1 || (ok && version == "v2"),
                   v1 ? "v1 hierarchy at " + layout.v1.at(c).mount
                      : (ok && version == "v2" ? "v2 controller" : "not mounted"),
                   ""});
    out.back().required = false;
  }
  bool v2 = layout.v2.has_value();
  out.push_back({"cgroup2-kill", v2, v2 ? "cgroup2 at " + layout.v2->mount : "no cgroup2 mount",
                 v2 ? "" : "mount cgroup2 (cgroup.kill and cgroup.events need Linux 5.14+)"});
  out.back().required = false;
}

void checkOverlay(std::vector<LayerCheck>& out) {
  std::string base = fmt::format("/tmp/agentbox-doctor-{}", ::getpid());
  for (const char* d : {"", "/lower", "/upper", "/work", "/merged"}) {
    ::mkdir((base + d).c_str(), 0700);
  }
  uid_t uid = ::getuid();
  gid_t gid = ::getgid();
  int err = tryInChild(0, [&] {
    // Map ourselves (the only map an unprivileged user may write) so that the overlay's
    // directories, owned by us, stay reachable inside the new user namespace.
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
      return errno;
    }
    if (!sys::writeFileOnce("/proc/self/setgroups", "deny").has_value() ||
        !sys::writeFileOnce("/proc/self/uid_map", fmt::format("0 {} 1", uid)).has_value() ||
        !sys::writeFileOnce("/proc/self/gid_map", fmt::format("0 {} 1", gid)).has_value()) {
      return EPERM;
    }
    std::string opts = fmt::format(
        "lowerdir={0}/lower,upperdir={0}/upper,workdir={0}/work,"
        "userxattr",
        base);
    return ::mount("overlay", (base + "/merged").c_str(), "overlay", 0, opts.c_str()) == 0 ? 0
                                                                                           : errno;
  });
  std::error_code ec;
  std::filesystem::remove_all(base, ec);
  out.push_back(
      {"overlayfs-userns", err == 0,
       err == 0 ? "overlay with userxattr in a user namespace works"
                : "mount overlay in a user namespace: " + errnoText(err),
       err == 0 ? "" : "Linux 5.11+ with overlayfs; the dry-run workspace falls back to a copy"});
  out.back().required = false;
}

void checkPty(std::vector<LayerCheck>& out) {
  Result<UniqueFd> ptmx = sys::open("/dev/ptmx", O_RDWR | O_NOCTTY);
  out.push_back({"pty", ptmx.has_value(),
                 ptmx.has_value() ? "/dev/ptmx opens" : ptmx.error().oneLine(),
                 ptmx.has_value() ? "" : "mount devpts with ptmxmode=0666"});
  out.back().required = false;
}

}  // namespace

std::vector<LayerCheck> probeHost(const policy::Policy& policy) {
  std::vector<LayerCheck> out;
  checkNamespaces(out);
  checkIdmap(out);
  checkSeccomp(out);
  checkLandlock(out);
  checkCgroups(policy, out);
  checkOverlay(out);
  checkPty(out);
  return out;
}

}  // namespace agentbox::sandbox
