// SPDX-License-Identifier: Apache-2.0
#include "policy/units.h"

#include <gtest/gtest.h>

#include "policy/policy.h"

namespace agentbox::policy {
namespace {

TEST(ParseSize, AcceptsBinaryUnits) {
  struct Case {
    const char* text;
    uint64_t bytes;
  };
  const Case cases[] = {
      {"0", 0},     {"4096", 4096},     {"1k", 1024},       {"2K", 2048},   {"128m", 128 * kMiB},
      {"1g", kGiB}, {"3KiB", 3 * kKiB}, {"5MiB", 5 * kMiB}, {"1GiB", kGiB}, {"7b", 7}};
  for (const Case& c : cases) {
    Result<uint64_t> r = parseSize(c.text);
    ASSERT_TRUE(r.has_value()) << c.text << ": " << r.error().oneLine();
    EXPECT_EQ(*r, c.bytes) << c.text;
  }
}

TEST(ParseSize, RejectsEverythingElse) {
  for (const char* text : {"", " 1m", "1m ", "-1", "+1", "1.5m", "1t", "1mb", "m", "1 m",
                           "99999999999999999999", "17179869184g"}) {
    EXPECT_FALSE(parseSize(text).has_value()) << text;
  }
}

TEST(ParseDuration, AcceptsSecondsAndUnits) {
  struct Case {
    const char* text;
    uint64_t ms;
  };
  const Case cases[] = {{"600", 600000}, {"2.5", 2500},    {"0.001", 1},
                        {"90s", 90000},  {"2m", 120000},   {"1500ms", 1500},
                        {"1h", 3600000}, {"1m30s", 90000}, {"1h2m3s4ms", 3723004}};
  for (const Case& c : cases) {
    Result<uint64_t> r = parseDurationMs(c.text);
    ASSERT_TRUE(r.has_value()) << c.text << ": " << r.error().oneLine();
    EXPECT_EQ(*r, c.ms) << c.text;
  }
}

TEST(ParseDuration, RejectsEverythingElse) {
  for (const char* text : {"", "s", "-1", "1.", ".5", "1.5s", "10x", "1s1m", "1m1m", "1 s", "1,5",
                           "99999999999999999999"}) {
    EXPECT_FALSE(parseDurationMs(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace agentbox::policy
