// SPDX-License-Identifier: Apache-2.0
// File: deny_message.h
// The one-line body of a 403 the proxy answers for a policy denial: what was refused and
// which policy entry decided it, e.g.
// "agentbox: example.org is not in the network allowlist (policy network.allow)". Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agentbox::proxy {

struct DenyFacts {
  std::string_view host;  // normalized
  uint16_t port = 0;
  std::string_view method;
  std::string_view rule;    // NetDecision::rule
  std::string_view reason;  // NetDecision::reason
};

std::string denyMessage(const DenyFacts& facts);

}  // namespace agentbox::proxy
