// SPDX-License-Identifier: Apache-2.0
// File: pty_test.cc
// Interactive use: agentbox started on a test-made pseudo-terminal gives the sandbox its own
// terminal with the caller's window size, passes Ctrl-C through as SIGINT, and restores the
// caller's terminal settings when it ends.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "harness.h"
#include "run_fixture.h"

extern char** environ;  // NOLINT

namespace agentbox::testing {
namespace {

class PtyTest : public RunTest {
 protected:
  void SetUp() override {
    RunTest::SetUp();
    struct winsize ws = {40, 100, 0, 0};
    ASSERT_EQ(::openpty(&master_, &slave_, nullptr, nullptr, &ws), 0);
    ::tcgetattr(slave_, &before_);
  }
  void TearDown() override {
    ::close(master_);
    ::close(slave_);
  }
  // Starts agentbox with stdin/stdout/stderr on the pty slave.
  pid_t start(const std::vector<std::string>& cmd) {
    std::vector<std::string> args = {agentboxBin(), "run", "-q", "--workspace", ws_.path(), "--"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::string state = "AGENTBOX_STATE_DIR=" + stateDir();
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) {
      envp.push_back(*e);
    }
    envp.push_back(state.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd : {0, 1, 2}) {
      posix_spawn_file_actions_adddup2(&fa, slave_, fd);
    }
    pid_t pid = 0;
    ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    return pid;
  }
  // Reads the master until `needle` appears or the time is up.
  bool readUntil(const std::string& needle, std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p = {master_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char buf[4096];
        ssize_t n = ::read(master_, buf, sizeof(buf));
        if (n > 0) {
          seen_.append(buf, static_cast<size_t>(n));
        }
      }
      if (seen_.find(needle) != std::string::npos) {
        return true;
      }
    }
    return false;
  }
  int wait(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    readUntil("\x01never", std::chrono::milliseconds(100));  // drain
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  int master_ = -1;
  int slave_ = -1;
  struct termios before_ {};
  std::string seen_;
};

TEST_F(PtyTest, SandboxGetsATerminalWithTheCallersSize) {
  pid_t pid = start({"/bin/sh", "-c", "test -t 0 && test -t 1 && echo is-a-tty; stty size"});
  EXPECT_EQ(wait(pid), 0) << seen_;
  EXPECT_NE(seen_.find("is-a-tty"), std::string::npos) << seen_;
  EXPECT_NE(seen_.find("40 100"), std::string::npos) << seen_;
}

TEST_F(PtyTest, CtrlCReachesTheCommandAndTheTerminalIsRestored) {
  pid_t pid = start({"/bin/sh", "-c",
                     "trap 'echo got-int; exit 5' INT; echo ready; while :; do sleep 0.1; done"});
  ASSERT_TRUE(readUntil("ready", std::chrono::seconds(10))) << seen_;
  struct termios during {};
  ::tcgetattr(slave_, &during);
  EXPECT_EQ(during.c_lflag & (ICANON | ECHO), 0u) << "the caller's terminal is not raw";
  ASSERT_EQ(::write(master_, "\x03", 1), 1);
  EXPECT_EQ(wait(pid), 5) << seen_;
  EXPECT_NE(seen_.find("got-int"), std::string::npos) << seen_;
  struct termios after {};
  ::tcgetattr(slave_, &after);
  EXPECT_EQ(after.c_lflag, before_.c_lflag);
  EXPECT_EQ(after.c_iflag, before_.c_iflag);
  EXPECT_EQ(after.c_oflag, before_.c_oflag);
}

TEST_F(PtyTest, NonTerminalStdinIsStillAPipe) {
  Captured c = sh("test -t 0 && echo tty || echo not-a-tty");
  EXPECT_EQ(c.out, "not-a-tty\n");
}

}  // namespace
}  // namespace agentbox::testing
