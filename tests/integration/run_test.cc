// SPDX-License-Identifier: Apache-2.0
// File: run_test.cc
// `agentbox run` in real namespaces. Every test attacks one property and asserts specific
// evidence (an errno name, a file left unchanged, an absent entry), never just "non-zero".
// The same binary runs as root (integration.root) and as an unprivileged user
// (integration.unprivileged).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"
#include "run_fixture.h"

namespace agentbox::testing {
namespace {

using std::chrono::milliseconds;

TEST_F(RunTest, CommandRunsAsSandboxUser1001) {
  Captured c = sh("id -u; id -g; id -un");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "1001\n1001\nagent\n");
}

TEST_F(RunTest, Pid1IsAgentboxInit) {
  Captured c = sh("cat /proc/1/comm; echo $$");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "agentbox-init\n2\n");
}

TEST_F(RunTest, HostnameIsTheSandboxes) {
  char host[256] = {};
  ::gethostname(host, sizeof(host));
  Captured c = sh("cat /proc/sys/kernel/hostname");
  EXPECT_EQ(c.out, "agentbox\n");
  EXPECT_NE(std::string(host), "agentbox");
  Captured named = sh("hostname", {"--hostname", "box-7"});
  EXPECT_EQ(named.out, "box-7\n") << named.err;
}

TEST_F(RunTest, MountinfoShowsOnlyTheNewRoot) {
  Captured c = sh("cat /proc/self/mountinfo");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::vector<std::string> allowed = {"/",    "/usr", "/etc/",       "/proc",
                                            "/dev", "/tmp", "/home/agent", "/workspace"};
  std::istringstream lines(c.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, mountpoint;
    f >> id >> parent >> dev >> root >> mountpoint;
    bool ok = false;
    for (const std::string& a : allowed) {
      ok = ok || mountpoint == a || (a != "/" && mountpoint.rfind(a, 0) == 0);
    }
    EXPECT_TRUE(ok) << "unexpected mount point " << mountpoint;
    EXPECT_NE(mountpoint, state_.path());
    ++count;
  }
  EXPECT_GT(count, 5);
  EXPECT_LT(count, 40);
}

TEST_F(RunTest, InheritedCanaryFdIsNotReachable) {
  std::string canary = state_.file("canary-fd");
  writeFile(canary, "canary\n");
  int opened = ::open(canary.c_str(), O_RDONLY);
  ASSERT_GE(opened, 0);
  int fd = ::dup2(opened, 57);  // deliberately not O_CLOEXEC, above what ls itself opens
  ::close(opened);
  ASSERT_EQ(fd, 57);
  SpawnOptions o;
  o.inherit_fd = fd;
  Captured c = run({"/bin/sh", "-c", "ls /proc/self/fd; readlink /proc/self/fd/* || true"}, {}, o);
  ::close(fd);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out.find("canary-fd"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("\n" + std::to_string(fd) + "\n"), std::string::npos) << c.out;
}

TEST_F(RunTest, EnvironmentHoldsOnlyTheBasicsAndEnvFlags) {
  SpawnOptions o;
  o.env["AGENTBOX_CANARY_ENV"] = "canary-value-31337";
  o.env["FROM_HOST"] = "host-value";
  Captured c = run({"/usr/bin/env"}, {"--env", "EXTRA=1", "--env", "FROM_HOST"}, o);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out.find("canary-value-31337"), std::string::npos);
  std::set<std::string> names;
  std::istringstream lines(c.out);
  for (std::string line; std::getline(lines, line);) {
    names.insert(line.substr(0, line.find('=')));
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"PATH", "HOME", "USER", "TERM", "LANG", "EXTRA", "FROM_HOST"}));
  EXPECT_NE(c.out.find("FROM_HOST=host-value\n"), std::string::npos);
  EXPECT_NE(c.out.find("HOME=/home/agent\n"), std::string::npos);
}

