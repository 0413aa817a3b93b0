// SPDX-License-Identifier: Apache-2.0
// File: limits_test.cc
// Resource limits in real cgroups (root: v1 here, plus the controller-less cgroup2 for
// kill; unprivileged: the subtree run_unprivileged.sh delegates). Each test drives the limit
// and asserts the evidence: the outcome, the counter in the run record, the host unharmed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness.h"
#include "run_fixture.h"

namespace agentbox::testing {
namespace {

using nlohmann::json;

class LimitsTest : public RunTest {
 protected:
  json report(std::vector<std::string> cmd, std::vector<std::string> flags, Captured* out = nullptr,
              SpawnOptions extra = {}) {
    std::string path = state_.file("report.json");
    std::filesystem::remove(path);
    flags.insert(flags.end(), {"--report", path});
    Captured c = run(std::move(cmd), std::move(flags), std::move(extra));
    if (out != nullptr) {
      *out = c;
    }
    std::string text = readFile(path);
    return text.empty() ? json() : json::parse(text);
  }
  static bool cgroupActive(const json& r) {
    for (const json& l : r["layers"]) {
      if (l["name"] == "cgroups") {
        return l["active"].get<bool>();
      }
    }
    return false;
  }
};

TEST_F(LimitsTest, LimitsAreEnforcedByACgroup) {
  json r = report({"true"}, {});
  ASSERT_FALSE(r.is_null());
  EXPECT_TRUE(cgroupActive(r)) << r["layers"].dump();
  EXPECT_EQ(r["limits"]["enforced_by"], "cgroup");
  EXPECT_EQ(r["limits"]["memory_bytes"], 512u << 20);
  EXPECT_EQ(r["limits"]["pids"], 32);
}

TEST_F(LimitsTest, MemoryHogEndsAsOom137) {
  Captured c;
  // tail keeps its last line in memory, and /dev/zero has no newline: 256 MiB vs 64 MiB.
  json r = report({"/bin/sh", "-c", "head -c 256m /dev/zero | tail >/dev/null"},
                  {"--memory", "64m"}, &c);
  EXPECT_EQ(c.exit_code, 137) << c.err;
  EXPECT_EQ(r["outcome"], "oom");
  EXPECT_LE(r["usage"]["peak_memory_bytes"].get<uint64_t>(), (64u << 20) + (1u << 20));
  EXPECT_NE(c.err.find("memory limit"), std::string::npos) << c.err;
}

TEST_F(LimitsTest, ForkBombIsBoundedByPids) {
  Captured c;
  json r = report({"/bin/sh", "-c",
                   "for i in $(seq 40); do sleep 3 & done 2>/dev/null; wait; "
                   "echo done"},
                  {"--pids", "12", "--timeout", "20s"}, &c);
  EXPECT_EQ(r["outcome"], "exited");  // the command's own status stands (dash: 2 on failed fork)
  EXPECT_EQ(c.exit_code, r["exit_code"].get<int>());
  EXPECT_GT(r["usage"]["pids_limit_hits"].get<uint64_t>(), 0u);
  EXPECT_LE(r["usage"]["peak_pids"].get<uint64_t>(), 12u);
  // A real fork bomb: bounded, then the timeout ends it.
  Captured bomb;
  json rb = report({"/bin/bash", "-c", "b() { b | b & }; b; sleep 30"},
                   {"--pids", "16", "--timeout", "3s"}, &bomb);
  EXPECT_EQ(bomb.exit_code, 124);
  EXPECT_LE(rb["usage"]["peak_pids"].get<uint64_t>(), 16u);
  EXPECT_GT(rb["usage"]["pids_limit_hits"].get<uint64_t>(), 0u);
}

TEST_F(LimitsTest, SpinningLoopGetsAtMostItsCpuQuota) {
  json r = report({"/bin/sh", "-c", "while :; do :; done"}, {"--cpus", "0.2", "--timeout", "3s"});
  ASSERT_EQ(r["outcome"], "timeout");
  uint64_t cpu_ms = r["usage"]["cpu_ms"].get<uint64_t>();
  uint64_t wall_ms = r["usage"]["wall_ms"].get<uint64_t>();
  EXPECT_LE(static_cast<double>(cpu_ms), 0.2 * static_cast<double>(wall_ms) * 1.2)
      << "cpu " << cpu_ms << " ms in " << wall_ms << " ms";
  EXPECT_GT(cpu_ms, 100u) << "the loop did not run at all";
}

TEST_F(LimitsTest, OpenFilesAreBounded) {
  Captured c;
  json r = report({"/bin/sh", "-c",
                   "ulimit -n; i=0; while [ $i -lt 100 ]; do "
                   "eval \"exec $((i+10))</dev/null\" || break; i=$((i+1)); done; "
                   "echo opened=$i"},
                  {"--nofile", "32"}, &c);
  EXPECT_NE(c.out.find("32\n"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("opened=100"), std::string::npos) << c.out;
}

TEST_F(LimitsTest, OutputBeyondTheLimitIsDroppedWithOneMarker) {
  Captured c;
  json r = report({"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; echo; echo end"},
                  {"--output-limit", "1k"}, &c);
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_EQ(c.out.size(), 1024u);
  EXPECT_EQ(c.out.find("end"), std::string::npos);
  EXPECT_NE(c.err.find("output limit of 1024 bytes reached"), std::string::npos) << c.err;
  EXPECT_EQ(r["usage"]["output_truncated"], true);
}

TEST_F(LimitsTest, TimeoutKillsATreeThatIgnoresTermAndForks) {
  Captured c;
  json r = report({"/bin/sh", "-c",
                   "trap '' TERM; for i in 1 2 3; do (trap '' TERM; " + sleepArg("101") +
                       ") & done; " + sleepArg("102")},
                  {"--timeout", "1s"}, &c);
  EXPECT_EQ(c.exit_code, 124);
  EXPECT_EQ(r["outcome"], "timeout");
  EXPECT_FALSE(processWithCmdline(sleepArg("101")));
  EXPECT_FALSE(processWithCmdline(sleepArg("102")));
}

// The cgroup directories a run recorded for clean-up, one per line: its lock file holds a
// `cgroup DIR` line each (app/run_dir.h).
std::string recordedCgroups(const std::string& state_dir, const std::string& id) {
  std::string listed;
  std::istringstream record(readFile(state_dir + "/runs/" + id + "/lock"));
  for (std::string line; std::getline(record, line);) {
    if (line.rfind("cgroup ", 0) == 0) {
      listed += line.substr(7) + "\n";
    }
  }
  return listed;
}

TEST_F(LimitsTest, NoCgroupIsLeftAfterARun) {
  json r = report({"true"}, {});
  std::string id = r["id"].get<std::string>();
  std::string dirs = recordedCgroups(stateDir(), id);
  ASSERT_FALSE(dirs.empty());
  std::istringstream lines(dirs);
  for (std::string d; std::getline(lines, d);) {
    EXPECT_NE(d.find("agentbox-run-" + id), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(d)) << d;
  }
}

TEST_F(LimitsTest, KillNineLeavesNoProcessAndNoCgroup) {
  pid_t pid = startProcess(
      agentboxBin(), {"run", "--workspace", ws_.path(), "--", "/bin/sh", "-c", sleepArg("303")},
      {{"AGENTBOX_STATE_DIR", stateDir()}});
  for (int i = 0; i < 200 && !processWithCmdline(sleepArg("303")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(processWithCmdline(sleepArg("303")));
  std::string active = stateDir() + "/runs/.active";
  std::string id = std::filesystem::directory_iterator(active)->path().filename().string();
  std::string listed = recordedCgroups(stateDir(), id);
  ASSERT_FALSE(listed.empty());
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(processWithCmdline(sleepArg("303")));
  Captured next = sh("true");
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_NE(next.err.find("removed its"), std::string::npos) << next.err;
  std::istringstream lines(listed);
  for (std::string d; std::getline(lines, d);) {
    EXPECT_FALSE(std::filesystem::exists(d)) << d << " outlived the run";
  }
}

TEST_F(LimitsTest, StrictRefusesAndBestEffortWarnsWithoutAUsableCgroup) {
  SpawnOptions o;
  o.env["AGENTBOX_CGROUP_ROOT"] = "/agentbox-not-delegated-" + std::to_string(::getpid());
  Captured strict = run({"true"}, {}, o);
  EXPECT_EQ(strict.exit_code, 125);
  EXPECT_EQ(std::count(strict.err.begin(), strict.err.end(), '\n'), 1) << strict.err;
  EXPECT_NE(strict.err.find("no usable cgroup"), std::string::npos) << strict.err;
  EXPECT_NE(strict.err.find("--best-effort"), std::string::npos) << strict.err;
  Captured c;
  json r = report({"/bin/bash", "-c", "ulimit -v; ulimit -u"},
                  {"--best-effort", "--memory", "256m"}, &c, o);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, std::to_string(256 * 1024) + "\n32\n");  // RLIMIT_AS in KiB, RLIMIT_NPROC
  EXPECT_FALSE(cgroupActive(r));
  EXPECT_EQ(r["limits"]["enforced_by"], "rlimit");
  ASSERT_FALSE(r["warnings"].empty());
  EXPECT_NE(r["warnings"][0].get<std::string>().find("RLIMIT_AS"), std::string::npos);
  EXPECT_NE(c.err.find("best-effort"), std::string::npos) << c.err;
}

}  // namespace
}  // namespace agentbox::testing
