// SPDX-License-Identifier: Apache-2.0
#include "sandbox/id_map.h"

#include <gtest/gtest.h>

#include "sandbox/host_identity.h"
#include "util/sys.h"

namespace agentbox::sandbox {
namespace {

HostIdentity root() {
  return {.uid = 0, .gid = 0, .user = "root", .home = "/root", .privileged = true};
}

TEST(IdMap, UnprivilegedCallerMapsOnlyItselfTo1001) {
  HostIdentity me{.uid = 1234, .gid = 2345, .user = "dev", .home = "/home/dev"};
  Result<IdMapPlan> p = planIdMap(me, "dev:100000:65536\n", "dev:100000:65536\n");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->uidMapText(), "1001 1234 1\n");
  EXPECT_EQ(p->gidMapText(), "1001 2345 1\n");
  EXPECT_TRUE(p->deny_setgroups);
  EXPECT_FALSE(p->child_becomes_root);
  EXPECT_EQ(p->host_uid_of_sandbox_user, 1234U);
}

TEST(IdMap, RootUsesItsSubordinateRangeNeverHostRoot) {
  Result<IdMapPlan> p =
      planIdMap(root(), "alice:100000:65536\nroot:200000:65536\n", "root:300000:70000\n");
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  EXPECT_EQ(p->uidMapText(), "0 200000 65536\n");
  EXPECT_EQ(p->gidMapText(), "0 300000 65536\n");
  EXPECT_EQ(p->host_uid_of_sandbox_user, 201001U);
  EXPECT_EQ(p->host_gid_of_sandbox_user, 301001U);
  EXPECT_TRUE(p->child_becomes_root);
  EXPECT_FALSE(p->deny_setgroups);
  EXPECT_EQ(p->source, "/etc/subuid");
}

TEST(IdMap, RootMatchesByUidAndSkipsRangesTooSmallOrMalformed) {
  Result<IdMapPlan> p = planIdMap(root(), "root:500000:10\nbad line\nroot:x:65536\n0:600000:2000\n",
                                  "0:600000:2000\n");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->uidMapText(), "0 600000 2000\n");
}

TEST(IdMap, RootWithoutSubordinateRangesUsesTheDocumentedFallback) {
  Result<IdMapPlan> p = planIdMap(root(), "", "");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->uidMapText(), "0 100000 65536\n");
  EXPECT_EQ(p->host_uid_of_sandbox_user, 101001U);
  EXPECT_EQ(p->source, "fallback 100000+65536");
  for (const IdRange& r : p->uids) {
    EXPECT_NE(r.outside, 0U) << "host root must never be mapped";
  }
}

TEST(IdMap, MismatchedSubuidAndSubgidIsAnError) {
  Result<IdMapPlan> p = planIdMap(root(), "root:200000:65536\n", "");
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().message().find("/etc/subgid"), std::string::npos);
}

TEST(HostIdentity, PrivilegeNeedsCapabilitiesInTheInitialUserNamespace) {
  const char* full = "Name:\tx\nCapEff:\t000001ffffffffff\n";
  const char* none = "Name:\tx\nCapEff:\t0000000000000000\n";
  const char* init_map = "         0          0 4294967295\n";
  const char* nested_map = "         0       1000          1\n";
  EXPECT_TRUE(isPrivileged(full, init_map));
  EXPECT_FALSE(isPrivileged(none, init_map));
  EXPECT_FALSE(isPrivileged(full, nested_map));  // root in a user namespace is not privileged
  EXPECT_TRUE(isPrivilegedWith(0x1ffffffffffULL, init_map));
  EXPECT_FALSE(isPrivilegedWith(1ULL << 21, init_map));  // CAP_SYS_ADMIN alone is not enough
}

TEST(HostIdentity, CapgetAgreesWithProcSelfStatus) {
  Result<std::string> status = sys::readFile("/proc/self/status");
  Result<std::string> uid_map = sys::readFile("/proc/self/uid_map");
  ASSERT_TRUE(status.has_value() && uid_map.has_value());
  Result<HostIdentity> me = detectHostIdentity();
  ASSERT_TRUE(me.has_value()) << me.error().oneLine();
  EXPECT_EQ(me->privileged, isPrivileged(*status, *uid_map));
}

}  // namespace
}  // namespace agentbox::sandbox
