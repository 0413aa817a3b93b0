// SPDX-License-Identifier: Apache-2.0
// The line layer (RobotsLexer), the size cap and the byte-level helpers of robots_pattern.h.
#include "policy/robots_parse.h"

#include <gtest/gtest.h>

#include <iterator>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "policy/robots.h"
#include "policy/robots_pattern.h"

namespace agentbox::policy {
namespace {

struct Seen {
  uint32_t line;
  RobotsKey key;
  std::string value;
  bool operator==(const Seen&) const = default;
  friend void PrintTo(const Seen& s, std::ostream* os) {
    *os << "{line " << s.line << ", key " << static_cast<int>(s.key) << ", '" << s.value << "'}";
  }
};

std::vector<Seen> records(std::string_view body) {
  std::vector<Seen> out;
  RobotsLexer lex(body);
  RobotsRecord rec;
  while (lex.next(rec)) {
    out.push_back({rec.line, rec.key, std::string(rec.value)});
  }
  return out;
}

TEST(RobotsLexer, LineEndsAllCountTheSame) {
  const std::vector<Seen> want = {{1, RobotsKey::kUserAgent, "a"},
                                  {2, RobotsKey::kAllow, "/x"},
                                  {3, RobotsKey::kUserAgent, "b"},
                                  {6, RobotsKey::kDisallow, "/"}};
  // §2.2: NL = CR / LF / CRLF.
  for (const char* body : {"User-agent: a\nAllow: /x\nUser-agent: b\n\n\nDisallow: /\n",
                           "User-agent: a\r\nAllow: /x\r\nUser-agent: b\r\n\r\n\r\nDisallow: /\r\n",
                           "User-agent: a\rAllow: /x\rUser-agent: b\r\r\rDisallow: /\r",
                           "User-agent: a\nAllow: /x\r\nUser-agent: b\r\r\n\nDisallow: /",
                           "User-agent: a\nAllow: /x\nUser-agent: b\n\n\nDisallow: /"}) {
    EXPECT_EQ(records(body), want) << body;
  }
}

TEST(RobotsLexer, KeysCommentsAndSeparators) {
  EXPECT_EQ(records("Sitemap: http://h/s.xml # map\nHost: h\nCrawl-delay: 1\n"),
            (std::vector<Seen>{{1, RobotsKey::kSitemap, "http://h/s.xml"},
                               {2, RobotsKey::kOther, "h"},
                               {3, RobotsKey::kCrawlDelay, "1"}}));
  // A colon inside the value stays in it; only the first one separates.
  EXPECT_EQ(records("Allow: /a:b:c\n"), (std::vector<Seen>{{1, RobotsKey::kAllow, "/a:b:c"}}));
  // No key, no record; a lone word is no record either.
  EXPECT_TRUE(records(": /x\nDisallow\n# only a comment\n   \n").empty());
  // A key with an empty value is still a record.
  EXPECT_EQ(records("Disallow:   # nothing\n"), (std::vector<Seen>{{1, RobotsKey::kDisallow, ""}}));
}

TEST(RobotsLexer, ByteOrderMark) {
  EXPECT_EQ(records("\xEF\xBB\xBFUser-agent: a\n"),
            (std::vector<Seen>{{1, RobotsKey::kUserAgent, "a"}}));
  EXPECT_EQ(records("\xEF\xBB\xBF"), std::vector<Seen>{});
  // A broken mark is not skipped: the first line becomes an unknown key.
  const std::vector<Seen> broken = records("\xEF\x11\xBFUser-agent: a\n");
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].key, RobotsKey::kOther);
}

TEST(RobotsLexer, CrOnlyFilesAreLinear) {
  // 39k CR-terminated lines (just under the cap): a lexer that searched for '\n' from every
  // line start would read 10 GB; ours stops at the first CR or LF it meets.
  std::string body;
  for (int i = 0; i < 39000; ++i) {
    body += "Disallow: /x\r";
  }
  ASSERT_LE(body.size(), kRobotsMaxBytes);
  EXPECT_EQ(records(body).size(), 39000u);
}

