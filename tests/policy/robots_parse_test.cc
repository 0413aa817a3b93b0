// SPDX-License-Identifier: Apache-2.0
// The line layer (RobotsLexer), the size cap and the byte-level helpers of robots_pattern.h.
#include "policy/robots_parse.h"

#include <gtest/gtest.h>

#include <ostream>
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
