// SPDX-License-Identifier: Apache-2.0
// File: seccomp_rules_test.cc
// The masked-block decomposition that the built-in complement rules rely on.
#include "sandbox/seccomp_rules.h"

#include <gtest/gtest.h>

namespace agentbox::sandbox {
namespace {

int matches(const std::vector<MaskedBlock>& blocks, uint64_t x) {
  int n = 0;
  for (const MaskedBlock& b : blocks) {
    n += (x & b.mask) == b.value ? 1 : 0;
  }
  return n;
}

struct ExceptCase {
  std::vector<uint64_t> excluded;
  unsigned width;
};

class MaskedBlocksExcept : public ::testing::TestWithParam<ExceptCase> {};

TEST_P(MaskedBlocksExcept, CoversEveryOtherValueExactlyOnce) {
  const ExceptCase& c = GetParam();
  const auto blocks = maskedBlocksExcept(c.excluded, c.width);
  for (uint64_t x = 0; x < (uint64_t{1} << c.width); ++x) {
    const bool excluded = std::find(c.excluded.begin(), c.excluded.end(), x) != c.excluded.end();
    ASSERT_EQ(matches(blocks, x), excluded ? 0 : 1) << "x=" << x;
    // Bits above the width are ignored (the kernel truncates int arguments).
    ASSERT_EQ(matches(blocks, x | (uint64_t{1} << 40)), excluded ? 0 : 1) << "x=" << x;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, MaskedBlocksExcept,
                         ::testing::Values(ExceptCase{{3, 10}, 4}, ExceptCase{{0}, 8},
                                           ExceptCase{{0, 255}, 8}, ExceptCase{{1, 2, 10, 16}, 8},
                                           ExceptCase{{}, 6}, ExceptCase{{0x5412, 0x541c}, 16}));

TEST(MaskedBlocks, ThirtyTwoBitComplementIsSmall) {
  const auto blocks = maskedBlocksExcept({0x5412, 0x541c}, 32);
  EXPECT_LT(blocks.size(), 64U);
  EXPECT_EQ(matches(blocks, 0x5412), 0);
  EXPECT_EQ(matches(blocks, 0x5401), 1);
  EXPECT_EQ(matches(blocks, 0xffffffff), 1);
  EXPECT_EQ(matches(blocks, 0x1'0000'5412), 0);
}

TEST(SeccompActionName, NamesErrnoValues) {
  EXPECT_EQ(seccompActionName(errnoAction(1)), "SCMP_ACT_ERRNO(1)");
  EXPECT_EQ(seccompActionName(notifyAction()), "SCMP_ACT_NOTIFY");
}

}  // namespace
}  // namespace agentbox::sandbox
