// SPDX-License-Identifier: Apache-2.0
#include "policy/cidr.h"

#include <gtest/gtest.h>

#include "policy/policy.h"

namespace agentbox::policy {
namespace {

TEST(ParseCidr, AcceptsRangesAndBareAddresses) {
  struct Case {
    const char* text;
    unsigned len;
  };
  const Case cases[] = {{"10.0.0.0/8", 8}, {"169.254.169.254", 32},
                        {"0.0.0.0/0", 0},  {"fe80::/10", 10},
                        {"::1", 128},      {"::ffff:10.0.0.0/104", 104}};
  for (const Case& c : cases) {
    Result<CidrRange> r = parseCidr(c.text);
    ASSERT_TRUE(r.has_value()) << c.text << ": " << r.error().oneLine();
    EXPECT_EQ(r->prefix_len, c.len) << c.text;
  }
}

TEST(ParseCidr, RejectsMalformedRangesAndSuggestsTheNetwork) {
  for (const char* text : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.1/8", "10.0.0.0/-1",
                           "fe80::/129", "example.com/8", "10.0.0.0/8/8", "0x0a000000/8"}) {
    EXPECT_FALSE(parseCidr(text).has_value()) << text;
  }
  Result<CidrRange> r = parseCidr("10.0.0.1/8");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("did you mean 10.0.0.0/8"), std::string::npos);
}

TEST(CidrSet, DefaultDenyListCoversEveryDangerousRange) {
  Result<CidrSet> set = CidrSet::build(defaultCidrDeny());
  ASSERT_TRUE(set.has_value()) << set.error().oneLine();
  struct Case {
    const char* addr;
    bool denied;
  };
  const Case cases[] = {
      {"127.0.0.1", true},
      {"127.255.255.254", true},
      {"10.1.2.3", true},
      {"172.16.0.1", true},
      {"172.31.255.255", true},
      {"172.32.0.1", false},
      {"192.168.1.1", true},
      {"100.64.0.1", true},
      {"100.127.255.255", true},
      {"100.128.0.1", false},
      {"169.254.169.254", true},
      {"169.254.170.2", true},
      {"100.100.100.200", true},
      {"192.0.0.192", true},
      {"224.0.0.1", true},
      {"239.255.255.250", true},
      {"255.255.255.255", true},
      {"0.0.0.0", true},
      {"8.8.8.8", false},
      {"1.1.1.1", false},
      {"::1", true},
      {"::", true},
      {"fe80::1", true},
      {"fc00::1", true},
      {"fd00:ec2::254", true},
      {"ff02::1", true},
      {"2001:4860:4860::8888", false},
      {"::ffff:127.0.0.1", true},
      {"::ffff:8.8.8.8", false},
      {"::ffff:169.254.169.254", true},
      // Embedded IPv4 in other IPv6 forms is checked as IPv4.
      {"::10.0.0.1", true},
      {"64:ff9b::7f00:1", true},
      {"2002:a9fe:a9fe::1", true},
      {"64:ff9b::808:808", false},
  };
  for (const Case& c : cases) {
    std::optional<IpAddress> a = parseIpStrict(c.addr);
    ASSERT_TRUE(a.has_value()) << c.addr;
    EXPECT_EQ(set->match(*a) != nullptr, c.denied) << c.addr;
  }
}

TEST(CidrRange, CoversNarrowerRangesOfTheSameFamily) {
  CidrRange ten = *parseCidr("10.0.0.0/8");
  EXPECT_TRUE(ten.covers(*parseCidr("10.1.0.0/16")));
  EXPECT_TRUE(ten.covers(ten));
  EXPECT_FALSE(ten.covers(*parseCidr("0.0.0.0/0")));
  EXPECT_FALSE(ten.covers(*parseCidr("11.0.0.0/16")));
  EXPECT_FALSE(ten.covers(*parseCidr("::ffff:10.0.0.0/104")));
}

}  // namespace
}  // namespace agentbox::policy
