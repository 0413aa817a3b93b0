// SPDX-License-Identifier: Apache-2.0
#include "sandbox/child_planner.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <algorithm>

namespace agentbox::sandbox {
namespace {

struct Fixture {
  policy::Policy policy;
  RunTarget target{.argv = {"make", "test"}, .workspace = "/src/project"};
  HostFacts host{.root_entries = {{"bin", "usr/bin"}, {"lib64", ""}},
                 .etc_files = {"ld.so.cache"},
                 .etc_dirs = {"ssl"},
                 .localtime_target = "/usr/share/zoneinfo/UTC"};
  IdMapPlan ids;
  ChildPlan plan() {
    return planChild({.policy = policy, .target = target, .host = host, .ids = ids});
  }
};

const MountStep* findStep(const ChildPlan& p, MountOp op, const std::string& target) {
  for (const MountStep& m : p.mounts) {
    if (m.op == op && target == m.target) {
      return &m;
    }
  }
  return nullptr;
}

const TreeSource* findTree(const ChildPlan& p, const std::string& path) {
  for (const TreeSource& t : p.trees) {
    if (t.path != nullptr && path == t.path) {
      return &t;
    }
  }
  return nullptr;
}

TEST(ChildPlanner, SystemDirectoriesAreReadOnlyNosuidBinds) {
  Fixture f;
  ChildPlan p = f.plan();
  const TreeSource* usr = findTree(p, "/usr");
  ASSERT_NE(usr, nullptr);
  EXPECT_EQ(usr->attr_set & MOUNT_ATTR_RDONLY, MOUNT_ATTR_RDONLY);
  EXPECT_EQ(usr->attr_set & MOUNT_ATTR_NOSUID, MOUNT_ATTR_NOSUID);
  const MountStep* bin = findStep(p, MountOp::kSymlink, "/tmp/bin");
  ASSERT_NE(bin, nullptr);
  EXPECT_STREQ(bin->source, "usr/bin");
  ASSERT_NE(findTree(p, "/lib64"), nullptr);
  EXPECT_NE(findTree(p, "/etc/ld.so.cache"), nullptr);
  EXPECT_FALSE(findTree(p, "/etc/ld.so.cache")->recursive);
  EXPECT_NE(findTree(p, "/etc/ssl"), nullptr);
}

TEST(ChildPlanner, NoHostEtcSecretsOrResolverAreBound) {
  Fixture f;
  ChildPlan p = f.plan();
  for (const TreeSource& t : p.trees) {
    std::string path = t.path == nullptr ? "" : t.path;
    EXPECT_NE(path, "/etc");
    EXPECT_NE(path, "/etc/shadow");
    EXPECT_NE(path, "/etc/resolv.conf");
    EXPECT_NE(path, "/root");
    EXPECT_NE(path, "/home");
  }
  EXPECT_EQ(findStep(p, MountOp::kWriteFile, "/tmp/etc/resolv.conf"), nullptr);
  const MountStep* passwd = findStep(p, MountOp::kWriteFile, "/tmp/etc/passwd");
  ASSERT_NE(passwd, nullptr);
  EXPECT_NE(std::string(passwd->data).find("agent:x:1001:1001:"), std::string::npos);
}

TEST(ChildPlanner, WorkspaceModeDecidesReadOnly) {
  Fixture f;
  ChildPlan ro = f.plan();
  ASSERT_NE(findTree(ro, "/src/project"), nullptr);
  EXPECT_EQ(findTree(ro, "/src/project")->attr_set & MOUNT_ATTR_RDONLY, MOUNT_ATTR_RDONLY);
  f.policy.filesystem.mode = policy::WorkspaceMode::kWrite;
  ChildPlan rw = f.plan();
  EXPECT_EQ(findTree(rw, "/src/project")->attr_set & MOUNT_ATTR_RDONLY, 0U);
  EXPECT_EQ(findTree(rw, "/src/project")->attr_set & MOUNT_ATTR_NOSUID, MOUNT_ATTR_NOSUID);
}

TEST(ChildPlanner, TmpAndHomeAreSizeCappedTmpfs) {
  Fixture f;
  f.policy.resources.tmp_size_bytes = 3 * 1024 * 1024;
  ChildPlan p = f.plan();
  const MountStep* tmp = findStep(p, MountOp::kTmpfs, "/tmp/tmp");
  ASSERT_NE(tmp, nullptr);
  EXPECT_STREQ(tmp->data, "size=3145728,mode=1777");
  const MountStep* home = findStep(p, MountOp::kTmpfs, "/tmp/home/agent");
  ASSERT_NE(home, nullptr);
  EXPECT_STREQ(home->data, "size=3145728,mode=0700,uid=1001,gid=1001");
  EXPECT_NE(findStep(p, MountOp::kBindSelfRo, "/tmp/proc/sys"), nullptr);
}

TEST(ChildPlanner, ProcSysAndRootAreMadeReadOnly) {
  Fixture f;
  ChildPlan p = f.plan();
  EXPECT_NE(findStep(p, MountOp::kBindSelfRo, "/tmp/proc/sys"), nullptr);
  ASSERT_EQ(p.read_only_after_pivot.size(), 2U);
  EXPECT_STREQ(p.read_only_after_pivot[0], "/");
}

TEST(ChildPlanner, CommandIsSearchedInTheSandboxPath) {
  Fixture f;
  ChildPlan p = f.plan();
  ASSERT_GE(p.exec_paths.size(), 3U);
  EXPECT_STREQ(p.exec_paths[0], "/usr/local/bin/make");
  EXPECT_STREQ(p.exec_paths[1], "/usr/bin/make");
  EXPECT_EQ(p.exec_paths.back(), nullptr);
  EXPECT_STREQ(p.argv[0], "make");
  EXPECT_STREQ(p.argv[1], "test");
  EXPECT_EQ(p.argv[2], nullptr);
  f.target.argv = {"./build.sh"};
  ChildPlan rel = f.plan();
  ASSERT_EQ(rel.exec_paths.size(), 2U);
  EXPECT_STREQ(rel.exec_paths[0], "./build.sh");
}

TEST(ChildPlanner, EnvironmentIsTheBasicsPlusExplicitVariables) {
  Fixture f;
  f.policy.sandbox.env = {{"API_URL", "http://x"}, {"HOME", "/custom"}};
  f.target.term = "xterm";
  std::vector<std::string> env = sandboxEnvironment(f.policy, f.target);
  std::vector<std::string> expected = {
      "PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
      "USER=agent",
      "TERM=xterm",
      "LANG=C.UTF-8",
      "API_URL=http://x",
      "HOME=/custom"};
  EXPECT_EQ(env, expected);
}

TEST(ChildPlanner, PrivilegedMappingSwitchesToTheSandboxUserBeforeExec) {
  Fixture f;
  f.ids.child_becomes_root = true;
  ChildPlan p = f.plan();
  EXPECT_TRUE(p.become_root);
  EXPECT_TRUE(p.set_ids);
  EXPECT_EQ(p.uid, 1001U);
  EXPECT_EQ(p.gid, 1001U);
}

}  // namespace
}  // namespace agentbox::sandbox
