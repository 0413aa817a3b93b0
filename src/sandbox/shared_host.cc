// SPDX-License-Identifier: Apache-2.0
// File: shared_host.cc
#include "sandbox/shared_host.h"

#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "util/linux_compat.h"
#include "util/sys.h"

namespace agentbox::sandbox {

int sandboxNamespacesErrno() {
  compat::CloneArgs args{};
  args.flags =
      CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  args.exit_signal = SIGCHLD;
  Result<pid_t> pid = sys::clone3(args);
  if (!pid.has_value()) {
    return pid.error().sysErrno();
  }
  if (*pid == 0) {
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  return 0;
}

std::vector<std::string> sharedHostMissingLayers(int clone_errno) {
  const char* name = strerrorname_np(clone_errno);
  std::string why = std::string("user namespaces unavailable (clone3: ") +
                    (name != nullptr ? name : std::to_string(clone_errno)) + ")";
  return {
      "namespaces: " + why +
          "; the command shares the host's pid, network, IPC and mount namespaces",
      "read-only-root: the host's root is visible where landlock allows reading (system "
      "directories, /etc, /proc; not home directories)",
      "pid-namespace: the command sees host processes (signals and ptrace to them are still "
      "denied by landlock and seccomp)",
      "net-namespace: no TCP port may be bound or connected (landlock), AF_UNIX and UDP "
      "sockets are denied (seccomp)",
      "tmp-size: /tmp is a private directory on the host's /tmp, not a capped tmpfs",
  };
}

Status checkSharedHostPolicy(const policy::Policy& policy, const std::string& workspace,
                             bool privileged) {
  const char* fix = "enable user namespaces (run 'agentbox doctor' for the fix)";
  // Without an id map the command keeps the caller's uid. A caller that owns "/" (host root,
  // or root of a user namespace mapped onto it) would own the system's files: refuse it even
  // without capabilities.
  struct stat root {};
  if (privileged || (::stat("/", &root) == 0 && root.st_uid == ::geteuid())) {
    return Error(Errc::kUnsupported,
                 "user namespaces are unavailable and agentbox will not run a command with the "
                 "identity that owns the host's files (uid " +
                     std::to_string(::geteuid()) + " owns /)")
        .withHint(std::string(fix) + ", or run agentbox as an unprivileged user");
  }
  if (policy.network.mode == policy::NetworkMode::kProxy) {
    return Error(Errc::kUnsupported,
                 "network.mode = \"proxy\" needs the sandbox's own network namespace, which this "
                 "host does not give")
        .withHint(std::string(fix) + ", or use network.mode = \"none\"");
  }
  const policy::Filesystem& fs = policy.filesystem;
  if (!fs.hidden.empty()) {
    return Error(Errc::kUnsupported,
                 "filesystem.hidden cannot be enforced without user namespaces (" +
                     fs.hidden.front() + " would be visible)")
        .withHint(std::string(fix) + ", or remove the hidden paths from the policy");
  }
  struct stat st {};
  if (fs.mode == policy::WorkspaceMode::kWrite && !fs.allow_git_write &&
      ::lstat((workspace + "/.git").c_str(), &st) == 0) {
    return Error(Errc::kUnsupported,
                 "the read-only .git guard of write mode needs a mount namespace, which this "
                 "host does not give (" +
                     workspace + "/.git)")
        .withHint(std::string(fix) + ", or pass --allow-git-write, or use --mode read-only");
  }
  for (const auto* binds : {&fs.read_only, &fs.read_write}) {
    for (const policy::Bind& b : *binds) {
      if (!b.sandbox_path.empty() && b.sandbox_path != b.host_path) {
        return Error(Errc::kUnsupported, "the bind of " + b.host_path + " at " + b.sandbox_path +
                                             " needs a mount namespace, which this host does "
                                             "not give")
            .withHint(std::string(fix) + ", or bind it at its host path");
      }
    }
  }
  return ok();
}

LandlockRequest sharedHostLandlockRequest(const policy::Policy& policy,
                                          const std::string& workspace,
                                          const std::string& tmp_dir) {
  LandlockRequest r;
  r.read_exec_paths = {"/usr",    "/bin", "/sbin", "/lib",  "/lib32",       "/lib64",
                       "/libx32", "/etc", "/opt",  "/proc", "/dev/urandom", "/dev/random"};
  r.read_write_paths = {tmp_dir, "/dev/null", "/dev/zero", "/dev/full", "/dev/tty"};
  (policy.filesystem.mode == policy::WorkspaceMode::kWrite ? r.read_write_paths : r.read_exec_paths)
      .push_back(workspace);
  for (const policy::Bind& b : policy.filesystem.read_only) {
    r.read_exec_paths.push_back(b.host_path);
  }
  for (const policy::Bind& b : policy.filesystem.read_write) {
    r.read_write_paths.push_back(b.host_path);
  }
  // No directory listing of "/": a landlock rule covers everything beneath its path, and
  // here that would be the whole host.
  // No network namespace: "unrestricted" would be the host's network. No port unless the
  // policy names one.
  r.bind_ports = policy.network.ports.bind.value_or(std::vector<uint16_t>{});
  r.connect_ports = policy.network.ports.connect.value_or(std::vector<uint16_t>{});
  return r;
}

void adaptPlanForSharedHost(ChildPlan& plan, const std::string& workspace,
                            const std::string& tmp_dir) {
  plan.shared_host = true;
  plan.become_root = false;
  plan.set_ids = false;
  plan.trees.clear();
  plan.mounts.clear();
  plan.read_only_after_pivot.clear();
  plan.cwd = plan.keep(workspace);
  std::string home = tmp_dir + "/home";
  ::mkdir(home.c_str(), 0700);
  for (const char*& e : plan.envp) {
    if (e != nullptr && std::string_view(e).rfind("HOME=", 0) == 0) {
      e = plan.keep("HOME=" + home);
    }
  }
  plan.envp.insert(plan.envp.end() - 1, plan.keep("TMPDIR=" + tmp_dir));
}

Result<RunTempDir> RunTempDir::create() {
  const char* base = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe)
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/agentbox-run-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return Error(Errc::kIo, "cannot create the run's temp dir " + tmpl + ": " +
                                std::string(std::strerror(errno)))
        .withHint("make $TMPDIR (or /tmp) writable");
  }
  return RunTempDir(tmpl);
}

RunTempDir& RunTempDir::operator=(RunTempDir&& o) noexcept {
  if (this != &o) {
    RunTempDir old(std::move(*this));
    path_ = std::move(o.path_);
    o.path_.clear();
  }
  return *this;
}

RunTempDir::~RunTempDir() {
  if (!path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

}  // namespace agentbox::sandbox
