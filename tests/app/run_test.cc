// SPDX-License-Identifier: Apache-2.0
#include "app/run.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "app/run_dir.h"
#include "app/run_record.h"

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

TEST(RunDir, StartTimeOfMissingProcessIsZero) {
  EXPECT_EQ(processStartTime(0x3fffffff), 0U);
  EXPECT_GT(processStartTime(::getpid()), 0U);
}

}  // namespace
}  // namespace agentbox::app
