// SPDX-License-Identifier: Apache-2.0
// File: confirm_prefilter_test.cc
// The prefilter in front of RE2 is a necessary condition: it may let a text through that RE2
// then rejects, never the reverse. Checked on hand-made regexes and, for every built-in rule,
// on its test cases and tens of thousands of random mutations of them.
#include "redact/confirm_prefilter.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <random>
#include <string>
#include <vector>

#include "redact/builtin_rules.h"

namespace agentbox::redact::detail {
namespace {

struct RuleCase {
  const char* rule;
  std::string positive;
  std::string secret;
  std::string negative;
};

std::vector<RuleCase> generatedCases() {
  return {
#include "rule_cases_generated.inc"
  };
}

TEST(ConfirmPrefilter, LengthsAndSegments) {
  EXPECT_EQ(ConfirmPrefilter::fromRegex("abc").minLengthForTest(), 3U);
  EXPECT_EQ(ConfirmPrefilter::fromRegex("(?:ab|c)d{2,5}").minLengthForTest(), 3U);
  EXPECT_EQ(ConfirmPrefilter::fromRegex("x[0-9]*y?").minLengthForTest(), 1U);
  EXPECT_EQ(ConfirmPrefilter::fromRegex(R"re(\b(?i:tok)\s{0,3}=)re").minLengthForTest(), 4U);
  // A one-byte broad class (a boundary) is not worth a segment; "://" and "@" are.
  EXPECT_EQ(ConfirmPrefilter::fromRegex("[^a-z]x+").segmentCountForTest(), 1U);
  EXPECT_EQ(ConfirmPrefilter::fromRegex("[a-z]+://[^@]+@h").segmentCountForTest(), 2U);
}

TEST(ConfirmPrefilter, RejectsOnlyTextsWithoutTheNecessaryParts) {
  auto url = ConfirmPrefilter::fromRegex("[a-z]+://[^@/]+:([^@/]+)@[a-z.]+");
  EXPECT_FALSE(url.mayMatch("see https://h/p now"));
  EXPECT_FALSE(url.mayMatch("x@y then ://"));  // in order only
  EXPECT_TRUE(url.mayMatch("ftp://u:p@h"));
  auto run = ConfirmPrefilter::fromRegex("(?i:key)=([A-Za-z0-9]{8,})");
  EXPECT_FALSE(run.mayMatch("KEY=abc123 and a long-word-with-dashes"));
  EXPECT_TRUE(run.mayMatch("KEY=abcd1234"));
  auto caseless = ConfirmPrefilter::fromRegex("(?i:begin)-[a-z]{2}");
  EXPECT_TRUE(caseless.mayMatch("BEGIN-xy"));
  EXPECT_FALSE(caseless.mayMatch("BEGIN-XY"));  // the class is outside (?i:...)
}

TEST(ConfirmPrefilter, KnowsWhenGroupOneIsTheMatchWithoutItsEdges) {
  EXPECT_TRUE(ConfirmPrefilter::fromRegex("(?:[^a-z]|[nrt])(ab+(c)?)[^b]").groupIsMiddle());
  EXPECT_TRUE(ConfirmPrefilter::fromRegex("[^x](?P<v>y{3})[z]").groupIsMiddle());
  for (const char* re : {"a(b)", "(a)b", "[x](y)(z)", "([x])(y)[z]", "x(y)+z", "x(y)z|w(v)u",
                         "x{2}(y)z", "(?:x)(?:y)z", "x(?:y)z"}) {
    EXPECT_FALSE(ConfirmPrefilter::fromRegex(re).groupIsMiddle()) << re;
  }
}

TEST(ConfirmPrefilter, GivesUpOnSyntaxItDoesNotKnow) {
  for (const char* re : {R"(\pL+)", "a{,3}", "[[:alpha:]]+", "(?-i:a)", R"(\Qa.b\E)", "a**"}) {
    auto p = ConfirmPrefilter::fromRegex(re);
    EXPECT_FALSE(p.analyzedForTest()) << re;
    EXPECT_TRUE(p.mayMatch("")) << re;
  }
}

TEST(ConfirmPrefilter, AnalyzesEveryBuiltinRule) {
  for (const Rule& r : builtinRules()) {
    EXPECT_TRUE(ConfirmPrefilter::fromRegex(r.regex).analyzedForTest()) << r.id;
  }
}

// Random edits drawn from the text's own bytes and the punctuation rules care about.
std::string mutate(std::string s, std::mt19937_64& rng) {
  static const std::string kExtra = " \t\n=:@./-_+\"'\\%~#;,<>()[]{}";
  std::string pool = s + kExtra;
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    size_t at = rng() % s.size();
    char c = pool[rng() % pool.size()];
    switch (rng() % 4) {
      case 0:
        s.erase(at, 1 + rng() % 3);
        break;
      case 1:
        s.insert(at, 1, c);
        break;
      case 2:
        s[at] = c;
        break;
      default:
        s = s.substr(rng() % s.size());  // cut the front off
        break;
    }
  }
  return s;
}

// The built-in cases, padded with newlines and spaces as windows are.
std::vector<std::string> seedTexts() {
  std::vector<std::string> texts;
  for (const RuleCase& c : generatedCases()) {
    texts.push_back("\n" + c.positive + "\n");
    texts.push_back("\n" + c.negative + "\n");
    texts.push_back(" " + c.secret + " ");
  }
  return texts;
}

// Checks one rule on the texts and their mutations; returns how many RE2 matched.
size_t checkRule(const Rule& r, const std::vector<std::string>& texts, std::mt19937_64& rng) {
  RE2::Options opts;
  opts.set_encoding(RE2::Options::EncodingLatin1);
  opts.set_log_errors(false);
  RE2 re(r.regex, opts);
  EXPECT_TRUE(re.ok()) << r.id;
  ConfirmPrefilter p = ConfirmPrefilter::fromRegex(r.regex);
  ConfirmPrefilter scalar = p;
  scalar.useScalarForTest();
  size_t matched = 0;
  auto check = [&](const std::string& t) {
    EXPECT_EQ(p.mayMatch(t), scalar.mayMatch(t)) << r.id << " run search differs on: " << t;
    if (RE2::PartialMatch(t, re)) {
      ++matched;
      EXPECT_TRUE(p.mayMatch(t)) << r.id << " rejected a match in: " << t;
    }
  };
  for (const std::string& t : texts) {
    check(t);
    for (int k = 0; k < 40; ++k) {
      check(mutate(t, rng));
    }
  }
  return matched;
}

// A regex that is one run is decided by the prefilter exactly: mayMatch is RE2's answer, with
// the 32-bytes-at-a-time search and with the byte loop, for runs of every length 2-32 that
// start and end anywhere in (and across) the blocks.
TEST(ConfirmPrefilter, RunSearchIsExact) {
  std::mt19937_64 rng(23);
  RE2::Options opts;
  opts.set_encoding(RE2::Options::EncodingLatin1);
  for (uint32_t len : {2U, 5U, 16U, 31U, 32U}) {
    const std::string regex = "[A-Za-z0-9+/=_.~-]{" + std::to_string(len) + "}";
    RE2 re(regex, opts);
    ConfirmPrefilter fast = ConfirmPrefilter::fromRegex(regex);
    ASSERT_TRUE(fast.hasRunForTest()) << regex;
    ConfirmPrefilter scalar = fast;
    scalar.useScalarForTest();
    for (int round = 0; round < 400; ++round) {
      std::string text(rng() % 140, 'a');
      for (char& c : text) {
        // Mostly class bytes, with breaks (space, ':', high bytes) at varying density.
        c = rng() % (2 + round % 40) == 0 ? " :\xe9\x80\n"[rng() % 5] : "aZ09+/=_.~-"[rng() % 11];
      }
      const bool want = RE2::PartialMatch(text, re);
      ASSERT_EQ(fast.mayMatch(text), want) << regex << " on " << text;
      ASSERT_EQ(scalar.mayMatch(text), want) << regex << " on " << text;
    }
  }
  EXPECT_FALSE(ConfirmPrefilter::fromRegex("[^ ]{16}").hasRunForTest());  // high bytes in it
  EXPECT_FALSE(ConfirmPrefilter::fromRegex("[a-z]{33}").hasRunForTest());
}

TEST(ConfirmPrefilter, NeverRejectsWhatRe2Matches) {
  std::vector<std::string> texts = seedTexts();
  std::mt19937_64 rng(17);
  size_t matched = 0;
  for (const Rule& r : builtinRules()) {
    matched += checkRule(r, texts, rng);
  }
  EXPECT_GT(matched, 1000U);  // the mutations must reach real matches to mean anything
}

}  // namespace
}  // namespace agentbox::redact::detail
