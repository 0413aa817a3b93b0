// SPDX-License-Identifier: Apache-2.0
// File: child_planner.cc
#include "sandbox/child_planner.h"

#include <sys/mount.h>

#include <csignal>

#include "sandbox/etc_files.h"

namespace agentbox::sandbox {

namespace {

constexpr uint64_t kSystemAttrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

class PlanBuilder {
 public:
  explicit PlanBuilder(ChildPlan& plan) : plan_(plan) {}

  std::string at(std::string_view sandbox_path) const {
    return std::string(plan_.new_root) + std::string(sandbox_path);
  }
  void mkdir(std::string_view path, mode_t mode = 0755) {
    add({.op = MountOp::kMkdir, .target = plan_.keep(at(path)), .mode = mode});
  }
  void symlink(std::string_view path, const std::string& target) {
    add({.op = MountOp::kSymlink, .source = plan_.keep(target), .target = plan_.keep(at(path))});
  }
  void tmpfs(std::string_view path, const std::string& options, unsigned long flags) {
    add({.op = MountOp::kTmpfs,
         .target = plan_.keep(at(path)),
         .data = plan_.keep(options),
         .flags = flags});
  }
  void writeFile(std::string_view path, const std::string& content, mode_t mode = 0644) {
    const char* data = plan_.keep(content);
    add({.op = MountOp::kWriteFile,
         .target = plan_.keep(at(path)),
         .data = data,
         .data_len = content.size(),
         .mode = mode});
  }
  // Binds a host directory (or, with `is_file`, a file) at `path`, cloned in the child.
  void bindHost(std::string_view path, const std::string& host_path, uint64_t attrs,
                bool is_file = false) {
    plan_.trees.push_back(
        {.path = plan_.keep(host_path), .attr_set = attrs, .recursive = !is_file});
    attachLastTree(path, is_file);
  }
  void attachTreeFd(std::string_view path, int fd, bool is_file = false) {
    plan_.trees.push_back({.fd = fd});
    attachLastTree(path, is_file);
  }
  // mkdir -p of the parents of `path` inside the new root (idempotent: EEXIST is fine).
  void mkdirParents(std::string_view path) {
    for (size_t pos = path.find('/', 1); pos != std::string_view::npos;
         pos = path.find('/', pos + 1)) {
      mkdir(path.substr(0, pos));
    }
  }
  void add(MountStep step) { plan_.mounts.push_back(step); }

 private:
  void attachLastTree(std::string_view path, bool is_file) {
    if (is_file) {
      add({.op = MountOp::kTouch, .target = plan_.keep(at(path))});
    } else {
      mkdir(path);
    }
    add({.op = MountOp::kAttachTree,
         .target = plan_.keep(at(path)),
         .tree = static_cast<int>(plan_.trees.size() - 1)});
  }

