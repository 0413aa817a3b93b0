// SPDX-License-Identifier: Apache-2.0
// Properties of the compiled form: the prefix index agrees with a plain scan of every rule on
// generated files and URLs, and one Robots answers many threads at once.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "policy/robots.h"

namespace agentbox::policy {
namespace {

// Small alphabet so that prefixes collide, wildcards overlap and escapes appear.
std::string randomPiece(std::mt19937& rng, size_t max_len, bool pattern) {
  static constexpr const char* kAtoms[] = {"/",   "a",   "b", "ab",       "/a", "?", "=", "%41",
                                           "%2F", "%2f", "~", "\xC3\xA9", ".",  "-", "x/"};
  static constexpr const char* kPatternAtoms[] = {"*", "*", "$"};
  std::string out;
  const size_t n = rng() % (max_len + 1);
  for (size_t i = 0; i < n; ++i) {
    if (pattern && rng() % 6 == 0) {
      out += kPatternAtoms[rng() % 3];
    } else {
      out += kAtoms[rng() % (sizeof(kAtoms) / sizeof(kAtoms[0]))];
    }
  }
  return out;
}

TEST(RobotsIndex, AgreesWithPlainScan) {
  std::mt19937 rng(20260309);
  int checked = 0;
  for (int file = 0; file < 300; ++file) {
    std::string body;
    const int groups = 1 + static_cast<int>(rng() % 3);
    for (int g = 0; g < groups; ++g) {
      body += rng() % 2 != 0 ? "User-agent: *\n" : "User-agent: agentbox\n";
      const int rules = static_cast<int>(rng() % 40);
      for (int i = 0; i < rules; ++i) {
        body += rng() % 2 != 0 ? "Allow: " : "Disallow: ";
        body += (rng() % 8 == 0 ? "*" : "/") + randomPiece(rng, 6, true);
        body += '\n';
      }
    }
    const Robots r = Robots::compile(body, "agentbox");
    for (int u = 0; u < 200; ++u) {
      const std::string url = "/" + randomPiece(rng, 8, false);
      const RobotsVerdict a = r.check(url);
      const RobotsVerdict b = r.checkByScanForTest(url);
      ASSERT_EQ(a.allowed, b.allowed) << body << "\nurl=" << url;
      ASSERT_EQ(a.line, b.line) << body << "\nurl=" << url;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 300 * 200);
}

TEST(RobotsIndex, PrefixesWithTheSameHashKeyAreBothFound) {
  // The index hashes a prefix's length and octets [0,8), [len/2-4, len/2+4), [len-8, len):
  // these two differ only at octet 8, so they collide and must both still be found.
  const std::string first = "/aaaaaaaXbbbbbbbccccccccddddddddeeeeeee/";
  std::string second = first;
  second[8] = 'Y';
  const Robots r = Robots::compile(
      "User-agent: *\nDisallow: " + first + "\nDisallow: " + second + "\nAllow: /\n", "agentbox");
  EXPECT_EQ(r.check(first + "x").line, 2u);
  EXPECT_EQ(r.check(second + "x").line, 3u);
  EXPECT_TRUE(r.allowed("/aaaaaaaZbbbbbbbccccccccddddddddeeeeeee/"));
}

TEST(RobotsIndex, LongPrefixesUseTheOverflowLengths) {
  std::string body = "User-agent: *\n";
  const std::string deep = "/" + std::string(700, 'd');
  body += "Disallow: " + deep + "\n";
  body += "Allow: " + deep + "/ok\n";
  const Robots r = Robots::compile(body, "agentbox");
  EXPECT_FALSE(r.allowed(deep + "/x"));
  EXPECT_TRUE(r.allowed(deep + "/ok"));
  EXPECT_TRUE(r.allowed(deep.substr(0, 600)));
}

TEST(RobotsIndex, SharedBetweenThreads) {
  std::string body = "User-agent: *\n";
  for (int i = 0; i < 300; ++i) {
    body += "Disallow: /d" + std::to_string(i) + "/\nAllow: /d" + std::to_string(i) + "/pub*\n";
  }
  const Robots r = Robots::compile(body, "agentbox");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r, &wrong, t] {
      for (int i = 0; i < 20000; ++i) {
        const int d = (i * 7 + t) % 300;
        const bool pub = i % 2 == 0;
        const std::string url = "http://h/d" + std::to_string(d) + (pub ? "/pub/x" : "/priv/x");
        if (r.allowed(url) != pub) {
          wrong.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& th : threads) {
    th.join();
  }
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace agentbox::policy
