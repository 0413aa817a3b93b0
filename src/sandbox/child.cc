// SPDX-License-Identifier: Apache-2.0
// File: child.cc
// The sandbox child: one checklist of setup steps, then pid 1's init loop. Runs between
// clone3 and execve, so: no allocation, no locks, no exceptions, no stdio; raw system calls
// and the prepared ChildPlan only. A failed step sends one ChildReport and exits.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "sandbox/capabilities.h"
#include "sandbox/child_plan.h"
#include "sandbox/landlock_rules.h"
#include "sandbox/seccomp_compile.h"
#include "util/clone_on_stack.h"
#include "util/linux_compat.h"
#include "util/sys_harden.h"

namespace agentbox::sandbox {

const char* childStageName(ChildStage stage) {
  // clang-format off
  switch (stage) {
    case ChildStage::kStart: return "start";
    case ChildStage::kDeathSignal: return "parent-death signal";
    case ChildStage::kWaitParent: return "wait for id maps";
    case ChildStage::kWaitRelease: return "wait for cgroups";
    case ChildStage::kJoinCgroups: return "join the run's v1 cgroups";
    case ChildStage::kCgroupNamespace: return "cgroup namespace";
    case ChildStage::kIdentity: return "become sandbox root";
    case ChildStage::kMountPrivate: return "make mounts private";
    case ChildStage::kCloneTrees: return "clone bind sources";
    case ChildStage::kNewRoot: return "root tmpfs";
    case ChildStage::kMounts: return "build root";
    case ChildStage::kPivotRoot: return "pivot_root";
    case ChildStage::kReadOnlyRoot: return "read-only root";
    case ChildStage::kHostname: return "hostname";
    case ChildStage::kLoopback: return "loopback up";
    case ChildStage::kProxyListener: return "proxy listener";
    case ChildStage::kCloseFds: return "close inherited fds";
    case ChildStage::kSandboxUser: return "switch to the sandbox user";
    case ChildStage::kSpawnCommand: return "spawn command";
    case ChildStage::kCommandSetup: return "command setup";
    case ChildStage::kLandlock: return "landlock";
    case ChildStage::kCapabilities: return "drop capabilities";
    case ChildStage::kSeccomp: return "seccomp";
    case ChildStage::kExec: return "exec";
  }
  // clang-format on
  return "?";
}

namespace {

constexpr int kMaxTrees = 64;

// Copies up to the buffer size without allocating; always NUL-terminates.
void copyDetail(std::array<char, 240>& out, const char* a, const char* b = nullptr) {
  size_t n = 0;
  for (const char* s : {a, b}) {
    if (s == nullptr) {
      continue;
    }
    if (n > 0 && n + 1 < out.size()) {
      out[n++] = ' ';
    }
    for (; *s != '\0' && n + 1 < out.size(); ++s) {
      out[n++] = *s;
    }
  }
  out[n] = '\0';
}

void sendReport(int fd, const ChildReport& report) {
  // One write: atomic below PIPE_BUF. Nothing to do if it fails.
  ssize_t ignored = ::write(fd, &report, sizeof(report));
  (void)ignored;
}

[[noreturn]] void fail(const ChildPlan& plan, ChildStage stage, int err, const char* what,
                       const char* arg = nullptr) {
  ChildReport report;
  report.kind = ChildReportKind::kSetupFailed;
  report.stage = stage;
  report.err = err;
  copyDetail(report.detail, what, arg);
  sendReport(plan.report_fd, report);
  ::_exit(125);
}

// Each step returns 0 or an errno; `what`/`arg` name the failing call for the report.
struct StepError {
  int err = 0;
  const char* what = nullptr;
  const char* arg = nullptr;
};

StepError sysErr(const char* what, const char* arg = nullptr) {
  return {errno, what, arg};
}

void step(const ChildPlan& plan, ChildStage stage, StepError e) {
  if (e.err != 0) {
    fail(plan, stage, e.err, e.what, e.arg);
  }
}

StepError closeInheritedFds(const ChildPlan& plan) {
  unsigned lo = 3;
  for (int fd : plan.keep_fds) {  // sorted ascending
    auto ufd = static_cast<unsigned>(fd);
    if (ufd > lo && ::syscall(SYS_close_range, lo, ufd - 1, 0) != 0) {
      return sysErr("close_range");
    }
    lo = ufd + 1 > lo ? ufd + 1 : lo;
  }
  if (::syscall(SYS_close_range, lo, ~0U, 0) != 0) {
    return sysErr("close_range");
  }
  return {};
}

// Writing "0" moves the calling thread only, which (single-threaded here) is the whole
// process, and without the global threadgroup lock a write of a pid would take.
StepError joinCgroups(const ChildPlan& plan) {
  for (int fd : plan.cgroup_join_fds) {
    if (::write(fd, "0", 1) != 1) {
      return sysErr("write(tasks)");
    }
    ::close(fd);
  }
  return {};
}

StepError armDeathSignal(const ChildPlan& plan) {
  // If agentbox dies, even by SIGKILL, pid 1 dies and the kernel kills the whole pid ns.
  // Set after becomeRoot(): a credential change clears the parent-death signal.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
    return sysErr("prctl(PR_SET_PDEATHSIG)");
  }
  // The parent may have died before the prctl: it holds the sync pipe's write end for the
  // whole run, so a hang-up here means it is gone (getppid() is 0 in a new pid namespace).
  struct pollfd pfd = {plan.sync_fd, POLLIN, 0};
  if (::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)) != 0) {
    ::_exit(125);
  }
  return {};
}