// Records compared field by field, views by their position in the body.
void expectSameRecords(std::string_view body, RobotsLexer::Classifier classifier) {
  std::vector<RobotsRecord> fast;
  RobotsLexer lex(body, classifier);
  RobotsRecord rec;
  while (lex.next(rec)) {
    fast.push_back(rec);
  }
  const std::vector<RobotsRecord> plain = robotsRecordsByScanForTest(body);
  ASSERT_EQ(fast.size(), plain.size()) << testing::PrintToString(body);
  for (size_t i = 0; i < fast.size(); ++i) {
    const RobotsRecord& a = fast[i];
    const RobotsRecord& b = plain[i];
    EXPECT_EQ(a.line, b.line) << testing::PrintToString(body);
    EXPECT_EQ(a.key, b.key) << testing::PrintToString(body);
    EXPECT_EQ(a.name.data(), b.name.data()) << testing::PrintToString(body);
    EXPECT_EQ(a.name, b.name) << testing::PrintToString(body);
    EXPECT_EQ(a.value.data() - body.data(), b.value.data() - body.data())
        << testing::PrintToString(body);
    EXPECT_EQ(a.value, b.value) << testing::PrintToString(body);
    EXPECT_EQ(a.literal, b.literal) << testing::PrintToString(body) << " value " << a.value;
  }
}

// Both block classifiers (the same one twice on CPUs without AVX-512BW).
void expectSameRecords(std::string_view body) {
  for (const auto classifier :
       {RobotsLexer::Classifier::kWidest, RobotsLexer::Classifier::kBaseline}) {
    SCOPED_TRACE(classifier == RobotsLexer::Classifier::kWidest ? "widest" : "baseline");
    expectSameRecords(body, classifier);
  }
}

TEST(RobotsLexer, AgreesWithPlainScanOnGeneratedFiles) {
  // Atoms that make the lexer's cases: keys (with case and typos), separators, every kind of
  // line end, blanks, operators, octets that need encoding, BOM pieces; files of up to ~600
  // octets so that lines cross the 64-octet blocks the lexer classifies at once.
  static constexpr std::string_view kAtoms[] = {"User-agent",
                                                "disallow",
                                                "ALLOW",
                                                "Crawl-delay",
                                                "sitemap",
                                                "user agent",
                                                "Disalow",
                                                "useragent",
                                                ":",
                                                ":",
                                                "#",
                                                " ",
                                                "\t",
                                                "\v",
                                                "\f",
                                                "\n",
                                                "\r",
                                                "\r\n",
                                                "/",
                                                "/a",
                                                "%",
                                                "%41",
                                                "*",
                                                "$",
                                                "x",
                                                "\x80",
                                                "\xEF\xBB\xBF",
                                                "\x7F",
                                                std::string_view("\0", 1),
                                                "\x01",
                                                "~",
                                                "-",
                                                "agentbox"};
  std::mt19937 rng(64);
  size_t records_seen = 0;
  size_t literals_seen = 0;
  for (int file = 0; file < 3000; ++file) {
    std::string body;
    const size_t atoms = rng() % 200;
    for (size_t i = 0; i < atoms; ++i) {
      body += kAtoms[rng() % std::size(kAtoms)];
    }
    expectSameRecords(body);
    if (HasFailure()) {
      return;
    }
    for (const RobotsRecord& r : robotsRecordsByScanForTest(body)) {
      ++records_seen;
      literals_seen += (r.literal && !r.value.empty()) ? 1 : 0;
    }
  }
  // The generator must reach the cases it is for.
  EXPECT_GT(records_seen, 10000u);
  EXPECT_GT(literals_seen, 800u);
}

TEST(RobotsLexer, RecordsAcrossWindows) {
  // The lexer classifies a window of robots_internal::kLexerWindowBlocks blocks at a time:
  // files several windows long, whose lines and comments sometimes run longer than a block
  // or a whole window, and empty lines, so that searches start in the last block of a window
  // (or at its first octet, right after a line end), run past it, and begin before it.
  constexpr size_t kWindow = robots_internal::kLexerWindowBlocks * 64;
  std::mt19937 rng(1024);
  const std::string_view ends[] = {"\n", "\r", "\r\n"};
  for (int file = 0; file < 400; ++file) {
    std::string body;
    const size_t size = kWindow * (1 + rng() % 5) + rng() % 64;
    while (body.size() < size) {
      const size_t run = rng() % 8 == 0 ? rng() % (kWindow + 200) : rng() % 40;
      switch (rng() % 5) {
        case 0:
          break;  // an empty line (after a CR, an LF here makes the two one CR LF)
        case 1:
          body += "Disallow: /" + std::string(run, 'a') + (rng() % 2 == 0 ? "*" : "");
          break;
        case 2:
          body += "# " + std::string(run, 'c');
          break;
        case 3:
          body += "Allow:" + std::string(run % 70, ' ') + "/x%41 y" + std::string(run, 'b');
          break;
        default:
          body += "User-agent: agentbox";
          break;
      }
      body += ends[rng() % std::size(ends)];
    }
    expectSameRecords(body);
    if (HasFailure()) {
      return;
    }
  }
}

