// SPDX-License-Identifier: Apache-2.0
// File: escape_test.cc
// The escape-probe suite (tests/sandbox/probes/escape_probe.c) against the real sandbox, as
// root and as the unprivileged user. Every probe runs twice: on the host as the control, with
// targets the test owns, and inside `agentbox run` against the real targets. A probe that
// succeeds inside is an escape and fails the test; a probe whose host control cannot succeed
// here is "not applicable" unless the sandbox answered with its layer's own denial (an errno
// only that layer gives, different from the host's, or a seccomp violation in the run record).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"
#include "run_fixture.h"

namespace agentbox::testing {
namespace {

using nlohmann::json;

std::string escapeProbe() {
  const char* p = std::getenv("AGENTBOX_ESCAPE_PROBE");  // NOLINT(concurrency-mt-unsafe)
  return p == nullptr ? "" : p;
}

// The names the suite must contain: a probe that silently disappears fails the test.
const std::vector<std::string>& expectedProbes() {
  static const std::vector<std::string> kNames = {"fs.write_root",
                                                  "fs.write_etc",
                                                  "fs.write_usr",
                                                  "fs.write_workspace_readonly",
                                                  "fs.read_etc_shadow",
                                                  "fs.read_root_home",
                                                  "fs.workspace_symlink_to_host",
                                                  "proc.host_process_environ",
                                                  "proc.init_environ",
                                                  "mount.tmpfs",
                                                  "mount.remount_workspace_rw",
                                                  "mount.pivot_root",
                                                  "mount.fsopen",
                                                  "mount.open_tree",
                                                  "ns.nested_user_namespace",
                                                  "ns.setns_outside",
                                                  "proc.ptrace_outside",
                                                  "proc.kill_outside",
                                                  "net.raw_socket",
                                                  "net.packet_socket",
                                                  "net.tcp_host_loopback",
                                                  "net.abstract_unix_host",
                                                  "net.udp_host_loopback",
                                                  "net.unix_socket_host_path",
                                                  "kernel.keyctl",
                                                  "kernel.bpf",
                                                  "kernel.perf_event_open",
                                                  "kernel.kexec_load",
                                                  "kernel.init_module",
                                                  "kernel.userfaultfd",
                                                  "kernel.io_uring_setup",
                                                  "kernel.clock_settime",
                                                  "kernel.open_by_handle_at",
                                                  "dev.mknod",
                                                  "dev.mem",
                                                  "dev.kmsg",
                                                  "priv.setuid_binary",
                                                  "priv.effective_capabilities",
                                                  "priv.capset_raise",
                                                  "priv.ambient_raise",
                                                  "tty.tiocsti",
                                                  "sys.write_proc_sys",
                                                  "sys.write_sysfs",
                                                  "leak.inherited_fd",
                                                  "leak.environment_canary",
                                                  "ipc.host_sysv_shm",
                                                  "ipc.host_dev_shm",
                                                  "git.config_write",
                                                  "git.hook_create",
                                                  "limit.fork_bomb",
                                                  "limit.memory_hog",
                                                  "limit.fill_tmp",
                                                  "limit.fd_exhaustion"};
  return kNames;
}

// Probes whose host control works on any host agentbox supports, for any user: if the
// control fails, the probe (or the test's setup) is broken, not the host.
const std::set<std::string>& controlMustWork() {
  static const std::set<std::string> kNames = {"fs.write_root",
                                               "fs.write_etc",
                                               "fs.write_usr",
                                               "fs.write_workspace_readonly",
                                               "fs.workspace_symlink_to_host",
                                               "proc.host_process_environ",
                                               "proc.init_environ",
                                               "mount.tmpfs",
                                               "mount.remount_workspace_rw",
                                               "mount.pivot_root",
                                               "mount.fsopen",
                                               "mount.open_tree",
                                               "ns.nested_user_namespace",
                                               "ns.setns_outside",
                                               "proc.ptrace_outside",
                                               "proc.kill_outside",
                                               "net.raw_socket",
                                               "net.packet_socket",
                                               "net.tcp_host_loopback",
                                               "net.abstract_unix_host",
                                               "net.udp_host_loopback",
                                               "net.unix_socket_host_path",
                                               "kernel.keyctl",
                                               "priv.effective_capabilities",
                                               "priv.capset_raise",
                                               "priv.ambient_raise",
                                               "leak.inherited_fd",
                                               "leak.environment_canary",
                                               "ipc.host_sysv_shm",
                                               "ipc.host_dev_shm",
                                               "git.config_write",
                                               "git.hook_create",
                                               "limit.fork_bomb",
                                               "limit.memory_hog",
                                               "limit.fill_tmp",
                                               "limit.fd_exhaustion"};
  return kNames;
}

struct ProbeMeta {
  std::set<std::string> layer_errnos;
  std::string syscall;  // "" = none
};

// "probe NAME ok" / "probe NAME denied ERRNO ..." -> NAME -> "ok" or the errno name.
std::map<std::string, std::string> parseResults(const std::string& out) {
  std::map<std::string, std::string> r;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag, name, verdict, code;
    ls >> tag >> name >> verdict >> code;
    if (tag == "probe") {
      r[name] = verdict == "ok" ? "ok" : code;
    }
  }
  return r;
}

std::map<std::string, ProbeMeta> parseList(const std::string& out) {
  std::map<std::string, ProbeMeta> r;
  std::istringstream in(out);
  std::string name, layer, sys;
  while (in >> name >> layer >> sys) {
    ProbeMeta m;
    std::string errnos = layer.substr(layer.find('=') + 1);
    std::istringstream es(errnos);
    std::string e;
    while (std::getline(es, e, ',')) {
      if (e != "-") {
        m.layer_errnos.insert(e);
      }
    }
    m.syscall = sys.substr(sys.find('=') + 1);
    if (m.syscall == "-") {
      m.syscall.clear();
    }
    r[name] = m;
  }
  return r;
}

// Syscall names of the seccomp violations in a run record ("mount(args=[...])" -> "mount").
std::set<std::string> violationSyscalls(const json& record) {
  std::set<std::string> r;
  if (!record.contains("violations")) {
    return r;
  }
  for (const json& v : record["violations"]) {
    if (v.value("kind", "") == "syscall") {
      std::string s = v.value("subject", "");
      r.insert(s.substr(0, s.find('(')));
    }
  }
  return r;
}

struct Summary {
  int blocked = 0;
  int escaped = 0;
  int not_applicable = 0;
  int listed_gaps = 0;  // got through, as the run record said it would
  std::string table;
  std::string line;
};

std::map<std::string, ProbeMeta> listProbes() {
  SpawnOptions lo;
  lo.args = {"list"};
  return parseList(runProcess(escapeProbe(), lo).out);
}

// Classifies every probe (see the file comment) and checks the controls that must work.
Summary classify(const std::map<std::string, ProbeMeta>& meta,
                 const std::map<std::string, std::string>& host,
                 const std::map<std::string, std::string>& box,
                 const std::set<std::string>& violations,
                 const std::set<std::string>& listed_gaps) {
  Summary sum;
  std::ostringstream table;
  for (const auto& [name, m] : meta) {
    auto hi = host.find(name);
    auto si = box.find(name);
    EXPECT_TRUE(hi != host.end()) << "no host result for " << name;
    EXPECT_TRUE(si != box.end()) << "no sandbox result for " << name;
    if (hi == host.end() || si == box.end()) {
      continue;
    }
    const std::string& h = hi->second;
    const std::string& s = si->second;
    std::string verdict;
    if (s == "ok" && listed_gaps.count(name) == 1) {
      verdict = "got through (listed as missing in the run record)";
      ++sum.listed_gaps;
    } else if (s == "ok") {
      verdict = "ESCAPED";
      ++sum.escaped;
    } else if (h == "ok") {
      verdict = "blocked";
      ++sum.blocked;
    } else if ((m.layer_errnos.count(s) == 1 && s != h) ||
               (!m.syscall.empty() && violations.count(m.syscall) == 1)) {
      verdict = "blocked (layer's own denial)";
      ++sum.blocked;
    } else {
      verdict = "not applicable on this host";
      ++sum.not_applicable;
    }
    if (controlMustWork().count(name) == 1) {
      EXPECT_EQ(h, "ok") << name << ": the host control failed, so the probe proves nothing";
    }
    EXPECT_NE(verdict, "ESCAPED") << name << " escaped the sandbox (host " << h << ")";
    table << "  " << name << ": host " << h << ", sandbox " << s << " -> " << verdict << "\n";
  }
  sum.table = table.str();
  sum.line = "summary: " + std::to_string(sum.blocked) + " blocked, " +
             std::to_string(sum.escaped) + " escaped, " + std::to_string(sum.not_applicable) +
             " not applicable" +
             (sum.listed_gaps > 0 ? ", " + std::to_string(sum.listed_gaps) + " listed gaps" : "") +
             " of " + std::to_string(meta.size());
  return sum;
}

// A listener the sandbox must not reach: TCP on host loopback or an abstract unix socket.
class Listener {
 public:
  explicit Listener(bool abstract_unix) {
    if (abstract_unix) {
      fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      name_ = "agentbox-escape-" + std::to_string(::getpid());
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::memcpy(a.sun_path + 1, name_.data(), name_.size());
      auto len = static_cast<socklen_t>(sizeof(sa_family_t) + 1 + name_.size());
      EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), len), 0);
    } else {
      fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
      socklen_t len = sizeof a;
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
      port_ = ntohs(a.sin_port);
    }
    EXPECT_EQ(::listen(fd_, 64), 0);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() { ::close(fd_); }
  int port() const { return port_; }
  const std::string& name() const { return name_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::string name_;
};

