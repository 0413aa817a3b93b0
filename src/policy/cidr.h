// SPDX-License-Identifier: Apache-2.0
// File: cidr.h
// Address ranges ("10.0.0.0/8", "fe80::/10", "169.254.169.254") and the cidr_deny check the
// proxy makes on the address it actually connects to, after DNS.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/host.h"
#include "util/result.h"

namespace agentbox::policy {

struct CidrRange {
  IpAddress base;
  uint8_t prefix_len = 0;  // 0..32 or 0..128
  std::string text;        // as written in the policy

  bool contains(const IpAddress& a) const;
  // True if every address of `other` is in this range.
  bool covers(const CidrRange& other) const;
};

// Strict: dotted-quad IPv4 or inet_pton IPv6, optional /prefix, no host bits set after the
// prefix ("10.0.0.1/8" is an error suggesting 10.0.0.0/8). A bare address is a /32 or /128.
Result<CidrRange> parseCidr(std::string_view text);

// An immutable list of ranges. match() also checks the IPv4 address embedded in an IPv6 one
// (mapped, compatible, NAT64, 6to4), so ::ffff:10.0.0.1 and 64:ff9b::a00:1 hit 10.0.0.0/8.
// Thread-safe for concurrent match() calls.
class CidrSet {
 public:
  CidrSet() = default;
  static Result<CidrSet> build(const std::vector<std::string>& ranges);

  // The first range containing `a` (or its embedded IPv4), nullptr if none.
  const CidrRange* match(const IpAddress& a) const;
  const std::vector<CidrRange>& ranges() const { return ranges_; }

 private:
  const CidrRange* matchExact(const IpAddress& a) const;
  std::vector<CidrRange> ranges_;
};

}  // namespace agentbox::policy