StepError waitForParent(const ChildPlan& plan) {
  char byte = 0;
  ssize_t n = 0;
  do {
    n = ::read(plan.sync_fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) {
    // The parent died (EOF) before writing our id maps: nothing to report to.
    ::_exit(125);
  }
  return {};
}

StepError unshareCgroupNamespace() {
  if (::unshare(CLONE_NEWCGROUP) != 0) {
    return sysErr("unshare(CLONE_NEWCGROUP)");
  }
  return {};
}

// Raw system calls, not glibc's set*id() and setgroups(): in a multi-threaded process those
// broadcast the change to every thread glibc knows of, and this child (a clone3 of the
// multi-threaded supervisor, with one real thread) still has the parent's thread list. If a
// thread was being created at the moment of the clone, the broadcast waits for it to start,
// forever (seen under load: the run hung in setxid_mark_thread). The kernel calls change
// the calling thread's credentials, which in this child is the whole process.
int rawSetresgid(gid_t g) {
  return static_cast<int>(::syscall(SYS_setresgid, g, g, g));
}
int rawSetresuid(uid_t u) {
  return static_cast<int>(::syscall(SYS_setresuid, u, u, u));
}
int rawClearGroups() {
  return static_cast<int>(::syscall(SYS_setgroups, 0, nullptr));
}

StepError becomeRoot(const ChildPlan& plan) {
  if (!plan.become_root) {
    return {};
  }
  if (rawSetresgid(0) != 0) {
    return sysErr("setresgid(0)");
  }
  if (rawClearGroups() != 0) {
    return sysErr("setgroups(0)");
  }
  if (rawSetresuid(0) != 0) {
    return sysErr("setresuid(0)");
  }
  return {};
}

// Privileged mapping only: pid 1 was root inside for the mounts; it becomes the sandbox user
// before spawning the command, keeping its capabilities (PR_SET_KEEPCAPS, then effective
// restored from permitted) so that the command can still apply landlock and lock securebits.
StepError becomeSandboxUser(const ChildPlan& plan) {
  if (!plan.set_ids) {
    return {};
  }
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
    return sysErr("prctl(PR_SET_KEEPCAPS)");
  }
  if (rawClearGroups() != 0 || rawSetresgid(plan.gid) != 0 || rawSetresuid(plan.uid) != 0) {
    return sysErr("setresuid to the sandbox user");
  }
  struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &head, data) != 0) {
    return sysErr("capget");
  }
  for (auto& d : data) {
    d.effective = d.permitted;
  }
  if (::syscall(SYS_capset, &head, data) != 0) {
    return sysErr("capset");
  }
  ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  // A credential change clears the parent-death signal: arm it again.
  return armDeathSignal(plan);
}

