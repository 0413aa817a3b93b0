// SPDX-License-Identifier: Apache-2.0
// File: seccomp_builtin.cc
// The built-in allow-list. Names that do not exist on the build architecture (e.g. `open`
// on aarch64) are skipped at compile time without a warning: see `optional` below.
#include "sandbox/seccomp_builtin.h"

#include <linux/sched.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <utility>

namespace agentbox::sandbox {
namespace {

// Allowed without argument checks. Grouped by what real programs (sh, bash, coreutils, git,
// python3, node, make, gcc) need; the groups follow Docker's default profile where it
// allows a call to an unprivileged container.
constexpr const char* kAllowed[] = {
    // files and directories
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "open",
    "openat",
    "openat2",
    "creat",
    "close",
    "close_range",
    "lseek",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "statfs",
    "fstatfs",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents",
    "getdents64",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "flock",
    "fsync",
    "fdatasync",
    "sync",
    "syncfs",
    "sync_file_range",
    "truncate",
    "ftruncate",
    "fallocate",
    "fadvise64",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "mkdir",
    "mkdirat",
    "rmdir",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "utime",
    "utimes",
    "utimensat",
    "futimesat",
    "umask",
    "chdir",
    "fchdir",
    "getcwd",
    "mknod",
    "mknodat",
    "pipe",
    "pipe2",
    "sendfile",
    "splice",
    "tee",
    "vmsplice",
    "copy_file_range",
    "memfd_create",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "inotify_init",
    "inotify_init1",
    "inotify_add_watch",
    "inotify_rm_watch",
    "cachestat",
    // waiting and events
    "select",
    "pselect6",
    "poll",
    "ppoll",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "eventfd",
    "eventfd2",
    "signalfd",
    "signalfd4",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    "io_setup",
    "io_destroy",
    "io_submit",
    "io_getevents",
    "io_pgetevents",
    "io_cancel",
    // memory
    "brk",
    "mmap",
    "munmap",
    "mprotect",
    "mremap",
    "msync",
    "mincore",
    "madvise",
    "mlock",
    "mlock2",
    "munlock",
    "mlockall",
    "munlockall",
    "membarrier",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "get_mempolicy",
    "set_mempolicy",
    "map_shadow_stack",
    // threads, futexes, signals
    "futex",
    "futex_waitv",
    "futex_wake",
    "futex_wait",
    "futex_requeue",
    "set_robust_list",
    "get_robust_list",
    "set_tid_address",
    "rseq",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "sigaltstack",
    "kill",
    "tkill",
    "tgkill",
    "pause",
    "restart_syscall",
    "arch_prctl",
    "set_thread_area",
    "get_thread_area",
    // processes
    "fork",
    "vfork",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "wait4",
    "waitid",
    "pidfd_open",
    "pidfd_send_signal",
    "getpid",
    "getppid",
    "gettid",
    "getpgid",
    "setpgid",
    "getpgrp",
    "getsid",
    "setsid",
    "prctl",
    "getcpu",
    // identity: inside the user namespace and without capabilities these can only drop
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "setfsuid",
    "setfsgid",
    "capget",
    "capset",
    // time (reading and sleeping only)
    "nanosleep",
    "clock_nanosleep",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "alarm",
    "getitimer",
    "setitimer",
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_getoverrun",
    "timer_delete",
    "times",
    // limits, scheduling, system information
    "uname",
    "sysinfo",
    "getrlimit",
    "setrlimit",
    "prlimit64",
    "getrusage",
    "getpriority",
    "setpriority",
    "sched_yield",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getparam",
    "sched_setparam",
    "sched_getscheduler",
    "sched_setscheduler",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_rr_get_interval",
    "sched_getattr",
    "sched_setattr",
    "ioprio_get",
    "ioprio_set",
    "getrandom",
    // sockets (socket() itself is checked below)
    "socketpair",
    "bind",
    "connect",
    "listen",
    "accept",
    "accept4",
    "getsockname",
    "getpeername",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    "shutdown",
    "setsockopt",
    "getsockopt",
    // System V and POSIX IPC (private to the sandbox's IPC namespace)
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
    // self-restriction: only ever narrows what the process may do
    "seccomp",
    "landlock_create_ruleset",
    "landlock_add_rule",
    "landlock_restrict_self",
};

// Denied and reported: every attempt is a violation (SECCOMP_RET_USER_NOTIF).
constexpr const char* kNotified[] = {
    // mounts and the new mount API: reshaping the filesystem view
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    // leaving or creating namespaces
    "unshare",
    "setns",
    // reading or writing another process
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    // the kernel itself
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    // the kernel keyring is not namespaced
    "keyctl",
    "add_key",
    "request_key",
    // file handles bypass path-based checks (the "shocker" escape)
    "open_by_handle_at",
    "name_to_handle_at",
    // the system clock is shared with the host
    "clock_settime",
    "settimeofday",
    "adjtimex",
    "clock_adjtime",
    "stime",
    // host administration
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "quotactl_fd",
    "syslog",
    // io_uring runs syscalls that seccomp never sees
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
};

// Syscalls newer than libseccomp 2.5.4's table, by native number.
struct NumberedSyscall {
  const char* name;
  int nr;
  bool notify;  // false: allowed
};
#if defined(__x86_64__)
constexpr NumberedSyscall kNumbered[] = {
    {"lsm_get_self_attr", 459, false},
    {"lsm_list_modules", 461, false},
    {"mseal", 462, false},
    {"setxattrat", 463, false},
    {"getxattrat", 464, false},
    {"listxattrat", 465, false},
    {"removexattrat", 466, false},
    {"open_tree_attr", 467, true},
    {"file_getattr", 468, false},
    {"file_setattr", 469, false},
};
#else
constexpr NumberedSyscall kNumbered[] = {{"", -1, false}};
#endif

constexpr uint64_t kLow32 = 0xffffffffULL;

ArgCmp maskedEq(unsigned index, uint64_t mask, uint64_t value) {
  return {index, ArgOp::kMaskedEq, mask, value};
}

void addRule(SeccompRules& rules, const char* name, SeccompAction action,
             std::vector<ArgCmp> args = {}) {
  rules.rules.push_back({name, -1, action, std::move(args)});
}

// clone(flags, ...): allowed without namespace flags; each namespace flag is a violation.
// On x86_64 the flags are argument 0 (clone's argument order differs between arches only
// in the later arguments).
void addCloneRules(SeccompRules& rules) {
  addRule(rules, "clone", allowAction(), {maskedEq(0, kCloneNamespaceFlags, 0)});
  for (uint64_t bit = 1; bit != 0; bit <<= 1) {
    if ((kCloneNamespaceFlags & bit) != 0) {
      addRule(rules, "clone", notifyAction(), {maskedEq(0, bit, bit)});
    }
  }
  // clone3 passes its flags in memory a filter cannot read. ENOSYS makes glibc fall back to
  // clone(), whose flags the rules above check.
  addRule(rules, "clone3", errnoAction(ENOSYS));
}

// personality(): PER_LINUX and the 0xffffffff query are allowed; anything else (ASLR off,
// READ_IMPLIES_EXEC, other execution domains) is a violation. libseccomp tests EQ nodes
// before GE nodes on the same argument, so the GE 1 catch-all only sees what the two exact
// values did not match (the unit tests pin this). A value with garbage in the upper 32 bits
// (which the kernel would truncate) is reported too, which is what it is: an evasion attempt.
// Exact values and one catch-all keep the filter small: every BPF instruction costs install
// time in the child's cold start.
void addPersonalityRules(SeccompRules& rules) {
  for (uint64_t persona : {uint64_t{0}, kLow32}) {
    addRule(rules, "personality", allowAction(), {{0, ArgOp::kEq, persona, 0}});
  }
  addRule(rules, "personality", notifyAction(), {{0, ArgOp::kGe, 1, 0}});
}

// ioctl(): TIOCSTI (push input into a terminal the host may share) and TIOCLINUX (console
// tricks, including selection paste) are violations; everything else is allowed. The
// request is an unsigned int in the kernel: a value with upper bits set must not pass.
void addIoctlRules(SeccompRules& rules) {
  const std::vector<uint64_t> denied = {TIOCSTI, TIOCLINUX};
  for (uint64_t request : denied) {
    addRule(rules, "ioctl", notifyAction(), {maskedEq(1, kLow32, request)});
  }
  for (const MaskedBlock& b : maskedBlocksExcept(denied, 32)) {
    addRule(rules, "ioctl", allowAction(), {maskedEq(1, b.mask, b.value)});
  }
}

// socket(family, type, protocol): AF_UNIX; AF_INET/AF_INET6 except SOCK_RAW and SOCK_PACKET;
// AF_NETLINK only with NETLINK_ROUTE (glibc's getaddrinfo and if_nameindex use it). Every
// other family, raw IP sockets and other netlink protocols are violations.
//
// Shared-host mode (no network namespace, see restrictForSharedHost): AF_UNIX is a violation
// (the host's daemons listen on unix sockets), and AF_INET/AF_INET6 allow only SOCK_STREAM
// with protocol 0 or IPPROTO_TCP, which landlock then confines to no port at all; UDP, SCTP
// and MPTCP sockets are violations.
void addSocketRules(SeccompRules& rules, bool shared_host = false) {
  constexpr uint64_t kTypeMask = 0xf;  // SOCK_TYPE_MASK: NONBLOCK/CLOEXEC live above it
  constexpr uint64_t kNetlinkRoute = 0;
  addRule(rules, "socket", shared_host ? notifyAction() : allowAction(),
          {maskedEq(0, kLow32, AF_UNIX)});
  for (uint64_t family : {uint64_t{AF_INET}, uint64_t{AF_INET6}}) {
    if (shared_host) {
      for (uint64_t proto : {uint64_t{0}, uint64_t{IPPROTO_TCP}}) {
        addRule(rules, "socket", allowAction(),
                {maskedEq(0, kLow32, family), maskedEq(1, kTypeMask, SOCK_STREAM),
                 maskedEq(2, kLow32, proto)});
      }
      for (const MaskedBlock& b : maskedBlocksExcept({0, IPPROTO_TCP}, 32)) {
        addRule(rules, "socket", notifyAction(),
                {maskedEq(0, kLow32, family), maskedEq(1, kTypeMask, SOCK_STREAM),
                 maskedEq(2, b.mask, b.value)});
      }
      for (const MaskedBlock& b : maskedBlocksExcept({SOCK_STREAM}, 4)) {
        addRule(rules, "socket", notifyAction(),
                {maskedEq(0, kLow32, family), maskedEq(1, b.mask, b.value)});
      }
      continue;
    }
    for (uint64_t type : {uint64_t{SOCK_RAW}, uint64_t{SOCK_PACKET}}) {
      addRule(rules, "socket", notifyAction(),
              {maskedEq(0, kLow32, family), maskedEq(1, kTypeMask, type)});
    }
    for (const MaskedBlock& b : maskedBlocksExcept({SOCK_RAW, SOCK_PACKET}, 4)) {
      addRule(rules, "socket", allowAction(),
              {maskedEq(0, kLow32, family), maskedEq(1, b.mask, b.value)});
    }
  }
  addRule(rules, "socket", allowAction(),
          {maskedEq(0, kLow32, AF_NETLINK), maskedEq(2, kLow32, kNetlinkRoute)});
  addRule(rules, "socket", notifyAction(),
          {maskedEq(0, kLow32, AF_NETLINK), {2, ArgOp::kGe, 1, 0}});
  // Every other family: 0, 3..9, 11..15 and >= 17 (GE also catches upper-bit garbage).
  addRule(rules, "socket", notifyAction(), {{0, ArgOp::kEq, 0, 0}});
  for (const auto& [lo, hi] :
       {std::pair<uint64_t, uint64_t>{AF_INET + 1, AF_INET6 - 1}, {AF_INET6 + 1, AF_NETLINK - 1}}) {
    for (const MaskedBlock& b : maskedBlocksForRange(lo, hi, 32)) {
      addRule(rules, "socket", notifyAction(), {maskedEq(0, b.mask, b.value)});
    }
  }
  addRule(rules, "socket", notifyAction(), {{0, ArgOp::kGe, AF_NETLINK + 1, 0}});
}

// System V and POSIX IPC objects live in the IPC namespace: without one they are the host's.
constexpr const char* kIpcSyscalls[] = {
    "shmget",     "shmat",     "shmdt",        "shmctl",          "semget",    "semop",
    "semtimedop", "semctl",    "msgget",       "msgsnd",          "msgrcv",    "msgctl",
    "mq_open",    "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr"};

}  // namespace

void restrictForSharedHost(SeccompRules& rules) {
  auto is_ipc = [](const std::string& name) {
    return std::find(std::begin(kIpcSyscalls), std::end(kIpcSyscalls), name) !=
           std::end(kIpcSyscalls);
  };
  std::erase_if(rules.rules,
                [&](const SeccompRule& r) { return r.syscall == "socket" || is_ipc(r.syscall); });
  for (const char* name : kIpcSyscalls) {
    addRule(rules, name, notifyAction());
  }
  addSocketRules(rules, /*shared_host=*/true);
}

SeccompRules builtinSeccompRules() {
  SeccompRules rules;
  rules.name = "builtin";
  rules.default_action = errnoAction(EPERM);
  rules.bad_arch_action = {SeccompActionKind::kKillProcess, 0};
  for (const char* name : kAllowed) {
    addRule(rules, name, allowAction());
  }
  for (const char* name : kNotified) {
    addRule(rules, name, notifyAction());
  }
  for (const NumberedSyscall& s : kNumbered) {
    if (s.nr >= 0) {
      rules.rules.push_back({s.name, s.nr, s.notify ? notifyAction() : allowAction(), {}});
    }
  }
  addCloneRules(rules);
  addPersonalityRules(rules);
  addIoctlRules(rules);
  addSocketRules(rules);
  return rules;
}

std::vector<std::string> builtinNotifySyscalls() {
  std::vector<std::string> names(std::begin(kNotified), std::end(kNotified));
  for (const NumberedSyscall& s : kNumbered) {
    if (s.nr >= 0 && s.notify) {
      names.emplace_back(s.name);
    }
  }
  names.insert(names.end(), {"clone", "personality", "ioctl", "socket"});
  return names;
}

namespace {

bool allows(const SeccompAction& a) {
  return a.kind == SeccompActionKind::kAllow || a.kind == SeccompActionKind::kLog ||
         a.kind == SeccompActionKind::kTrace;
}

}  // namespace

std::vector<std::string> applyMandatoryGuard(SeccompRules& rules) {
  const SeccompRules builtin = builtinSeccompRules();
  std::vector<std::string> guarded = builtinNotifySyscalls();
  guarded.emplace_back("clone3");
  std::vector<std::string> replaced;
  for (const std::string& name : guarded) {
    bool named = false;
    bool opened = false;
    for (const SeccompRule& r : rules.rules) {
      if (r.syscall == name) {
        named = true;
        opened = opened || allows(r.action);
      }
    }
    if (!opened && (named || !allows(rules.default_action))) {
      continue;  // the profile already denies it (possibly more strictly)
    }
    std::erase_if(rules.rules, [&](const SeccompRule& r) { return r.syscall == name; });
    for (const SeccompRule& r : builtin.rules) {
      if (r.syscall == name) {
        rules.rules.push_back(r);
      }
    }
    replaced.push_back(name);
  }
  return replaced;
}

}  // namespace agentbox::sandbox
