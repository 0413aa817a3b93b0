// SPDX-License-Identifier: Apache-2.0
// File: policy_check_url.cc
#include "app/policy_check_url.h"

#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

#include "policy/net_rules.h"
#include "policy/url.h"

namespace agentbox::app {

namespace {

struct AddrInfoFree {
  void operator()(addrinfo* ai) const { freeaddrinfo(ai); }
};

// Resolves `host` and applies cidr_deny to every address, as the proxy will before it
// connects: one denied address denies the URL (DNS may hand out any of them).
void checkResolved(const policy::NetRules& rules, const std::string& host, UrlVerdict& v) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  std::unique_ptr<addrinfo, AddrInfoFree> list(raw);
  if (rc != 0) {
    v.allowed = false;
    v.rule = "dns";
    v.reason = fmt::format("cannot resolve {}: {}", host, gai_strerror(rc));
    return;
  }
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    policy::IpAddress ip;
    if (ai->ai_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
      std::memcpy(ip.bytes.data(), &sin->sin_addr, 4);
    } else if (ai->ai_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
      ip.family = policy::IpAddress::Family::kV6;
      std::memcpy(ip.bytes.data(), &sin6->sin6_addr, 16);
    } else {
      continue;
    }
    policy::NetDecision d = rules.checkAddress(ip);
    if (!d.allowed()) {
      v.allowed = false;
      v.rule = std::string(d.rule);
      v.reason = fmt::format("{} resolves to {}, which is in a denied range", host, ip.toString());
      return;
    }
  }
  v.reason += "; every resolved address is outside network.cidr_deny";
}

}  // namespace

Result<std::vector<UrlVerdict>> checkUrls(const policy::Policy& policy,
                                          const std::vector<std::string>& urls,
                                          const CheckUrlOptions& options) {
  AGENTBOX_ASSIGN_OR_RETURN(policy::NetRules rules, policy::NetRules::build(policy.network));
  std::vector<UrlVerdict> out;
  out.reserve(urls.size());
  for (const std::string& url : urls) {
    policy::UrlDecision d = policy::checkUrl(rules, url, options.method);
    UrlVerdict v{url, d.allowed(), d.rule, d.reason};
    // Pinned entries skip DNS and the CIDR check by design; IP literals were checked already.
    if (options.resolve && v.allowed && !d.pinned && !d.is_ip) {
      checkResolved(rules, d.host, v);
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace agentbox::app