StepError makeMountsPrivate() {
  // Nothing we mount may propagate back to the host, nor host mounts into the sandbox.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return sysErr("mount(/, MS_REC|MS_PRIVATE)");
  }
  return {};
}

int setAttr(int dirfd, const char* path, unsigned flags, uint64_t attr_set) {
  struct mount_attr attr {};
  attr.attr_set = attr_set;
  return static_cast<int>(::syscall(SYS_mount_setattr, dirfd, path, flags, &attr, sizeof(attr)));
}

StepError cloneTrees(const ChildPlan& plan, int* tree_fds) {
  if (plan.trees.size() > kMaxTrees) {
    return {E2BIG, "too many bind sources", nullptr};
  }
  for (size_t i = 0; i < plan.trees.size(); ++i) {
    const TreeSource& t = plan.trees[i];
    if (t.fd >= 0) {
      tree_fds[i] = t.fd;
      continue;
    }
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (t.recursive ? AT_RECURSIVE : 0);
    int fd = static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, t.path, flags));
    if (fd < 0) {
      return sysErr("open_tree", t.path);
    }
    if (t.attr_set != 0 &&
        setAttr(fd, "", AT_EMPTY_PATH | (t.recursive ? AT_RECURSIVE : 0), t.attr_set) != 0) {
      return sysErr("mount_setattr", t.path);
    }
    tree_fds[i] = fd;
  }
  return {};
}

