// SPDX-License-Identifier: Apache-2.0
#include "app/policy_check_url.h"

#include <gtest/gtest.h>

namespace agentbox::app {
namespace {

policy::Policy proxyPolicy() {
  policy::Policy p;
  p.network.mode = policy::NetworkMode::kProxy;
  p.network.allow = {"localhost", "*.invalid", "api.test", "8.8.8.8"};
  p.network.resolve = {policy::ResolveEntry{"api.test", "127.0.0.1", 8080}};
  return p;
}

TEST(CheckUrls, AnswersInInputOrderWithoutResolving) {
  Result<std::vector<UrlVerdict>> v = checkUrls(
      proxyPolicy(), {"http://localhost/", "https://evil.example/", "http://0x7f.1/"}, {});
  ASSERT_TRUE(v.has_value()) << v.error().oneLine();
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[0].url, "http://localhost/");
  EXPECT_TRUE((*v)[0].allowed);  // the name is not resolved without --resolve
  EXPECT_EQ((*v)[0].rule, "network.allow:localhost");
  EXPECT_FALSE((*v)[1].allowed);
  EXPECT_EQ((*v)[1].rule, "default-deny");
  EXPECT_FALSE((*v)[2].allowed);
  EXPECT_EQ((*v)[2].rule, "default-deny");  // no pattern allows 127.0.0.1 at all
}

// localhost resolves from /etc/hosts, no network needed: its addresses are loopback.
TEST(CheckUrls, ResolveDeniesNamesThatResolveIntoCidrDeny) {
  Result<std::vector<UrlVerdict>> v =
      checkUrls(proxyPolicy(), {"http://localhost/", "http://api.test/", "http://8.8.8.8/"},
                CheckUrlOptions{.resolve = true, .method = "GET"});
  ASSERT_TRUE(v.has_value()) << v.error().oneLine();
  EXPECT_FALSE((*v)[0].allowed);
  EXPECT_EQ((*v)[0].rule.rfind("network.cidr_deny:", 0), 0u) << (*v)[0].rule;
  EXPECT_NE((*v)[0].reason.find("localhost resolves to"), std::string::npos) << (*v)[0].reason;
  // A pinned entry is exempt from DNS and the CIDR check, by design.
  EXPECT_TRUE((*v)[1].allowed);
  EXPECT_EQ((*v)[1].rule, "network.resolve:api.test");
  // IP literals are not resolved: they were checked against cidr_deny already.
  EXPECT_TRUE((*v)[2].allowed);
}

TEST(CheckUrls, ResolveFailureIsADeny) {
  Result<std::vector<UrlVerdict>> v = checkUrls(proxyPolicy(), {"http://no-such-host.invalid/"},
                                                CheckUrlOptions{.resolve = true, .method = "GET"});
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE((*v)[0].allowed);
  EXPECT_EQ((*v)[0].rule, "dns");
}

}  // namespace
}  // namespace agentbox::app
