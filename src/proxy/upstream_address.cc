// SPDX-License-Identifier: Apache-2.0
// File: upstream_address.cc
#include "proxy/upstream_address.h"

#include <fmt/format.h>

#include <algorithm>

namespace agentbox::proxy {

policy::IpAddress toIp(const boost::asio::ip::address& a) {
  policy::IpAddress ip;
  if (a.is_v4()) {
    ip.family = policy::IpAddress::Family::kV4;
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin());
  } else {
    ip.family = policy::IpAddress::Family::kV6;
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin());
  }
  return ip;
}

std::string endpointText(const boost::asio::ip::tcp::endpoint& e) {
  if (e.address().is_v6()) {
    return fmt::format("[{}]:{}", e.address().to_string(), e.port());
  }
  return fmt::format("{}:{}", e.address().to_string(), e.port());
}

std::optional<AddressDenial> firstDeniedAddress(
    const policy::NetRules& rules, const std::vector<boost::asio::ip::tcp::endpoint>& endpoints) {
  for (const auto& e : endpoints) {
    policy::NetDecision c = rules.checkAddress(toIp(e.address()));
    if (!c.allowed()) {
      return AddressDenial{.endpoint = e, .decision = c};
    }
  }
  return std::nullopt;
}

}  // namespace agentbox::proxy
