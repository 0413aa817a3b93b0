// SPDX-License-Identifier: Apache-2.0
// File: redaction_policy_test.cc
// From a policy file's [redaction] section to the rule set: the real catalogue checks ids and
// regexes in the loader, the built-in filter (disable, classes, ip-), custom rules redacting
// through the filter, home-dir rewriting, and redaction switched off.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/redact_filter.h"
#include "app/redaction_setup.h"
#include "policy/loader.h"
#include "redact/builtin_rules.h"
#include "redact/stream_redactor.h"

namespace agentbox::app {
namespace {

constexpr std::string_view kGhp = "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";
constexpr std::string_view kAws = "AKIA6ZGEIW3XF4CCIFUF";
constexpr std::string_view kTicket = "TCK-482913";

constexpr std::string_view kTicketRule = R"toml([[redaction.custom]]
id = "corp-ticket"
regex = "\\b(TCK-[0-9]{6})\\b"
keywords = ["tck-"]
severity = "medium"
)toml";

policy::Redaction loadRedaction(std::string_view text) {
  auto cat = redactionCatalogue();
  Result<policy::LoadedPolicy> p = policy::loadText(text, "team.toml", cat.get());
  EXPECT_TRUE(p.has_value()) << p.error().oneLine();
  return p.has_value() ? p->policy.redaction : policy::Redaction{};
}

std::string redactWith(const policy::Redaction& settings, std::string_view text,
                       std::string home = "") {
  RedactionInputs in;
  in.settings = settings;
  in.home_dir = std::move(home);
  in.hmac_key = std::string(32, 'k');
  auto rules = buildRedactionRules(std::move(in));
  EXPECT_TRUE(rules.has_value()) << rules.error().oneLine();
  if (!rules.has_value()) {
    return {};
  }
  if (*rules == nullptr) {
    return std::string(text);  // what the run does with redaction off: pass through
  }
  auto out = redact::redactString(*rules, text);
  EXPECT_TRUE(out.has_value());
  return out.value_or("");
}

TEST(RedactionCatalogue, NamesEveryBuiltInRuleAndTheHomeDirRewrite) {
  auto cat = redactionCatalogue();
  std::vector<std::string> want;
  for (const redact::Rule& r : redact::builtinRules()) {
    want.push_back(r.id);
  }
  want.emplace_back("home-dir");
  EXPECT_EQ(cat->builtinIds(), want);
  EXPECT_EQ(cat->reserved_ids, (std::vector<std::string>{"known-secret"}));
}

TEST(RedactionCatalogue, LoaderErrorsNameTheRuleTheFileAndTheClosestId) {
  auto cat = redactionCatalogue();
  struct Case {
    std::string text;
    std::string first;
  } cases[] = {
      {"[redaction]\ndisable = [\"github-pat\", \"aws-acess-key-id\"]\n",
       "team.toml:2:26: redaction.disable: no built-in rule \"aws-acess-key-id\"; did you mean "
       "\"aws-access-key-id\"?"},
      {"[[redaction.custom]]\nid = \"corp-ticket\"\nregex = \"(TCK-[0-9]{6}\"\nkeywords = "
       "[\"tck-\"]\n",
       "team.toml:3:9: redaction.custom \"corp-ticket\": regex rejected by RE2: missing ): "
       "(TCK-[0-9]{6}"},
      {"[[redaction.custom]]\nid = \"email\"\nregex = \"(x@y)\"\nkeywords = [\"@\"]\n",
       "team.toml:2:6: redaction.custom \"email\": the id is a built-in rule's"},
      {"[[redaction.custom]]\nid = \"home-dir\"\nregex = \"(x)\"\nkeywords = [\"x\"]\n",
       "team.toml:2:6: redaction.custom \"home-dir\": the id is a built-in rule's"},
      {"[[redaction.custom]]\nid = \"known-secret\"\nregex = \"(x)\"\nkeywords = [\"x\"]\n",
       "team.toml:2:6: redaction.custom \"known-secret\": the id is a built-in rule's"},
  };
  for (const Case& c : cases) {
    std::vector<policy::Diagnostic> d = policy::checkPolicyText(c.text, "team.toml", cat.get());
    ASSERT_FALSE(d.empty()) << c.text;
    EXPECT_EQ(d.front().toString().rfind(c.first, 0), 0u)
        << "\n  got:  " << d.front().toString() << "\n  want: " << c.first;
  }
  EXPECT_TRUE(policy::checkPolicyText(std::string(kTicketRule), "team.toml", cat.get()).empty());
  EXPECT_TRUE(
      policy::checkPolicyText("[redaction]\ndisable = [\"home-dir\"]\n", "team.toml", cat.get())
          .empty());
}

// A Policy that never went through the loader's catalogue check is checked when the rules are
// built: nothing unchecked reaches the engine.
TEST(RedactionCatalogue, BuildingRulesChecksWhatTheLoaderCouldNot) {
  policy::Redaction r;
  r.disable = {"githb-pat"};
  auto rules = buildRedactionRules({.settings = r});
  ASSERT_FALSE(rules.has_value());
  EXPECT_EQ(rules.error().message(),
            "redaction.disable: no built-in rule \"githb-pat\"; did you mean \"github-pat\"?");
  r = policy::Redaction{};
  r.custom = {{.id = "github-pat", .regex = "(x)", .keywords = {"x"}}};
  rules = buildRedactionRules({.settings = r});
  ASSERT_FALSE(rules.has_value());
  EXPECT_NE(rules.error().message().find("\"github-pat\": the id is a built-in rule's"),
            std::string::npos);
  r.custom = {{.id = "a", .regex = "(x)", .keywords = {"x"}},
              {.id = "a", .regex = "(y)", .keywords = {"y"}}};
  EXPECT_FALSE(buildRedactionRules({.settings = r}).has_value());
  r.custom = {{.id = "a", .regex = "(x", .keywords = {"x"}}};
  rules = buildRedactionRules({.settings = r});
  ASSERT_FALSE(rules.has_value());
  EXPECT_NE(rules.error().message().find("redaction rule a: regex rejected by RE2"),
            std::string::npos)
      << rules.error().message();
}

redact::Rule fakeRule(std::string id, redact::RuleClass c) {
  redact::Rule r;
  r.id = std::move(id);
  r.rule_class = c;
  return r;
}

std::vector<std::string> ids(const std::vector<redact::Rule>& rules) {
  std::vector<std::string> out;
  for (const redact::Rule& r : rules) {
    out.push_back(r.id);
  }
  return out;
}

TEST(SelectBuiltinRules, FiltersByIdClassAndTheIpPrefix) {
  using redact::RuleClass;
  const std::vector<redact::Rule> all = {
      fakeRule("github-pat", RuleClass::kSecret), fakeRule("bearer-token", RuleClass::kCredential),
      fakeRule("email", RuleClass::kPii),         fakeRule("ip-v4", RuleClass::kPii),
      fakeRule("ip-v6", RuleClass::kCustom),      fakeRule("zip-code", RuleClass::kPii),
      fakeRule("home-dir", RuleClass::kPath)};
  policy::Redaction s;
  EXPECT_EQ(ids(selectBuiltinRules(all, s)),
            (std::vector<std::string>{"github-pat", "bearer-token", "email", "zip-code",
                                      "home-dir"}));  // "zip-" is not "ip-"
  s.ip_addresses = true;
  EXPECT_EQ(ids(selectBuiltinRules(all, s)),
            (std::vector<std::string>{"github-pat", "bearer-token", "email", "ip-v4", "ip-v6",
                                      "zip-code", "home-dir"}));
  s.pii = false;  // an ip- rule of class pii follows the pii switch as well
  EXPECT_EQ(ids(selectBuiltinRules(all, s)),
            (std::vector<std::string>{"github-pat", "bearer-token", "ip-v6", "home-dir"}));
  s.secrets = false;
  s.disable = {"ip-v6"};
  EXPECT_EQ(ids(selectBuiltinRules(all, s)), (std::vector<std::string>{"home-dir"}));
}

TEST(SelectBuiltinRules, TheRealCatalogueKeepsIpRulesOnlyWhenAsked) {
  auto count_ip = [](const std::vector<redact::Rule>& rules) {
    return std::count_if(rules.begin(), rules.end(),
                         [](const redact::Rule& r) { return r.id.rfind("ip-", 0) == 0; });
  };
  const std::vector<redact::Rule> all = redact::builtinRules();
  policy::Redaction s;
  EXPECT_EQ(count_ip(selectBuiltinRules(all, s)), 0);
  EXPECT_EQ(selectBuiltinRules(all, s).size(), all.size() - count_ip(all));
  s.ip_addresses = true;
  EXPECT_EQ(selectBuiltinRules(all, s).size(), all.size());
}

TEST(RedactionFromPolicy, CustomRuleRedactsAndDisabledRuleLetsItsMatchThrough) {
  const std::string input = "ticket " + std::string(kTicket) + " token " + std::string(kGhp) +
                            " key " + std::string(kAws) + " mail bob@corp.io\n";
  policy::Redaction team =
      loadRedaction(std::string(kTicketRule) + "[redaction]\ndisable = [\"github-pat\"]\n");
  std::string out = redactWith(team, input);
  EXPECT_EQ(out.find(kTicket), std::string::npos) << out;
  EXPECT_NE(out.find("ticket [REDACTED:corp-ticket:"), std::string::npos) << out;
  EXPECT_NE(out.find(kGhp), std::string::npos) << "disabled rule still redacted: " << out;
  EXPECT_EQ(out.find(kAws), std::string::npos) << out;
  EXPECT_EQ(out.find("bob@corp.io"), std::string::npos) << out;

  // Without the section the ticket is plain text and the token is redacted.
  std::string plain = redactWith(policy::Redaction{}, input);
  EXPECT_NE(plain.find(kTicket), std::string::npos);
  EXPECT_EQ(plain.find(kGhp), std::string::npos);
}

TEST(RedactionFromPolicy, PiiOffKeepsPersonalDataAndStillRedactsSecrets) {
  policy::Redaction r = loadRedaction("[redaction]\npii = false\n");
  std::string out =
      redactWith(r, "mail bob@corp.io card 4111 1111 1111 1111 " + std::string(kGhp) + "\n");
  EXPECT_NE(out.find("bob@corp.io"), std::string::npos) << out;
  EXPECT_NE(out.find("4111 1111 1111 1111"), std::string::npos) << out;
  EXPECT_EQ(out.find(kGhp), std::string::npos) << out;
  // A custom rule of class pii follows the switch too.
  r = loadRedaction(std::string(kTicketRule) + "class = \"pii\"\n[redaction]\npii = false\n");
  EXPECT_NE(redactWith(r, std::string(kTicket) + "\n").find(kTicket), std::string::npos);
}

TEST(RedactionFromPolicy, SecretsOffKeepsKnownSecretsAndCustomClass) {
  policy::Redaction r = loadRedaction(std::string(kTicketRule) + "[redaction]\nsecrets = false\n");
  RedactionInputs in;
  in.settings = r;
  in.known_secrets = {"hunter2-correct-horse"};
  in.hmac_key = std::string(32, 'k');
  auto rules = buildRedactionRules(std::move(in));
  ASSERT_TRUE(rules.has_value()) << rules.error().oneLine();
  auto out = redact::redactString(
      *rules, std::string(kGhp) + " hunter2-correct-horse " + std::string(kTicket) + "\n");
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find(kGhp), std::string::npos) << *out;
  EXPECT_EQ(out->find("hunter2"), std::string::npos) << *out;
  EXPECT_EQ(out->find(kTicket), std::string::npos) << *out;
}

