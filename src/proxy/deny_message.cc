// SPDX-License-Identifier: Apache-2.0
// File: deny_message.cc
#include "proxy/deny_message.h"

#include <fmt/format.h>

namespace agentbox::proxy {

namespace {

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view after(std::string_view s, char c) {
  size_t i = s.find(c);
  return i == std::string_view::npos ? std::string_view() : s.substr(i + 1);
}

}  // namespace

std::string denyMessage(const DenyFacts& f) {
  if (f.rule == "default-deny") {
    return fmt::format("agentbox: {} is not in the network allowlist (policy network.allow)",
                       f.host);
  }
  if (f.rule == "network.mode") {
    return fmt::format("agentbox: {} refused: network.mode is \"none\" (policy network.mode)",
                       f.host);
  }
  if (startsWith(f.rule, "network.deny:")) {
    return fmt::format("agentbox: {} matches the deny pattern {} (policy network.deny)", f.host,
                       after(f.rule, ':'));
  }
  if (startsWith(f.rule, "network.cidr_deny:")) {
    return fmt::format("agentbox: {} is in the denied address range {} (policy network.cidr_deny)",
                       f.host, after(f.rule, ':'));
  }
  if (startsWith(f.rule, "network.http:")) {
    return fmt::format("agentbox: {} {}: {} (policy network.http {})", f.method, f.host, f.reason,
                       after(f.rule, ':'));
  }
  if (f.rule == "host") {
    return fmt::format("agentbox: invalid host {}: {}", f.host, f.reason);
  }
  return fmt::format("agentbox: {}:{} denied: {} (policy {})", f.host, f.port, f.reason, f.rule);
}

}  // namespace agentbox::proxy
