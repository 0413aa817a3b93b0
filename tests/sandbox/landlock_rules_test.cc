// SPDX-License-Identifier: Apache-2.0
// File: landlock_rules_test.cc
// Landlock: the plan per ABI (pure), and the applied ruleset in forked children — writes
// outside the allowed trees, TCP port rules (ABI 4+), signal and abstract-socket scoping
// (ABI 6+).
#include "sandbox/landlock_rules.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sandbox/seccomp_test_child.h"
#include "util/linux_compat_landlock.h"

namespace agentbox::sandbox {
namespace {

namespace ll = landlock_uapi;
using testing::childPrintf;
using testing::runChild;

int kernelAbi() {
  auto abi = detectLandlockAbi();
  return abi ? *abi : 0;
}

TEST(LandlockPlan, AbiZeroDisablesWithAReason) {
  const LandlockPlan plan = planLandlock(sandboxLandlockRequest(false), 0);
  EXPECT_FALSE(plan.enabled);
  ASSERT_EQ(plan.missing.size(), 1U);
  EXPECT_NE(plan.missing[0].find("not available"), std::string::npos);
  EXPECT_EQ(applyLandlock(plan), 0);  // nothing to do
}

struct AbiCase {
  int abi;
  uint64_t handled_fs;
  bool net;
  bool scoped;
  size_t missing;
};

class LandlockPlanPerAbi : public ::testing::TestWithParam<AbiCase> {};

TEST_P(LandlockPlanPerAbi, HandlesWhatTheAbiKnowsAndNamesTheRest) {
  const AbiCase& c = GetParam();
  LandlockRequest req = sandboxLandlockRequest(true);
  req.connect_ports = std::vector<uint16_t>{3128};
  const LandlockPlan plan = planLandlock(req, c.abi);
  EXPECT_TRUE(plan.enabled);
  EXPECT_EQ(plan.handled_fs, c.handled_fs);
  EXPECT_EQ(plan.handled_net != 0, c.net);
  EXPECT_EQ(plan.scoped != 0, c.scoped);
  EXPECT_EQ(plan.missing.size(), c.missing) << ::testing::PrintToString(plan.missing);
  EXPECT_EQ(plan.abi, std::min(c.abi, ll::kNewestKnownAbi));
  for (const LandlockPathRule& r : plan.paths) {
    EXPECT_EQ(r.access & ~plan.handled_fs, 0U) << r.path;
    EXPECT_EQ(r.access & (ll::kFsMakeChar | ll::kFsMakeBlock), 0U) << r.path;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, LandlockPlanPerAbi,
    ::testing::Values(AbiCase{1, 0x1fff, false, false, 4}, AbiCase{2, 0x3fff, false, false, 4},
                      AbiCase{3, 0x7fff, false, false, 3}, AbiCase{4, 0x7fff, true, false, 2},
                      AbiCase{5, 0xffff, true, false, 1}, AbiCase{6, 0xffff, true, true, 0},
                      AbiCase{7, 0xffff, true, true, 0}, AbiCase{9, 0xffff, true, true, 0}));

TEST(LandlockPlan, WorkspaceModeDecidesItsRights) {
  auto has = [](const LandlockPlan& p, const char* path, uint64_t bit) {
    for (const auto& r : p.paths) {
      if (r.path == path) {
        return (r.access & bit) != 0;
      }
    }
    return false;
  };
  const LandlockPlan ro = planLandlock(sandboxLandlockRequest(false), 7);
  const LandlockPlan rw = planLandlock(sandboxLandlockRequest(true), 7);
  EXPECT_TRUE(has(ro, "/workspace", ll::kFsReadFile));
  EXPECT_FALSE(has(ro, "/workspace", ll::kFsWriteFile));
  EXPECT_TRUE(has(rw, "/workspace", ll::kFsWriteFile));
  EXPECT_TRUE(has(ro, "/tmp", ll::kFsMakeReg));
  EXPECT_FALSE(has(ro, "/usr", ll::kFsWriteFile));
  EXPECT_EQ(rw.describe(), "abi=7 fs_rules=25 net_rules=0 scoped=signal,abstract_unix");
}

class TempTree {
 public:
  TempTree() {
    char tmpl[] = "/tmp/agentbox-landlock-XXXXXX";
    root_ = mkdtemp(tmpl);
    std::filesystem::create_directories(root_ / "allowed");
    std::filesystem::create_directories(root_ / "denied");
    std::ofstream(root_ / "denied" / "existing") << "x";
  }
  ~TempTree() { std::filesystem::remove_all(root_); }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

LandlockRequest minimalRequest(const std::filesystem::path& rw) {
  LandlockRequest req;
  req.read_exec_paths = {"/usr", "/lib", "/lib64", "/bin", "/etc"};
  req.read_write_paths = {rw.string(), "/dev/null", "/no/such/path"};
  return req;
}

TEST(LandlockApply, WritesOutsideTheAllowedTreesFailWithEacces) {
  const int abi = kernelAbi();
  if (abi < 1) {
    GTEST_SKIP() << "Landlock is not available in this kernel";
  }
  TempTree tree;
  const LandlockPlan plan = planLandlock(minimalRequest(tree.root() / "allowed"), abi);
  const std::string allowed = (tree.root() / "allowed" / "new").string();
  const std::string denied = (tree.root() / "denied" / "new").string();
  const std::string existing = (tree.root() / "denied" / "existing").string();
  const auto r = runChild([&](int out) {
    LandlockApplyStats stats;
    if (int err = applyLandlock(plan, &stats); err != 0) {
      childPrintf(out, "apply errno=%d\n", err);
      return 1;
    }
    childPrintf(out, "missing=%d\n", stats.paths_missing);
    auto try_open = [&](const std::string& p, int flags) {
      const int fd = ::open(p.c_str(), flags | O_CLOEXEC, 0600);
      const int err = fd < 0 ? errno : 0;
      if (fd >= 0) {
        close(fd);
      }
      return err;
    };
    childPrintf(out, "allowed=%d\n", try_open(allowed, O_CREAT | O_WRONLY));
    childPrintf(out, "denied=%d\n", try_open(denied, O_CREAT | O_WRONLY));
    childPrintf(out, "existing_write=%d\n", try_open(existing, O_WRONLY));
    childPrintf(out, "devnull=%d\n", try_open("/dev/null", O_WRONLY));
    childPrintf(out, "read_etc=%d\n", try_open("/etc/hostname", O_RDONLY));
    childPrintf(out, "mkdir_denied=%d\n", ::mkdir((existing + ".d").c_str(), 0700) < 0 ? errno : 0);
    return 0;
  });
  ASSERT_TRUE(r.exited(0)) << r.output;
  for (const char* line : {"missing=1\n", "allowed=0\n", "denied=13\n", "existing_write=13\n",
                           "devnull=0\n", "read_etc=0\n", "mkdir_denied=13\n"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " in\n" << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(denied));
  EXPECT_TRUE(std::filesystem::exists(allowed));
}

int listenLoopback(uint16_t* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || listen(fd, 4) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return -1;
  }
  *port = ntohs(a.sin_port);
  return fd;
}

int connectLoopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const int rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  const int err = rc < 0 ? errno : 0;
  close(fd);
  return err;
}

TEST(LandlockApply, PortRuleBlocksConnectToAnotherPort) {
  const int abi = kernelAbi();
  if (abi < 4) {
    GTEST_SKIP() << "Landlock TCP port rules need ABI 4, kernel has " << abi;
  }
  uint16_t allowed_port = 0;
  uint16_t other_port = 0;
  const int a = listenLoopback(&allowed_port);
  const int b = listenLoopback(&other_port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  LandlockRequest req = minimalRequest("/tmp");
  req.connect_ports = std::vector<uint16_t>{allowed_port};
  req.bind_ports = std::vector<uint16_t>{};
  const LandlockPlan plan = planLandlock(req, abi);
  const auto r = runChild([&](int out) {
    if (int err = applyLandlock(plan); err != 0) {
      childPrintf(out, "apply errno=%d\n", err);
      return 1;
    }
    childPrintf(out, "allowed=%d\n", connectLoopback(allowed_port));
    childPrintf(out, "other=%d\n", connectLoopback(other_port));
    uint16_t p = 0;
    childPrintf(out, "bind=%d\n", listenLoopback(&p) < 0 ? errno : 0);
    return 0;
  });
  close(a);
  close(b);
  ASSERT_TRUE(r.exited(0)) << r.output;
  EXPECT_NE(r.output.find("allowed=0\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("other=13\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bind=13\n"), std::string::npos) << r.output;
}

TEST(LandlockApply, SignalsAndAbstractSocketsAreScopedToTheDomain) {
  const int abi = kernelAbi();
  if (abi < 6) {
    GTEST_SKIP() << "Landlock scoping needs ABI 6, kernel has " << abi;
  }
  const pid_t outsider = fork();
  if (outsider == 0) {
    pause();
    _exit(0);
  }
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const char name[] = "\0agentbox-landlock-scope-test";
  std::memcpy(addr.sun_path, name, sizeof(name) - 1);
  const socklen_t addr_len = offsetof(sockaddr_un, sun_path) + sizeof(name) - 1;
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), addr_len), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  const LandlockPlan plan = planLandlock(minimalRequest("/tmp"), abi);
  const auto r = runChild([&](int out) {
    if (int err = applyLandlock(plan); err != 0) {
      childPrintf(out, "apply errno=%d\n", err);
      return 1;
    }
    childPrintf(out, "outsider=%d\n", ::kill(outsider, 0) < 0 ? errno : 0);
    childPrintf(out, "self=%d\n", ::kill(getpid(), 0) < 0 ? errno : 0);
    const pid_t inside = fork();
    if (inside == 0) {
      pause();
      _exit(0);
    }
    childPrintf(out, "inside=%d\n", ::kill(inside, SIGKILL) < 0 ? errno : 0);
    waitpid(inside, nullptr, 0);
    const int c = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    childPrintf(out, "abstract=%d\n",
                connect(c, reinterpret_cast<const sockaddr*>(&addr), addr_len) < 0 ? errno : 0);
    return 0;
  });
  kill(outsider, SIGKILL);
  waitpid(outsider, nullptr, 0);
  close(listener);
  ASSERT_TRUE(r.exited(0)) << r.output;
  for (const char* line : {"outsider=1\n", "self=0\n", "inside=0\n", "abstract=1\n"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " in\n" << r.output;
  }
}

}  // namespace
}  // namespace agentbox::sandbox
