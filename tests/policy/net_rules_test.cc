// SPDX-License-Identifier: Apache-2.0
#include "policy/net_rules.h"

#include <gtest/gtest.h>

#include <random>

#include "policy/url.h"

namespace agentbox::policy {
namespace {

Network proxyNetwork() {
  Network n;
  n.mode = NetworkMode::kProxy;
  return n;
}

struct Case {
  const char* host;
  uint16_t port;
  bool allowed;
  const char* rule;
};

void expectDecisions(const Network& n, const std::vector<Case>& cases) {
  Result<NetRules> rules = NetRules::build(n);
  ASSERT_TRUE(rules.has_value()) << rules.error().oneLine();
  for (const Case& c : cases) {
    NetDecision d = rules->decideHost(c.host, c.port);
    EXPECT_EQ(d.allowed(), c.allowed) << c.host << ":" << c.port << " rule=" << d.rule;
    EXPECT_EQ(d.rule, c.rule) << c.host << ":" << c.port;
  }
}

TEST(NetRules, ModeNoneDeniesEverything) {
  Network n;
  n.allow = {"example.com"};
  expectDecisions(n, {{"example.com", 443, false, "network.mode"}});
}

TEST(NetRules, DefaultIsDeny) {
  expectDecisions(proxyNetwork(), {{"example.com", 443, false, "default-deny"}});
}

TEST(NetRules, WildcardMatchesSubdomainsNotTheApex) {
  Network n = proxyNetwork();
  n.allow = {"*.googleapis.com"};
  expectDecisions(n, {
                         {"storage.googleapis.com", 443, true, "network.allow:*.googleapis.com"},
                         {"a.b.googleapis.com", 443, true, "network.allow:*.googleapis.com"},
                         {"googleapis.com", 443, false, "default-deny"},
                         {"evilgoogleapis.com", 443, false, "default-deny"},
                         {"googleapis.com.evil.net", 443, false, "default-deny"},
                     });
}

TEST(NetRules, MostSpecificPatternWinsAndDenyWinsTies) {
  Network n = proxyNetwork();
  n.allow = {"*.example.com", "api.internal.example.com", "*", "ports.example.com:443"};
  n.deny = {"*.internal.example.com", "evil.com", "ports.example.com", "*.example.com:25"};
  expectDecisions(
      n, {
             {"www.example.com", 443, true, "network.allow:*.example.com"},
             {"db.internal.example.com", 443, false, "network.deny:*.internal.example.com"},
             {"api.internal.example.com", 443, true, "network.allow:api.internal.example.com"},
             {"evil.com", 443, false, "network.deny:evil.com"},
             {"anything.org", 80, true, "network.allow:*"},
             // Same host pattern: the port-specific one wins.
             {"ports.example.com", 443, true, "network.allow:ports.example.com:443"},
             {"ports.example.com", 80, false, "network.deny:ports.example.com"},
             // Same host specificity, port only as tie-breaker.
             {"mail.example.com", 25, false, "network.deny:*.example.com:25"},
             {"mail.example.com", 587, true, "network.allow:*.example.com"},
         });
  // Identical pattern in both lists (the loader rejects this): deny wins the tie.
  Network tie = proxyNetwork();
  tie.allow = {"same.example"};
  tie.deny = {"same.example"};
  expectDecisions(tie, {{"same.example", 443, false, "network.deny:same.example"}});
}

TEST(NetRules, HostsAreNormalizedBeforeMatching) {
  Network n = proxyNetwork();
  n.allow = {"example.com", "bücher.example", "93.184.216.34"};
  n.deny = {"0x7f.1"};
  expectDecisions(n, {
                         {"EXAMPLE.com.", 443, true, "network.allow:example.com"},
                         {"xn--bcher-kva.example", 443, true, "network.allow:bücher.example"},
                         {"BÜCHER.example", 443, true, "network.allow:bücher.example"},
                         {"1572395042", 443, true, "network.allow:93.184.216.34"},  // integer form
                         {"[::ffff:93.184.216.34]", 443, true, "network.allow:93.184.216.34"},
                         {"127.0.0.1", 80, false, "network.deny:0x7f.1"},
                         {"exa mple.com", 80, false, "host"},
                     });
}

TEST(NetRules, IpLiteralsAreCheckedAgainstCidrDenyUnlessPinned) {
  Network n = proxyNetwork();
  n.allow = {"*", "10.0.0.5"};
  n.resolve = {ResolveEntry{"api.test", "127.0.0.1", std::nullopt}};
  expectDecisions(
      n, {
             {"127.0.0.1", 80, false, "network.cidr_deny:127.0.0.0/8"},
             {"2130706433", 80, false, "network.cidr_deny:127.0.0.0/8"},
             {"0177.0.0.1", 80, false, "network.cidr_deny:127.0.0.0/8"},
             {"127.1", 80, false, "network.cidr_deny:127.0.0.0/8"},
             {"[::1]", 80, false, "network.cidr_deny:::1/128"},
             {"[::ffff:127.0.0.1]", 80, false, "network.cidr_deny:127.0.0.0/8"},
             {"[::ffff:7f00:1]", 80, false, "network.cidr_deny:127.0.0.0/8"},
             {"[::127.0.0.1]", 80, false, "network.cidr_deny:127.0.0.0/8"},
             {"[fe80::1%25eth0]", 80, false, "network.cidr_deny:fe80::/10"},
             {"169.254.169.254", 80, false, "network.cidr_deny:169.254.0.0/16"},
             {"0xa9fea9fe", 80, false, "network.cidr_deny:169.254.0.0/16"},
             {"10.0.0.5", 80, false, "network.cidr_deny:10.0.0.0/8"},  // an allow does not bypass
             {"8.8.8.8", 53, true, "network.allow:*"},
             {"api.test", 8080, true, "network.resolve:api.test"},
         });
}

TEST(NetRules, ResolveEntryPinsTheAddressAndPort) {
  Network n = proxyNetwork();
  n.resolve = {ResolveEntry{"api.test", "127.0.0.1", std::nullopt},
               ResolveEntry{"svc.test", "127.0.0.1", 8080}};
  Result<NetRules> rules = NetRules::build(n);
  ASSERT_TRUE(rules.has_value());
  NetDecision d = rules->decideHost("API.test", 443);
  ASSERT_TRUE(d.allowed());
  ASSERT_NE(d.pinned, nullptr);
  EXPECT_EQ(d.pinned->address, "127.0.0.1");
  EXPECT_FALSE(d.pinned->port.has_value());
  UrlDecision u = checkUrl(*rules, "http://svc.test:9999/x");
  EXPECT_TRUE(u.allowed());
  EXPECT_TRUE(u.pinned);
  EXPECT_EQ(u.pinned_port, 8080);
  // The exemption is for that entry only: other loopback targets stay denied.
  EXPECT_FALSE(rules->checkAddress(*parseIpStrict("127.0.0.1")).allowed());
}

TEST(NetRules, HttpRulesLimitMethodsAndPathPrefixes) {
  Network n = proxyNetwork();
  n.allow = {"pypi.org", "files.example"};
  n.http = {HttpRule{"pypi.org", {"GET", "HEAD"}, {"/simple/", "/packages/"}}};
  Result<NetRules> rules = NetRules::build(n);
  ASSERT_TRUE(rules.has_value());
  NormalizedHost pypi = *normalizeHost("pypi.org");
  NormalizedHost other = *normalizeHost("files.example");
  struct HttpCase {
    const NormalizedHost* host;
    const char* method;
    const char* path;
    bool allowed;
  };
  const HttpCase cases[] = {
      {&pypi, "GET", "/simple/requests/", true}, {&pypi, "HEAD", "/packages/x.whl?sig=1", true},
      {&pypi, "POST", "/simple/", false},        {&pypi, "GET", "/admin", false},
      {&pypi, "GET", "/simple/../admin", false}, {&pypi, "GET", "/simple/%2e%2e/admin", false},
      {&pypi, "GET", "/simple%2fadmin", false},  {&pypi, "GET", "/simple\\..\\admin", false},
      {&pypi, "GET", "/simple/./x/../y", true},  {&pypi, "GET", "/simple", false},
      {&other, "DELETE", "/anything", true},
  };
  for (const HttpCase& c : cases) {
    NetDecision d = rules->decideHttp(*c.host, 80, c.method, c.path);
    EXPECT_EQ(d.allowed(), c.allowed) << c.method << " " << c.path << " rule=" << d.rule;
  }
}

TEST(NormalizeHttpPath, RemovesDotSegments) {
  struct PathCase {
    const char* in;
    const char* out;
  };
  const PathCase cases[] = {{"/a/b/../c", "/a/c"}, {"/a/./b", "/a/b"}, {"/../a", "/a"},
                            {"/a/b/..", "/a/"},    {"/a/b/", "/a/b/"}, {"/", "/"},
                            {"/a?x=../..", "/a"}};
  for (const PathCase& c : cases) {
    Result<std::string> r = normalizeHttpPath(c.in);
    ASSERT_TRUE(r.has_value()) << c.in;
    EXPECT_EQ(*r, c.out) << c.in;
  }
}

TEST(ParseHostPattern, ValidatesAndCanonicalizes) {
  struct PatternCase {
    const char* text;
    const char* canonical;  // nullptr: invalid
  };
  const PatternCase cases[] = {
      {"Example.com", "example.com"},
      {"*.Example.com", "*.example.com"},
      {"*", "*"},
      {"*:443", "*:443"},
      {"api.example.com:8443", "api.example.com:8443"},
      {"[::1]:443", "[::1]:443"},
      {"127.1", "127.0.0.1"},
      {"bücher.example", "xn--bcher-kva.example"},
      {"*.*.example.com", nullptr},
      {"a*.example.com", nullptr},
      {"example.com:0", nullptr},
      {"example.com:65536", nullptr},
      {"::1", nullptr},
      {"*.10.0.0.1", nullptr},
      {"", nullptr},
      {"example.com:", nullptr},
  };
  for (const PatternCase& c : cases) {
    Result<HostPattern> p = parseHostPattern(c.text);
    if (c.canonical == nullptr) {
      EXPECT_FALSE(p.has_value()) << c.text;
    } else {
      ASSERT_TRUE(p.has_value()) << c.text << ": " << p.error().oneLine();
      EXPECT_EQ(p->canonical(), c.canonical) << c.text;
    }
  }
}

// The hash index must agree with the obvious definition on random rule sets.
TEST(PatternIndex, AgreesWithALinearScanOnRandomRules) {
  std::mt19937 rng(1234);
  const char* labels[] = {"a", "b", "api", "www", "x1", "corp", "com", "net", "io"};
  auto randomHost = [&](int max_labels) {
    int n = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_labels));
    std::string h;
    for (int i = 0; i < n; ++i) {
      h += (i ? "." : "") + std::string(labels[rng() % 9]);
    }
    return h;
  };
  for (int round = 0; round < 50; ++round) {
    std::vector<std::pair<HostPattern, int>> patterns;
    PatternIndex index;
    for (int i = 0; i < 40; ++i) {
      std::string text = randomHost(3);
      unsigned kind = rng() % 10;
      if (kind < 4) {
        text = "*." + text;
      } else if (kind == 4) {
        text = "*";
      }
      if (rng() % 4 == 0) {
        text += ":" + std::to_string(80 + rng() % 3);
      }
      HostPattern p = *parseHostPattern(text);
      bool dup = false;
      for (auto& [q, id] : patterns) {
        dup = dup || q == p;
      }
      if (!dup) {
        patterns.emplace_back(p, i);
        index.add(p, 0, i);
      }
    }
    index.freeze();
    for (int q = 0; q < 200; ++q) {
      NormalizedHost h = *normalizeHost(randomHost(5));
      auto port = static_cast<uint16_t>(80 + rng() % 3);
      int expect = -1;
      uint32_t best = 0;
      for (auto& [p, id] : patterns) {
        if (p.matches(h, port) && (expect < 0 || p.specificity() > best)) {
          expect = id;
          best = p.specificity();
        }
      }
      const PatternIndex::Slot* s = index.find(h, port);
      EXPECT_EQ(s ? s->id[0] : -1, expect) << h.text() << ":" << port;
    }
  }
}

}  // namespace
}  // namespace agentbox::policy