// A UDP echo server on host loopback, answering from its own thread until destroyed.
class UdpEcho {
 public:
  UdpEcho() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    timeval tv{0, 100000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] {
      while (!stop_) {
        char buf[64];
        sockaddr_in from{};
        socklen_t flen = sizeof from;
        ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
        if (n > 0) {
          ::sendto(fd_, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), flen);
        }
      }
    });
  }
  UdpEcho(const UdpEcho&) = delete;
  UdpEcho& operator=(const UdpEcho&) = delete;
  ~UdpEcho() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A unix stream socket listening at a host path.
class UnixPathListener {
 public:
  explicit UnixPathListener(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << path_;
    EXPECT_EQ(::listen(fd_, 64), 0);
  }
  UnixPathListener(const UnixPathListener&) = delete;
  UnixPathListener& operator=(const UnixPathListener&) = delete;
  ~UnixPathListener() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

class EscapeTest : public RunTest {
 protected:
  void SetUp() override {
    RunTest::SetUp();
    ASSERT_FALSE(escapeProbe().empty()) << "AGENTBOX_ESCAPE_PROBE is not set";
    std::filesystem::copy_file(escapeProbe(), ws_.file("escape_probe"));
    ::chmod(ws_.file("escape_probe").c_str(), 0755);
    // A setuid-root copy when we can make one (root); otherwise a plain copy, whose host
    // control then shows that no privilege can be gained here (not applicable).
    std::filesystem::copy_file(escapeProbe(), ws_.file("suid_probe"));
    ::chmod(ws_.file("suid_probe").c_str(), ::geteuid() == 0 ? 04755 : 0755);
    // A .git directory for the write-mode probes.
    std::filesystem::create_directories(ws_.file(".git/hooks"));
    writeFile(ws_.file(".git/config"), "[core]\n\trepositoryformatversion = 0\n");
    writeFile(ws_.file(".git/HEAD"), "ref: refs/heads/main\n");
    // A host file outside the workspace, and a workspace symlink to it.
    writeFile(outside_.file("secret"), "AGENTBOX_HOST_FILE\n");
    std::filesystem::create_symlink(outside_.file("secret"), ws_.file("hostlink"));
    // Host SysV shared memory and a /dev/shm file.
    shm_key_ = 0x41420000 | (::getpid() & 0xffff);
    shm_id_ = ::shmget(shm_key_, 4096, IPC_CREAT | IPC_EXCL | 0600);
    ASSERT_GE(shm_id_, 0) << "shmget";
    shm_name_ = "agentbox-escape-" + std::to_string(::getpid());
    writeFile("/dev/shm/" + shm_name_, "host\n");
    // The canary: a process in its own user+net namespace with a marker in its environment.
    canary_ = startProcess(escapeProbe(), {"canary"}, {{"AGENTBOX_ESCAPE_CANARY", "host-env"}});
    std::string self_ns = std::filesystem::read_symlink("/proc/self/ns/user");
    for (int i = 0; i < 200; ++i) {
      std::error_code ec;
      auto ns = std::filesystem::read_symlink("/proc/" + std::to_string(canary_) + "/ns/user", ec);
      if (!ec && ns.string() != self_ns) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // A file to hand over as an inherited fd.
    writeFile(outside_.file("fdfile"), "inherited\n");
    inherit_fd_ = ::open(outside_.file("fdfile").c_str(), O_RDONLY);  // no O_CLOEXEC
    ASSERT_GE(inherit_fd_, 0);
  }
  void TearDown() override {
    if (canary_ > 0) {
      ::kill(canary_, SIGKILL);
      ::waitpid(canary_, nullptr, 0);
    }
    if (shm_id_ >= 0) {
      ::shmctl(shm_id_, IPC_RMID, nullptr);
    }
    if (!shm_name_.empty()) {
      std::filesystem::remove("/dev/shm/" + shm_name_);
    }
    if (inherit_fd_ >= 0) {
      ::close(inherit_fd_);
    }
  }

  std::vector<std::string> probeArgs(bool host) const {
    std::vector<std::string> a = {
        host ? "host" : "sandbox",
        "--canary=" + std::to_string(canary_),
        "--tcp-port=" + std::to_string(tcp_.port()),
        "--abstract=" + unix_.name(),
        "--udp-port=" + std::to_string(udp_.port()),
        "--unix-path=" + unix_path_.path(),
        "--shm-key=" + std::to_string(shm_key_),
        "--shm-name=" + shm_name_,
        "--pids=" + std::to_string(kPids),
        "--mem-mib=" + std::to_string(kMemMib),
        "--tmp-mib=" + std::to_string(kTmpMib),
        "--nofile=" + std::to_string(kNofile),
    };
    if (host) {
      a.push_back("--workspace=" + ws_.path());
      a.push_back("--ctl=" + ctl_.path());
    }
    return a;
  }

  std::map<std::string, std::string> hostControl() {
    SpawnOptions o;
    o.args = probeArgs(true);
    o.env["AGENTBOX_ESCAPE_CANARY"] = "host-env";
    o.inherit_fd = inherit_fd_;
    Captured c = runProcess(escapeProbe(), o);
    EXPECT_EQ(c.exit_code, 0) << c.err;
    EXPECT_NE(c.out.find("done host"), std::string::npos) << c.out << c.err;
    return parseResults(c.out);
  }

  // Runs the probe inside agentbox; returns the results and the run record's violations.
  std::map<std::string, std::string> inSandbox(std::vector<std::string> flags,
                                               const std::string& only,
                                               std::set<std::string>* violations) {
    std::string report = state_.file("escape-report.json");
    std::filesystem::remove(report);
    std::vector<std::string> cmd = {"/workspace/escape_probe"};
    std::vector<std::string> args = probeArgs(false);
    cmd.insert(cmd.end(), args.begin(), args.end());
    if (!only.empty()) {
      cmd.push_back("--only=" + only);
    }
    flags.insert(
        flags.end(),
        {"--pids", std::to_string(kPids), "--memory", std::to_string(kMemMib) + "m", "--tmp-size",
         std::to_string(kTmpMib) + "m", "--nofile", std::to_string(kNofile), "--report", report});
    SpawnOptions extra;
    extra.env["AGENTBOX_ESCAPE_CANARY"] = "host-env";
    extra.inherit_fd = inherit_fd_;
    extra.kill_after = std::chrono::milliseconds(120000);
    Captured c = run(cmd, flags, extra);
    EXPECT_NE(c.out.find("done sandbox"), std::string::npos) << "exit " << c.exit_code << "\n"
                                                             << c.out << c.err;
    std::string text = readFile(report);
    EXPECT_FALSE(text.empty()) << "no run record";
    if (!text.empty()) {
      *violations = violationSyscalls(json::parse(text));
    }
    return parseResults(c.out);
  }

  // The same, with agentbox in a test-made user namespace whose max_user_namespaces is 0:
  // `--best-effort` then shares the host's namespaces (docs/sandbox.md).
  // Runs `script` under sh in a test-made user namespace (root mapped onto the test user) whose
  // max_user_namespaces is 0 first, so that agentbox inside it cannot create any namespace.
  Captured withoutUserNamespaces(const std::string& script, SpawnOptions o = {}) {
    o.args = {"--user", "--map-root-user", "/bin/sh", "-c",
              "echo 0 > /proc/sys/user/max_user_namespaces || exit 99; " + script};
    o.env["AGENTBOX_STATE_DIR"] = stateDir();
    Captured c = runProcess("/usr/bin/unshare", o);
    EXPECT_NE(c.exit_code, 99) << "cannot lower max_user_namespaces here: " << c.err;
    return c;
  }

  std::map<std::string, std::string> inSharedHostSandbox(std::set<std::string>* violations,
                                                         std::string* err) {
    std::string report = state_.file("shared-report.json");
    std::filesystem::remove(report);
    std::string cmd = "exec '" + agentboxBin() + "' run --best-effort --workspace '" + ws_.path() +
                      "' --pids " + std::to_string(kPids) + " --memory " + std::to_string(kMemMib) +
                      "m --nofile " + std::to_string(kNofile) + " --report '" + report + "' -- '" +
                      ws_.path() + "/escape_probe'";
    for (const std::string& a : probeArgs(false)) {
      cmd += " '" + a + "'";
    }
    cmd += " '--workspace=" + ws_.path() + "'";
    SpawnOptions o;
    o.env["AGENTBOX_ESCAPE_CANARY"] = "host-env";
    o.inherit_fd = inherit_fd_;
    o.kill_after = std::chrono::milliseconds(120000);
    Captured c = withoutUserNamespaces(cmd, o);
    EXPECT_NE(c.out.find("done sandbox"), std::string::npos) << "exit " << c.exit_code << "\n"
                                                             << c.out << c.err;
    *err = c.err;
    std::string text = readFile(report);
    EXPECT_FALSE(text.empty()) << "no run record";
    if (!text.empty()) {
      json r = json::parse(text);
      *violations = violationSyscalls(r);
      bool namespaces_reported_missing = false;
      for (const json& l : r["layers"]) {
        if (l["name"] == "namespaces") {
          namespaces_reported_missing = !l["active"].get<bool>();
        }
      }
      EXPECT_TRUE(namespaces_reported_missing) << r["layers"].dump();
    }
    return parseResults(c.out);
  }

  static constexpr int kPids = 64;
  static constexpr int kMemMib = 128;
  static constexpr int kTmpMib = 16;
  static constexpr int kNofile = 256;

  TempDir ctl_{"agentbox-escape-ctl"};
  TempDir outside_{"agentbox-escape-outside"};
  Listener tcp_{false};
  Listener unix_{true};
  UdpEcho udp_;
  UnixPathListener unix_path_{outside_.file("agentbox.sock")};
  int shm_key_ = 0;
  int shm_id_ = -1;
  std::string shm_name_;
  pid_t canary_ = -1;
  int inherit_fd_ = -1;
};

TEST_F(EscapeTest, EveryProbeIsBlockedOrNotApplicableAndNoneEscapes) {
  std::map<std::string, ProbeMeta> meta = listProbes();
  ASSERT_GE(meta.size(), 40u);
  for (const std::string& name : expectedProbes()) {
    EXPECT_TRUE(meta.count(name) == 1) << "probe missing from the suite: " << name;
  }

  std::map<std::string, std::string> host = hostControl();
  std::set<std::string> viol_ro;
  std::set<std::string> viol_rw;
  // Read-only workspace (the default) for everything but the .git probes, which need the
  // workspace writable to mean anything.
  std::map<std::string, std::string> box = inSandbox({}, "", &viol_ro);
  std::map<std::string, std::string> box_rw =
      inSandbox({"--mode", "write"}, "git.config_write,git.hook_create", &viol_rw);
  for (const char* g : {"git.config_write", "git.hook_create"}) {
    box[g] = box_rw[g];
  }
  std::set<std::string> violations = viol_ro;
  violations.insert(viol_rw.begin(), viol_rw.end());

  Summary sum = classify(meta, host, box, violations, {});
  std::cout << "escape probes (" << (::geteuid() == 0 ? "root" : "unprivileged") << "):\n"
            << sum.table << sum.line << "\n";
  EXPECT_EQ(sum.escaped, 0);
  EXPECT_EQ(sum.blocked + sum.escaped + sum.not_applicable, static_cast<int>(meta.size()));
  // The host must be unharmed: nothing the probes tried to write exists.
  EXPECT_FALSE(std::filesystem::exists("/agentbox-escape"));
  EXPECT_FALSE(std::filesystem::exists("/etc/agentbox-escape"));
  EXPECT_FALSE(std::filesystem::exists("/usr/agentbox-escape"));
  EXPECT_FALSE(std::filesystem::exists(ws_.file("agentbox-escape-ro")));
  EXPECT_FALSE(std::filesystem::exists(ws_.file(".git/hooks/post-checkout")));
  EXPECT_EQ(readFile(ws_.file(".git/config")), "[core]\n\trepositoryformatversion = 0\n");
}

// Best-effort on a host without user namespaces: the same probes against a run that shares
// the host's namespaces. Only what the run record lists as missing may get through: /tmp is
// not a capped tmpfs there (probes that need a namespace the host lacks are still denied by
// landlock and seccomp).
TEST_F(EscapeTest, SharedHostBestEffortRunBlocksAllButItsListedGaps) {
  if (::access("/usr/bin/unshare", X_OK) != 0) {
    GTEST_SKIP() << "util-linux unshare is not installed";
  }
  if (::geteuid() == 0) {
    // Root in a user namespace mapped onto host root owns the host's files: the shared-host
    // mode refuses that identity (tested below); the unprivileged run covers the probes.
    Captured c = withoutUserNamespaces("'" + agentboxBin() + "' run --best-effort --workspace '" +
                                       ws_.path() + "' -- true; echo run=$?");
    EXPECT_NE(c.out.find("run=125"), std::string::npos) << c.out << c.err;
    EXPECT_NE(c.err.find("identity that owns the host's files"), std::string::npos) << c.err;
    EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
    return;
  }
  std::map<std::string, ProbeMeta> meta = listProbes();
  // Write mode with a .git is refused without a mount namespace; those probes do not apply.
  meta.erase("git.config_write");
  meta.erase("git.hook_create");
  std::map<std::string, std::string> host = hostControl();
  std::set<std::string> violations;
  std::string err;
  std::map<std::string, std::string> box = inSharedHostSandbox(&violations, &err);
  EXPECT_NE(err.find("best-effort: namespaces: user namespaces unavailable"), std::string::npos)
      << err;
  EXPECT_NE(err.find("best-effort: tmp-size"), std::string::npos) << err;
  const std::set<std::string> listed_gaps = {"limit.fill_tmp"};
  Summary sum = classify(meta, host, box, violations, listed_gaps);
  std::cout << "escape probes, shared-host best-effort ("
            << (::geteuid() == 0 ? "root" : "unprivileged") << "):\n"
            << sum.table << sum.line << "\n";
  EXPECT_EQ(sum.escaped, 0);
}

TEST_F(EscapeTest, SharedHostModeRefusesWhatItCannotEnforce) {
  if (::access("/usr/bin/unshare", X_OK) != 0) {
    GTEST_SKIP() << "util-linux unshare is not installed";
  }
  if (::geteuid() == 0) {
    GTEST_SKIP() << "as root the identity check refuses first (previous test)";
  }
  // Write mode with a .git directory: the read-only guard needs a mount namespace.
  Captured c =
      withoutUserNamespaces("'" + agentboxBin() + "' run --best-effort --mode write --workspace '" +
                            ws_.path() + "' -- true; echo run=$?");
  EXPECT_NE(c.out.find("run=125"), std::string::npos) << c.out << c.err;
  EXPECT_NE(c.err.find(".git guard"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("--allow-git-write"), std::string::npos) << c.err;
}

}  // namespace
}  // namespace agentbox::testing
