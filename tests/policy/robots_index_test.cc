// SPDX-License-Identifier: Apache-2.0
// Properties of the compiled form: the prefix index agrees with a plain scan of every rule on
// generated files and URLs, and one Robots answers many threads at once.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
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

// The arena starts as a copy of the whole file; when the kept rules use less than half of
// it, compile() rebuilds it with only their text. Both forms must give the same verdicts and
// the same rule text as written.
TEST(RobotsIndex, SparseFilesAreCompactedWithTheSameVerdicts) {
  auto file = [](const std::string& padding) {
    return "User-agent: otherbot\nDisallow: /other\n#" + padding +
           "\nUser-agent: *\nDisallow: /caf\xC3\xA9/x\nAllow: /caf%c3%a9/x/ok\n"
           "Disallow: /*.pdf$\nAllow: /p\nDisallow: /p/%7Euser\n";
  };
  const std::string dense_body = file("short");
  const std::string sparse_body = file(std::string(200000, 'c'));
  const Robots dense = Robots::compile(dense_body, "agentbox");
  const Robots sparse = Robots::compile(sparse_body, "agentbox");
  EXPECT_GE(dense.arenaBytesForTest(), dense_body.size());  // not compacted: whole text
  EXPECT_LT(sparse.arenaBytesForTest(), 1000u);             // compacted: the 5 rules only
  ASSERT_EQ(sparse.ruleCount(), 5u);
  struct Case {
    const char* url;
    bool allowed;
    uint32_t line;
    std::string_view rule;
  };
  const Case cases[] = {
      {"/caf\xC3\xA9/x/y", false, 5, "/caf\xC3\xA9/x"},
      {"/caf%C3%A9/x/ok/1", true, 6, "/caf%c3%a9/x/ok"},
      {"/docs/a.pdf", false, 7, "/*.pdf$"},
      {"/p/~user/", false, 9, "/p/%7Euser"},
      {"/p/other", true, 8, "/p"},
      {"/other", true, 0, ""},
  };
  for (const Robots* r : {&dense, &sparse}) {
    for (const Case& c : cases) {
      const RobotsVerdict v = r->check(c.url);
      EXPECT_EQ(v.allowed, c.allowed) << c.url;
      EXPECT_EQ(v.line, c.line) << c.url;
      EXPECT_EQ(v.rule, c.rule) << c.url;
      EXPECT_EQ(r->checkByScanForTest(c.url).line, c.line) << c.url;
    }
  }
  // A copy owns its own arena: the views it returns stay valid after the original is gone.
  auto copy = std::make_unique<Robots>(sparse);
  const Robots moved = std::move(*copy);
  copy.reset();
  EXPECT_EQ(moved.check("/docs/a.pdf").rule, "/*.pdf$");
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
