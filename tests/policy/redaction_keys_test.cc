// SPDX-License-Identifier: Apache-2.0
// The [redaction] section: every key, its errors with file:line:col, the older [flags] names,
// the layering order of each key, and what `check` / `explain` say about loosenings.
#include <gtest/gtest.h>

#include "policy/explain.h"
#include "policy/keys.h"
#include "policy/loader.h"
#include "policy_test_util.h"

namespace agentbox::policy {
namespace {

using testing::TempDir;

const char* const kFullSection = R"toml([redaction]
enabled = true
secrets = false
pii = false
ip_addresses = true
disable = ["email", "credit-card", "email"]
[[redaction.custom]]
id = "corp-ticket"
regex = "\\b(TCK-[0-9]{6})\\b"
keywords = ["tck-", "ticket"]
class = "pii"
severity = "low"
validator = "luhn"
replacement = "[ticket:{fp}]"
[[redaction.custom]]
id = "build-id"
regex = "build=(\\w+)"
keywords = ["build="]
)toml";

TEST(RedactionKeys, EveryKeyLandsInThePolicy) {
  Result<LoadedPolicy> p = loadText(kFullSection, "r.toml");
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  const Redaction& r = p->policy.redaction;
  EXPECT_TRUE(r.enabled);
  EXPECT_FALSE(r.secrets);
  EXPECT_FALSE(r.pii);
  EXPECT_TRUE(r.ip_addresses);
  EXPECT_EQ(r.disable, (std::vector<std::string>{"email", "credit-card"}));  // deduplicated
  ASSERT_EQ(r.custom.size(), 2u);
  EXPECT_EQ(r.custom[0], (CustomRedactionRule{"corp-ticket",
                                              "\\b(TCK-[0-9]{6})\\b",
                                              "pii",
                                              "low",
                                              {"tck-", "ticket"},
                                              "luhn",
                                              "[ticket:{fp}]"}));
  // Omitted fields take their documented defaults.
  EXPECT_EQ(
      r.custom[1],
      (CustomRedactionRule{"build-id", "build=(\\w+)", "custom", "high", {"build="}, "none", ""}));
  EXPECT_EQ(p->originOf("redaction.custom").describe(), "r.toml:7");
  EXPECT_EQ(p->originOf("redaction.pii").describe(), "r.toml:4");
}

TEST(RedactionKeys, DefaultsRedactEverythingButIpAddresses) {
  Redaction r;
  EXPECT_TRUE(r.enabled);
  EXPECT_TRUE(r.secrets);
  EXPECT_TRUE(r.pii);
  EXPECT_FALSE(r.ip_addresses);
  EXPECT_TRUE(r.disable.empty());
  EXPECT_TRUE(r.custom.empty());
  std::string defaults = renderDefaults();
  EXPECT_NE(defaults.find("[redaction]\n"), std::string::npos) << defaults;
  EXPECT_NE(defaults.find("\ncustom = []\n"), std::string::npos) << defaults;
}

struct ErrorCase {
  const char* what;
  const char* text;
  const char* first;  // the first diagnostic, as printed
};

const ErrorCase kErrors[] = {
    {"bool type", "[redaction]\nenabled = \"no\"\n",
     "p.toml:2:11: expected true or false, found string"},
    {"unknown key", "[redaction]\nenabld = false\n",
     "p.toml:2:1: unknown key 'enabld' in [redaction]; did you mean 'enabled'?"},
    {"section as a value", "redaction = true\n", "p.toml:1:13: 'redaction' must be a table"},
    {"disable type", "[redaction]\ndisable = \"email\"\n",
     "p.toml:2:11: expected an array of strings, found string"},
    {"disable item type", "[redaction]\ndisable = [\"email\", 3]\n",
     "p.toml:2:21: expected a string, found integer"},
    {"disable id syntax", "[redaction]\ndisable = [\"Email\"]\n",
     "p.toml:2:12: redaction.disable \"Email\": expected a rule id of 1..64 lower-case letters"},
    {"custom type", "[redaction]\ncustom = 1\n",
     "p.toml:2:10: expected an array of tables ([[redaction.custom]]), found integer"},
    {"custom item type", "[redaction]\ncustom = [\"x\"]\n",
     "p.toml:2:11: expected a rule table { id = ..., regex = ..., keywords = [...] }, found "
     "string"},
    {"unknown field", "[[redaction.custom]]\nid = \"a\"\nregexp = \"(x)\"\nkeywords = [\"x\"]\n",
     "p.toml:3:1: unknown key 'regexp' in redaction.custom \"a\"; did you mean 'regex'?"},
    {"no id", "[[redaction.custom]]\nregex = \"(x)\"\nkeywords = [\"x\"]\n",
     "p.toml:1:1: redaction.custom rule #1 needs id"},
    {"no regex", "[[redaction.custom]]\nid = \"a\"\nkeywords = [\"x\"]\n",
     "p.toml:1:1: redaction.custom \"a\" needs regex"},
    {"no keywords", "[[redaction.custom]]\nid = \"a\"\nregex = \"(x)\"\n",
     "p.toml:1:1: redaction.custom \"a\" needs keywords (at least one literal every match "
     "contains)"},
    {"empty keywords", "[[redaction.custom]]\nid = \"a\"\nregex = \"(x)\"\nkeywords = []\n",
     "p.toml:1:1: redaction.custom \"a\" needs keywords"},
    {"empty keyword", "[[redaction.custom]]\nid = \"a\"\nregex = \"(x)\"\nkeywords = [\"\"]\n",
     "p.toml:4:13: a keyword must not be empty"},
    {"id type", "[[redaction.custom]]\nid = 7\nregex = \"(x)\"\nkeywords = [\"x\"]\n",
     "p.toml:2:6: redaction.custom rule #1: id must be a string, found integer"},
    {"id syntax", "[[redaction.custom]]\nid = \"My Rule\"\nregex = \"(x)\"\nkeywords = [\"x\"]\n",
     "p.toml:2:6: redaction.custom \"My Rule\": expected a rule id of 1..64 lower-case letters, "
     "digits and '-', found \"My Rule\""},
    {"empty regex", "[[redaction.custom]]\nid = \"a\"\nregex = \"\"\nkeywords = [\"x\"]\n",
     "p.toml:3:9: redaction.custom \"a\": regex must not be empty"},
    {"class",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(x)\"\nkeywords = [\"x\"]\nclass = \"key\"\n",
     "p.toml:5:9: redaction.custom \"a\": class must be one of \"secret\", \"credential\", "
     "\"pii\", \"path\", \"custom\", found \"key\""},
    {"severity",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(x)\"\nkeywords = [\"x\"]\nseverity = \"HIGH\"\n",
     "p.toml:5:12: redaction.custom \"a\": severity must be one of \"low\", \"medium\", \"high\", "
     "\"critical\", found \"HIGH\""},
    {"validator",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(x)\"\nkeywords = [\"x\"]\nvalidator = \"crc\"\n",
     "p.toml:5:13: redaction.custom \"a\": validator must be one of \"none\", \"luhn\", "
     "\"github-checksum\", \"jwt\", \"email\", \"ssn\", \"entropy\", found \"crc\""},
    {"replacement type",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(x)\"\nkeywords = [\"x\"]\nreplacement = 1\n",
     "p.toml:5:15: redaction.custom \"a\": replacement must be a string, found integer"},
    {"duplicate id",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(x)\"\nkeywords = [\"x\"]\n"
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(y)\"\nkeywords = [\"y\"]\n",
     "p.toml:6:6: redaction.custom \"a\": the id is already used by the rule at line 2; ids must "
     "be unique"},
    {"old and new name together",
     "[flags]\noutput_sanitization = true\n[redaction]\nenabled = true\n",
     "p.toml:4:1: redaction.enabled is set twice in this file (line 2; flags.output_sanitization "
     "is the older name of redaction.enabled): keep one, under [redaction]"},
};

TEST(RedactionKeys, ErrorsNameTheRuleAndCarryFileLineColumn) {
  for (const ErrorCase& c : kErrors) {
    std::vector<Diagnostic> d = checkPolicyText(c.text, "p.toml");
    ASSERT_FALSE(d.empty()) << c.what;
    EXPECT_EQ(d.front().toString().rfind(c.first, 0), 0u)
        << c.what << "\n  got:  " << d.front().toString() << "\n  want: " << c.first;
    EXPECT_FALSE(loadText(c.text, "p.toml").has_value()) << c.what;
  }
}

TEST(RedactionKeys, OlderFlagsNamesAreReadAsTheRedactionKeys) {
  Result<LoadedPolicy> p =
      loadText("[flags]\noutput_sanitization = false\nsecret_redaction = false\n", "old.toml");
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  EXPECT_FALSE(p->policy.redaction.enabled);
  EXPECT_FALSE(p->policy.redaction.secrets);
  EXPECT_EQ(p->originOf("redaction.enabled").describe(), "old.toml:2");
  EXPECT_EQ(findKey("flags.output_sanitization"), nullptr);  // one key, one name in explain
  std::string explained = renderExplain(*p);
  EXPECT_NE(explained.find("[redaction]\n# looser than the built-in default true\nenabled = "
                           "false  # old.toml:2\n"),
            std::string::npos)
      << explained;
  EXPECT_EQ(explained.find("output_sanitization"), std::string::npos) << explained;
}

// A catalogue as the app layer builds it: the loader must consult it for ids and regexes.
std::shared_ptr<const RedactionCatalogue> testCatalogue(std::vector<std::string>* checked) {
  auto cat = std::make_shared<RedactionCatalogue>();
  cat->list_builtin_ids = [] {
    return std::vector<std::string>{"github-pat", "email", "credit-card", "ip-v4"};
  };
  cat->reserved_ids = {"known-secret"};
  cat->check_custom = [checked](const CustomRedactionRule& r) -> std::string {
    checked->push_back(r.id);
    return r.regex.find('(') != std::string::npos && r.regex.find(')') == std::string::npos
               ? "regex rejected: missing )"
               : "";
  };
  return cat;
}

TEST(RedactionKeys, TheBuiltInIdsAreListedOnlyWhenAPolicyNamesAnId) {
  int listed = 0;
  auto cat = std::make_shared<RedactionCatalogue>();
  cat->list_builtin_ids = [&listed] {
    ++listed;
    return std::vector<std::string>{"email"};
  };
  EXPECT_TRUE(checkPolicyText("[network]\nmode = \"none\"\n", "p.toml", cat.get()).empty());
  EXPECT_TRUE(checkPolicyText("[redaction]\nenabled = true\n", "p.toml", cat.get()).empty());
  EXPECT_EQ(listed, 0);
  EXPECT_TRUE(checkPolicyText("[redaction]\ndisable = [\"email\"]\n", "p.toml", cat.get()).empty());
  EXPECT_FALSE(checkPolicyText("[redaction]\ndisable = [\"mail\"]\n", "p.toml", cat.get()).empty());
  EXPECT_EQ(listed, 1);  // once, however often it is asked
}

TEST(RedactionKeys, TheCatalogueChecksIdsAndCompilesRulesAtTheirPosition) {
  std::vector<std::string> checked;
  auto cat = testCatalogue(&checked);
  struct Case {
    const char* text;
    const char* first;
  } cases[] = {
      {"[redaction]\ndisable = [\"email\", \"githb-pat\"]\n",
       "p.toml:2:21: redaction.disable: no built-in rule \"githb-pat\"; did you mean "
       "\"github-pat\"?"},
      {"[redaction]\ndisable = [\"frobnicator\"]\n",
       "p.toml:2:12: redaction.disable: no built-in rule \"frobnicator\"; the ids are listed in "
       "docs/redaction.md"},
      {"[[redaction.custom]]\nid = \"github-pat\"\nregex = \"(x)\"\nkeywords = [\"x\"]\n",
       "p.toml:2:6: redaction.custom \"github-pat\": the id is a built-in rule's"},
      {"[[redaction.custom]]\nid = \"known-secret\"\nregex = \"(x)\"\nkeywords = [\"x\"]\n",
       "p.toml:2:6: redaction.custom \"known-secret\": the id is a built-in rule's"},
      {"[[redaction.custom]]\nid = \"corp\"\nregex = \"(TCK-[0-9]+\"\nkeywords = [\"tck-\"]\n",
       "p.toml:3:9: redaction.custom \"corp\": regex rejected: missing )"},
  };
  for (const Case& c : cases) {
    std::vector<Diagnostic> d = checkPolicyText(c.text, "p.toml", cat.get());
    ASSERT_FALSE(d.empty()) << c.text;
    EXPECT_EQ(d.front().toString().rfind(c.first, 0), 0u)
        << "\n  got:  " << d.front().toString() << "\n  want: " << c.first;
    // Without a catalogue the loader cannot know the engine's ids or compile regexes.
    EXPECT_TRUE(checkPolicyText(c.text, "p.toml").empty()) << c.text;
  }
  EXPECT_EQ(checked, (std::vector<std::string>{"corp"}));  // clashing ids are not compiled
  // load() takes the catalogue from the request.
  TempDir dir;
  LoadRequest r;
  r.system_policy_path = dir.path() + "/absent.toml";
  r.environment = {{"HOME", dir.path()}};
  r.user_policy_path = dir.write("user.toml", "[redaction]\ndisable = [\"emial\"]\n");
  r.redaction_catalogue = cat;
  Result<LoadedPolicy> p = load(r);
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(
      p.error().message().find(*r.user_policy_path + ":2:12: redaction.disable: no built-in "
                                                     "rule \"emial\"; did you mean \"email\"?"),
      std::string::npos)
      << p.error().message();
}

// Layering between files: what a binding file set may only be tightened by the next file.
struct FileLayerCase {
  const char* what;
  const char* system;
  const char* user;
  bool allowed;
};

const FileLayerCase kFileLayers[] = {
    {"turning redaction off", "[redaction]\nenabled = true\n", "[redaction]\nenabled = false\n",
     false},
    {"secrets off", "[redaction]\nsecrets = true\n", "[redaction]\nsecrets = false\n", false},
    {"pii off", "[redaction]\npii = true\n", "[redaction]\npii = false\n", false},
    {"pii on", "[redaction]\npii = false\n", "[redaction]\npii = true\n", true},
    {"ip addresses on", "[redaction]\nip_addresses = false\n", "[redaction]\nip_addresses = true\n",
     true},
    {"ip addresses off", "[redaction]\nip_addresses = true\n",
     "[redaction]\nip_addresses = false\n", false},
    {"disabling one more rule", "[redaction]\ndisable = [\"email\"]\n",
     "[redaction]\ndisable = [\"email\", \"credit-card\"]\n", false},
    {"disabling another rule", "[redaction]\ndisable = [\"email\"]\n",
     "[redaction]\ndisable = [\"credit-card\"]\n", false},
    {"re-enabling a rule", "[redaction]\ndisable = [\"email\", \"credit-card\"]\n",
     "[redaction]\ndisable = [\"email\"]\n", true},
    {"re-enabling every rule", "[redaction]\ndisable = [\"email\"]\n",
     "[redaction]\ndisable = []\n", true},
    {"adding a custom rule",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(a1)\"\nkeywords = [\"a1\"]\n",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(a1)\"\nkeywords = [\"a1\"]\n"
     "[[redaction.custom]]\nid = \"b\"\nregex = \"(b1)\"\nkeywords = [\"b1\"]\n",
     true},
    {"dropping a custom rule",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(a1)\"\nkeywords = [\"a1\"]\n",
     "[[redaction.custom]]\nid = \"b\"\nregex = \"(b1)\"\nkeywords = [\"b1\"]\n", false},
    {"changing a custom rule",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(a1)\"\nkeywords = [\"a1\"]\n",
     "[[redaction.custom]]\nid = \"a\"\nregex = \"(a1)\"\nkeywords = [\"a1\"]\nseverity = "
     "\"low\"\n",
     false},
    {"older name loosening the new one", "[redaction]\nenabled = true\n",
     "[flags]\noutput_sanitization = false\n", false},
};

TEST(RedactionKeys, FilesOnlyTightenWhatAnEarlierFileSet) {
  for (const FileLayerCase& c : kFileLayers) {
    for (bool allow_loosening : {false, true}) {
      TempDir dir;
      LoadRequest r;
      r.environment = {{"HOME", dir.path()}};
      r.system_policy_path =
          dir.write("etc/policy.toml",
                    std::string(allow_loosening ? "allow_loosening = true\n" : "") + c.system);
      r.user_policy_path = dir.write("user.toml", c.user);
      Result<LoadedPolicy> p = load(r);
      if (c.allowed || allow_loosening) {
        EXPECT_TRUE(p.has_value()) << c.what << ": " << p.error().oneLine();
        continue;
      }
      ASSERT_FALSE(p.has_value()) << c.what;
      EXPECT_EQ(p.error().code(), Errc::kDenied) << c.what;
      EXPECT_NE(p.error().message().find("loosens"), std::string::npos) << p.error().message();
      EXPECT_NE(p.error().message().find(r.system_policy_path), std::string::npos)
          << p.error().message();
      EXPECT_NE(p.error().message().find("redaction."), std::string::npos) << p.error().message();
    }
  }
}

TEST(RedactionKeys, EnvironmentCannotTurnOffWhatAFileTurnedOn) {
  TempDir dir;
  LoadRequest r;
  r.environment = {{"HOME", dir.path()}, {"OUTPUT_SANITIZATION", "false"}};
  r.system_policy_path = dir.write("etc/policy.toml", "[redaction]\nsecrets = false\n");
  // The file did not set `enabled`: the built-in default may be changed either way.
  Result<LoadedPolicy> p = load(r);
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  EXPECT_FALSE(p->policy.redaction.enabled);
  // SECRET_REDACTION=true over a file's secrets = false is a tightening.
  r.environment["SECRET_REDACTION"] = "true";
  Result<LoadedPolicy> tightened = load(r);
  ASSERT_TRUE(tightened.has_value()) << tightened.error().oneLine();
  EXPECT_TRUE(tightened->policy.redaction.secrets);
  dir.write("etc/policy.toml", "[redaction]\nenabled = true\n");
  Result<LoadedPolicy> refused = load(r);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message().rfind("env OUTPUT_SANITIZATION=false loosens "
                                            "redaction.enabled = true set by " +
                                                r.system_policy_path + ":2",
                                            0),
            0u)
      << refused.error().message();
}

