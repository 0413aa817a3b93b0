// SPDX-License-Identifier: Apache-2.0
// File: redact_filter_test.cc
// `agentbox redact` as a use case: files and findings, exit codes, JSON Lines, rule setup.
#include "app/redact_filter.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/redaction_setup.h"
#include "redact/stream_redactor.h"

namespace agentbox::app {
namespace {

constexpr std::string_view kGhp = "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";

class RedactFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/agentbox-filter-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    req_.state_dir = dir_ + "/state";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string file(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  static std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  // Runs the filter with stdout and stderr captured in files.
  int run(std::string* out, std::string* err = nullptr) {
    const std::string out_path = dir_ + "/stdout";
    const std::string err_path = dir_ + "/stderr";
    int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = runRedactFilter(req_, o, e);
    ::close(o);
    ::close(e);
    *out = slurp(out_path);
    if (err != nullptr) {
      *err = slurp(err_path);
    }
    return rc;
  }

  std::string dir_;
  RedactFilterRequest req_;
};

TEST_F(RedactFilterTest, FilesInTurnWithFindingsFile) {
  const std::string a = file("a.log", "line one\n  token " + std::string(kGhp) + "\n");
  const std::string b = file("b.log", "mail bob@corp.io\n");
  req_.inputs = {a, b};
  req_.findings_path = dir_ + "/findings.jsonl";
  std::string out;
  ASSERT_EQ(run(&out), 0);
  EXPECT_EQ(out.find(kGhp), std::string::npos);
  EXPECT_NE(out.find("line one\n  token [REDACTED:github-pat:"), std::string::npos);
  EXPECT_NE(out.find("mail [REDACTED:email:"), std::string::npos);
  std::istringstream lines(slurp(*req_.findings_path));
  std::string line;
  std::vector<nlohmann::json> findings;
  while (std::getline(lines, line)) {
    findings.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(findings.size(), 2U);
  EXPECT_EQ(findings[0]["file"], a);
  EXPECT_EQ(findings[0]["start"], 17);
  EXPECT_EQ(findings[0]["end"], 17 + kGhp.size());
  EXPECT_EQ(findings[0]["line"], 2);
  EXPECT_EQ(findings[0]["column"], 9);
  EXPECT_EQ(findings[0]["rule"], "github-pat");
  EXPECT_EQ(findings[0]["class"], "secret");
  EXPECT_EQ(findings[0]["severity"], "critical");
  EXPECT_EQ(findings[0]["fingerprint"].get<std::string>().size(), 8U);
  EXPECT_EQ(findings[1]["file"], b);
  EXPECT_EQ(findings[1]["start"], 5);
  EXPECT_EQ(slurp(*req_.findings_path).find(kGhp), std::string::npos);
}

TEST_F(RedactFilterTest, FailOnFindingsExitsOneOnlyWhenSomethingWasFound) {
  req_.fail_on_findings = true;
  req_.inputs = {file("clean.log", "nothing to see\n")};
  std::string out;
  EXPECT_EQ(run(&out), 0);
  EXPECT_EQ(out, "nothing to see\n");
  req_.inputs = {file("dirty.log", std::string(kGhp) + "\n")};
  EXPECT_EQ(run(&out), 1);
}

TEST_F(RedactFilterTest, UnreadableInputExitsTwoAndStillFiltersTheOthers) {
  req_.inputs = {dir_ + "/missing.log", file("ok.log", "fine\n")};
  std::string out;
  std::string err;
  EXPECT_EQ(run(&out, &err), 2);
  EXPECT_EQ(out, "fine\n");
  EXPECT_NE(err.find("missing.log"), std::string::npos);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
}

TEST_F(RedactFilterTest, JsonLinesAndKnownSecretsAndHome) {
  req_.jsonl = true;
  req_.known_secrets = {"hunter2-correct-horse"};
  req_.home_dir = "/home/alice";
  req_.inputs = {file("s.jsonl", R"({"text":"pw hunter2-correct-horse in /home/alice/x"})"
                                 "\n")};
  std::string out;
  ASSERT_EQ(run(&out), 0);
  auto j = nlohmann::json::parse(out);
  const std::string text = j["text"];
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_NE(text.find("[REDACTED:known-secret:"), std::string::npos);
  EXPECT_NE(text.find(" in ~/x"), std::string::npos);
}

TEST(RedactionSetup, KnownSecretsComeFromSecretLookingNamesAndSecretEnv) {
  std::vector<policy::EnvVar> env = {
      {"OPENAI_API_KEY", "sk-1"}, {"GH_TOKEN", "t"}, {"DB_PASSWORD", "pw"}, {"my_secret", "s"},
      {"AWS_CREDENTIALS", "c"},   {"PATH", "/bin"},  {"CUSTOM", "marked"},  {"EMPTY_TOKEN", ""}};
  auto secrets = knownSecretsFromEnv(env, {"CUSTOM"});
  EXPECT_EQ(secrets, (std::vector<std::string>{"sk-1", "t", "pw", "s", "c", "marked"}));
}

TEST(RedactionSetup, SettingsSwitchClassesAndValidateCustomRules) {
  RedactionInputs off;
  off.settings.enabled = false;
  auto none = buildRedactionRules(off);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(*none, nullptr);

  RedactionInputs no_secrets;
  no_secrets.settings.secrets = false;
  auto pii_only = buildRedactionRules(no_secrets);
  ASSERT_TRUE(pii_only.has_value());
  auto out = redact::redactString(*pii_only, std::string(kGhp) + " bob@corp.io\n");
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find(kGhp), std::string::npos);
  EXPECT_EQ(out->find("bob@corp.io"), std::string::npos);

  RedactionInputs custom;
  custom.settings.pii = false;
  custom.settings.disable = {"github-pat"};
  custom.settings.custom = {
      {"corp-ticket", "(TCK-[0-9]{6})", "custom", "low", {"tck-"}, "none", ""}};
  auto rules = buildRedactionRules(custom);
  ASSERT_TRUE(rules.has_value()) << rules.error().oneLine();
  out = redact::redactString(*rules, std::string(kGhp) + " bob@corp.io TCK-123456\n");
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find(kGhp), std::string::npos);
  EXPECT_NE(out->find("bob@corp.io"), std::string::npos);
  EXPECT_NE(out->find("[REDACTED:corp-ticket:"), std::string::npos);

