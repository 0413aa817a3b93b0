// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>

#include "sandbox/supervisor.h"

namespace agentbox::sandbox {
namespace {

int exitedWith(int code) {
  return (code & 0xff) << 8;
}
int killedBy(int sig) {
  return sig & 0x7f;
}

TEST(ClassifyExit, FollowsTheDesignTable) {
  struct Case {
    ExitFacts facts;
    Outcome outcome;
    int exit_code;
  };
  ChildReport setup;
  setup.kind = ChildReportKind::kSetupFailed;
  setup.stage = ChildStage::kPivotRoot;
  setup.err = EPERM;
  ChildReport exec_enoent;
  exec_enoent.kind = ChildReportKind::kExecFailed;
  exec_enoent.err = ENOENT;
  const Case cases[] = {
      {{.command_wait_status = exitedWith(0)}, Outcome::kExited, 0},
      {{.command_wait_status = exitedWith(7)}, Outcome::kExited, 7},
      {{.command_wait_status = killedBy(SIGTERM)}, Outcome::kSignaled, 128 + SIGTERM},
      {{.timed_out = true, .init_si_code = CLD_KILLED, .init_si_status = SIGKILL},
       Outcome::kTimeout,
       124},
      {{.setup_failure = setup}, Outcome::kSetupError, 125},
      {{.exec_failure = exec_enoent, .command_wait_status = exitedWith(127)},
       Outcome::kExited,
       127},
      {{.init_si_code = CLD_KILLED, .init_si_status = SIGKILL}, Outcome::kSignaled, 137},
      {{.init_si_code = CLD_EXITED, .init_si_status = 125}, Outcome::kSetupError, 125},
  };
  for (const Case& c : cases) {
    RunResult r = classifyExit(c.facts);
    EXPECT_EQ(r.outcome, c.outcome) << outcomeName(c.outcome);
    EXPECT_EQ(r.exit_code, c.exit_code) << outcomeName(c.outcome);
  }
}

TEST(ClassifyExit, ACommandStatusReportedBeforeTheDeadlineWins) {
  RunResult r = classifyExit({.command_wait_status = exitedWith(3), .timed_out = true});
  EXPECT_EQ(r.outcome, Outcome::kExited);
  EXPECT_EQ(r.exit_code, 3);
}

TEST(ClassifyExit, SetupErrorNamesTheStepAndErrno) {
  ChildReport setup;
  setup.kind = ChildReportKind::kSetupFailed;
  setup.stage = ChildStage::kPivotRoot;
  setup.err = EPERM;
  std::snprintf(setup.detail.data(), setup.detail.size(), "pivot_root /tmp");
  RunResult r = classifyExit({.setup_failure = setup});
  EXPECT_EQ(r.error,
            "sandbox setup failed at step 'pivot_root': pivot_root /tmp: EPERM (Operation not "
            "permitted); run 'agentbox doctor'");
}

TEST(ClassifyExit, SignalIsRecorded) {
  RunResult r = classifyExit({.command_wait_status = killedBy(SIGINT)});
  ASSERT_TRUE(r.signal.has_value());
  EXPECT_EQ(*r.signal, SIGINT);
}

}  // namespace
}  // namespace agentbox::sandbox