StepError writeFile(const MountStep& m) {
  int fd = ::open(m.target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, m.mode);
  if (fd < 0) {
    return sysErr("create", m.target);
  }
  size_t done = 0;
  while (done < m.data_len) {
    ssize_t n = ::write(fd, m.data + done, m.data_len - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      StepError e = sysErr("write", m.target);
      ::close(fd);
      return e;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return {};
}

StepError bindSelfReadOnly(const MountStep& m) {
  if (::mount(m.target, m.target, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    return sysErr("bind", m.target);
  }
  if (setAttr(AT_FDCWD, m.target, AT_RECURSIVE,
              MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) != 0) {
    return sysErr("mount_setattr(ro)", m.target);
  }
  return {};
}

StepError applyMount(const MountStep& m, const int* tree_fds) {
  switch (m.op) {
    case MountOp::kTmpfs:
      if (::mount("tmpfs", m.target, "tmpfs", m.flags, m.data) != 0) {
        return sysErr("mount tmpfs", m.target);
      }
      return {};
    case MountOp::kMkdir:
      if (::mkdir(m.target, m.mode) != 0 && errno != EEXIST) {
        return sysErr("mkdir", m.target);
      }
      return {};
    case MountOp::kTouch: {
      if (::access(m.target, F_OK) == 0) {
        return {};  // an existing file (a hidden path in the workspace) is the mount point
      }
      int fd = ::open(m.target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
      if (fd < 0) {
        return sysErr("create", m.target);
      }
      ::close(fd);
      return {};
    }
    case MountOp::kSymlink:
      if (::symlink(m.source, m.target) != 0) {
        return sysErr("symlink", m.target);
      }
      return {};
    case MountOp::kWriteFile:
      return writeFile(m);
    case MountOp::kAttachTree:
      if (::syscall(SYS_move_mount, tree_fds[m.tree], "", AT_FDCWD, m.target,
                    MOVE_MOUNT_F_EMPTY_PATH) != 0) {
        return sysErr("move_mount", m.target);
      }
      return {};
    case MountOp::kProc:
      if (::mount("proc", m.target, "proc", m.flags, nullptr) != 0) {
        return sysErr("mount proc", m.target);
      }
      return {};
    case MountOp::kDevpts:
      if (::mount("devpts", m.target, "devpts", m.flags, m.data) != 0) {
        return sysErr("mount devpts", m.target);
      }
      return {};
    case MountOp::kBindSelfRo:
      return bindSelfReadOnly(m);
  }
  return {EINVAL, "unknown mount step", m.target};
}

StepError buildRoot(const ChildPlan& plan, const int* tree_fds) {
  if (::mount("tmpfs", plan.new_root, "tmpfs", MS_NOSUID | MS_NODEV, plan.new_root_options) != 0) {
    return sysErr("mount root tmpfs", plan.new_root);
  }
  for (const MountStep& m : plan.mounts) {
    StepError e = applyMount(m, tree_fds);
    if (e.err != 0 && !(m.optional && e.err == ENOENT)) {
      return e;
    }
  }
  for (size_t i = 0; i < plan.trees.size(); ++i) {
    ::close(tree_fds[i]);
  }
  return {};
}

StepError pivotIntoNewRoot(const ChildPlan& plan) {
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
  // only the new root, with no path back to the host tree.
  if (::chdir(plan.new_root) != 0) {
    return sysErr("chdir", plan.new_root);
  }
  if (::syscall(SYS_pivot_root, ".", ".") != 0) {
    return sysErr("pivot_root", plan.new_root);
  }
  if (::umount2(".", MNT_DETACH) != 0) {
    return sysErr("umount2(old root, MNT_DETACH)");
  }
  if (::chdir("/") != 0) {
    return sysErr("chdir(/)");
  }
  return {};
}

StepError makeReadOnly(const ChildPlan& plan) {
  for (const char* path : plan.read_only_after_pivot) {
    if (setAttr(AT_FDCWD, path, 0, MOUNT_ATTR_RDONLY) != 0) {
      return sysErr("mount_setattr(ro)", path);
    }
  }
  return {};
}

StepError setHostname(const ChildPlan& plan) {
  if (::sethostname(plan.hostname, std::strlen(plan.hostname)) != 0) {
    return sysErr("sethostname", plan.hostname);
  }
  return {};
}

StepError loopbackUp() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return sysErr("socket(AF_INET)");
  }
  struct ifreq req {};
  std::memcpy(req.ifr_name, "lo", 3);
  req.ifr_flags = IFF_UP | IFF_RUNNING;
  int r = ::ioctl(fd, SIOCSIFFLAGS, &req);
  StepError e = r != 0 ? sysErr("ioctl(SIOCSIFFLAGS, lo)") : StepError{};
  ::close(fd);
  return e;
}

// Opens one listening socket on the loopback address `family` and hands it to the
// supervisor. IPv6 may be missing from the kernel (EAFNOSUPPORT) or from lo (EADDRNOTAVAIL):
// then only the IPv4 listener exists, and NO_PROXY/HTTP_PROXY name 127.0.0.1 anyway.
StepError sendProxyListener(const ChildPlan& plan, int family) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return family == AF_INET6 && errno == EAFNOSUPPORT ? StepError{} : sysErr("socket(proxy)");
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  int r = 0;
  if (family == AF_INET) {
    struct sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_port = htons(plan.proxy_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r = ::bind(fd, reinterpret_cast<struct sockaddr*>(&a), sizeof(a));
  } else {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    struct sockaddr_in6 a {};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(plan.proxy_port);
    a.sin6_addr = in6addr_loopback;
    r = ::bind(fd, reinterpret_cast<struct sockaddr*>(&a), sizeof(a));
  }
  if (r != 0) {
    int err = errno;
    ::close(fd);
    if (family == AF_INET6 && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT)) {
      return {};
    }
    return {err, "bind(proxy listener)", family == AF_INET ? "127.0.0.1" : "::1"};
  }
  if (::listen(fd, SOMAXCONN) != 0) {
    StepError e = sysErr("listen(proxy listener)");
    ::close(fd);
    return e;
  }
  int err = sys_harden::sendFd(plan.proxy_sock, fd);
  ::close(fd);  // the supervisor holds it now; the command must not accept on it
  return err != 0 ? StepError{err, "sendmsg(proxy listener)", nullptr} : StepError{};
}

StepError openProxyListeners(const ChildPlan& plan) {
  if (plan.proxy_sock < 0) {
    return {};
  }
  StepError e = sendProxyListener(plan, AF_INET);
  if (e.err == 0) {
    e = sendProxyListener(plan, AF_INET6);
  }
  ::close(plan.proxy_sock);  // EOF tells the supervisor that every listener was sent
  return e;
}

[[noreturn]] void commandFailed(const ChildPlan& plan, ChildStage stage, int err,
                                const char* what) {
  ChildReport report;
  report.kind =
      stage == ChildStage::kExec ? ChildReportKind::kExecFailed : ChildReportKind::kSetupFailed;
  report.stage = stage;
  report.err = err;
  copyDetail(report.detail, what, plan.command_name);
  sendReport(plan.report_fd, report);
  ::_exit(stage == ChildStage::kExec ? (err == ENOENT ? 127 : 126) : 125);
}

// The command's last steps before exec; any failure ends it with a report (exit 125).
void hardenCommand(const ChildPlan& plan) {
  auto die = [&](ChildStage stage, int err, const char* what) {
    commandFailed(plan, stage, err, what);
  };
  // Order matters: landlock needs CAP_SYS_ADMIN (or no_new_privs); securebits and the
  // bounding set need CAP_SETPCAP, so capabilities go after landlock; no_new_privs (set by
  // dropCapabilities) must precede seccomp, and seccomp comes last so that none of the
  // setup above runs under the filter.
  if (plan.landlock != nullptr) {
    int err = applyLandlock(*plan.landlock);
    if (err != 0) {
      die(ChildStage::kLandlock, err, "landlock_restrict_self");
    }
  }
  CapStep cap_step = CapStep::kNone;
  if (int err = dropCapabilities(&cap_step); err != 0) {
    die(ChildStage::kCapabilities, err, capStepName(cap_step));
  }
  if (plan.seccomp != nullptr) {
    int err = installSeccompAndSendListener(*plan.seccomp, plan.seccomp_sock);
    if (err != 0) {
      die(ChildStage::kSeccomp, err, "seccomp(SECCOMP_SET_MODE_FILTER)");
    }
  }
  if (plan.seccomp_sock >= 0) {
    ::close(plan.seccomp_sock);
  }
}

[[noreturn]] void execCommand(const ChildPlan& plan) {
  auto die = [&](ChildStage stage, int err, const char* what) {
    commandFailed(plan, stage, err, what);
  };
  if (::setsid() < 0) {
    die(ChildStage::kCommandSetup, errno, "setsid");
  }
  if (plan.set_ids &&
      (rawClearGroups() != 0 || rawSetresgid(plan.gid) != 0 || rawSetresuid(plan.uid) != 0)) {
    die(ChildStage::kCommandSetup, errno, "setresuid to the sandbox user");
  }
  if (::dup2(plan.stdin_fd, 0) < 0 || ::dup2(plan.stdout_fd, 1) < 0 ||
      ::dup2(plan.stderr_fd, 2) < 0) {
    die(ChildStage::kCommandSetup, errno, "dup2 stdio");
  }
  if (plan.controlling_tty && ::ioctl(0, TIOCSCTTY, 0) != 0) {
    die(ChildStage::kCommandSetup, errno, "ioctl(TIOCSCTTY)");
  }
  // Only stdio survives; the report pipe is O_CLOEXEC so it closes at a successful exec.
  for (int fd : plan.keep_fds) {
    if (fd > 2 && fd != plan.report_fd && fd != plan.seccomp_sock) {
      ::close(fd);
    }
  }
  if (::chdir(plan.cwd) != 0) {
    die(ChildStage::kCommandSetup, errno, "chdir /workspace");
  }
  for (const ChildPlan::Rlimit& r : plan.rlimits) {
    struct rlimit lim = {r.value, r.value};
    if (::setrlimit(static_cast<__rlimit_resource>(r.resource), &lim) != 0) {
      die(ChildStage::kCommandSetup, errno, "setrlimit");
    }
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    ::sigaction(sig, &dfl, nullptr);  // SIGPIPE etc. back to default (ignored ones survive exec)
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  hardenCommand(plan);
  int first_err = ENOENT;
  for (const char* path : plan.exec_paths) {
    if (path == nullptr) {
      break;
    }
    ::execve(path, const_cast<char* const*>(plan.argv.data()),
             const_cast<char* const*>(plan.envp.data()));
    if (errno != ENOENT && errno != ENOTDIR) {
      first_err = first_err == ENOENT ? errno : first_err;
    }
  }
  commandFailed(plan, ChildStage::kExec, first_err, "execve");
}

int commandEntry(void* plan) {
  execCommand(*static_cast<const ChildPlan*>(plan));
}

// The command's stack while it shares our memory (until its execve): 256 KiB over a guard page.
constexpr size_t kGuardBytes = 4096;
constexpr size_t kCommandStackBytes = (size_t{256} << 10) + kGuardBytes;

pid_t spawnCommand(const ChildPlan& plan) {
  // Raw clone3 (no fork handlers); SIGCHLD to us on exit. Where it can, the command shares our
  // memory until its execve (CLONE_VM | CLONE_VFORK, like posix_spawn): copying pid 1's address
  // space, a copy of the supervisor's, and tearing it down again at the execve cost ~1 ms of
  // every run. We wait meanwhile, and its own steps touch only its stack (and errno).
  compat::CloneArgs args{};
  args.exit_signal = SIGCHLD;
  if constexpr (sys::kCloneOnStackSupported) {
    void* stack = ::mmap(nullptr, kCommandStackBytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack != MAP_FAILED) {
      if (::mprotect(stack, kGuardBytes, PROT_NONE) != 0) {
        int err = errno;
        ::munmap(stack, kCommandStackBytes);
        errno = err;
        return -1;
      }
      args.flags = CLONE_VM | CLONE_VFORK;
      args.stack = reinterpret_cast<uint64_t>(stack);
      args.stack_size = kCommandStackBytes;
      long pid = sys::cloneOnStack(args, &commandEntry, const_cast<ChildPlan*>(&plan));
      // Back here, the command has exec'd or exited: nothing runs on that stack any more.
      ::munmap(stack, kCommandStackBytes);
      if (pid < 0) {
        errno = static_cast<int>(-pid);
        return -1;
      }
      return static_cast<pid_t>(pid);
    }
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof(args));
  if (pid == 0) {
    execCommand(plan);
  }
  return static_cast<pid_t>(pid);
}

// Shared-host mode has no pid namespace whose end kills everything: init is a subreaper,
// so whatever the command leaves behind (even after setsid) is re-parented to it. Kill the
// command's process group, then every child listed in /proc/self/task/<tid>/children, until
// none is left. No allocation: a stack buffer and a hand-rolled number parser.
void killAdoptedDescendants(pid_t command) {
  ::kill(-command, SIGKILL);
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/self/task/%d/children", static_cast<int>(::getpid()));
  for (int round = 0; round < 1000; ++round) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    char buf[4096];
    ssize_t n = fd >= 0 ? ::read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0) {
      ::close(fd);
    }
    long pid = 0;
    bool any = false;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] >= '0' && buf[i] <= '9') {
        pid = pid * 10 + (buf[i] - '0');
        continue;
      }
      if (pid > 0) {
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        any = true;
      }
      pid = 0;
    }
    if (pid > 0) {
      ::kill(static_cast<pid_t>(pid), SIGKILL);
      any = true;
    }
    int status = 0;
    while (::waitpid(-1, &status, any ? 0 : WNOHANG) > 0) {
    }
    if (!any) {
      return;
    }
  }
}