TEST(RobotsLexer, RecordsAcrossBlockBoundaries) {
  // Shift a fixed file by 0..140 octets so that keys, colons, values, comments and CR LF
  // pairs each fall on both sides of a 64-octet boundary (and at the very end of the body).
  for (size_t shift = 0; shift <= 140; ++shift) {
    const std::string body = "#" + std::string(shift, 'x') +
                             "\nDisallow: /a%b c \t# note\r\nAllow:\t/plain/path-1  \r"
                             "user-AGENT :  agentbox\r\r\nDisallow /tmp\nAllow: /end%";
    expectSameRecords(body);
    const std::vector<Seen> want = {{2, RobotsKey::kDisallow, "/a%b c"},
                                    {3, RobotsKey::kAllow, "/plain/path-1"},
                                    {4, RobotsKey::kUserAgent, "agentbox"},
                                    {6, RobotsKey::kDisallow, "/tmp"},
                                    {7, RobotsKey::kAllow, "/end%"}};
    ASSERT_EQ(records(body), want) << "shift " << shift;
    RobotsLexer lex(body);
    RobotsRecord rec;
    std::vector<bool> literal;
    while (lex.next(rec)) {
      literal.push_back(rec.literal);
    }
    EXPECT_EQ(literal, (std::vector<bool>{false, true, true, false, false})) << "shift " << shift;
  }
}

TEST(RobotsLexer, KeysMatchWholeAndCaseOnlyForLetters) {
  EXPECT_EQ(records("DiSaLlOw: /a\nuSER-aGENT: b\nCRAWL-DELAY: 1\nsiteMAP: s\n"),
            (std::vector<Seen>{{1, RobotsKey::kDisallow, "/a"},
                               {2, RobotsKey::kUserAgent, "b"},
                               {3, RobotsKey::kCrawlDelay, "1"},
                               {4, RobotsKey::kSitemap, "s"}}));
  // Case folding is for letters only: 0x00 | 0x20 is ' ', so "user\0agent" must not pass for
  // "user agent"; '_' is not '-'; and a key is the whole word.
  const std::string nul_agent("user\0agent: a\n", 14);
  EXPECT_EQ(records(nul_agent), (std::vector<Seen>{{1, RobotsKey::kOther, "a"}}));
  EXPECT_EQ(records("user_agent: a\ncrawl_delay: 1\nALLO\x17: /x\nDisallowed: /z\nallo: /w\n"),
            (std::vector<Seen>{{1, RobotsKey::kOther, "a"},
                               {2, RobotsKey::kOther, "1"},
                               {3, RobotsKey::kOther, "/x"},
                               {4, RobotsKey::kOther, "/z"},
                               {5, RobotsKey::kOther, "/w"}}));
}

TEST(RobotsSizeCap, CrLfSplitByTheCap) {
  // The CR is the last octet inside the cap and its LF the first one past it: the CR alone
  // ends the line (§2.2), so the rule is whole and kept.
  std::string body = "User-agent: *\n";
  const std::string rule = "Disallow: /kept\r";
  body += std::string(kRobotsMaxBytes - body.size() - rule.size() - 1, '#') + "\n" + rule;
  ASSERT_EQ(body.size(), kRobotsMaxBytes);
  body += "\nDisallow: /late\n";
  const Robots r = Robots::compile(body, "agentbox");
  EXPECT_EQ(robotsEffectiveBody(body).size(), kRobotsMaxBytes);
  EXPECT_FALSE(r.allowed("/kept"));
  EXPECT_TRUE(r.allowed("/late"));
  EXPECT_EQ(r.ruleCount(), 1u);
}

