// SPDX-License-Identifier: Apache-2.0
// File: redaction_policy_test.cc
// The policy's [redaction] section through the real binary: a team's custom rule redacts in
// `agentbox run` (terminal, output.log, result.json) and in `agentbox redact --policy`;
// disabled rules and pii = false let exactly their matches through; enabled = false runs
// unredacted and says so; the caller's home directory becomes ~; bad sections refuse to start.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "harness.h"
#include "run_fixture.h"

namespace agentbox::testing {
namespace {

// A GitHub classic token with a valid checksum, and an AWS key id (not the documented one).
constexpr const char* kGhp = "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";
constexpr const char* kAws = "AKIA6ZGEIW3XF4CCIFUF";
constexpr const char* kTicket = "TCK-482913";
constexpr const char* kHome = "/nonexistent/home/alice";

constexpr const char* kTicketRule = R"toml([[redaction.custom]]
id = "corp-ticket"
regex = "\\b(TCK-[0-9]{6})\\b"
keywords = ["tck-"]
severity = "medium"
)toml";

class RedactionPolicyTest : public RunTest {
 protected:
  // The policy lives outside the workspace and the state dir, as the loader requires.
  std::string policy(const std::string& text) {
    std::string path = state_.file("team-policy.toml");
    writeFile(path, text);
    return path;
  }

  struct Outcome {
    Captured c;
    std::string log;
    nlohmann::json record;
  };

  // Runs a script that assembles its secrets inside the sandbox (so they are not in argv)
  // and returns what the terminal, output.log and result.json got.
  Outcome runScript(const std::string& script, const std::string& policy_path,
                    std::map<std::string, std::string> env = {}) {
    SpawnOptions o;
    o.env = std::move(env);
    o.env["HOME"] = kHome;
    Outcome out;
    out.c = run({"/bin/sh", "-c", script}, {"--policy", policy_path}, o);
    std::string report = readFile(lastResultPath());
    out.record = nlohmann::json::parse(report.empty() ? "{}" : report);
    if (out.record.contains("id")) {
      out.log =
          readFile(stateDir() + "/runs/" + out.record["id"].get<std::string>() + "/output.log");
    }
    return out;
  }

  // result.json of the only run in the state dir.
  std::string lastResultPath() {
    std::string runs = stateDir() + "/runs";
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(runs, ec)) {
      if (std::filesystem::exists(e.path() / "result.json")) {
        return (e.path() / "result.json").string();
      }
    }
    return runs + "/none/result.json";
  }
};

// Prints "ticket TCK-482913", the GitHub token, the AWS key id and an e-mail address, each
// assembled from pieces so that no secret appears in the command line.
const std::string kPrintAll =
    "t=TCK; n=482913; echo \"ticket $t-$n\"; "
    "echo \"gh ghp_$1\"; echo \"aws AKIA$2\"; m=corp.io; echo \"mail bob@$m\"";

TEST_F(RedactionPolicyTest, CustomRuleRedactsTerminalLogAndRecord) {
  std::string p = policy(kTicketRule);
  Outcome o = runScript("t=TCK; n=482913; echo \"ticket $t-$n\"; echo \"ticket $t-$n\" >&2", p);
  ASSERT_EQ(o.c.exit_code, 0) << o.c.err;
  EXPECT_EQ(o.c.out.find(kTicket), std::string::npos) << o.c.out;
  EXPECT_EQ(o.c.err.find(kTicket), std::string::npos) << o.c.err;
  EXPECT_EQ(o.c.out.rfind("ticket [REDACTED:corp-ticket:", 0), 0u) << o.c.out;
  EXPECT_FALSE(o.log.empty());
  EXPECT_EQ(o.log.find(kTicket), std::string::npos) << o.log;
  EXPECT_NE(o.log.find("[REDACTED:corp-ticket:"), std::string::npos) << o.log;
  EXPECT_EQ(o.record["redaction"]["state"], "on");
  EXPECT_EQ(o.record["redaction"]["by_rule"]["corp-ticket"].get<int>(), 2) << o.record.dump();
  EXPECT_EQ(o.record["redaction"]["by_class"]["custom"].get<int>(), 2) << o.record.dump();
}