[[noreturn]] void runInit(const ChildPlan& plan, pid_t command) {
  // The command has its own copies of stdio; drop ours so the supervisor sees EOF.
  ::close(plan.stdin_fd);
  ::close(plan.stdout_fd);
  ::close(plan.stderr_fd);
  if (plan.seccomp_sock >= 0) {
    ::close(plan.seccomp_sock);
  }
  ::close(plan.sync_fd);
  // pid 1 needs no privilege to reap and forward signals to its own uid.
  CapStep cap_step = CapStep::kNone;
  if (int err = dropCapabilities(&cap_step); err != 0) {
    ::kill(command, SIGKILL);
    fail(plan, ChildStage::kCapabilities, err, capStepName(cap_step));
  }
  int status = 0;
  while (true) {
    siginfo_t info{};
    int sig = ::sigwaitinfo(&plan.init_signals, &info);
    if (sig < 0) {
      continue;
    }
    if (sig != SIGCHLD) {
      ::kill(command, sig);
      continue;
    }
    pid_t reaped = 0;
    bool command_done = false;
    while ((reaped = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (reaped == command) {
        command_done = true;
        break;
      }
    }
    if (command_done) {
      if (plan.shared_host) {
        killAdoptedDescendants(command);
      }
      ChildReport report;
      report.kind = ChildReportKind::kExited;
      report.wait_status = status;
      sendReport(plan.report_fd, report);
      // Returning from pid 1 makes the kernel kill everything left in the namespace.
      ::_exit(0);
    }
  }
}

[[noreturn]] void spawnAndRunInit(const ChildPlan& plan) {
  if (::sigprocmask(SIG_BLOCK, &plan.init_signals, nullptr) != 0) {
    fail(plan, ChildStage::kSpawnCommand, errno, "sigprocmask");
  }
  pid_t command = spawnCommand(plan);
  if (command < 0) {
    fail(plan, ChildStage::kSpawnCommand, errno, "clone3 command");
  }
  runInit(plan, command);
}

}  // namespace

