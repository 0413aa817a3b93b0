// SPDX-License-Identifier: Apache-2.0
#include "policy/url.h"

#include <gtest/gtest.h>

namespace agentbox::policy {
namespace {

TEST(ParseUrl, SplitsSchemeHostPortAndTarget) {
  struct Case {
    const char* url;
    const char* host;
    uint16_t port;
    const char* target;
  };
  const Case cases[] = {
      {"https://example.com", "example.com", 443, "/"},
      {"http://example.com/a?b", "example.com", 80, "/a?b"},
      {"HTTPS://Example.com:8443/x", "Example.com", 8443, "/x"},
      {"http://user@example.com/", "example.com", 80, "/"},
      {"http://allowed.com@evil.com/", "evil.com", 80, "/"},
      {"http://[::1]:8080/", "[::1]", 8080, "/"},
      {"http://%65xample.com/", "example.com", 80, "/"},
      {"http://example.com?q", "example.com", 80, "/?q"},
      {"http://example.com:/", "example.com", 80, "/"},
  };
  for (const Case& c : cases) {
    Result<Url> u = parseUrl(c.url);
    ASSERT_TRUE(u.has_value()) << c.url << ": " << u.error().oneLine();
    EXPECT_EQ(u->host, c.host) << c.url;
    EXPECT_EQ(u->port, c.port) << c.url;
    EXPECT_EQ(u->target, c.target) << c.url;
  }
}

TEST(ParseUrl, RefusesAmbiguousAndUnsupportedUrls) {
  for (const char* url : {"ftp://example.com/", "example.com", "http://", "http:///x",
                          "http://evil.com\\@allowed.com/", "http://exa mple.com/",
                          "http://example.com:99999/", "http://example.com:x/", "http://[::1/",
                          "http://%zz.com/", "file:///etc/passwd", "http://a.com\n.b.com/"}) {
    EXPECT_FALSE(parseUrl(url).has_value()) << url;
  }
  // Escapes that decode to a control byte or a delimiter would smuggle it into the forwarded
  // Host header or change what the host is (found by fuzz/proxy_request_fuzz: %00).
  for (const char* url :
       {"http://%00T80/", "http://a%0d%0aX-Injected:%201.com/", "http://a%0A.com/",
        "http://a%20b.com/", "http://a%7f.com/", "http://evil.com%2fallowed.com/",
        "http://evil.com%40allowed.com/", "http://evil.com%3a80/", "http://a%25.com/",
        "http://a%5c.com/", "http://a%23.com/", "http://a%3f.com/"}) {
    Result<Url> u = parseUrl(url);
    EXPECT_FALSE(u.has_value()) << url << " gave host '" << (u ? u->host : "") << "'";
  }
  Result<Url> ok = parseUrl("http://ex%61mple.com/");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->host, "example.com");
}

TEST(ParseAuthority, NeedsHostAndPort) {
  Result<HostPort> hp = parseAuthority("example.com:443");
  ASSERT_TRUE(hp.has_value());
  EXPECT_EQ(hp->host, "example.com");
  EXPECT_EQ(hp->port, 443);
  EXPECT_EQ(parseAuthority("[2001:db8::1]:443")->host, "[2001:db8::1]");
  for (const char* a : {"example.com", ":443", "example.com:0", "[::1]443"}) {
    EXPECT_FALSE(parseAuthority(a).has_value()) << a;
  }
}

TEST(CheckUrl, GivesRuleAndReasonForEveryOutcome) {
  Network n;
  n.mode = NetworkMode::kProxy;
  n.allow = {"*.example.com", "*"};
  n.deny = {"evil.example.com"};
  Result<NetRules> rules = NetRules::build(n);
  ASSERT_TRUE(rules.has_value());
  struct Case {
    const char* url;
    bool allowed;
    const char* rule;
  };
  const Case cases[] = {
      {"https://www.example.com/", true, "network.allow:*.example.com"},
      {"https://evil.example.com/", false, "network.deny:evil.example.com"},
      {"http://allowed.example.com@evil.example.com/", false, "network.deny:evil.example.com"},
      {"http://127.0.0.1/", false, "network.cidr_deny:127.0.0.0/8"},
      {"http://0x7f.1/", false, "network.cidr_deny:127.0.0.0/8"},
      {"gopher://x/", false, "url"},
      {"http://bad..host/", false, "host"},
  };
  for (const Case& c : cases) {
    UrlDecision d = checkUrl(*rules, c.url);
    EXPECT_EQ(d.allowed(), c.allowed) << c.url;
    EXPECT_EQ(d.rule, c.rule) << c.url;
    EXPECT_FALSE(d.reason.empty()) << c.url;
  }
}

}  // namespace
}  // namespace agentbox::policy
