// SPDX-License-Identifier: Apache-2.0
#include "policy/explain.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "policy/keys.h"
#include "policy_test_util.h"

namespace agentbox::policy {
namespace {

using testing::TempDir;

TEST(Explain, EachValueNamesItsSource) {
  TempDir dir;
  LoadRequest r;
  r.system_policy_path = dir.write("etc/policy.toml", "# system\n[resources]\npids = 64\n");
  r.user_policy_path = dir.write("user.toml", "[network]\nmode = \"proxy\"\nallow = [\"a.com\"]\n");
  r.environment = {{"HOME", "/home/u"}, {"CONTAINER_MEMORY_LIMIT", "256m"}};
  r.flags = {{"--timeout", "90s"}, {"--env", "TOKEN=hunter2"}};
  Result<LoadedPolicy> p = load(r);
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  std::string out = renderExplain(*p);
  for (const std::string& line : {
           std::string("memory = \"256m\"  # env CONTAINER_MEMORY_LIMIT\n"),
           std::string("pids = 64  # ") + r.system_policy_path + ":3\n",
           std::string("timeout = \"1m30s\"  # flag --timeout\n"),
           std::string("mode = \"proxy\"  # ") + *r.user_policy_path + ":2\n",
           std::string("allow = [\"a.com\"]  # ") + *r.user_policy_path + ":3\n",
           std::string("cpus = 0.5  # default\n"),
           std::string("env = [\"TOKEN=***\"]  # flag --env\n"),
           std::string("# bind is absent: unrestricted  # default\n"),
           std::string("# state_dir = \"/home/u/.local/state/agentbox\"  # default\n"),
       }) {
    EXPECT_NE(out.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << out;
  }
  EXPECT_EQ(out.find("hunter2"), std::string::npos) << "explain must not print env values";
}

TEST(Explain, OutputLoadsBackToTheSamePolicy) {
  TempDir dir;
  const char* text = R"([network]
mode = "proxy"
allow = ["*.example.com", "[2001:db8::1]:443"]
[network.resolve]
"api.test" = "[::1]:8080"
"b.test" = "10.0.0.1"
[network.http]
"pypi.org" = { methods = ["GET"], paths = ["/simple/"] }
[network.ports]
connect = [443]
[filesystem]
read_only = [{ host = "/srv", sandbox = "/data" }, "/opt"]
deny = ["*.pem"]
[resources]
output_limit = 100000
)";
  Result<LoadedPolicy> first = loadText(text, "in.toml");
  ASSERT_TRUE(first.has_value()) << first.error().oneLine();
  std::string explained = renderExplain(*first);
  Result<LoadedPolicy> second = loadText(explained, "explained.toml");
  ASSERT_TRUE(second.has_value()) << second.error().oneLine() << "\n" << explained;
  for (const KeySpec& k : keySpecs()) {
    EXPECT_EQ(k.render(first->policy), k.render(second->policy)) << k.path;
  }
}

TEST(Defaults, AreAValidPolicyFileThatLoadsToTheDefaults) {
  std::string text = renderDefaults();
  std::vector<Diagnostic> d = checkPolicyText(text, "defaults.toml");
  ASSERT_TRUE(d.empty()) << d.front().toString() << "\n" << text;
  Result<LoadedPolicy> p = loadText(text, "defaults.toml");
  ASSERT_TRUE(p.has_value());
  Policy defaults;
  for (const KeySpec& k : keySpecs()) {
    EXPECT_EQ(k.render(p->policy), k.render(defaults)) << k.path;
    EXPECT_NE(text.find(std::string(k.doc)), std::string::npos) << k.path << " is undocumented";
  }
  EXPECT_NE(text.find("[network]\n"), std::string::npos);
  EXPECT_NE(text.find("mode = \"none\"\n"), std::string::npos);
}

// docs/policy.md documents every key: this keeps the page true when a key is added.
TEST(Docs, PolicyPageNamesEveryKeyAndVariable) {
  std::string here = __FILE__;
  std::string doc_path = here.substr(0, here.rfind("/tests/")) + "/docs/policy.md";
  std::ifstream in(doc_path);
  if (!in) {
    GTEST_SKIP() << "source tree not available at " << doc_path;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string doc = buf.str();
  for (const KeySpec& k : keySpecs()) {
    EXPECT_NE(doc.find("`" + std::string(k.path) + "`"), std::string::npos) << k.path;
  }
  for (std::string_view v : policyEnvironmentVariables()) {
    EXPECT_NE(doc.find("`" + std::string(v) + "`"), std::string::npos) << v;
  }
}

}  // namespace
}  // namespace agentbox::policy
