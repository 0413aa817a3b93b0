// SPDX-License-Identifier: Apache-2.0
// File: url.h
// URL and CONNECT-authority parsing for network decisions (`policy check-url`, the proxy),
// and checkUrl, the whole decision for one URL. Strict where parsers disagree: a URL that
// curl, browsers and servers could read as different hosts is refused, not guessed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "policy/host.h"
#include "policy/net_rules.h"
#include "util/result.h"

namespace agentbox::policy {

struct Url {
  std::string scheme;  // lower case: "http" or "https"
  std::string host;    // as written, percent-decoded, brackets kept for IPv6
  uint16_t port = 0;   // explicit port, else the scheme's default
  std::string target;  // path + query ("/" when empty)
};

// http:// and https:// only. Refused: other schemes, missing host, userinfo with a password
// or an '@' that hides the real host after a backslash, backslashes or control bytes in the
// authority, bad ports, bad percent escapes. Userinfo is dropped.
Result<Url> parseUrl(std::string_view text);

struct HostPort {
  std::string host;  // as written (brackets kept)
  uint16_t port = 0;
};
// "host:port" of an HTTP CONNECT request; the port is required.
Result<HostPort> parseAuthority(std::string_view text);

// The decision for one URL, with owned strings (safe to keep after `rules` is gone).
struct UrlDecision {
  Verdict verdict = Verdict::kDeny;
  std::string rule;    // a NetRules rule name, or "url" when the URL itself is refused
  std::string reason;  // one line
  std::string host;    // normalized host ("" when the URL did not parse)
  uint16_t port = 0;
  bool is_ip = false;
  bool pinned = false;         // allowed by a [network.resolve] entry
  std::string pinned_address;  // its address, when pinned
  uint16_t pinned_port = 0;    // the port it connects to, when pinned

  bool allowed() const { return verdict == Verdict::kAllow; }
};

// parseUrl + normalizeHost + NetRules::decideHttp (plain http) or decide (https).
UrlDecision checkUrl(const NetRules& rules, std::string_view url, std::string_view method = "GET");

}  // namespace agentbox::policy