TEST(RedactionKeys, CheckAndExplainShowWhatLoosensTheDefaults) {
  const char* text =
      "[redaction]\nenabled = false\npii = true\nip_addresses = true\ndisable = [\"email\"]\n"
      "[[redaction.custom]]\nid = \"a\"\nregex = \"(a1)\"\nkeywords = [\"a1\"]\n";
  Result<LoadedPolicy> p = loadText(text, "p.toml");
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  std::vector<Diagnostic> notes = looseningNotes(*p);
  ASSERT_EQ(notes.size(), 2u);  // pii, ip_addresses and custom rules are not loosenings
  EXPECT_EQ(notes[0].toString(),
            "p.toml:2:1: note: redaction.enabled = false loosens the built-in default true");
  EXPECT_EQ(notes[1].toString(),
            "p.toml:5:1: note: redaction.disable = [\"email\"] loosens the built-in default []");
  std::string explained = renderExplain(*p);
  EXPECT_NE(
      explained.find("# looser than the built-in default true\nenabled = false  # p.toml:2\n"),
      std::string::npos)
      << explained;
  EXPECT_NE(explained.find("# looser than the built-in default []\ndisable = [\"email\"]  # "
                           "p.toml:5\n"),
            std::string::npos)
      << explained;
  EXPECT_NE(explained.find("\nip_addresses = true  # p.toml:4\n"), std::string::npos) << explained;

  TempDir dir;
  Result<std::vector<Diagnostic>> checked = checkPolicyFile(dir.write("p.toml", text));
  ASSERT_TRUE(checked.has_value());
  ASSERT_EQ(checked->size(), 2u);
  EXPECT_TRUE(checked->front().note);
  // An invalid file gets its errors, not notes.
  checked = checkPolicyFile(dir.write("bad.toml", "[redaction]\nenabled = false\npii = 1\n"));
  ASSERT_TRUE(checked.has_value());
  ASSERT_EQ(checked->size(), 1u);
  EXPECT_FALSE(checked->front().note);
}

TEST(RedactionKeys, ExplainOutputLoadsBackToTheSameRules) {
  const char* text = R"toml([redaction]
disable = ["email"]
[[redaction.custom]]
id = "quoted"
regex = "key=\"([^\"]+)\"\\s"
keywords = ["key=\""]
replacement = "[{class}:{id}:{fp}]"
)toml";
  Result<LoadedPolicy> first = loadText(text, "in.toml");
  ASSERT_TRUE(first.has_value()) << first.error().oneLine();
  EXPECT_EQ(first->policy.redaction.custom.at(0).regex, "key=\"([^\"]+)\"\\s");
  std::string explained = renderExplain(*first);
  Result<LoadedPolicy> second = loadText(explained, "explained.toml");
  ASSERT_TRUE(second.has_value()) << second.error().oneLine() << "\n" << explained;
  EXPECT_EQ(second->policy.redaction.custom, first->policy.redaction.custom);
  EXPECT_EQ(second->policy.redaction.disable, first->policy.redaction.disable);
}

}  // namespace
}  // namespace agentbox::policy
