// SPDX-License-Identifier: Apache-2.0
// Crawl-delay as docs/robots.md defines it (RFC 9309 does not: it is an "other record",
// §2.2.4). Each row names the clause of the definition it checks.
#include <gtest/gtest.h>

#include <optional>

#include "policy/robots.h"
#include "policy/robots_parse.h"

namespace agentbox::policy {
namespace {

TEST(RobotsCrawlDelay, ValueSyntax) {
  struct Case {
    const char* value;
    double seconds;  // negative: ignored
  };
  const Case cases[] = {
      {"2", 2},      {"2.5", 2.5}, {"0", 0},    {"0.25", 0.25}, {"10", 10},  {"007", 7},
      {"1.000", 1},  {"abc", -1},  {"-5", -1},  {"10s", -1},    {"1,5", -1}, {"", -1},
      {"+2", -1},    {".5", -1},   {"2.", -1},  {"1e3", -1},    {"2 5", -1}, {"0x10", -1},
      {"1.2.3", -1}, {"inf", -1},  {"nan", -1},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parseRobotsCrawlDelay(c.value), c.seconds) << "'" << c.value << "'";
  }
  // Too large for a double: ignored rather than infinite.
  EXPECT_LT(parseRobotsCrawlDelay(std::string(400, '9')), 0);
}

struct DelayCase {
  const char* clause;
  const char* robots;
  const char* agent;
  std::optional<double> seconds;
};

TEST(RobotsCrawlDelay, WhichValueApplies) {
  const DelayCase cases[] = {
      {"plain value in the * group", "User-agent: *\nCrawl-delay: 2\n", "agentbox", 2.0},
      {"fractional value", "User-agent: *\nCrawl-delay: 2.5\n", "agentbox", 2.5},
      {"field name is case-insensitive", "User-agent: *\ncRAWL-dELAY: 3\n", "agentbox", 3.0},
      {"no crawl-delay line", "User-agent: *\nDisallow: /\n", "agentbox", std::nullopt},
      {"empty file", "", "agentbox", std::nullopt},
      {"invalid 'abc' ignored", "User-agent: *\nCrawl-delay: abc\n", "agentbox", std::nullopt},
      {"invalid '-5' ignored", "User-agent: *\nCrawl-delay: -5\n", "agentbox", std::nullopt},
      {"invalid '10s' ignored", "User-agent: *\nCrawl-delay: 10s\n", "agentbox", std::nullopt},
      {"invalid '1,5' ignored", "User-agent: *\nCrawl-delay: 1,5\n", "agentbox", std::nullopt},
      {"empty value ignored", "User-agent: *\nCrawl-delay:\n", "agentbox", std::nullopt},
      {"invalid value is skipped, a later valid one applies",
       "User-agent: *\nCrawl-delay: soon\nCrawl-delay: 4\n", "agentbox", 4.0},
      {"first valid value in file order wins", "User-agent: *\nCrawl-delay: 1\nCrawl-delay: 9\n",
       "agentbox", 1.0},
      {"first valid across merged groups",
       "User-agent: agentbox\nCrawl-delay: 7\nUser-agent: x\nDisallow: /\n"
       "User-agent: agentbox\nCrawl-delay: 3\n",
       "agentbox", 7.0},
      {"the agent's own group wins over *",
       "User-agent: *\nCrawl-delay: 10\n\nUser-agent: agentbox\nCrawl-delay: 1\n", "agentbox", 1.0},
      {"own group without crawl-delay: no fallback to *",
       "User-agent: *\nCrawl-delay: 10\n\nUser-agent: agentbox\nDisallow: /x\n", "agentbox",
       std::nullopt},
      {"own group with only invalid values: no fallback to *",
       "User-agent: *\nCrawl-delay: 10\n\nUser-agent: agentbox\nCrawl-delay: fast\n", "agentbox",
       std::nullopt},
      {"another agent's crawl-delay does not apply", "User-agent: otherbot\nCrawl-delay: 30\n",
       "agentbox", std::nullopt},
      {"other agents get the * value",
       "User-agent: *\nCrawl-delay: 10\n\nUser-agent: agentbox\nCrawl-delay: 1\n", "otherbot",
       10.0},
      {"a line before any user-agent line belongs to no group",
       "Crawl-delay: 5\nUser-agent: *\nDisallow: /x\n", "agentbox", std::nullopt},
      {"a value before any group does not win over a later one",
       "Crawl-delay: 5\nUser-agent: *\nCrawl-delay: 6\n", "agentbox", 6.0},
      {"trailing comment is not part of the value", "User-agent: *\nCrawl-delay: 2 # polite\n",
       "agentbox", 2.0},
      {"blanks around the value", "User-agent: *\nCrawl-delay:   2.5  \n", "agentbox", 2.5},
      {"group shared by several user-agent lines",
       "User-agent: otherbot\nUser-agent: agentbox\nCrawl-delay: 8\n", "agentbox", 8.0},
      {"a valid crawl-delay closes the user-agent run",
       "User-agent: agentbox\nCrawl-delay: 5\nUser-agent: otherbot\nCrawl-delay: 60\n", "agentbox",
       5.0},
      {"...so the next agent has its own value",
       "User-agent: agentbox\nCrawl-delay: 5\nUser-agent: otherbot\nCrawl-delay: 60\n", "otherbot",
       60.0},
      {"zero is a valid delay", "User-agent: *\nCrawl-delay: 0\n", "agentbox", 0.0},
      {"CRLF file", "User-agent: *\r\nCrawl-delay: 3\r\n", "agentbox", 3.0},
      {"key spelled without dash is unknown", "User-agent: *\nCrawldelay: 3\n", "agentbox",
       std::nullopt},
  };
  for (const DelayCase& c : cases) {
    const Robots r = Robots::compile(c.robots, c.agent);
    EXPECT_EQ(r.crawlDelaySeconds(), c.seconds) << c.clause << "\n" << c.robots;
  }
}

}  // namespace
}  // namespace agentbox::policy
