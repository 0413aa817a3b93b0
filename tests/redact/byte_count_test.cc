// SPDX-License-Identifier: Apache-2.0
// File: byte_count_test.cc
#include "redact/byte_count.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace agentbox::redact::detail {
namespace {

TEST(CountByte, MatchesStdCountForEveryLengthAndAlignment) {
  std::mt19937_64 rng(5);
  std::string text(5000, 'x');
  for (char& c : text) {
    c = "\n\n\nab\xff"[rng() % 6];
  }
  for (size_t start = 0; start < 17; ++start) {
    for (size_t n = 0; start + n <= text.size(); n += (n < 100 ? 1 : 37)) {
      const auto expected = static_cast<size_t>(
          std::count(text.begin() + static_cast<std::ptrdiff_t>(start),
                     text.begin() + static_cast<std::ptrdiff_t>(start + n), '\n'));
      // countByte() takes the widest instructions this CPU has; the baseline is checked too.
      ASSERT_EQ(countByte(text.data() + start, n, '\n'), expected) << start << " " << n;
      ASSERT_EQ(countByteBaseline(text.data() + start, n, '\n'), expected) << start << " " << n;
    }
  }
}

TEST(CountByte, AllMatchesDoNotOverflowTheLanes) {
  const std::string text(100000, '\n');
  EXPECT_EQ(countByte(text.data(), text.size(), '\n'), text.size());
  EXPECT_EQ(countByte(text.data(), text.size(), 'a'), 0U);
  EXPECT_EQ(countByteBaseline(text.data(), text.size(), '\n'), text.size());
}

}  // namespace
}  // namespace agentbox::redact::detail
