// SPDX-License-Identifier: Apache-2.0
// Cgroup discovery over real-looking /proc text, and the v2 and v1 limit files written into a
// test-made fake tree (this host's cgroup2 has no controllers, so v2 limits are checked here).
#include "sandbox/cgroups.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "sandbox/cgroup_layout.h"
#include "util/sys.h"

namespace agentbox::sandbox {
namespace {

const char* kMountinfoV1 =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "50 31 0:40 /nested /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n";
const char* kSelfV1 =
    "8:pids:/\n6:freezer:/\n4:memory:/process_api/9035\n2:cpuacct:/\n1:cpu:/\n7:blkio:/\n0::/\n";

TEST(CgroupLayout, ParsesSeparateV1MountsAndTheControllerlessCgroup2) {
  CgroupLayout l = parseCgroupLayout(kMountinfoV1, kSelfV1);
  ASSERT_TRUE(l.v2.has_value());
  EXPECT_EQ(l.v2->mount, "/sys/fs/cgroup/unified");
  EXPECT_EQ(l.v2->self, "/");
  ASSERT_EQ(l.v1.count("memory"), 1u);
  EXPECT_EQ(l.v1["memory"].mount, "/sys/fs/cgroup/memory");
  EXPECT_EQ(l.v1["memory"].self, "/process_api/9035");
  EXPECT_EQ(l.v1["cpu"].mount, "/sys/fs/cgroup/cpu");
  EXPECT_EQ(l.v1["cpuacct"].mount, "/sys/fs/cgroup/cpuacct");
  EXPECT_EQ(l.v1.count("blkio"), 0u) << "a bind of a sub-cgroup must not be used";
}

TEST(CgroupLayout, ParsesCombinedCpuCpuacctAndPureV2) {
  const char* mi = "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
  CgroupLayout l = parseCgroupLayout(mi, "3:cpu,cpuacct:/user.slice\n");
  EXPECT_EQ(l.v1["cpu"].mount, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(l.v1["cpuacct"].self, "/user.slice");
  CgroupLayout v2 =
      parseCgroupLayout("30 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
                        "0::/user.slice/user-1000.slice/user@1000.service/app.slice\n");
  ASSERT_TRUE(v2.v2.has_value());
  EXPECT_EQ(v2.v2->self, "/user.slice/user-1000.slice/user@1000.service/app.slice");
  EXPECT_TRUE(v2.v1.empty());
  EXPECT_EQ(cgroupDir(*v2.v2, "/agentbox-ci", "agentbox-run-1"),
            "/sys/fs/cgroup/agentbox-ci/agentbox-run-1");
}

class FakeTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/agentbox-cgtest.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void touch(const std::string& name) { std::ofstream(dir_ + "/" + name).flush(); }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string dir_;
};

TEST_F(FakeTree, V2LimitFilesGetTheKernelSpelling) {
  for (const char* f : {"memory.max", "memory.swap.max", "pids.max", "cpu.max"}) {
    touch(f);
  }
  ASSERT_TRUE(
      applyLimitWrites(v2LimitWrites(dir_, {.memory_bytes = 64 << 20, .cpus = 0.5, .pids = 32}))
          .has_value());
  EXPECT_EQ(read("memory.max"), "67108864");
  EXPECT_EQ(read("memory.swap.max"), "0");
  EXPECT_EQ(read("pids.max"), "32");
  EXPECT_EQ(read("cpu.max"), "50000 100000");
}

TEST_F(FakeTree, MissingOptionalFileIsSkippedAndMissingRequiredOneIsAnError) {
  for (const char* f : {"memory.max", "pids.max", "cpu.max"}) {
    touch(f);
  }
  EXPECT_TRUE(
      applyLimitWrites(v2LimitWrites(dir_, {.memory_bytes = 1, .cpus = 1, .pids = 1})).has_value());
  std::filesystem::remove(dir_ + "/pids.max");
  Status s = applyLimitWrites(v2LimitWrites(dir_, {.memory_bytes = 1, .cpus = 1, .pids = 1}));
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().oneLine().find("pids.max"), std::string::npos);
}

TEST_F(FakeTree, V1LimitFilesSetMemswAndTheCfsQuota) {
  for (const char* f : {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "pids.max",
                        "cpu.cfs_period_us", "cpu.cfs_quota_us"}) {
    touch(f);
  }
  ASSERT_TRUE(applyLimitWrites(v1LimitWrites(dir_, dir_, dir_,
                                             {.memory_bytes = 1 << 20, .cpus = 0.25, .pids = 8}))
                  .has_value());
  EXPECT_EQ(read("memory.limit_in_bytes"), "1048576");
  EXPECT_EQ(read("memory.memsw.limit_in_bytes"), "1048576");
  EXPECT_EQ(read("cpu.cfs_quota_us"), "25000");
  EXPECT_EQ(read("cpu.cfs_period_us"), "100000");
}

TEST(CgroupStats, KeyedValuesAreParsed) {
  EXPECT_EQ(keyedValue("low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\n", "oom_kill"), 2u);
  EXPECT_EQ(keyedValue("oom_kill_disable 0\nunder_oom 0\noom_kill 5\n", "oom_kill"), 5u);
  EXPECT_EQ(keyedValue("max 7\n", "max"), 7u);
  EXPECT_EQ(keyedValue("usage_usec 123\nuser_usec 100\n", "usage_usec"), 123u);
  EXPECT_EQ(keyedValue("", "max"), 0u);
}

TEST(RunCgroups, ANonDelegatedParentGivesNoneWithAReason) {
  CgroupLayout l = parseCgroupLayout(kMountinfoV1, kSelfV1);
  // A parent that does not exist is not writable: nothing is created, the reason says so.
  Result<RunCgroups> cg = RunCgroups::create({.layout = l,
                                              .parent = "/agentbox-no-such-parent-1",
                                              .name = "agentbox-run-test",
                                              .limits = {}});
  ASSERT_TRUE(cg.has_value()) << cg.error().oneLine();
  EXPECT_EQ(cg->version(), CgroupVersion::kNone);
  EXPECT_NE(cg->whyNone().find("not writable"), std::string::npos) << cg->whyNone();
  EXPECT_TRUE(cg->dirs().empty());
}

// The run's cgroups on this host (root, or a delegated subtree), or nothing.
std::optional<RunCgroups> realRunCgroups(const std::string& name) {
  std::string mountinfo = sys::readFile("/proc/self/mountinfo").value_or(std::string());
  std::string self = sys::readFile("/proc/self/cgroup").value_or(std::string());
  Result<RunCgroups> cg =
      RunCgroups::create({.layout = parseCgroupLayout(mountinfo, self),
                          .parent = "",
                          .name = name,
                          .limits = {.memory_bytes = 64 << 20, .cpus = 1, .pids = 16}});
  if (!cg.has_value() || cg->version() == CgroupVersion::kNone) {
    return std::nullopt;
  }
  return std::move(*cg);
}

// A process left in the run's cgroups when they are destroyed (which a normal end never
// leaves: pid 1's exit kills the pid namespace) is killed, and the directories still go.
TEST(RunCgroups, DestructionKillsWhatIsLeftAndRemovesTheDirectories) {
  std::optional<RunCgroups> cg = realRunCgroups("agentbox-run-unit-" + std::to_string(::getpid()));
  if (!cg.has_value()) {
    GTEST_SKIP() << "no usable cgroup for this user here";
  }
  std::vector<std::string> dirs = cg->dirs();
  ASSERT_FALSE(dirs.empty());
  Result<std::vector<UniqueFd>> join = cg->openJoinFiles();
  ASSERT_TRUE(join.has_value()) << join.error().oneLine();
  int v2 = cg->cloneIntoFd();
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const UniqueFd& fd : *join) {
      if (::write(fd.get(), "0", 1) != 1) {
        ::_exit(3);
      }
    }
    if (v2 >= 0) {
      int procs = ::openat(v2, "cgroup.procs", O_WRONLY | O_CLOEXEC);
      if (procs < 0 || ::write(procs, "0", 1) != 1) {
        ::_exit(4);
      }
    }
    (void)!::write(ready[1], "j", 1);
    ::pause();
    ::_exit(0);
  }
  ASSERT_GT(pid, 0);
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1) << "the child could not join the cgroups";
  ::close(ready[0]);
  join->clear();
  // Populated: rmdir is refused, so the destructor has to kill first.
  EXPECT_NE(::rmdir(dirs.back().c_str()), 0);
  cg.reset();
  int status = 0;
  pid_t reaped = 0;
  for (int i = 0; i < 200 && reaped == 0; ++i) {
    reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (reaped == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    for (const std::string& d : dirs) {
      ::rmdir(d.c_str());
    }
    FAIL() << "the process left in the run's cgroups survived their destruction";
  }
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  for (const std::string& d : dirs) {
    EXPECT_FALSE(std::filesystem::exists(d)) << d << " outlived the run";
  }
}

// After a normal end the directories are empty and simply removed.
TEST(RunCgroups, EmptyCgroupsAreRemoved) {
  std::optional<RunCgroups> cg =
      realRunCgroups("agentbox-run-unit-empty-" + std::to_string(::getpid()));
  if (!cg.has_value()) {
    GTEST_SKIP() << "no usable cgroup for this user here";
  }
  std::vector<std::string> dirs = cg->dirs();
  ASSERT_FALSE(dirs.empty());
  bool v2_kill =
      cg->cloneIntoFd() >= 0 && ::faccessat(cg->cloneIntoFd(), "cgroup.kill", F_OK, 0) == 0;
  for (const std::string& d : dirs) {
    EXPECT_TRUE(std::filesystem::exists(d)) << d;
    // cgroup2's cgroup.kill makes the v1 freezer (and its costly freeze and thaw) needless.
    if (v2_kill) {
      EXPECT_FALSE(std::filesystem::exists(d + "/freezer.state")) << d;
    }
  }
  cg.reset();
  for (const std::string& d : dirs) {
    EXPECT_FALSE(std::filesystem::exists(d)) << d;
  }
}

}  // namespace
}  // namespace agentbox::sandbox
