// SPDX-License-Identifier: Apache-2.0
// File: policy_reload_test.cc
#include "app/policy_reload.h"

#include <gtest/gtest.h>

namespace agentbox::app {
namespace {

policy::LoadedPolicy load(const std::string& text) {
  Result<policy::LoadedPolicy> p = policy::loadText(text, "p.toml");
  EXPECT_TRUE(p.has_value()) << p.error().oneLine();
  return std::move(*p);
}

TEST(PolicyReload, ChangedKeysIgnoreWhereAValueCameFrom) {
  policy::LoadedPolicy a = load("[network]\nmode = \"proxy\"\nallow = [\"a.test\"]\n");
  policy::LoadedPolicy b = load("\n\n[network]\nallow = [\"a.test\"]\nmode = \"proxy\"\n");
  EXPECT_TRUE(changedPolicyKeys(a, b).empty());
}

TEST(PolicyReload, ChangedKeysNameEachSectionKey) {
  policy::LoadedPolicy a = load("[network]\nmode = \"proxy\"\nallow = [\"a.test\"]\n");
  policy::LoadedPolicy b = load(
      "[resources]\nmemory = \"300m\"\n[network]\nmode = \"proxy\"\nallow = [\"b.test\"]\n"
      "max_connections = 8\nuser_agent = \"otherbot\"\n");
  EXPECT_EQ(changedPolicyKeys(a, b),
            (std::vector<std::string>{"resources.memory", "network.allow", "network.user_agent",
                                      "network.max_connections"}));
}

TEST(PolicyReload, OnlyTheDecisionKeysOfNetworkAreLive) {
  for (const char* k : {"network.allow", "network.deny", "network.http", "network.resolve",
                        "network.cidr_deny", "network.rate", "network.mode", "network.user_agent",
                        "network.respect_robots", "network.honor_crawl_delay"}) {
    EXPECT_TRUE(isLiveNetworkKey(k)) << k;
  }
  for (const char* k : {"network.max_connections", "network.max_bytes", "network.connect_timeout",
                        "network.ports.connect", "resources.memory", "filesystem.mode",
                        "seccomp.profile", "sandbox.env"}) {
    EXPECT_FALSE(isLiveNetworkKey(k)) << k;
  }
}

}  // namespace
}  // namespace agentbox::app
