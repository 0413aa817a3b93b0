// SPDX-License-Identifier: Apache-2.0
// File: seccomp_notify_test.cc
// SeccompNotifier with a real listener (SECCOMP_FILTER_FLAG_NEW_LISTENER) in forked
// children: floods, kill mode, never blocking, and the syscall names it reports.
#include "sandbox/seccomp_notify.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include <chrono>

#include "sandbox/seccomp_builtin.h"
#include "sandbox/seccomp_compile.h"
#include "sandbox/seccomp_names.h"
#include "sandbox/seccomp_test_child.h"

namespace agentbox::sandbox {
namespace {

using testing::childPrintf;
using testing::runChild;

SeccompProgram compiled() {
  auto p = compileSeccomp(builtinSeccompRules());
  EXPECT_TRUE(p) << p.error().oneLine();
  return p ? std::move(*p) : SeccompProgram{};
}

TEST(SeccompNotifier, SurvivesAFloodAndCapsWhatItReports) {
  const SeccompProgram program = compiled();
  constexpr int kCalls = 20000;
  NotifierOptions options;
  options.max_reported = 100;
  const auto r = runChild(
      [](int out) {
        int eperm = 0;
        for (int i = 0; i < kCalls; ++i) {
          eperm += (::mount("x", "/tmp", "tmpfs", 0, nullptr) < 0 && errno == EPERM) ? 1 : 0;
        }
        childPrintf(out, "eperm %d\n", eperm);
        return 0;
      },
      &program, options);
  ASSERT_TRUE(r.exited(0)) << r.output;
  EXPECT_NE(r.output.find("eperm 20000\n"), std::string::npos) << r.output;
  EXPECT_EQ(r.total, static_cast<uint64_t>(kCalls));
  EXPECT_EQ(r.sink.violations.size(), 100U);
  EXPECT_EQ(r.suppressed, static_cast<uint64_t>(kCalls - 100));
  // max_per_call bounds each call: 64 notifications take well under 50 ms.
  EXPECT_LT(r.max_handle_ms, 50.0);
}

TEST(SeccompNotifier, KillModeLeavesTheCallerStoppedUntilKilled) {
  const SeccompProgram program = compiled();
  NotifierOptions options;
  options.on_violation = OnViolation::kKill;
  const auto r = runChild(
      [](int out) {
        childPrintf(out, "before\n");
        (void)::unshare(CLONE_NEWUSER);
        childPrintf(out, "after\n");  // never reached: the task is killed while stopped
        return 0;
      },
      &program, options);
  EXPECT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL) << r.status;
  EXPECT_TRUE(r.kill_requested);
  EXPECT_NE(r.output.find("before"), std::string::npos);
  EXPECT_EQ(r.output.find("after"), std::string::npos) << r.output;
  ASSERT_EQ(r.sink.violations.size(), 1U);
  EXPECT_EQ(r.sink.violations[0].syscall, "unshare");
  EXPECT_FALSE(r.sink.violations[0].answered_eperm);
}

TEST(SeccompNotifier, HandleReadyWithNothingPendingReturnsAtOnce) {
  const SeccompProgram program = compiled();
  int sock[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock), 0);
  int go[2];
  ASSERT_EQ(pipe2(go, O_CLOEXEC), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    if (sys_harden::setNoNewPrivs() != 0 || installSeccompAndSendListener(program, sock[1]) != 0) {
      _exit(1);
    }
    char c;
    (void)!read(go[0], &c, 1);  // stay alive, filter installed, no violation pending
    _exit(0);
  }
  auto fd = receiveSeccompListener(sock[0]);
  ASSERT_TRUE(fd) << fd.error().oneLine();
  auto notifier = SeccompNotifier::create(std::move(*fd));
  ASSERT_TRUE(notifier) << notifier.error().oneLine();
  testing::RecordingSink sink;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(notifier->handleReady(sink));
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(elapsed, std::chrono::milliseconds(20));
  EXPECT_TRUE(sink.violations.empty());
  (void)!write(go[1], "x", 1);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (int f : {sock[0], sock[1], go[0], go[1]}) {
    close(f);
  }
}

TEST(SeccompNotifier, ListenerAbsentMeansNotifyCallsFailWithEnosys) {
  // Documents why the listener must reach the supervisor: without it the kernel answers
  // ENOSYS and nothing is reported.
  const SeccompProgram program = compiled();
  const auto r = runChild([&](int out) {
    int listener = -1;
    if (sys_harden::setNoNewPrivs() != 0 || installSeccomp(program, &listener) != 0) {
      return 2;
    }
    sys_harden::closeFd(listener);
    const long rc = syscall(SYS_unshare, CLONE_NEWUSER);
    childPrintf(out, "rc=%ld errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
  });
  ASSERT_TRUE(r.exited(0)) << r.output;
  EXPECT_NE(r.output.find("errno=38"), std::string::npos) << r.output;
}

struct NameCase {
  int nr;
  const char* name;
};

class SyscallNames : public ::testing::TestWithParam<NameCase> {};

TEST_P(SyscallNames, NamesX8664Numbers) {
  EXPECT_EQ(syscallName(AUDIT_ARCH_X86_64, GetParam().nr), GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(Table, SyscallNames,
                         ::testing::Values(NameCase{165, "mount"}, NameCase{272, "unshare"},
                                           NameCase{101, "ptrace"}, NameCase{321, "bpf"},
                                           NameCase{425, "io_uring_setup"},
                                           NameCase{467, "open_tree_attr"},
                                           NameCase{9999, "syscall_9999"}));

TEST(SyscallArgs, DecodesIntegerArgumentsOnly) {
  EXPECT_EQ(describeSyscallArgs("clone", {0x10000000 | 17, 0, 0, 0, 0, 0}),
            "flags=CLONE_NEWUSER|0x11");
  EXPECT_EQ(describeSyscallArgs("ioctl", {0, 0x5412, 0, 0, 0, 0}), "fd=0 request=TIOCSTI");
  EXPECT_EQ(describeSyscallArgs("personality", {0x40000, 0, 0, 0, 0, 0}), "persona=0x40000");
  EXPECT_EQ(describeSyscallArgs("mount", {1, 2, 3, 4, 5, 6}),
            "args=[0x1, 0x2, 0x3, 0x4, 0x5, 0x6]");
}

}  // namespace
}  // namespace agentbox::sandbox