  RedactionInputs bad;
  bad.settings.custom = {{"x", "(a)", "nonsense", "high", {}, "none", ""}};
  auto err = buildRedactionRules(bad);
  ASSERT_FALSE(err.has_value());
  EXPECT_NE(err.error().oneLine().find("class"), std::string::npos);
  RedactionInputs unknown;
  unknown.settings.disable = {"no-such-rule"};
  EXPECT_FALSE(buildRedactionRules(unknown).has_value());
}

}  // namespace
}  // namespace agentbox::app

namespace agentbox::app {
namespace {

// `[redaction] ip_addresses` (off by default) is what turns the opt-in ip-* rules on in
// `agentbox redact --policy FILE`: the cli copies the loaded section into settings.
TEST_F(RedactFilterTest, IpAddressesOnlyWhenThePolicyAsks) {
  req_.inputs = {file("ip.log", "peer 10.20.30.40 and fd00:1:2:3::7 up\n")};
  std::string out;
  ASSERT_EQ(run(&out), 0);
  EXPECT_EQ(out, "peer 10.20.30.40 and fd00:1:2:3::7 up\n");
  req_.settings.ip_addresses = true;
  ASSERT_EQ(run(&out), 0);
  EXPECT_EQ(out.find("10.20.30.40"), std::string::npos) << out;
  EXPECT_EQ(out.find("fd00:1:2:3::7"), std::string::npos) << out;
  EXPECT_NE(out.find("peer [REDACTED:ip-v4:"), std::string::npos) << out;
  EXPECT_NE(out.find("[REDACTED:ip-v6:"), std::string::npos) << out;
  req_.settings.disable = {"ip-v6"};
  ASSERT_EQ(run(&out), 0);
  EXPECT_NE(out.find("fd00:1:2:3::7"), std::string::npos) << out;
  EXPECT_EQ(out.find("10.20.30.40"), std::string::npos) << out;
}

}  // namespace
}  // namespace agentbox::app
