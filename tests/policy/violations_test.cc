// SPDX-License-Identifier: Apache-2.0
#include "policy/violations.h"

#include <gtest/gtest.h>

#include <thread>

namespace agentbox::policy {
namespace {

TEST(ViolationTracker, KeepsKindSubjectRuleAndTime) {
  ViolationTracker t;
  auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764624847123));
  t.record(
      Violation{ViolationKind::kNetwork, "connect evil.com:443", "network.deny:evil.com", when});
  t.record(ViolationKind::kFilesystem, "open /workspace/.env", "filesystem.deny:.env");
  std::vector<Violation> v = t.snapshot();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(violationKindName(v[0].kind), "network");
  EXPECT_EQ(v[0].subject, "connect evil.com:443");
  EXPECT_EQ(v[0].rule, "network.deny:evil.com");
  EXPECT_EQ(formatRfc3339(v[0].time), "2025-12-01T21:34:07.123Z");
  EXPECT_EQ(violationKindName(v[1].kind), "filesystem");
  EXPECT_EQ(t.count(ViolationKind::kFilesystem), 1u);
  EXPECT_EQ(t.count(ViolationKind::kSyscall), 0u);
}

TEST(ViolationTracker, IsBoundedButCountsEverything) {
  ViolationTracker t(3);
  for (int i = 0; i < 10; ++i) {
    t.record(ViolationKind::kSyscall, "ptrace", "seccomp:ptrace");
  }
  EXPECT_EQ(t.snapshot().size(), 3u);
  EXPECT_EQ(t.total(), 10u);
  EXPECT_EQ(t.dropped(), 7u);
  EXPECT_EQ(t.count(ViolationKind::kSyscall), 10u);
}

TEST(ViolationTracker, IsThreadSafe) {
  ViolationTracker t(100000);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 1000; ++j) {
        t.record(ViolationKind::kNetwork, "x", "y");
      }
    });
  }
  for (std::thread& th : threads) {
    th.join();
  }
  EXPECT_EQ(t.snapshot().size(), 4000u);
}

}  // namespace
}  // namespace agentbox::policy