  ChildPlan& plan_;
};

void planSystem(PlanBuilder& b, const HostFacts& host) {
  b.bindHost("/usr", "/usr", kSystemAttrs);
  for (const RootEntry& e : host.root_entries) {
    if (!e.link_target.empty()) {
      b.symlink("/" + e.name, e.link_target);
    } else {
      b.bindHost("/" + e.name, "/" + e.name, kSystemAttrs);
    }
  }
}

void planEtc(PlanBuilder& b, const policy::Policy& policy, const HostFacts& host) {
  b.mkdir("/etc");
  for (const EtcFile& f : generatedEtcFiles(policy.sandbox.hostname)) {
    b.writeFile("/etc/" + f.name, f.content);
  }
  for (const std::string& name : host.etc_files) {
    b.bindHost("/etc/" + name, "/etc/" + name, kSystemAttrs, /*is_file=*/true);
  }
  for (const std::string& name : host.etc_dirs) {
    b.bindHost("/etc/" + name, "/etc/" + name, kSystemAttrs);
  }
  if (!host.localtime_target.empty()) {
    b.symlink("/etc/localtime", host.localtime_target);
  }
}

}  // namespace

std::vector<std::string> sandboxEnvironment(const policy::Policy& policy, const RunTarget& target) {
  std::vector<std::string> env = {
      std::string("PATH=") + kSandboxPath,
      "HOME=/home/agent",
      "USER=agent",
      "TERM=" + target.term,
      "LANG=" + target.lang,
  };
  if (policy.network.mode == policy::NetworkMode::kProxy) {
    // The egress proxy listens inside the sandbox's own network namespace (child.cc).
    std::string url = fmt::format("http://127.0.0.1:{}", kProxyPort);
    for (const char* name :
         {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"}) {
      env.push_back(std::string(name) + "=" + url);
    }
    env.emplace_back("NO_PROXY=localhost,127.0.0.1,::1");
    env.emplace_back("no_proxy=localhost,127.0.0.1,::1");
    // Tools that do not read the variables above (or not all of them): npm reads its config
    // from npm_config_*, pip from PIP_PROXY, git from GIT_CONFIG_COUNT/KEY_n/VALUE_n (git 2.31+,
    // no config file needed). A tool that ignores all of them has no route out: the sandbox
    // has only loopback.
    env.push_back("npm_config_proxy=" + url);
    env.push_back("npm_config_https_proxy=" + url);
    env.push_back("PIP_PROXY=" + url);
    env.emplace_back("GIT_CONFIG_COUNT=1");
    env.emplace_back("GIT_CONFIG_KEY_0=http.proxy");
    env.push_back("GIT_CONFIG_VALUE_0=" + url);
  }
  for (const policy::EnvVar& v : policy.sandbox.env) {
    std::string prefix = v.name + "=";
    // A later --env of the same name replaces the earlier value, built-ins included.
    std::erase_if(env, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
    env.push_back(prefix + v.value);
  }
  return env;
}

ChildPlan planChild(const PlanInputs& in) {
  ChildPlan plan;
  PlanBuilder b(plan);
  const policy::Policy& policy = in.policy;
  uint64_t tmp = policy.resources.tmp_size_bytes;
  plan.become_root = in.ids.child_becomes_root;
  plan.set_ids = in.ids.child_becomes_root;
  plan.uid = kSandboxUid;
  plan.gid = kSandboxGid;
  plan.new_root_options = plan.keep("size=4m,nr_inodes=4096,mode=0755");
  plan.hostname = plan.keep(policy.sandbox.hostname);

  planSystem(b, in.host);
  planEtc(b, policy, in.host);

  b.mkdir("/proc");
  b.add({.op = MountOp::kProc,
         .target = plan.keep(b.at("/proc")),
         .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC});
  b.add({.op = MountOp::kBindSelfRo, .target = plan.keep(b.at("/proc/sys"))});
  b.add({.op = MountOp::kBindSelfRo,
         .target = plan.keep(b.at("/proc/sysrq-trigger")),
         .optional = true});

  b.mkdir("/dev");
  b.tmpfs("/dev", "size=64k,nr_inodes=256,mode=0755", MS_NOSUID | MS_NOEXEC);
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
    b.bindHost(std::string("/dev/") + node, std::string("/dev/") + node,
               MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, /*is_file=*/true);
  }
  b.mkdir("/dev/pts");
  b.add({.op = MountOp::kDevpts,
         .target = plan.keep(b.at("/dev/pts")),
         .data = plan.keep("newinstance,ptmxmode=0666,mode=0620"),
         .flags = MS_NOSUID | MS_NOEXEC});
  b.symlink("/dev/ptmx", "pts/ptmx");
  b.mkdir("/dev/shm");
  b.tmpfs("/dev/shm", fmt::format("size={},mode=1777", tmp), MS_NOSUID | MS_NODEV);
  b.symlink("/dev/fd", "/proc/self/fd");
  b.symlink("/dev/stdin", "/proc/self/fd/0");
  b.symlink("/dev/stdout", "/proc/self/fd/1");
  b.symlink("/dev/stderr", "/proc/self/fd/2");

  b.mkdir("/tmp");
  b.tmpfs("/tmp", fmt::format("size={},mode=1777", tmp), MS_NOSUID | MS_NODEV);
  b.mkdir("/var");
  b.symlink("/var/tmp", "/tmp");
  b.mkdir("/home");
  b.mkdir("/home/agent", 0700);
  b.tmpfs("/home/agent",
          fmt::format("size={},mode=0700,uid={},gid={}", tmp, kSandboxUid, kSandboxGid),
          MS_NOSUID | MS_NODEV);

  if (in.workspace_tree_fd >= 0) {
    b.attachTreeFd("/workspace", in.workspace_tree_fd);
  } else {
    uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    if (policy.filesystem.mode == policy::WorkspaceMode::kReadOnly) {
      attrs |= MOUNT_ATTR_RDONLY;
    }
    b.bindHost("/workspace", in.target.workspace, attrs);
  }
  for (const ExtraMount& m : in.extra) {
    b.mkdirParents(m.sandbox_path);
    if (m.tree_fd >= 0) {
      b.attachTreeFd(m.sandbox_path, m.tree_fd, m.is_file);
    } else {
      uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m.read_only ? MOUNT_ATTR_RDONLY : 0);
      b.bindHost(m.sandbox_path, m.host_path, attrs, m.is_file);
    }
  }
  for (const HiddenPath& h : in.hidden) {
    if (h.is_dir) {
      b.tmpfs(h.sandbox_path, "size=4k,nr_inodes=1,mode=000",
              MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY);
    } else {
      b.bindHost(h.sandbox_path, "/dev/null",
                 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
                 /*is_file=*/true);
    }
  }
  plan.read_only_after_pivot = {"/", "/dev"};

  sigemptyset(&plan.init_signals);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) {
    sigaddset(&plan.init_signals, sig);
  }

  for (const std::string& a : in.target.argv) {
    plan.argv.push_back(plan.keep(a));
  }
  plan.argv.push_back(nullptr);
  for (std::string& e : sandboxEnvironment(policy, in.target)) {
    plan.envp.push_back(plan.keep(std::move(e)));
  }
  plan.envp.push_back(nullptr);
  const std::string& cmd = in.target.argv.front();
  plan.command_name = plan.argv.front();
  if (cmd.find('/') != std::string::npos) {
    plan.exec_paths.push_back(plan.argv.front());
  } else {
    std::string_view path = kSandboxPath;
    while (!path.empty()) {
      size_t colon = path.find(':');
      plan.exec_paths.push_back(plan.keep(fmt::format("{}/{}", path.substr(0, colon), cmd)));
      path = colon == std::string_view::npos ? std::string_view() : path.substr(colon + 1);
    }
  }
  plan.exec_paths.push_back(nullptr);
  return plan;
}

}  // namespace agentbox::sandbox