TEST(RobotsSizeCap, LineWhoseEndIsJustPastTheCapIsDropped) {
  // The value ends exactly at the cap but its LF is past it: the lexer cannot know the line
  // was complete, so it is dropped like any cut line (docs/robots.md).
  std::string body = "User-agent: *\nDisallow: /early\n";
  const std::string rule = "Disallow: /last";
  body += std::string(kRobotsMaxBytes - body.size() - rule.size() - 1, '#') + "\n" + rule;
  ASSERT_EQ(body.size(), kRobotsMaxBytes);
  EXPECT_FALSE(Robots::compile(body, "agentbox").allowed("/last"));  // exactly the cap: read
  body += "\n";
  const Robots r = Robots::compile(body, "agentbox");
  EXPECT_TRUE(r.allowed("/last"));
  EXPECT_FALSE(r.allowed("/early"));
  expectSameRecords(body);
}

TEST(RobotsLexer, PercentAtTheEndOfAPattern) {
  // A '%' with fewer than two octets after it is the octet '%' (%25), also as the body's
  // last octet; a final '%' must not make the lexer or the normalizer read past the end.
  for (const char* body : {"User-agent: *\nDisallow: /a%", "User-agent: *\nDisallow: /a%\n",
                           "User-agent: *\nDisallow: /a%\r", "User-agent: *\nDisallow: /a% #c"}) {
    const Robots r = Robots::compile(body, "agentbox");
    EXPECT_FALSE(r.allowed("/a%")) << body;
    EXPECT_FALSE(r.allowed("/a%25")) << body;
    EXPECT_FALSE(r.allowed("/a%25x")) << body;
    EXPECT_TRUE(r.allowed("/a")) << body;
    EXPECT_FALSE(r.allowed("/a%2")) << body;  // "/a%252"
    EXPECT_TRUE(r.allowed("/a%2F")) << body;
    EXPECT_TRUE(r.allowed("/a%41")) << body;  // "/aA"
  }
}

TEST(RobotsSizeCap, ContentBeyond500KiBIsIgnored) {
  // §2.5: parse at least 500 KiB; content past our limit is ignored.
  const std::string head = "User-agent: *\nDisallow: /early\n";
  std::string filler;
  while (head.size() + filler.size() < kRobotsMaxBytes - 100) {
    filler += "# padding padding padding padding padding padding padding padding\n";
  }
  const std::string within = head + filler + "Disallow: /inside\n";
  ASSERT_LE(within.size(), kRobotsMaxBytes);
  std::string beyond = within;
  while (beyond.size() <= kRobotsMaxBytes) {
    beyond += "# more padding\n";
  }
  beyond += "Disallow: /late\n";
  const Robots r = Robots::compile(beyond, "agentbox");
  EXPECT_FALSE(r.allowed("/early"));   // §2.5 first rule kept
  EXPECT_FALSE(r.allowed("/inside"));  // §2.5 last rule within the cap kept
  EXPECT_TRUE(r.allowed("/late"));     // §2.5 rule past the cap ignored
}

TEST(RobotsSizeCap, LineCutByTheCapIsIgnored) {
  std::string body = "User-agent: *\n";
  const size_t start = kRobotsMaxBytes - 13;  // "Disallow: /se" ends exactly at the cap
  body += std::string(start - body.size() - 1, '#');
  body += '\n';
  ASSERT_EQ(body.size(), start);
  body += "Disallow: /secret-area\n";
  const Robots r = Robots::compile(body, "agentbox");
  // The cut line is dropped whole rather than read as the shorter rule "/se".
  EXPECT_EQ(robotsEffectiveBody(body).size(), start);
  EXPECT_EQ(r.ruleCount(), 0u);
  EXPECT_TRUE(r.allowed("/select"));
}

TEST(RobotsSizeCap, ExactlyAtTheCapIsAllRead) {
  std::string body = "User-agent: *\n";
  const std::string last = "Disallow: /last";
  while (body.size() < kRobotsMaxBytes - last.size()) {
    body += "\n";
  }
  body += last;
  ASSERT_EQ(body.size(), kRobotsMaxBytes);
  EXPECT_FALSE(Robots::compile(body, "agentbox").allowed("/last"));
}

