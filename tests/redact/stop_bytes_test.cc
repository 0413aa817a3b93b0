// SPDX-License-Identifier: Apache-2.0
// File: stop_bytes_test.cc
// StopBytes against a byte loop over the CharSet it was made from: sets that leave out a few
// bytes (compared 16 at a time) and sets that leave out many (the byte loop), every length and
// alignment, stop bytes at every position.
#include "redact/stop_bytes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace agentbox::redact::detail {
namespace {

size_t naiveFind(const CharSet& keep, const char* p, size_t n) {
  size_t i = 0;
  while (i < n && keep.has(static_cast<unsigned char>(p[i]))) {
    ++i;
  }
  return i;
}

void expectSameAsNaive(const CharSet& keep, const std::string& text) {
  const StopBytes stops(keep);
  for (size_t start = 0; start < 17 && start <= text.size(); ++start) {
    for (size_t n = 0; start + n <= text.size(); ++n) {
      ASSERT_EQ(stops.find(text.data() + start, n), naiveFind(keep, text.data() + start, n))
          << "start " << start << " n " << n;
    }
  }
}

TEST(StopBytes, FewLeftOutBytesAreComparedSixteenAtATime) {
  EXPECT_TRUE(StopBytes(CharSet::parse("^\r\n")).vectorForTest());
  EXPECT_TRUE(StopBytes(CharSet::parse("^\r\n\t \"'<>")).vectorForTest());  // 8 left out
  EXPECT_FALSE(StopBytes(CharSet::parse("^\r\n\t \"'<>;")).vectorForTest());
  EXPECT_FALSE(StopBytes(CharSet::parse("A-Za-z0-9")).vectorForTest());
}

TEST(StopBytes, SameAsAByteLoopForEveryLengthAndAlignment) {
  std::mt19937_64 rng(11);
  for (const char* spec : {"^\r\n", "^\r\n\"'", "^\r\n\t \"'<>", "A-Za-z0-9_\\-", "", "^"}) {
    const CharSet keep = CharSet::parse(spec);
    for (int density : {0, 3, 40}) {
      std::string text(150, 'a');
      for (char& c : text) {
        // Mostly kept bytes, a stop byte now and then, high bytes too.
        const auto r = static_cast<int>(rng() % 100);
        c = r < density ? "\r\n\"'<> \t;\xff"[rng() % 10] : static_cast<char>(0x20 + rng() % 0x60);
      }
      expectSameAsNaive(keep, text);
    }
  }
}

TEST(StopBytes, AStopByteAtEachPositionOfALongRun) {
  const CharSet keep = CharSet::parse("^\r\n");
  for (size_t pos = 0; pos < 100; ++pos) {
    std::string text(100, 'x');
    text[pos] = pos % 2 == 0 ? '\n' : '\r';
    EXPECT_EQ(StopBytes(keep).find(text.data(), text.size()), pos);
  }
  const std::string none(100, 'x');
  EXPECT_EQ(StopBytes(keep).find(none.data(), none.size()), none.size());
}

}  // namespace
}  // namespace agentbox::redact::detail