TEST_F(RedactionPolicyTest, CustomRuleRedactsTheCommandLineInTheRecord) {
  std::string p = policy(kTicketRule);
  SpawnOptions o;
  Captured c = run({"/bin/echo", std::string("closing ") + kTicket}, {"--policy", p}, o);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out.find(kTicket), std::string::npos) << c.out;
  std::string record = readFile(lastResultPath());
  ASSERT_FALSE(record.empty());
  EXPECT_EQ(record.find(kTicket), std::string::npos) << record;
  nlohmann::json r = nlohmann::json::parse(record);
  EXPECT_NE(r["argv"][1].get<std::string>().find("[REDACTED:corp-ticket:"), std::string::npos)
      << record;
}

TEST_F(RedactionPolicyTest, DisabledRuleLetsItsMatchThroughAndOthersStillRedact) {
  std::string p = policy(std::string(kTicketRule) + "[redaction]\ndisable = [\"github-pat\"]\n");
  std::string gh = std::string(kGhp).substr(4);
  std::string aws = std::string(kAws).substr(4);
  SpawnOptions o;
  o.env["HOME"] = kHome;
  Captured c = run({"/bin/sh", "-c", kPrintAll, "sh", gh, aws}, {"--policy", p}, o);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find(std::string("gh ") + kGhp + "\n"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find(kAws), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("aws [REDACTED:aws-access-key-id:"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("bob@corp.io"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find(kTicket), std::string::npos) << c.out;
  nlohmann::json r = nlohmann::json::parse(readFile(lastResultPath()));
  EXPECT_FALSE(r["redaction"]["by_rule"].contains("github-pat")) << r.dump();
  EXPECT_EQ(r["redaction"]["by_rule"]["aws-access-key-id"].get<int>(), 1) << r.dump();
}

TEST_F(RedactionPolicyTest, PiiOffLetsPersonalDataThroughAndStillRedactsSecrets) {
  std::string p = policy("[redaction]\npii = false\n");
  std::string gh = std::string(kGhp).substr(4);
  std::string aws = std::string(kAws).substr(4);
  Captured c = run({"/bin/sh", "-c", kPrintAll, "sh", gh, aws}, {"--policy", p});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("mail bob@corp.io\n"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find(kGhp), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find(kAws), std::string::npos) << c.out;
  nlohmann::json r = nlohmann::json::parse(readFile(lastResultPath()));
  EXPECT_FALSE(r["redaction"]["by_class"].contains("pii")) << r.dump();
  EXPECT_EQ(r["redaction"]["by_class"]["secret"].get<int>(), 2) << r.dump();
}

TEST_F(RedactionPolicyTest, EnabledFalseRunsUnredactedAndTheRecordSaysSo) {
  std::string p = policy(std::string(kTicketRule) + "[redaction]\nenabled = false\n");
  std::string gh = std::string(kGhp).substr(4);
  std::string aws = std::string(kAws).substr(4);
  Captured c = run({"/bin/sh", "-c", kPrintAll, "sh", gh, aws}, {"--policy", p});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  for (const char* s : {kGhp, kAws, kTicket, "bob@corp.io"}) {
    EXPECT_NE(c.out.find(s), std::string::npos) << s << " in " << c.out;
  }
  EXPECT_NE(c.err.find("warning: output redaction is off"), std::string::npos) << c.err;
  nlohmann::json r = nlohmann::json::parse(readFile(lastResultPath()));
  EXPECT_EQ(r["redaction"]["state"], "off") << r.dump();
  EXPECT_TRUE(r["redaction"]["by_rule"].empty()) << r.dump();
  bool warned = false;
  for (const auto& w : r["warnings"]) {
    warned = warned || w.get<std::string>().find("output redaction is off") != std::string::npos;
  }
  EXPECT_TRUE(warned) << r.dump();
  std::string log = readFile(stateDir() + "/runs/" + r["id"].get<std::string>() + "/output.log");
  EXPECT_NE(log.find(kGhp), std::string::npos) << log;
}

TEST_F(RedactionPolicyTest, EnvironmentCannotTurnOffWhatThePolicyTurnedOn) {
  std::string p = policy("[redaction]\nenabled = true\n");
  SpawnOptions o;
  o.env["OUTPUT_SANITIZATION"] = "false";
  Captured c = run({"/bin/echo", "hi"}, {"--policy", p}, o);
  EXPECT_EQ(c.exit_code, 125) << c.out;
  EXPECT_EQ(c.out, "");
  EXPECT_NE(c.err.find("env OUTPUT_SANITIZATION=false loosens redaction.enabled = true set by " +
                       p + ":2"),
            std::string::npos)
      << c.err;
  EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
}

TEST_F(RedactionPolicyTest, CallersHomeBecomesTildeInOutputAndRecord) {
  SpawnOptions o;
  o.env["HOME"] = kHome;
  std::string dir = std::string(kHome) + "/src/app";
  Captured c =
      run({"/bin/sh", "-c",
           "echo \"built $1\"; echo \"in $1/x\" >&2; h=${1%/src/app}; echo \"${h}2/y\"", "sh", dir},
          {}, o);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("built ~/src/app\n"), std::string::npos) << c.out;
  EXPECT_NE(c.err.find("in ~/src/app/x\n"), std::string::npos) << c.err;
  // Only whole path components: /home/alice2 is not the home directory.
  EXPECT_NE(c.out.find(std::string(kHome) + "2/y\n"), std::string::npos) << c.out;
  std::string record = readFile(lastResultPath());
  nlohmann::json r = nlohmann::json::parse(record);
  EXPECT_EQ(r["argv"][4], "~/src/app") << record;
  std::string log = readFile(stateDir() + "/runs/" + r["id"].get<std::string>() + "/output.log");
  EXPECT_NE(log.find("built ~/src/app\n"), std::string::npos) << log;
  EXPECT_EQ(log.find(std::string(kHome) + "/src/app\n"), std::string::npos) << log;
}

TEST_F(RedactionPolicyTest, BadSectionRefusesToStartNamingFileAndRule) {
  struct Case {
    std::string text;
    std::string want;
  } cases[] = {
      {"[[redaction.custom]]\nid = \"corp-ticket\"\nregex = \"(TCK-[0-9]{6}\"\nkeywords = "
       "[\"tck-\"]\n",
       ":3:9: redaction.custom \"corp-ticket\": regex rejected by RE2: missing )"},
      {"[redaction]\ndisable = [\"githb-pat\"]\n",
       ":2:12: redaction.disable: no built-in rule \"githb-pat\"; did you mean \"github-pat\"?"},
      {"[[redaction.custom]]\nid = \"email\"\nregex = \"(x)\"\nkeywords = [\"x\"]\n",
       ":2:6: redaction.custom \"email\": the id is a built-in rule's"},
  };
  for (const Case& k : cases) {
    std::string p = policy(k.text);
    Captured c = run({"/bin/echo", "never"}, {"--policy", p});
    EXPECT_EQ(c.exit_code, 125) << k.text;
    EXPECT_EQ(c.out, "");
    EXPECT_NE(c.err.find(p + k.want), std::string::npos) << c.err;
    EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
    SpawnOptions f;
    f.args = {"redact", "--policy", p};
    f.env["AGENTBOX_STATE_DIR"] = stateDir();
    f.stdin_data = "x\n";
    Captured r = runProcess(agentboxBin(), f);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(p + k.want), std::string::npos) << r.err;
    SpawnOptions chk;
    chk.args = {"policy", "check", p};
    Captured ck = runProcess(agentboxBin(), chk);
    EXPECT_EQ(ck.exit_code, 1);
    EXPECT_NE(ck.out.find(p + k.want), std::string::npos) << ck.out;
  }
}

