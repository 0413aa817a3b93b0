// SPDX-License-Identifier: Apache-2.0
#include "app/run.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "app/run_dir.h"
#include "app/run_record.h"
#include "policy/policy_test_util.h"

namespace agentbox::app {
namespace {

TEST(WorkspaceCheck, RefusesOverlapWithTheStateDir) {
  EXPECT_TRUE(checkWorkspaceAgainstStateDir("/src/p", "/home/u/.local/state/agentbox").has_value());
  EXPECT_FALSE(
      checkWorkspaceAgainstStateDir("/home/u", "/home/u/.local/state/agentbox").has_value());
  EXPECT_FALSE(checkWorkspaceAgainstStateDir("/", "/var/ab").has_value());
  EXPECT_FALSE(checkWorkspaceAgainstStateDir("/var/ab/runs/x", "/var/ab").has_value());
  EXPECT_FALSE(checkWorkspaceAgainstStateDir("/var/ab", "/var/ab").has_value());
  // A shared prefix is not containment.
  EXPECT_TRUE(checkWorkspaceAgainstStateDir("/var/abc", "/var/ab").has_value());
  EXPECT_TRUE(checkWorkspaceAgainstStateDir("/var/ab", "/var/abc").has_value());
}

TEST(RunRecord, HasTheSchemaSkeleton) {
  std::string id = "20261201T000000Z-00";
  std::vector<std::string> argv = {"sh", "-c", "exit 2"};
  std::string ws = "/w";
  policy::Policy policy;
  sandbox::RunResult result;
  result.outcome = sandbox::Outcome::kExited;
  result.exit_code = 2;
  result.layers = {{"namespaces", true, "user", ""}, {"seccomp", false, "", "not built"}};
  std::vector<std::string> warnings = {"w1"};
  std::map<std::string, uint64_t, std::less<>> by_rule = {{"github-pat", 2}};
  std::map<std::string, uint64_t, std::less<>> by_class = {{"secret", 2}};
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1796083200));
  nlohmann::json r = nlohmann::json::parse(renderRunRecord({.id = id,
                                                            .argv = argv,
                                                            .workspace = ws,
                                                            .policy = policy,
                                                            .started = t,
                                                            .ended = t,
                                                            .result = result,
                                                            .warnings = warnings,
                                                            .redaction_by_rule = by_rule,
                                                            .redaction_by_class = by_class}));
  EXPECT_EQ(r["schema"], "agentbox.run/1");
  EXPECT_EQ(r["outcome"], "exited");
  EXPECT_EQ(r["exit_code"], 2);
  EXPECT_EQ(r["started"], "2026-12-01T00:00:00.000Z");
  for (const char* key :
       {"id", "argv", "started", "ended", "outcome", "exit_code", "signal", "limits", "usage",
        "layers", "violations", "network", "redaction", "warnings"}) {
    EXPECT_TRUE(r.contains(key)) << key;
  }
  EXPECT_TRUE(r["layers"][0]["reason"].is_null());
  EXPECT_EQ(r["layers"][1]["reason"], "not built");
  EXPECT_EQ(r["warnings"][0], "w1");
  EXPECT_EQ(r["redaction"]["by_rule"]["github-pat"], 2);
  EXPECT_EQ(r["redaction"]["state"], "on");
}

TEST(RunRecord, HeadAndTailJoinToTheWholeRecord) {
  std::string id = "20261201T000000Z-00";
  std::vector<std::string> argv = {"sh", "-c", "echo \"x\""};
  std::string ws = "/w";
  policy::Policy policy;
  sandbox::RunResult result;
  result.outcome = sandbox::Outcome::kExited;
  result.exit_code = 1;
  result.error = "e";
  result.layers = {{"namespaces", true, "user", ""}, {"seccomp", false, "", "not built"}};
  result.violations = {{"syscall", "ptrace", "seccomp:builtin", {}, 7}};
  std::vector<std::string> warnings = {"w1", "w2"};
  std::map<std::string, uint64_t, std::less<>> by_rule = {{"github-pat", 2}};
  std::map<std::string, uint64_t, std::less<>> by_class = {{"secret", 2}};
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1796083200));
  RunRecordInputs in{.id = id,
                     .argv = argv,
                     .workspace = ws,
                     .policy = policy,
                     .started = t,
                     .ended = t + std::chrono::seconds(3),
                     .result = result,
                     .warnings = warnings,
                     .redaction_by_rule = by_rule,
                     .redaction_by_class = by_class};
  std::string head = renderRunRecordHead(runRecordHead(in));
  std::string tail = renderRunRecordTail(in);
  std::optional<std::string> joined = joinRunRecord(head, tail);
  ASSERT_TRUE(joined.has_value());
  EXPECT_EQ(*joined, prettyRecord(renderRunRecord(in)));
  // No key is in both parts.
  nlohmann::json h = nlohmann::json::parse(head);
  nlohmann::json tail_json = nlohmann::json::parse(tail);
  for (const auto& [key, value] : tail_json.items()) {
    EXPECT_FALSE(h.contains(key)) << key;
  }
  EXPECT_FALSE(joinRunRecord(head, "[1]").has_value());
  EXPECT_FALSE(joinRunRecord("{", tail).has_value());
}

TEST(RunDir, StartTimeOfMissingProcessIsZero) {
  EXPECT_EQ(processStartTime(0x3fffffff), 0U);
  EXPECT_GT(processStartTime(::getpid()), 0U);
}

// A child that sleeps until killed: the "pid 1" of a dead run in the tests below.
pid_t startSleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  return pid;
}

// True once `pid` (our child) has died of SIGKILL; reaps it.
bool diedOfSigkill(pid_t pid) {
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return false;
}