TEST_F(RunTest, SandboxHasItsOwnSession) {
  Captured c = run({"/workspace/probe", "session"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "sid=2 pid=2 pgid=2\n");
}

TEST_F(RunTest, ReadOnlyModeRefusesWorkspaceWrites) {
  Captured c = sh("echo changed > /workspace/hello.txt; touch /workspace/new");
  EXPECT_NE(c.err.find("Read-only file system"), std::string::npos) << c.err;
  EXPECT_EQ(readFile(ws_.file("hello.txt")), "hello\n");
  EXPECT_FALSE(std::filesystem::exists(ws_.file("new")));
}

TEST_F(RunTest, WriteModeWritesAsTheHostCaller) {
  Captured c =
      sh("echo made > /workspace/new && stat -c %u:%g /workspace/hello.txt", {"--mode", "write"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "1001:1001\n");  // the caller's files appear as the sandbox user's
  struct stat st {};
  ASSERT_EQ(::stat(ws_.file("new").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::getuid());
  EXPECT_EQ(st.st_gid, ::getgid());
  EXPECT_EQ(readFile(ws_.file("new")), "made\n");
}

TEST_F(RunTest, SystemDirectoriesAndProcSysAreReadOnly) {
  for (const char* target : {"/usr/agentbox-x", "/etc/group", "/etc/agentbox-x",
                             "/proc/sys/kernel/core_pattern", "/agentbox-x", "/dev/agentbox-x"}) {
    Captured c = sh(std::string("echo x > ") + target);
    EXPECT_NE(c.exit_code, 0) << target;
    EXPECT_NE(c.err.find("Read-only file system"), std::string::npos) << target << ": " << c.err;
  }
}

TEST_F(RunTest, TmpIsSizeCapped) {
  Captured c =
      sh("dd if=/dev/zero of=/tmp/fill bs=64k count=64 2>&1; echo rc=$?", {"--tmp-size", "1m"});
  EXPECT_NE(c.out.find("No space left on device"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("rc=1"), std::string::npos) << c.out;
  Captured size = sh("df -k /tmp | tail -1 | awk '{print $2}'", {"--tmp-size", "1m"});
  EXPECT_EQ(size.out, "1024\n");
}

TEST_F(RunTest, CallersHomeRootAndStateDirAreNotVisible) {
  const char* home = std::getenv("HOME");  // NOLINT(concurrency-mt-unsafe)
  std::string h = home != nullptr ? home : "/nonexistent";
  std::string script = "ls /home; for p in /root " + h + " " + h + "/.ssh " + h + "/.aws " +
                       state_.path() +
                       " /etc/shadow; do test -e $p && echo visible || echo "
                       "absent; done";
  Captured c = sh(script);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "agent\nabsent\nabsent\nabsent\nabsent\nabsent\nabsent\n");
}

TEST_F(RunTest, NoRouteToAHostLoopbackListener) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string port = std::to_string(ntohs(addr.sin_port));
  Captured c = run({"/workspace/probe", "tcp", "127.0.0.1", port});
  EXPECT_EQ(c.out, "errno ECONNREFUSED\n") << c.err;
  Captured other = run({"/workspace/probe", "tcp", "10.0.2.2", "80"});
  EXPECT_EQ(other.out, "errno ENETUNREACH\n") << other.err;
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  EXPECT_LT(::accept(fd, nullptr, nullptr), 0);  // nothing ever reached the host listener
  ::close(fd);
}

TEST_F(RunTest, HostAbstractUnixSocketIsUnreachable) {
  std::string name = "agentbox-it-" + std::to_string(::getpid());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());
  auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), size), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  Captured c = run({"/workspace/probe", "abstract", name});
  EXPECT_EQ(c.out, "errno ECONNREFUSED\n") << c.err;
  ::close(fd);
}

TEST_F(RunTest, HostSysVSharedMemoryIsInvisible) {
  int id = ::shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0666);
  ASSERT_GE(id, 0);
  void* p = ::shmat(id, nullptr, SHM_RDONLY);
  ASSERT_NE(p, reinterpret_cast<void*>(-1));  // control: the host can attach it
  ::shmdt(p);
  Captured c = run({"/workspace/probe", "shm", std::to_string(id)});
  ::shmctl(id, IPC_RMID, nullptr);
  EXPECT_EQ(c.out, "errno EINVAL\n") << c.err;
}

TEST_F(RunTest, OutputIsStreamedLive) {
  Captured c = sh("echo a; sleep 2; echo b");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_FALSE(c.out_chunks.empty());
  EXPECT_EQ(c.out_chunks.front().second, "a\n");
  EXPECT_LT(c.out_chunks.front().first, c.ended_ms - 1500)
      << "first line arrived at " << c.out_chunks.front().first << " ms, end at " << c.ended_ms;
  EXPECT_EQ(c.out, "a\nb\n");
}

TEST_F(RunTest, StdinIsPassedThrough) {
  SpawnOptions o;
  std::string big(200000, 'x');
  o.stdin_data = "line one\n" + big + "\n";
  Captured c = run({"/bin/sh", "-c", "head -n 1; wc -c"}, {}, o);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out.substr(0, 9), "line one\n");
}

TEST_F(RunTest, StdinCatRoundTrips) {
  SpawnOptions o;
  o.stdin_data = "hello through the sandbox\n";
  Captured c = run({"/bin/cat"}, {}, o);
  EXPECT_EQ(c.out, o.stdin_data);
  EXPECT_EQ(c.exit_code, 0);
}

