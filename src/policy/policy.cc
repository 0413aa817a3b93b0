// SPDX-License-Identifier: Apache-2.0
// File: policy.cc
// The built-in lists of the default policy.
#include "policy/policy.h"

namespace agentbox::policy {

std::vector<std::string> defaultCidrDeny() {
  return {
      // IPv4: unspecified/"this network", loopback, private, CGNAT, link-local (holds the
      // 169.254.169.254 metadata service), IETF protocol space, multicast, reserved, broadcast.
      "0.0.0.0/8",
      "127.0.0.0/8",
      "10.0.0.0/8",
      "172.16.0.0/12",
      "192.168.0.0/16",
      "100.64.0.0/10",
      "169.254.0.0/16",
      "192.0.0.0/24",
      "224.0.0.0/4",
      "240.0.0.0/4",
      // Cloud metadata endpoints named on their own (some are inside the ranges above):
      // AWS/GCP/Azure/OpenStack, AWS ECS task metadata, Alibaba Cloud, Oracle Cloud, AWS IPv6.
      "169.254.169.254/32",
      "169.254.170.2/32",
      "100.100.100.200/32",
      "192.0.0.192/32",
      "fd00:ec2::254/128",
      // IPv6: unspecified, loopback, unique-local (private), site-local, link-local, multicast.
      "::/128",
      "::1/128",
      "fc00::/7",
      "fec0::/10",
      "fe80::/10",
      "ff00::/8",
      // IPv4-mapped IPv6 forms of the IPv4 ranges (::ffff:0:0/96 + the IPv4 prefix).
      "::ffff:0.0.0.0/104",
      "::ffff:127.0.0.0/104",
      "::ffff:10.0.0.0/104",
      "::ffff:172.16.0.0/108",
      "::ffff:192.168.0.0/112",
      "::ffff:100.64.0.0/106",
      "::ffff:169.254.0.0/112",
      "::ffff:192.0.0.0/120",
      "::ffff:224.0.0.0/100",
      "::ffff:240.0.0.0/100",
  };
}

std::vector<RateRule> defaultRate() {
  return {RateRule{"*", 600, 60}};
}

}  // namespace agentbox::policy