TEST_F(RedactionPolicyTest, RedactFilterAppliesThePolicyAndRewritesHome) {
  std::string p = policy(std::string(kTicketRule) + "[redaction]\ndisable = [\"email\"]\n");
  SpawnOptions o;
  o.args = {"redact", "--policy", p};
  o.env["AGENTBOX_STATE_DIR"] = stateDir();
  o.env["HOME"] = kHome;
  o.stdin_data =
      std::string("ticket ") + kTicket + " by bob@corp.io in " + kHome + "/notes " + kGhp + "\n";
  Captured c = runProcess(agentboxBin(), o);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out.rfind("ticket [REDACTED:corp-ticket:", 0), 0u) << c.out;
  EXPECT_NE(c.out.find(" by bob@corp.io in ~/notes [REDACTED:github-pat:"), std::string::npos)
      << c.out;
  // Without --policy the same input keeps the ticket and redacts the address.
  o.args = {"redact"};
  c = runProcess(agentboxBin(), o);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find(kTicket), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("bob@corp.io"), std::string::npos) << c.out;
  // A policy that turns redaction off makes the filter refuse rather than pass data through.
  o.args = {"redact", "--policy", policy("[redaction]\nenabled = false\n")};
  c = runProcess(agentboxBin(), o);
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_EQ(c.out, "");
  EXPECT_NE(c.err.find("redaction.enabled is false"), std::string::npos) << c.err;
}

}  // namespace
}  // namespace agentbox::testing
