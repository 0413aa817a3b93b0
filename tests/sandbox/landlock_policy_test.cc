// SPDX-License-Identifier: Apache-2.0
// File: landlock_policy_test.cc
// Policy -> Landlock request and Policy -> seccomp program.
#include "sandbox/landlock_policy.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "sandbox/seccomp_policy.h"

namespace agentbox::sandbox {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(LandlockPolicy, WriteModeBindsAndPortsReachTheRequest) {
  policy::Policy p;
  p.filesystem.mode = policy::WorkspaceMode::kWrite;
  p.filesystem.read_only.push_back({"/srv/data", ""});
  p.filesystem.read_write.push_back({"/host/cache", "/cache"});
  p.network.ports.connect = std::vector<uint16_t>{3128};
  const LandlockRequest req = landlockRequestForPolicy(p);
  EXPECT_TRUE(contains(req.read_write_paths, "/workspace"));
  EXPECT_FALSE(contains(req.read_exec_paths, "/workspace"));
  EXPECT_TRUE(contains(req.read_exec_paths, "/srv/data"));
  EXPECT_TRUE(contains(req.read_write_paths, "/cache"));
  ASSERT_TRUE(req.connect_ports.has_value());
  EXPECT_EQ(*req.connect_ports, std::vector<uint16_t>{3128});
  EXPECT_FALSE(req.bind_ports.has_value());
}

TEST(LandlockPolicy, DefaultPolicyKeepsWorkspaceReadOnlyAndPortsUnrestricted) {
  const LandlockRequest req = landlockRequestForPolicy(policy::Policy{});
  EXPECT_TRUE(contains(req.read_exec_paths, "/workspace"));
  EXPECT_FALSE(contains(req.read_write_paths, "/workspace"));
  EXPECT_FALSE(req.connect_ports.has_value());
  EXPECT_EQ(planLandlock(req, 7).handled_net, 0U);
}

TEST(SeccompPolicy, DefaultIsTheBuiltInProfileAndKillMapsThrough) {
  policy::Policy p;
  auto program = seccompProgramForPolicy(p);
  ASSERT_TRUE(program) << program.error().oneLine();
  EXPECT_EQ(program->profile_name, "builtin");
  EXPECT_EQ(notifierOptionsForPolicy(p).on_violation, OnViolation::kDeny);
  p.seccomp.on_violation = policy::OnViolation::kKill;
  EXPECT_EQ(notifierOptionsForPolicy(p).on_violation, OnViolation::kKill);
}

TEST(SeccompPolicy, MissingProfileFileIsAnErrorNamingIt) {
  policy::Policy p;
  p.seccomp.profile = "/nonexistent/agentbox-profile.json";
  auto program = seccompProgramForPolicy(p);
  ASSERT_FALSE(program);
  EXPECT_NE(program.error().oneLine().find("/nonexistent/agentbox-profile.json"), std::string::npos)
      << program.error().oneLine();
}

}  // namespace
}  // namespace agentbox::sandbox
