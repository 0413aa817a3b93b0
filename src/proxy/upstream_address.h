// SPDX-License-Identifier: Apache-2.0
// File: upstream_address.h
// The address checks every upstream connection of the proxy goes through (internal to the
// proxy layer), shared by client sessions and the proxy's own robots.txt fetches so that
// neither can reach an address the policy's cidr_deny refuses. Pure.
#pragma once

#include <boost/asio.hpp>
#include <optional>
#include <string>
#include <vector>

#include "policy/net_rules.h"

namespace agentbox::proxy {

policy::IpAddress toIp(const boost::asio::ip::address& a);
// "ip:port", or "[ip]:port" for IPv6.
std::string endpointText(const boost::asio::ip::tcp::endpoint& e);

// The first of `endpoints` that cidr_deny refuses, with the refusing decision; nullopt when
// every one may be connected to. All are checked before any is tried: an allowed name that
// resolves to loopback or a private range is refused whichever address the kernel would pick.
struct AddressDenial {
  boost::asio::ip::tcp::endpoint endpoint;
  policy::NetDecision decision;
};
std::optional<AddressDenial> firstDeniedAddress(
    const policy::NetRules& rules, const std::vector<boost::asio::ip::tcp::endpoint>& endpoints);

}  // namespace agentbox::proxy
