// SPDX-License-Identifier: Apache-2.0
// File: net_rules.h
// Network decisions of a policy: may the sandbox reach (host, port), may a plain-HTTP request
// use this method and path, may the proxy connect to this resolved address. Pure; built once
// from a validated Policy; every decide*() is const and thread-safe.
//
// Order of a host decision: network.mode "none" denies everything; otherwise the most
// specific matching pattern among network.allow, network.deny and network.resolve wins
// (exact host > longer "*." suffix > shorter > "*"; within one host pattern a matching
// ":port" beats no port; deny wins ties); no match is a deny (default-deny). An allowed IP
// literal is then checked against network.cidr_deny, unless it came from network.resolve.
// Host names are not resolved here: the proxy resolves an allowed name itself and must call
// checkAddress() on every address it is about to connect to (a [network.resolve] entry
// instead gives the address to use and is exempt from that check).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cidr.h"
#include "policy/host.h"
#include "policy/host_pattern.h"
#include "policy/policy.h"
#include "util/result.h"

namespace agentbox::policy {

enum class Verdict : uint8_t { kAllow, kDeny };

// A decision, the rule that made it and a one-line reason. `rule` and `reason` point into the
// NetRules that made the decision (or static text) and live as long as it; copy them to keep.
// Rule names: "network.allow:PATTERN", "network.deny:PATTERN", "network.resolve:HOST",
// "network.cidr_deny:RANGE", "network.http:PATTERN", "network.mode", "default-deny", "host".
struct NetDecision {
  Verdict verdict = Verdict::kDeny;
  std::string_view rule;
  std::string_view reason;
  const ResolveEntry* pinned = nullptr;  // set when a [network.resolve] entry allowed it

  bool allowed() const { return verdict == Verdict::kAllow; }
};

class NetRules {
 public:
  // Errors (kInvalidInput) name the first invalid pattern or range; the loader has already
  // reported them with file positions, so this only fails for hand-built policies.
  static Result<NetRules> build(const Network& network);

  NetRules(NetRules&&) = default;
  NetRules& operator=(NetRules&&) = default;
  NetRules(const NetRules&) = delete;
  NetRules& operator=(const NetRules&) = delete;
  ~NetRules() = default;

  // Normalizes `host` (see normalizeHost) and decides; invalid hosts are denied (rule "host").
  NetDecision decideHost(std::string_view host, uint16_t port) const;
  NetDecision decide(const NormalizedHost& host, uint16_t port) const;
  // decide(), then the most specific network.http rule of the host: method in its list and
  // path (dot segments removed, see normalizeHttpPath) under one of its prefixes.
  NetDecision decideHttp(const NormalizedHost& host, uint16_t port, std::string_view method,
                         std::string_view path) const;
  // The cidr_deny check for an address the proxy is about to connect to.
  NetDecision checkAddress(const IpAddress& address) const;

  const CidrSet& cidrDeny() const { return cidr_; }

 private:
  NetRules() = default;
  // Build steps; the resolve_ entries must not move afterwards (rules point into them).
  Status addRule(const std::string& text, Verdict verdict, std::string_view list,
                 const ResolveEntry* pin);
  Status buildHosts(const Network& network);
  Status buildHttp(const std::vector<HttpRule>& http);
  struct Rule {
    Verdict verdict;
    std::string name;
    const ResolveEntry* pinned;
  };
  NetworkMode mode_ = NetworkMode::kNone;
  std::vector<ResolveEntry> resolve_;  // owns what Rule::pinned points to
  std::vector<Rule> rules_;
  std::vector<std::string> cidr_names_;
  std::vector<std::string> http_names_;
  std::vector<HttpRule> http_;
  PatternIndex hosts_;  // channel 0: allow/resolve rule id, channel 1: deny rule id
  PatternIndex http_index_;
  CidrSet cidr_;
};

// Removes dot segments (RFC 3986 5.2.4) from the path of a request target, drops the query
// and fragment. Errors for paths that servers may read differently from the proxy: not
// starting with '/', backslashes, percent-encoded '.', '/' or '\\', bad percent escapes.
Result<std::string> normalizeHttpPath(std::string_view target);

}  // namespace agentbox::policy