TEST(RobotsSizeCap, OneHugeLineBeyondTheCapIsIgnored) {
  std::string body = "User-agent: *\nDisallow: /" + std::string(kRobotsMaxBytes, 'a');
  const Robots r = Robots::compile(body, "agentbox");
  EXPECT_EQ(r.ruleCount(), 0u);
  EXPECT_TRUE(r.allowed("/" + std::string(100, 'a')));
}

TEST(RobotsPattern, Normalization) {
  struct Case {
    const char* in;
    RobotsSide side;
    const char* out;
  };
  constexpr auto kP = RobotsSide::kPattern;
  constexpr auto kU = RobotsSide::kUrl;
  const Case cases[] = {
      {"/a/b?c=d", kP, "/a/b?c=d"},
      {"/caf\xC3\xA9", kP, "/caf%C3%A9"},
      {"/%c3%a9", kP, "/%C3%A9"},
      {"/%7e%41%2d%2E%5F%30", kU, "/~A-._0"},
      {"/%2f%3F%23%25", kU, "/%2F%3F%23%25"},
      {"/100%", kU, "/100%25"},
      {"/%g1", kU, "/%25g1"},
      {"/%4", kU, "/%254"},
      {"/a b\t", kU, "/a%20b%09"},
      {"/\x7F", kU, "/%7F"},
      {"/a*b$", kP, "/a*b$"},
      {"/a*b$", kU, "/a%2Ab%24"},
      {"/a$b", kP, "/a%24b"},
      {"/a$$", kP, "/a%24$"},
      {"/%2A", kP, "/%2A"},
      {"", kP, ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(normalizeRobots(c.in, c.side), c.out) << c.in;
    EXPECT_EQ(normalizedRobotsSize(c.in, c.side, false), std::string(c.out).size()) << c.in;
    EXPECT_EQ(robotsNeedsNormalizing(c.in, c.side), std::string(c.in) != c.out) << c.in;
  }
}

TEST(RobotsPattern, PathAndQuery) {
  struct Case {
    const char* url;
    const char* path;
  };
  const Case cases[] = {
      {"", ""},
      {"http://www.example.com", ""},
      {"http://www.example.com/", "/"},
      {"http://www.example.com/a/b?c=d#e", "/a/b?c=d"},
      {"http://www.example.com/a/b?c=http://x/y", "/a/b?c=http://x/y"},
      {"https://u:p@h:8443/p;x=1", "/p;x=1"},
      {"http://h?q", "?q"},
      {"http://h#frag", ""},
      {"//h/a", "/a"},
      {"/a?b#c", "/a?b"},
      {"h/a", "/a"},
      {"h", ""},
      {"h?q", "?q"},
      {"a/b://c", "/b://c"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(robotsPathAndQuery(c.url), c.path) << c.url;
  }
}

TEST(RobotsPattern, ProductToken) {
  EXPECT_EQ(robotsProductToken("agentbox"), "agentbox");
  EXPECT_EQ(robotsProductToken("agentbox/1.0 (+https://x)"), "agentbox");
  EXPECT_EQ(robotsProductToken("Foo_Bar-baz 2"), "Foo_Bar-baz");
  EXPECT_EQ(robotsProductToken("*"), "");
  EXPECT_EQ(robotsProductToken(" agentbox"), "");
  EXPECT_EQ(robotsProductToken("\xE3\x83\x84"), "");
}

TEST(RobotsPattern, MatchPrimitives) {
  struct Case {
    const char* pattern;
    const char* path;
    bool match;
  };
  const Case cases[] = {
      {"/", "/", true},         {"/a", "/", false},     {"/a$", "/a", true},
      {"/a$", "/ab", false},    {"*", "/", true},       {"/*a*a*a$", "/aa", false},
      {"/*a*a$", "/aaa", true}, {"/*x*", "/ab", false}, {"/a**b", "/ab", true},
      {"/*$", "/", true},       {"", "/", true},        {"/ab*ab$", "/ab", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(robotsPatternMatches(c.pattern, c.path), c.match) << c.pattern << " " << c.path;
  }
}

}  // namespace
}  // namespace agentbox::policy