TEST_F(RunTest, ExitStatusFollowsTheContract) {
  EXPECT_EQ(sh("exit 0").exit_code, 0);
  EXPECT_EQ(sh("exit 7").exit_code, 7);
  EXPECT_EQ(sh("kill -TERM $$").exit_code, 128 + SIGTERM);
  EXPECT_EQ(sh("kill -KILL $$").exit_code, 128 + SIGKILL);
  Captured missing = run({"no-such-command-xyz"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_NE(missing.err.find("no-such-command-xyz"), std::string::npos) << missing.err;
  writeFile(ws_.file("notexec.sh"), "#!/bin/sh\necho hi\n", 0644);
  Captured notexec = run({"/workspace/notexec.sh"});
  EXPECT_EQ(notexec.exit_code, 126);
  EXPECT_NE(notexec.err.find("EACCES"), std::string::npos) << notexec.err;
}

TEST_F(RunTest, TimeoutKillsTheWholeSandbox) {
  std::string marker = "agentbox-timeout-" + std::to_string(::getpid());
  Captured c = sh("sleep 30 & sleep 31; echo " + marker, {"--timeout", "1500ms"});
  EXPECT_EQ(c.exit_code, 124);
  EXPECT_LT(c.ended_ms, 5000);
  EXPECT_EQ(c.out.find(marker), std::string::npos);
  EXPECT_FALSE(processWithCmdline("sleep 30"));
}

TEST_F(RunTest, SetupErrorsExit125WithOneLine) {
  SpawnOptions o;
  o.args = {"run", "--workspace", "/nonexistent/agentbox-ws", "--", "true"};
  o.env["AGENTBOX_STATE_DIR"] = state_.path() + "/state";
  Captured missing = runProcess(agentboxBin(), o);
  EXPECT_EQ(missing.exit_code, 125);
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  EXPECT_NE(missing.err.find("/nonexistent/agentbox-ws"), std::string::npos);
  for (std::vector<std::string> bad : {std::vector<std::string>{"--bogus-flag"},
                                       {"--tmp-size", "12q"},
                                       {"--timeout", "soon"},
                                       {"--mode", "rw"},
                                       {"--hostname", "-bad"},
                                       {"--env", "1BAD=x"}}) {
    Captured c = run({"true"}, bad);
    EXPECT_EQ(c.exit_code, 125) << bad.front();
    EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << bad.front() << ": " << c.err;
    EXPECT_NE(c.err.find(bad.front()), std::string::npos) << c.err;
  }
}

TEST_F(RunTest, WorkspaceContainingTheStateDirIsRefused) {
  SpawnOptions o;
  o.args = {"run", "--workspace", state_.path(), "--", "true"};
  o.env["AGENTBOX_STATE_DIR"] = state_.path() + "/state";
  Captured c = runProcess(agentboxBin(), o);
  EXPECT_EQ(c.exit_code, 125);
  EXPECT_NE(c.err.find("contains the agentbox state directory"), std::string::npos) << c.err;
  std::filesystem::create_directories(state_.path() + "/state/inner");
  o.args = {"run", "--workspace", state_.path() + "/state/inner", "--", "true"};
  Captured inside = runProcess(agentboxBin(), o);
  EXPECT_EQ(inside.exit_code, 125);
  EXPECT_NE(inside.err.find("inside the agentbox state directory"), std::string::npos);
}

TEST_F(RunTest, ReportHoldsTheRunRecord) {
  std::string report = state_.file("report.json");
  Captured c = sh("exit 3", {"--report", report});
  EXPECT_EQ(c.exit_code, 3);
  nlohmann::json r = nlohmann::json::parse(readFile(report));
  EXPECT_EQ(r["schema"], "agentbox.run/1");
  EXPECT_EQ(r["outcome"], "exited");
  EXPECT_EQ(r["exit_code"], 3);
  EXPECT_TRUE(r["signal"].is_null());
  EXPECT_EQ(r["argv"], nlohmann::json({"/bin/sh", "-c", "exit 3"}));
  EXPECT_TRUE(r["usage"]["wall_ms"].is_number());
  EXPECT_EQ(r["layers"][0]["name"], "namespaces");
  EXPECT_EQ(r["layers"][0]["active"], true);
  std::string result_json =
      state_.path() + "/state/runs/" + r["id"].get<std::string>() + "/result.json";
  EXPECT_EQ(readFile(result_json), readFile(report));
  Captured t = sh("sleep 10", {"--timeout", "1", "--report", report});
  EXPECT_EQ(t.exit_code, 124);
  EXPECT_EQ(nlohmann::json::parse(readFile(report))["outcome"], "timeout");
  Captured s = sh("kill -INT $$", {"--report", report});
  nlohmann::json sr = nlohmann::json::parse(readFile(report));
  EXPECT_EQ(sr["outcome"], "signaled");
  EXPECT_EQ(sr["signal"], SIGINT);
  EXPECT_EQ(sr["exit_code"], 128 + SIGINT);
}

TEST_F(RunTest, SignalsAreForwardedToTheCommand) {
  writeFile(ws_.file("trap.sh"), "trap 'echo got-term; exit 3' TERM\nsleep 20 &\nwait\n");
  std::vector<std::string> args = {"run", "--workspace", ws_.path(),
                                   "--",  "/bin/sh",     "/workspace/trap.sh"};
  // Run under a shell so we can capture output while signalling agentbox itself.
  std::string cmd = "'" + agentboxBin() + "'";
  for (const std::string& a : args) {
    cmd += " '" + a + "'";
  }
  SpawnOptions o;
  o.args = {"-c", cmd + " & pid=$!; sleep 1; kill -TERM $pid; wait $pid; echo status=$?"};
  o.env["AGENTBOX_STATE_DIR"] = state_.path() + "/state";
  Captured c = runProcess("/bin/sh", o);
  EXPECT_NE(c.out.find("got-term"), std::string::npos) << c.out << c.err;
  EXPECT_NE(c.out.find("status=3"), std::string::npos) << c.out;
}

TEST_F(RunTest, KillNineOfAgentboxKillsTheSandboxAndIsReapedNextRun) {
  std::string marker = "agentbox-kill9-" + std::to_string(::getpid());
  std::string state = state_.path() + "/state";
  pid_t pid = startProcess(agentboxBin(),
                           {"run", "--workspace", ws_.path(), "--", "/bin/sh", "-c",
                            sleepArg("300") + "; echo " + marker},
                           {{"AGENTBOX_STATE_DIR", state}});
  // Wait until the command runs inside the sandbox.
  std::string active = state + "/runs/.active";
  for (int i = 0; i < 200 && !processWithCmdline(sleepArg("300")); ++i) {
    std::this_thread::sleep_for(milliseconds(25));
  }
  ASSERT_TRUE(processWithCmdline(sleepArg("300")));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  auto t0 = std::chrono::steady_clock::now();
  while ((processWithCmdline(sleepArg("300")) || processWithArgExists(marker)) &&
         std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1)) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_FALSE(processWithCmdline(sleepArg("300"))) << "a process of the run outlived agentbox";
  EXPECT_FALSE(processWithArgExists(marker));
  ASSERT_FALSE(std::filesystem::is_empty(active));  // the dead run is still marked active
  Captured next = sh("true");
  EXPECT_EQ(next.exit_code, 0);
  EXPECT_NE(next.err.find("its agentbox died"), std::string::npos) << next.err;
  EXPECT_TRUE(std::filesystem::is_empty(active));
}

}  // namespace
}  // namespace agentbox::testing

