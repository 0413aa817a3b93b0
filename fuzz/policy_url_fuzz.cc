// SPDX-License-Identifier: Apache-2.0
// File: policy_url_fuzz.cc
// libFuzzer target for the URL / host normalizer and the network decision on it.
// Properties: normalization is idempotent and IP text round-trips through the strict
// parser; host patterns, CIDRs, HTTP paths and sandbox paths re-parse to themselves;
// checkUrl always names a rule and a reason.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/cidr.h"
#include "policy/fs_rules.h"
#include "policy/host.h"
#include "policy/host_pattern.h"
#include "policy/net_rules.h"
#include "policy/url.h"

namespace {

using namespace agentbox::policy;  // NOLINT(google-build-using-namespace): fuzz harness

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "policy_url_fuzz: %s: '%.*s'\n", what, static_cast<int>(input.size()),
               input.data());
  std::abort();
}

const NetRules& rules() {
  static const NetRules kRules = [] {
    Network n;
    n.mode = NetworkMode::kProxy;
    n.allow = {"*.example.com", "pypi.org", "*:8443", "93.184.216.34", "[2001:db8::1]"};
    n.deny = {"evil.example.com", "*.internal.example.com:443"};
    n.resolve = {ResolveEntry{"api.test", "127.0.0.1", 8080}};
    n.http = {HttpRule{"pypi.org", {"GET"}, {"/simple/"}}};
    return std::move(NetRules::build(n)).value();
  }();
  return kRules;
}

void checkHost(std::string_view in) {
  NormalizedHost n;
  std::string_view why;
  if (!normalizeHostInto(in, n, &why)) {
    if (why.empty()) {
      fail("rejected without a reason", in);
    }
    return;
  }
  std::string text(n.text());
  std::string again_in = n.kind() == NormalizedHost::Kind::kIpv6 ? "[" + text + "]" : text;
  NormalizedHost m;
  if (!normalizeHostInto(again_in, m, nullptr) || m.text() != n.text() || m.kind() != n.kind()) {
    fail("normalization is not idempotent", in);
  }
  if (n.isIp()) {
    std::optional<IpAddress> strict = parseIpStrict(text);
    if (!strict || !(*strict == n.address())) {
      fail("canonical IP text does not parse back", in);
    }
  }
}

void checkPatternsAndPaths(std::string_view in) {
  if (agentbox::Result<HostPattern> p = parseHostPattern(in)) {
    agentbox::Result<HostPattern> q = parseHostPattern(p->canonical());
    if (!q || !(*q == *p)) {
      fail("host pattern canonical form does not parse back", in);
    }
  }
  if (agentbox::Result<CidrRange> c = parseCidr(in)) {
    if (!c->contains(c->base)) {
      fail("range does not contain its base", in);
    }
  }
  if (agentbox::Result<std::string> path = normalizeHttpPath(in)) {
    agentbox::Result<std::string> twice = normalizeHttpPath(*path);
    if (!twice || *twice != *path) {
      fail("HTTP path normalization is not idempotent", in);
    }
  }
  if (std::optional<std::string> c = canonicalPath(in)) {
    if (canonicalPath(*c) != c) {
      fail("canonicalPath is not idempotent", in);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  checkHost(in);
  checkPatternsAndPaths(in);
  UrlDecision d = checkUrl(rules(), in);
  if (d.rule.empty() || d.reason.empty()) {
    fail("decision without rule or reason", in);
  }
  if (agentbox::Result<HostPort> hp = parseAuthority(in)) {
    NetDecision nd = rules().decideHost(hp->host, hp->port);
    if (nd.rule.empty()) {
      fail("authority decision without a rule", in);
    }
  }
  return 0;
}
