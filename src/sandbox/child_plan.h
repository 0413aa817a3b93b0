// SPDX-License-Identifier: Apache-2.0
// File: child_plan.h
// Everything the sandbox child does between clone3 and execve, as plain data prepared in the
// parent. The child runs without fork handlers in a copy of a possibly multi-threaded
// address space, so it must not allocate or take locks: it only reads this plan and makes
// system calls. All strings are owned by the plan (stable c_str() pointers in a deque).
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace agentbox::sandbox {

struct SeccompProgram;
struct LandlockPlan;

// A detached mount tree cloned with open_tree(2) before the new root hides its source.
struct TreeSource {
  const char* path = nullptr;  // host path (cloned in the child), unless `fd` is set
  int fd = -1;                 // a tree the parent made (idmapped workspace); moved as is
  uint64_t attr_set = 0;       // MOUNT_ATTR_* applied to the clone (recursively)
  bool recursive = true;       // AT_RECURSIVE clone (directories)
};

enum class MountOp : uint8_t {
  kTmpfs,       // mount tmpfs on target with data (options)
  kMkdir,       // mkdir target with mode
  kTouch,       // create an empty file target (a bind-mount point for a file)
  kSymlink,     // symlink(source, target)
  kWriteFile,   // create target with mode and write data[0, data_len)
  kAttachTree,  // move_mount the cloned tree `tree` onto target
  kProc,        // mount a fresh proc on target
  kDevpts,      // mount a new devpts instance on target with data
  kBindSelfRo,  // bind target onto itself and make it read-only (e.g. /proc/sys)
};

struct MountStep {
  MountOp op = MountOp::kMkdir;
  const char* source = nullptr;
  const char* target = nullptr;  // absolute, under the new root before pivot
  const char* data = nullptr;
  size_t data_len = 0;
  mode_t mode = 0755;
  unsigned long flags = 0;  // MS_* for tmpfs/proc/devpts
  int tree = -1;            // index into ChildPlan::trees for kAttachTree
  bool optional = false;    // a missing target (ENOENT) is fine: nothing there to protect
};

// Stages name where a child failure happened (the fixed-size ChildReport carries one).
enum class ChildStage : uint16_t {
  kStart,
  kDeathSignal,
  kWaitParent,
  kWaitRelease,
  kJoinCgroups,
  kCgroupNamespace,
  kIdentity,
  kMountPrivate,
  kCloneTrees,
  kNewRoot,
  kMounts,
  kPivotRoot,
  kReadOnlyRoot,
  kHostname,
  kLoopback,
  kProxyListener,
  kCloseFds,
  kSandboxUser,
  kSpawnCommand,
  kCommandSetup,
  kLandlock,
  kCapabilities,
  kSeccomp,
  kExec,
};
const char* childStageName(ChildStage stage);

enum class ChildReportKind : uint16_t {
  kSetupFailed,  // pid 1 could not build the sandbox; detail says which step
  kExecFailed,   // the command could not be executed (126/127)
  kExited,       // the command ended; wait_status is its raw wait status
};

// Sent over a pipe as one write(2) (< PIPE_BUF, so atomic).
struct ChildReport {
  static constexpr uint32_t kMagic = 0xab5e1f01;
  uint32_t magic = kMagic;
  ChildReportKind kind = ChildReportKind::kSetupFailed;
  ChildStage stage = ChildStage::kStart;
  int32_t err = 0;                 // errno
  int32_t wait_status = 0;         // for kExited
  std::array<char, 240> detail{};  // NUL-terminated
};

struct ChildPlan {
  // Inherited fds: the child closes every other fd at start (close_range over the gaps).
  int sync_fd = -1;    // read end: one byte once the id maps are written, one once the child
                       // sits in its cgroups and may run the command
  int report_fd = -1;  // write end of ChildReport records
  int stdin_fd = -1;   // the command's stdio (pipes or a pty), dup2'ed to 0, 1, 2
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool controlling_tty = false;  // stdio is a pty slave: make it the command's terminal
  // network.mode = "proxy": pid 1 opens listening TCP sockets on 127.0.0.1 and [::1] at
  // proxy_port inside the sandbox's network namespace and sends them (SCM_RIGHTS, one per
  // message) over proxy_sock, then closes it. -1 = no proxy.
  int proxy_sock = -1;
  uint16_t proxy_port = 3128;
  // v1 hierarchies: the run cgroups' `tasks` files, opened by the supervisor; the child
  // writes "0" to each before anything else (RunCgroups::openJoinFiles) and closes them.
  std::vector<int> cgroup_join_fds;
  std::vector<int> keep_fds;  // sorted list of all fds above plus tree fds

  // Best-effort without user namespaces (docs/sandbox.md "Hosts without user namespaces"):
  // no namespace, no mount step, no id change; the command runs at host paths confined by
  // landlock and seccomp only, and init kills every descendant it adopted when it ends.
  bool shared_host = false;
  bool become_root = false;       // setresuid/setresgid(0) inside first (privileged mapping)
  const char* new_root = "/tmp";  // where the root tmpfs is assembled before pivot_root
  const char* new_root_options = nullptr;  // tmpfs options of the root
  std::vector<TreeSource> trees;
  std::vector<MountStep> mounts;
  std::vector<const char*> read_only_after_pivot;  // mount points made read-only last
  const char* hostname = "agentbox";
  sigset_t init_signals{};  // what pid 1 waits for: SIGCHLD + the forwarded signals

  // The command.
  struct Rlimit {
    int resource;  // RLIMIT_*
    rlim_t value;  // soft = hard
  };
  std::vector<Rlimit> rlimits;  // applied to the command before exec
  // Hardening of the command, in this order after the rlimits: landlock, every capability
  // dropped with securebits locked and no_new_privs, then the seccomp filter last (its
  // listener goes to the supervisor over seccomp_sock). Owned by the supervisor; null = off.
  const LandlockPlan* landlock = nullptr;
  const SeccompProgram* seccomp = nullptr;
  int seccomp_sock = -1;
  uid_t uid = 1001;
  gid_t gid = 1001;
  bool set_ids = false;  // setgroups/setresgid/setresuid to uid/gid (privileged mapping)
  const char* cwd = "/workspace";
  std::vector<const char*> argv;        // NULL-terminated
  std::vector<const char*> envp;        // NULL-terminated
  std::vector<const char*> exec_paths;  // candidates tried in order (PATH search done here)
  const char* command_name = nullptr;   // argv[0] as given, for messages

  // Owns every string the pointers above refer to.
  const char* keep(std::string s) { return strings_.emplace_back(std::move(s)).c_str(); }

 private:
  std::deque<std::string> strings_;
};

// Runs in the cloned child: builds the sandbox, becomes its init, never returns.
[[noreturn]] void runChild(const ChildPlan& plan);

}  // namespace agentbox::sandbox
