// SPDX-License-Identifier: Apache-2.0
// File: doctor_test.cc
// `agentbox doctor` on this host: every layer line present, JSON well-formed, and the exit
// status agrees with what `agentbox run` does under the strict default.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "harness.h"
#include "run_fixture.h"

namespace agentbox::testing {
namespace {

TEST_F(RunTest, DoctorJsonListsEveryLayerAndAgreesWithRun) {
  SpawnOptions o;
  o.args = {"doctor", "--json"};
  Captured d = runProcess(agentboxBin(), o);
  std::istringstream lines(d.out);
  std::set<std::string> layers;
  bool all_required = true;
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json j = nlohmann::json::parse(line);
    for (const char* key : {"layer", "available", "detail", "fix", "required"}) {
      ASSERT_TRUE(j.contains(key)) << line;
    }
    EXPECT_EQ(j["available"].get<bool>(), j["fix"].is_null()) << line;
    layers.insert(j["layer"].get<std::string>());
    all_required = all_required && (j["available"].get<bool>() || !j["required"].get<bool>());
  }
  for (const char* l : {"user-namespace", "mount-namespace", "pid-namespace", "net-namespace",
                        "ipc-namespace", "uts-namespace", "cgroup-namespace", "idmapped-mounts",
                        "seccomp", "seccomp-user-notification", "landlock", "cgroups",
                        "cgroup-memory", "cgroup-pids", "overlayfs-userns", "pty"}) {
    EXPECT_EQ(layers.count(l), 1u) << l;
  }
  EXPECT_EQ(d.exit_code, all_required ? 0 : 1);
  Captured run_true = sh("true");
  EXPECT_EQ(run_true.exit_code == 0, d.exit_code == 0) << run_true.err;
}

TEST_F(RunTest, DoctorSaysWhyAndHowToFixWhenACgroupIsMissing) {
  SpawnOptions o;
  o.args = {"doctor"};
  o.env["AGENTBOX_CGROUP_ROOT"] = "/agentbox-doctor-not-delegated";
  Captured d = runProcess(agentboxBin(), o);
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_NE(d.out.find("cgroups"), std::string::npos);
  EXPECT_NE(d.out.find("AGENTBOX_CGROUP_ROOT"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("refuses here by default"), std::string::npos) << d.out;
}

}  // namespace
}  // namespace agentbox::testing