void runChild(const ChildPlan& plan) {
  std::array<int, kMaxTrees> tree_fds;  // filled by cloneTrees for every plan.trees entry
  tree_fds.fill(-1);
  // The setup checklist. Order matters: the death signal right after the last credential
  // change (so nothing outlives agentbox), maps before any mount (caps in the new user ns need a
  // mapped identity), bind sources cloned before the root tmpfs hides them, pivot before read-only
  // remounts, the cgroups joined before the command exists. Hardening (capabilities,
  // no_new_privs, landlock, seccomp last) slots in before spawning.
  ::prctl(PR_SET_NAME, "agentbox-init", 0, 0, 0);  // what `ps` shows for pid 1
  step(plan, ChildStage::kCloseFds, closeInheritedFds(plan));
  step(plan, ChildStage::kJoinCgroups, joinCgroups(plan));
  step(plan, ChildStage::kWaitParent, waitForParent(plan));
  if (plan.shared_host) {
    step(plan, ChildStage::kWaitRelease, waitForParent(plan));
    step(plan, ChildStage::kDeathSignal, armDeathSignal(plan));
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
      fail(plan, ChildStage::kSpawnCommand, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
    }
    spawnAndRunInit(plan);
  }
  step(plan, ChildStage::kIdentity, becomeRoot(plan));
  step(plan, ChildStage::kDeathSignal, armDeathSignal(plan));
  step(plan, ChildStage::kMountPrivate, makeMountsPrivate());
  step(plan, ChildStage::kCloneTrees, cloneTrees(plan, tree_fds.data()));
  step(plan, ChildStage::kMounts, buildRoot(plan, tree_fds.data()));
  step(plan, ChildStage::kPivotRoot, pivotIntoNewRoot(plan));
  step(plan, ChildStage::kReadOnlyRoot, makeReadOnly(plan));
  step(plan, ChildStage::kHostname, setHostname(plan));
  step(plan, ChildStage::kLoopback, loopbackUp());
  step(plan, ChildStage::kProxyListener, openProxyListeners(plan));
  // The sandbox is built while the parent finishes its start-up work (on_started); nothing
  // of the command runs before the second byte. The cgroup namespace is made only now that
  // we sit in the run cgroup (joined first thing above), so that it is its root.
  step(plan, ChildStage::kWaitRelease, waitForParent(plan));
  step(plan, ChildStage::kCgroupNamespace, unshareCgroupNamespace());
  step(plan, ChildStage::kSandboxUser, becomeSandboxUser(plan));
  spawnAndRunInit(plan);
}

}  // namespace agentbox::sandbox