TEST(RunDir, MarkerIsTheLockAndHoldsTheCleanupRecord) {
  policy::testing::TempDir state;
  Result<RunDir> dir = RunDir::create(state.path());
  ASSERT_TRUE(dir.has_value()) << dir.error().oneLine();
  std::string lock = dir->path() + "/lock";
  std::string marker = state.path() + "/runs/.active/" + dir->id();
  struct stat a {};
  struct stat b {};
  ASSERT_EQ(::stat(lock.c_str(), &a), 0);
  ASSERT_EQ(::stat(marker.c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);  // one file, two names
  EXPECT_EQ(a.st_mode & 0777, 0600U);
  ASSERT_TRUE(
      dir->recordCleanup(::getpid(), {"/sys/fs/cgroup/x/agentbox-run-1", "/y"}).has_value());
  std::ifstream in(marker);
  std::string l1;
  std::string l2;
  std::string l3;
  std::getline(in, l1);
  std::getline(in, l2);
  std::getline(in, l3);
  EXPECT_EQ(l1, fmt::format("pid {} {}", ::getpid(), processStartTime(::getpid())));
  EXPECT_EQ(l2, "cgroup /sys/fs/cgroup/x/agentbox-run-1");
  EXPECT_EQ(l3, "cgroup /y");
  // A live run (its lock held, here by `dir`) is left alone by the next start.
  EXPECT_TRUE(reapStaleRuns(state.path()).empty());
  EXPECT_TRUE(std::filesystem::exists(marker));
  std::optional<RunDir> gone(std::move(*dir));
  gone.reset();
  EXPECT_FALSE(std::filesystem::exists(marker));  // unmarked at the end
  EXPECT_TRUE(std::filesystem::exists(lock));
}

// A run of this version whose agentbox died: its lock file with `record` in it, hard-linked
// as the active marker (whose path is returned). Nobody holds the lock.
std::string markDeadRun(const policy::testing::TempDir& state, const std::string& id,
                        const std::string& record) {
  std::string lock = state.write("runs/" + id + "/lock", record);
  std::filesystem::create_directories(state.path() + "/runs/.active");
  std::string marker = state.path() + "/runs/.active/" + id;
  EXPECT_EQ(::link(lock.c_str(), marker.c_str()), 0) << marker;
  return marker;
}

TEST(RunDir, DeadRunIsKilledAndUnmarked) {
  policy::testing::TempDir state;
  pid_t sleeper = startSleeper();
  ASSERT_GT(sleeper, 0);
  std::string id = "20261201T000000Z-dead";
  std::string marker = markDeadRun(state, id,
                                   fmt::format("pid {} {}\ncgroup /nonexistent/agentbox-run-{}\n",
                                               sleeper, processStartTime(sleeper), id));
  std::vector<std::string> cleaned = reapStaleRuns(state.path());
  ASSERT_EQ(cleaned.size(), 1U);
  EXPECT_NE(cleaned[0].find(fmt::format("killed its sandbox (pid {})", sleeper)), std::string::npos)
      << cleaned[0];
  EXPECT_NE(cleaned[0].find("removed its 1 cgroup directory"), std::string::npos) << cleaned[0];
  EXPECT_TRUE(diedOfSigkill(sleeper));
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(RunDir, RecycledPidIsNotKilled) {
  policy::testing::TempDir state;
  pid_t sleeper = startSleeper();
  ASSERT_GT(sleeper, 0);
  std::string id = "20261201T000000Z-recycled";
  // The recorded start time is not the live process's: the pid was reused.
  markDeadRun(state, id, fmt::format("pid {} {}\n", sleeper, processStartTime(sleeper) + 1));
  std::vector<std::string> cleaned = reapStaleRuns(state.path());
  ASSERT_EQ(cleaned.size(), 1U);
  EXPECT_EQ(cleaned[0].find("killed"), std::string::npos) << cleaned[0];
  EXPECT_EQ(::kill(sleeper, 0), 0);  // still alive
  ::kill(sleeper, SIGKILL);
  EXPECT_TRUE(diedOfSigkill(sleeper));
}

TEST(RunDir, EarlierVersionsRunsAreReadAndTheirLiveOnesSkipped) {
  policy::testing::TempDir state;
  // An earlier version: an empty marker, the lock, init.pid and cgroups beside it.
  pid_t sleeper = startSleeper();
  ASSERT_GT(sleeper, 0);
  std::string dead = "20261201T000000Z-olddead";
  state.write("runs/.active/" + dead, "");
  state.write("runs/" + dead + "/lock", "");
  state.write("runs/" + dead + "/init.pid",
              fmt::format("{} {}\n", sleeper, processStartTime(sleeper)));
  state.write("runs/" + dead + "/cgroups", "/nonexistent/agentbox-run-old\n");
  std::string live = "20261201T000000Z-oldlive";
  state.write("runs/.active/" + live, "");
  std::string live_lock = state.write("runs/" + live + "/lock", "");
  int held = ::open(live_lock.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX | LOCK_NB), 0);
  std::vector<std::string> cleaned = reapStaleRuns(state.path());
  ::close(held);
  ASSERT_EQ(cleaned.size(), 1U);
  EXPECT_NE(cleaned[0].find(dead), std::string::npos) << cleaned[0];
  EXPECT_NE(cleaned[0].find("killed its sandbox"), std::string::npos) << cleaned[0];
  EXPECT_TRUE(diedOfSigkill(sleeper));
  EXPECT_FALSE(std::filesystem::exists(state.path() + "/runs/.active/" + dead));
  EXPECT_TRUE(std::filesystem::exists(state.path() + "/runs/.active/" + live));
}

}  // namespace
}  // namespace agentbox::app