namespace agentbox::testing {
namespace {

TEST_F(RunTest, ASecretReachesNeitherTerminalNorLogNorRecord) {
  const std::string secret = "tok-Zq8vN2xKp4Lw9Rt6Yb3M";
  std::string report = state_.file("secret-report.json");
  // A slow writer: one byte every 100 ms, and the secret also in argv and on stderr.
  std::string script =
      "v=$API_TOKEN; while [ -n \"$v\" ]; do printf %s \"${v%\"${v#?}\"}\"; v=${v#?}; "
      "sleep 0.1; done; echo; echo \"$1\" >&2";
  Captured c = run({"/bin/sh", "-c", script, "sh", secret},
                   {"--env", "API_TOKEN=" + secret, "--report", report});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out.find(secret), std::string::npos) << c.out;
  EXPECT_EQ(c.err.find(secret), std::string::npos) << c.err;
  EXPECT_NE(c.out.find("[REDACTED:known-secret:"), std::string::npos) << c.out;
  std::string record = readFile(report);
  EXPECT_EQ(record.find(secret), std::string::npos);
  nlohmann::json r = nlohmann::json::parse(record);
  EXPECT_GE(r["redaction"]["by_rule"]["known-secret"].get<int>(), 2);
  std::string log = readFile(stateDir() + "/runs/" + r["id"].get<std::string>() + "/output.log");
  EXPECT_FALSE(log.empty());
  EXPECT_EQ(log.find(secret), std::string::npos) << log;
}

}  // namespace
}  // namespace agentbox::testing