TEST(RedactionFromPolicy, HomeDirIsRewrittenUnlessDisabled) {
  const std::string input = "built /home/alice/src/app and /home/alice2/x\n";
  EXPECT_EQ(redactWith(policy::Redaction{}, input, "/home/alice"),
            "built ~/src/app and /home/alice2/x\n");
  policy::Redaction off = loadRedaction("[redaction]\ndisable = [\"home-dir\"]\n");
  EXPECT_EQ(redactWith(off, input, "/home/alice"), input);
}

TEST(RedactionFromPolicy, EnabledFalseBuildsNoRedactor) {
  policy::Redaction r = loadRedaction(std::string(kTicketRule) + "[redaction]\nenabled = false\n");
  auto rules = buildRedactionRules({.settings = r});
  ASSERT_TRUE(rules.has_value());
  EXPECT_EQ(*rules, nullptr);
}

TEST(RedactionFromPolicy, TheFilterAppliesTheTeamsRules) {
  char tmpl[] = "/tmp/agentbox-filter-policy-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string in_path = dir + "/in.log";
  std::ofstream(in_path) << "see " << kTicket << " in /home/alice/notes\n";
  RedactFilterRequest req;
  req.inputs = {in_path};
  req.state_dir = dir + "/state";
  req.home_dir = "/home/alice";
  req.settings = loadRedaction(kTicketRule);
  const std::string out_path = dir + "/out";
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err = ::open((dir + "/err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  EXPECT_EQ(runRedactFilter(req, out, err), 0);
  ::close(out);
  ::close(err);
  std::ifstream f(out_path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::filesystem::remove_all(dir);
  EXPECT_EQ(ss.str().find(kTicket), std::string::npos) << ss.str();
  EXPECT_EQ(ss.str().rfind("see [REDACTED:corp-ticket:", 0), 0u) << ss.str();
  EXPECT_NE(ss.str().find(" in ~/notes\n"), std::string::npos) << ss.str();
}

// docs/redaction.md shows a team policy and what it does: keep the page true.
TEST(RedactionDocs, TheExamplePolicyLoadsAndRedacts) {
  std::string here = __FILE__;
  std::ifstream in(here.substr(0, here.rfind("/tests/")) + "/docs/redaction.md");
  if (!in) {
    GTEST_SKIP() << "source tree not available";
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string doc = buf.str();
  const std::string open = "```toml\n[redaction]\n";
  size_t start = doc.find(open);
  ASSERT_NE(start, std::string::npos);
  start += open.size() - std::string("[redaction]\n").size();
  size_t end = doc.find("```", start);
  ASSERT_NE(end, std::string::npos);
  policy::Redaction r = loadRedaction(doc.substr(start, end - start));
  ASSERT_EQ(r.custom.size(), 2u);
  EXPECT_EQ(r.disable, (std::vector<std::string>{"us-ssn"}));
  std::string out = redactWith(r, "see TCK-482913, key dk_live_9fQ2xL7mR4tV8bN1cZ6hJ3kW5pY0sD2a\n");
  EXPECT_EQ(out.rfind("see [REDACTED:corp-ticket:", 0), 0u) << out;
  EXPECT_NE(out.find("], key [acme key "), std::string::npos) << out;
  EXPECT_EQ(out.find("dk_live_"), std::string::npos) << out;
}

}  // namespace
}  // namespace agentbox::app
