// SPDX-License-Identifier: Apache-2.0
// Table-driven cases for Robots::compile + check. Each row names the RFC 9309 section it comes
// from; rows marked "Google" follow the documented behaviour of Google's robotstxt library
// (the reference implementation) where the RFC leaves room. Cases are our own.
#include "policy/robots.h"

#include <gtest/gtest.h>

#include <string>

namespace agentbox::policy {
namespace {

struct MatchCase {
  const char* section;  // where the expectation comes from
  const char* robots;   // the robots.txt body
  const char* agent;    // user-agent handed to compile()
  const char* url;
  bool allowed;
};

void runCases(const MatchCase* begin, const MatchCase* end) {
  for (const MatchCase* c = begin; c != end; ++c) {
    const Robots robots = Robots::compile(c->robots, c->agent);
    const RobotsVerdict v = robots.check(c->url);
    EXPECT_EQ(v.allowed, c->allowed)
        << c->section << "\nrobots.txt:\n"
        << c->robots << "\nagent=" << c->agent << " url=" << c->url
        << " reason=" << robotsReasonName(v.reason) << " line=" << v.line;
    // The index and the plain scan must always agree.
    const RobotsVerdict s = robots.checkByScanForTest(c->url);
    EXPECT_EQ(s.allowed, v.allowed) << c->section << " url=" << c->url;
    EXPECT_EQ(s.line, v.line) << c->section << " url=" << c->url;
  }
}

template <size_t N>
void runCases(const MatchCase (&cases)[N]) {
  runCases(cases, cases + N);
}

constexpr bool kA = true;   // allowed
constexpr bool kD = false;  // disallowed

constexpr const char* kOwnAndStar =
    "User-agent: agentbox\nDisallow: /a\n\nUser-agent: *\nDisallow: /b\n";
constexpr const char* kMergedOwn =
    "User-agent: agentbox\nDisallow: /a\n\nUser-agent: otherbot\nDisallow: /\n\n"
    "User-agent: agentbox\nDisallow: /b\n";
constexpr const char* kMergedStar =
    "User-agent: *\nDisallow: /a\nUser-agent: otherbot\nDisallow: /\nUser-agent: *\n"
    "Disallow: /b\n";

TEST(RobotsGroups, AgentGroupsWinOverStarAndMerge) {
  const MatchCase cases[] = {
      {"§2.2.1 own group applies", kOwnAndStar, "agentbox", "/a", kD},
      {"§2.2.1 * group ignored when own group exists", kOwnAndStar, "agentbox", "/b", kA},
      {"§2.2.1 other agents get *", kOwnAndStar, "otherbot", "/b", kD},
      {"§2.2.1 other agents do not get agentbox's group", kOwnAndStar, "otherbot", "/a", kA},
      {"§2.2.1 only * group", "User-agent: *\nDisallow: /b\n", "agentbox", "/b", kD},
      {"§2.2.1 only * group, other path", "User-agent: *\nDisallow: /b\n", "agentbox", "/c", kA},
      {"§2.2.1 no matching group and no *: no rules", "User-agent: otherbot\nDisallow: /\n",
       "agentbox", "/x", kA},
      {"§2.2.1 matching groups are combined (first)", kMergedOwn, "agentbox", "/a", kD},
      {"§2.2.1 matching groups are combined (second)", kMergedOwn, "agentbox", "/b", kD},
      {"§2.2.1 combined groups, unmatched path", kMergedOwn, "agentbox", "/c", kA},
      {"§2.2.1 * groups are combined too (first)", kMergedStar, "agentbox", "/a", kD},
      {"§2.2.1 * groups are combined too (second)", kMergedStar, "agentbox", "/b", kD},
      {"§2.2.1 non-matching group does not leak",
       "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /x\n", "agentbox", "/y", kA},
      {"§2.2.1 specific group of another agent beside an allowing *",
       "User-agent: otherbot\nDisallow: /\nUser-agent: *\nAllow: /\n", "agentbox", "/p", kA},
      {"§2.2.1 longest match only among the agent's groups",
       "User-agent: *\nAllow: /x/long/path\nUser-agent: agentbox\nDisallow: /x\n", "agentbox",
       "/x/long/path", kD},
      {"§2.2.1 longest match across merged groups",
       "User-agent: agentbox\nDisallow: /m\nUser-agent: otherbot\nDisallow: /\n"
       "User-agent: agentbox\nAllow: /m/ok\n",
       "agentbox", "/m/ok", kA},
  };
  runCases(cases);
}

TEST(RobotsGroups, GroupBoundaries) {
  const MatchCase cases[] = {
      {"§2.1 several user-agent lines start one group",
       "User-agent: otherbot\nUser-agent: agentbox\nDisallow: /shared\n", "agentbox", "/shared",
       kD},
      {"§2.1 several user-agent lines, the other agent too",
       "User-agent: otherbot\nUser-agent: agentbox\nDisallow: /shared\n", "otherbot", "/shared",
       kD},
      {"§2.1 * and the agent in one group", "User-agent: *\nUser-agent: agentbox\nDisallow: /x\n",
       "agentbox", "/x", kD},
      {"§2.2 blank lines inside the user-agent run (ABNF emptyline)",
       "User-agent: otherbot\n\nUser-agent: agentbox\n\nDisallow: /p\n", "agentbox", "/p", kD},
      {"§2.2 comment lines inside the user-agent run",
       "User-agent: otherbot\n# ours too\nUser-agent: agentbox\nDisallow: /p\n", "agentbox", "/p",
       kD},
      {"§2.2 blank lines between rules keep the group",
       "User-agent: agentbox\n\n\n\nDisallow: /p\n", "agentbox", "/p", kD},
      {"§2.1 rules before any user-agent line are in no group",
       "Disallow: /\nUser-agent: otherbot\nDisallow: /x\n", "agentbox", "/y", kA},
      {"§2.1 rules before any user-agent line do not join a later * group",
       "Disallow: /p\n\nUser-agent: *\nDisallow: /q\n", "agentbox", "/p", kA},
      {"§2.1 ...while the * group's own rules apply",
       "Disallow: /p\n\nUser-agent: *\nDisallow: /q\n", "agentbox", "/q", kD},
      {"§5.1 a group with no rules allows everything, no fallback to *",
       "User-agent: *\nDisallow: /\n\nUser-agent: agentbox\n", "agentbox", "/x", kA},
      {"§2.2.2 an empty Disallow is no rule, but the group exists",
       "User-agent: agentbox\nDisallow:\n\nUser-agent: *\nDisallow: /\n", "agentbox", "/x", kA},
      {"§2.2 an empty Disallow closes the user-agent run",
       "User-agent: agentbox\nDisallow:\nUser-agent: otherbot\nDisallow: /\n", "agentbox", "/x",
       kA},
      {"§2.2 ...and the next group is the other agent's",
       "User-agent: agentbox\nDisallow:\nUser-agent: otherbot\nDisallow: /\n", "otherbot", "/x",
       kD},
      {"§2.2.4 Sitemap does not end the user-agent run",
       "User-agent: otherbot\nSitemap: http://h/s.xml\nUser-agent: agentbox\nDisallow: /\n",
       "agentbox", "/x", kD},
      {"§2.2.4 Sitemap does not end the run (for the first agent either)",
       "User-agent: otherbot\nSitemap: http://h/s.xml\nUser-agent: agentbox\nDisallow: /\n",
       "otherbot", "/x", kD},
      {"§2.2.4 unknown record does not end the user-agent run",
       "User-agent: agentbox\nNoindex: /x\nUser-agent: otherbot\nDisallow: /y\n", "agentbox", "/y",
       kD},
      {"§2.2.4 garbage line does not end the group",
       "User-agent: agentbox\nthis line is not a record at all\nDisallow: /g\n", "agentbox", "/g",
       kD},
      {"§2.2.4 Sitemap between rules keeps the group",
       "User-agent: agentbox\nDisallow: /a\nSitemap: http://h/s\nDisallow: /b\n", "agentbox", "/b",
       kD},
      {"§2.2.4 unknown record between rules keeps the group",
       "User-agent: agentbox\nDisallow: /a\nHost: h\nDisallow: /b\n", "agentbox", "/b", kD},
      {"§2.1 a user-agent line after rules starts a new group",
       "User-agent: agentbox\nDisallow: /a\nUser-agent: otherbot\nDisallow: /b\n", "agentbox", "/b",
       kA},
      {"§2.1 new group after rules, even with an unknown record between",
       "User-agent: agentbox\nDisallow: /a\nFoo: x\nUser-agent: otherbot\nDisallow: /b\n",
       "agentbox", "/b", kA},
      {"§2.1 a valid Crawl-delay closes the user-agent run (docs/robots.md)",
       "User-agent: agentbox\nCrawl-delay: 5\nUser-agent: otherbot\nDisallow: /\n", "agentbox",
       "/x", kA},
  };
  runCases(cases);
}

TEST(RobotsGroups, UserAgentTokens) {
  const MatchCase cases[] = {
      {"§2.2.1 case-insensitive (file upper)", "User-agent: AGENTBOX\nDisallow: /\n", "agentbox",
       "/x", kD},
      {"§2.2.1 case-insensitive (agent mixed)", "User-agent: agentbox\nDisallow: /\n", "AgentBox",
       "/x", kD},
      {"§2.2.1 a prefix of the token is another agent", "User-agent: agent\nDisallow: /\n",
       "agentbox", "/x", kA},
      {"§2.2.1 a longer token is another agent", "User-agent: agentboxes\nDisallow: /\n",
       "agentbox", "/x", kA},
      {"§2.2.1 value read up to '/': version ignored", "User-agent: agentbox/1.0\nDisallow: /\n",
       "agentbox", "/x", kD},
      {"§2.2.1 Google: value read up to the first space",
       "User-agent: agentbox crawler\nDisallow: /\n", "agentbox", "/x", kD},
      {"§2.2.1 '-' belongs to the token", "User-agent: agentbox-crawler\nDisallow: /\n", "agentbox",
       "/x", kA},
      {"§2.2.1 '_' belongs to the token", "User-agent: agent_box\nDisallow: /\n", "agent_box", "/x",
       kD},
      {"§2.2.1 agent given with a version uses its product token",
       "User-agent: agentbox\nDisallow: /\n", "agentbox/2.0 (+https://example.com)", "/x", kD},
      {"§2.2.1 '*' with trailing blanks", "User-agent: *  \nDisallow: /\n", "agentbox", "/x", kD},
      {"§2.2.1 Google: '*' followed by a space and words is still *",
       "User-agent: * everyone\nDisallow: /\n", "agentbox", "/x", kD},
      {"§2.2.1 '*bot' is neither * nor a token", "User-agent: *bot\nDisallow: /\n", "agentbox",
       "/x", kA},
      {"§2.2.1 empty user-agent value names nobody", "User-agent:\nDisallow: /\n", "agentbox", "/x",
       kA},
      {"§2.2 comment after the user-agent value", "User-agent: agentbox # us\nDisallow: /\n",
       "agentbox", "/x", kD},
      {"§2.2.1 token followed by '*' reads as the token", "User-agent: agentbox*\nDisallow: /\n",
       "agentbox", "/x", kD},
      {"§2.2.1 Google: typo 'useragent' accepted", "Useragent: agentbox\nDisallow: /\n", "agentbox",
       "/x", kD},
      {"§2.2.1 Google: typo 'user agent' accepted", "User agent: agentbox\nDisallow: /\n",
       "agentbox", "/x", kD},
      {"§2.2.1 an agent without product token gets only *",
       "User-agent: agentbox\nDisallow: /a\nUser-agent: *\nDisallow: /b\n", "/weird", "/b", kD},
      {"§2.2.1 non-ASCII user-agent value names nobody", "User-agent: \xE3\x83\x84\nDisallow: /\n",
       "agentbox", "/x", kA},
  };
  runCases(cases);
}

TEST(RobotsRecords, KeysAndSeparators) {
  const MatchCase cases[] = {
      {"§2.2 record names are case-insensitive (upper)", "USER-AGENT: agentbox\nDISALLOW: /p\n",
       "agentbox", "/p", kD},
      {"§2.2 record names are case-insensitive (lower)",
       "user-agent: agentbox\ndisallow: /p\nallow: /p/q\n", "agentbox", "/p/q", kA},
      {"§2.2 record names are case-insensitive (mixed)", "UsEr-AgEnT: agentbox\nDiSaLlOw: /p\n",
       "agentbox", "/p", kD},
      {"§2.2 blanks before the colon (ABNF *WS)", "User-agent : agentbox\nDisallow : /p\n",
       "agentbox", "/p", kD},
      {"§2.2 leading blanks and tabs", "  User-agent: agentbox\n\tDisallow: /p\n", "agentbox", "/p",
       kD},
      {"§2.2 no blank after the colon", "User-agent:agentbox\nDisallow:/p\n", "agentbox", "/p", kD},
      {"§2.2 tab after the colon", "User-agent:\tagentbox\nDisallow:\t/p\n", "agentbox", "/p", kD},
      {"§2.2 Google: missing colon accepted for two words", "User-agent agentbox\nDisallow /p\n",
       "agentbox", "/p", kD},
      {"§2.2 Google: missing colon with three words is no record",
       "User-agent: agentbox\nDisallow /p extra\n", "agentbox", "/p", kA},
      {"§2.2.2 Google: typo 'disalow' accepted", "User-agent: agentbox\nDisalow: /p\n", "agentbox",
       "/p", kD},
      {"§2.2.2 Google: typo 'dissallow' accepted", "User-agent: agentbox\nDissallow: /p\n",
       "agentbox", "/p", kD},
      {"§2.2.4 'Disallowed' is an unknown record, not Disallow",
       "User-agent: agentbox\nDisallowed: /p\n", "agentbox", "/p", kA},
      {"§2.2.4 'Allow-all' is an unknown record",
       "User-agent: agentbox\nDisallow: /\nAllow-all: /\n", "agentbox", "/p", kD},
      {"§2.2.2 trailing blanks are not part of the pattern", "User-agent: *\nDisallow: /p   \n",
       "agentbox", "/pq", kD},
      {"§2.2.2 inner blank is part of the pattern (encoded)", "User-agent: *\nDisallow: /a b\n",
       "agentbox", "/a", kA},
      {"§2.2.2 inner blank matches %20 in the URL", "User-agent: *\nDisallow: /a b\n", "agentbox",
       "/a%20b", kD},
      {"§2.2.2 a value not starting with '/' or '*' never matches",
       "User-agent: *\nDisallow: private\n", "agentbox", "/private", kA},
  };
  runCases(cases);
}

TEST(RobotsLongestMatch, MostOctetsWinsAllowWinsTies) {
  const MatchCase cases[] = {
      {"§2.2.2 longer Allow beats shorter Disallow", "User-agent: *\nDisallow: /a\nAllow: /a/b\n",
       "agentbox", "/a/b/c", kA},
      {"§2.2.2 longer Disallow beats shorter Allow", "User-agent: *\nAllow: /a\nDisallow: /a/b\n",
       "agentbox", "/a/b/c", kD},
      {"§2.2.2 order in the file does not matter (allow first)",
       "User-agent: *\nAllow: /a/b\nDisallow: /a\n", "agentbox", "/a/b", kA},
      {"§2.2.2 order in the file does not matter (other path)",
       "User-agent: *\nAllow: /a/b\nDisallow: /a\n", "agentbox", "/a/c", kD},
      {"§2.2.2 equivalent rules: Allow wins (disallow first)",
       "User-agent: *\nDisallow: /t\nAllow: /t\n", "agentbox", "/t/x", kA},
      {"§2.2.2 equivalent rules: Allow wins (allow first)",
       "User-agent: *\nAllow: /t\nDisallow: /t\n", "agentbox", "/t/x", kA},
      {"§2.2.2 equivalent '/' rules: Allow wins", "User-agent: *\nDisallow: /\nAllow: /\n",
       "agentbox", "/x", kA},
      {"§2.2.2 Google: /$ allows only the root (root)", "User-agent: *\nAllow: /$\nDisallow: /\n",
       "agentbox", "/", kA},
      {"§2.2.2 Google: /$ allows only the root (other)", "User-agent: *\nAllow: /$\nDisallow: /\n",
       "agentbox", "/index.html", kD},
      {"§2.2.2 wildcard pattern longer than literal wins",
       "User-agent: *\nAllow: /shop\nDisallow: /*.pdf\n", "agentbox", "/shop.pdf", kD},
      {"§2.2.2 equal lengths with wildcard: Allow wins",
       "User-agent: *\nAllow: /shop/\nDisallow: /*.pdf\n", "agentbox", "/shop/a.pdf", kA},
      {"§2.2.2 long literal Allow beats short wildcard Disallow",
       "User-agent: *\nAllow: /docs/guide\nDisallow: /*.txt\n", "agentbox", "/docs/guide.txt", kA},
      {"§2.2.2 short wildcard Disallow applies elsewhere",
       "User-agent: *\nAllow: /docs/guide\nDisallow: /*.txt\n", "agentbox", "/docs/notes.txt", kD},
      {"§2.2.2 '$' counts as an octet of the pattern",
       "User-agent: *\nAllow: /file\nDisallow: /file$\n", "agentbox", "/file", kD},
      {"§2.2.2 anchored Disallow does not reach longer paths",
       "User-agent: *\nAllow: /file\nDisallow: /file$\n", "agentbox", "/file2", kA},
      {"§2.2.2 duplicate rules", "User-agent: *\nDisallow: /d\nDisallow: /d\n", "agentbox", "/d",
       kD},
      {"§2.2.2 matching is case-sensitive (differs)", "User-agent: *\nDisallow: /Admin\n",
       "agentbox", "/admin", kA},
      {"§2.2.2 matching is case-sensitive (same)", "User-agent: *\nDisallow: /Admin\n", "agentbox",
       "/Admin/x", kD},
      {"§2.2.2 no rule matches: allowed", "User-agent: *\nDisallow: /a\n", "agentbox", "/b", kA},
      {"§2.2.2 rules match from the first octet as prefixes", "User-agent: *\nDisallow: /tmp\n",
       "agentbox", "/tmpfile", kD},
      {"§2.2.2 a path shorter than the rule does not match", "User-agent: *\nDisallow: /tmp\n",
       "agentbox", "/tm", kA},
      {"§2.2.2 trailing slash matters", "User-agent: *\nDisallow: /tmp/\n", "agentbox", "/tmp", kA},
      {"§2.2.2 Disallow: alone allows everything", "User-agent: *\nDisallow:\n", "agentbox",
       "/anything", kA},
      {"§2.2.2 Disallow: / disallows everything", "User-agent: *\nDisallow: /\n", "agentbox",
       "/index.html", kD},
      {"§2.2.2 Allow alone allows", "User-agent: *\nAllow: /a\n", "agentbox", "/a", kA},
      {"§2.2.2 empty Allow is no rule", "User-agent: *\nAllow:\nDisallow: /x\n", "agentbox", "/x",
       kD},
  };
  runCases(cases);
}

TEST(RobotsWildcards, StarAndDollar) {
  const MatchCase cases[] = {
      {"§2.2.3 '*' and final '$'", "User-agent: *\nDisallow: /*.gif$\n", "agentbox", "/a/b.gif",
       kD},
      {"§2.2.3 '$' anchors: a query follows", "User-agent: *\nDisallow: /*.gif$\n", "agentbox",
       "/a/b.gif?x=1", kA},
      {"§2.2.3 '$' anchors: case differs", "User-agent: *\nDisallow: /*.gif$\n", "agentbox",
       "/a/b.GIF", kA},
      {"§5.1 pattern starting with '*'", "User-agent: *\nDisallow: *.gif$\n", "agentbox",
       "/img/x.gif", kD},
      {"§2.2.3 '*' spans path segments", "User-agent: *\nDisallow: /a*b\n", "agentbox", "/a/x/b",
       kD},
      {"§2.2.3 '*' needs the later literal", "User-agent: *\nDisallow: /a*b\n", "agentbox", "/a",
       kA},
      {"§2.2.3 two stars in order", "User-agent: *\nDisallow: /a*b*c\n", "agentbox", "/aXbYc", kD},
      {"§2.2.3 two stars, literals out of order", "User-agent: *\nDisallow: /a*b*c\n", "agentbox",
       "/aXcYb", kA},
      {"§2.2.3 star then anchored literal", "User-agent: *\nDisallow: /a*b$\n", "agentbox", "/a-b",
       kD},
      {"§2.2.3 star then anchored literal, not at the end", "User-agent: *\nDisallow: /a*b$\n",
       "agentbox", "/a-b-c", kA},
      {"§2.2.3 anchored literal found again at the end", "User-agent: *\nDisallow: /a*b$\n",
       "agentbox", "/abab", kD},
      {"§2.2.3 '/*' matches every path", "User-agent: *\nDisallow: /*\n", "agentbox", "/x", kD},
      {"§2.2.3 '*' alone matches every path", "User-agent: *\nDisallow: *\n", "agentbox", "/x", kD},
      {"§2.2.3 repeated stars", "User-agent: *\nDisallow: /**\n", "agentbox", "/x", kD},
      {"§2.2.3 trailing star is a prefix match", "User-agent: *\nDisallow: /x*\n", "agentbox",
       "/xyz", kD},
      {"§2.2.3 '/$' is the root only (root)", "User-agent: *\nDisallow: /$\n", "agentbox", "/", kD},
      {"§2.2.3 '/$' is the root only (other)", "User-agent: *\nDisallow: /$\n", "agentbox", "/a",
       kA},
      {"§2.2.3 Google: '$' inside a pattern is literal", "User-agent: *\nDisallow: /a$b\n",
       "agentbox", "/a$b", kD},
      {"§2.2.3 '$' inside is literal, not an anchor", "User-agent: *\nDisallow: /a$b\n", "agentbox",
       "/a", kA},
      {"§2.2.3 '/*?' matches URLs with a query", "User-agent: *\nDisallow: /*?\n", "agentbox",
       "/p?q", kD},
      {"§2.2.3 '/*?' leaves URLs without one", "User-agent: *\nDisallow: /*?\n", "agentbox", "/p",
       kA},
      {"§2.2.3 literal after star must appear", "User-agent: *\nDisallow: /*?sort=\n", "agentbox",
       "/list?page=2&sort=asc", kA},
      {"§2.2.3 literal after star found in the query", "User-agent: *\nDisallow: /*?sort=\n",
       "agentbox", "/list?sort=asc", kD},
      {"§2.2.3 star reaches into the query", "User-agent: *\nDisallow: /*sort=\n", "agentbox",
       "/list?page=2&sort=asc", kD},
      {"§2.2.3 allow only .php (match)", "User-agent: *\nAllow: /*.php$\nDisallow: /\n", "agentbox",
       "/index.php", kA},
      {"§2.2.3 allow only .php (query)", "User-agent: *\nAllow: /*.php$\nDisallow: /\n", "agentbox",
       "/index.php?x", kD},
      {"§2.2.3 allow only .php (longer ext)", "User-agent: *\nAllow: /*.php$\nDisallow: /\n",
       "agentbox", "/index.php5", kD},
      {"§2.2.3 literal star literal (empty middle)", "User-agent: *\nDisallow: /fish*.php\n",
       "agentbox", "/fish.php", kD},
      {"§2.2.3 literal star literal", "User-agent: *\nDisallow: /fish*.php\n", "agentbox",
       "/fishcake.php", kD},
      {"§2.2.3 literal star literal, case", "User-agent: *\nDisallow: /fish*.php\n", "agentbox",
       "/Fish.php", kA},
      {"§2.2.3 star must be followed by its literal after the prefix",
       "User-agent: *\nDisallow: /*/private/\n", "agentbox", "/private/x", kA},
      {"§2.2.3 star then segment", "User-agent: *\nDisallow: /*/private/\n", "agentbox",
       "/a/private/x", kD},
      {"§2.2.3 star before '$' matches anything", "User-agent: *\nDisallow: /a*$\n", "agentbox",
       "/abc", kD},
      {"§2.2.3 anchored Disallow vs unanchored Allow (file)",
       "User-agent: *\nDisallow: /*.html$\nAllow: /*.html\n", "agentbox", "/p.html", kD},
      {"§2.2.3 anchored Disallow vs unanchored Allow (query)",
       "User-agent: *\nDisallow: /*.html$\nAllow: /*.html\n", "agentbox", "/p.html?x", kA},
      {"§2.2.3 exact path (match)", "User-agent: *\nDisallow: /foo$\nAllow: /foo/bar\n", "agentbox",
       "/foo", kD},
      {"§2.2.3 exact path (longer)", "User-agent: *\nDisallow: /foo$\nAllow: /foo/bar\n",
       "agentbox", "/foo/", kA},
      {"§2.2.3 '$' alone never matches a path", "User-agent: *\nDisallow: $\n", "agentbox", "/x",
       kA},
      {"§2.2.3 %2A in a pattern is a literal '*' (URL raw)",
       "User-agent: *\nDisallow: /path/file-with-a-%2A.html\n", "agentbox",
       "https://www.example.com/path/file-with-a-*.html", kD},
      {"§2.2.3 %2A in a pattern is a literal '*' (URL encoded)",
       "User-agent: *\nDisallow: /path/file-with-a-%2A.html\n", "agentbox",
       "/path/file-with-a-%2A.html", kD},
      {"§2.2.3 %2A is not a wildcard", "User-agent: *\nDisallow: /path/file-with-a-%2A.html\n",
       "agentbox", "/path/file-with-a-X.html", kA},
      {"§2.2.3 %24 in a pattern is a literal '$'", "User-agent: *\nDisallow: /path/foo-%24\n",
       "agentbox", "https://www.example.com/path/foo-$", kD},
      {"§2.2.3 a '*' in the URL is matched by a wildcard like any octet",
       "User-agent: *\nDisallow: /a*z\n", "agentbox", "/a*z", kD},
      {"§2.2.3 fragment is not matched", "User-agent: *\nDisallow: /*.json$\n", "agentbox",
       "http://h/api/x.json#top", kD},
  };
  runCases(cases);
}

TEST(RobotsEncoding, PercentEncodingNormalizedOnBothSides) {
  const MatchCase cases[] = {
      {"§2.2.2 UTF-8 in the rule, encoded URL", "User-agent: *\nDisallow: /caf\xC3\xA9\n",
       "agentbox", "/caf%C3%A9", kD},
      {"§2.2.2 UTF-8 in the rule, raw UTF-8 URL", "User-agent: *\nDisallow: /caf\xC3\xA9\n",
       "agentbox", "/caf\xC3\xA9", kD},
      {"§2.2.2 encoded rule, raw UTF-8 URL", "User-agent: *\nDisallow: /caf%C3%A9\n", "agentbox",
       "/caf\xC3\xA9", kD},
      {"§2.2.2 lower-case hex in the rule", "User-agent: *\nDisallow: /caf%c3%a9\n", "agentbox",
       "/caf%C3%A9", kD},
      {"§2.2.2 lower-case hex in the URL", "User-agent: *\nDisallow: /caf%C3%A9\n", "agentbox",
       "/caf%c3%a9", kD},
      {"§2.2.2 three-octet character", "User-agent: *\nDisallow: /%E3%83%84\n", "agentbox",
       "/\xE3\x83\x84", kD},
      {"§2.2.2 encoded unreserved in the rule is decoded", "User-agent: *\nDisallow: /%7Euser\n",
       "agentbox", "/~user", kD},
      {"§2.2.2 encoded unreserved in the URL is decoded", "User-agent: *\nDisallow: /~user\n",
       "agentbox", "/%7euser", kD},
      {"§2.2.2 table: /foo/bar/%62%61%7A is /foo/bar/baz",
       "User-agent: *\nDisallow: /foo/bar/%62%61%7A\n", "agentbox", "/foo/bar/baz", kD},
      {"§2.2.2 encoded letters in the URL", "User-agent: *\nDisallow: /baz\n", "agentbox",
       "/%62%61%7A", kD},
      {"§2.2.2 decoding keeps case-sensitivity", "User-agent: *\nDisallow: /%41\n", "agentbox",
       "/a", kA},
      {"§2.2.2 decoded letter matches", "User-agent: *\nDisallow: /%41\n", "agentbox", "/A", kD},
      {"§2.2.2 encoded '-' is unreserved", "User-agent: *\nDisallow: /%2D\n", "agentbox", "/-", kD},
      {"§2.2.2 reserved '/' stays encoded (rule)", "User-agent: *\nDisallow: /a%2Fb\n", "agentbox",
       "/a/b", kA},
      {"§2.2.2 reserved '/' stays encoded (URL)", "User-agent: *\nDisallow: /a/b\n", "agentbox",
       "/a%2Fb", kA},
      {"§2.2.2 reserved escapes compare case-insensitively in hex",
       "User-agent: *\nDisallow: /a%2fb\n", "agentbox", "/a%2Fb", kD},
      {"§2.2.2 reserved characters in the query as written",
       "User-agent: *\nDisallow: /q?x=http://h/\n", "agentbox", "/q?x=http://h/p", kD},
      {"§2.2.2 '+' is reserved, not a space", "User-agent: *\nDisallow: /a%2Bb\n", "agentbox",
       "/a+b", kA},
      {"§2.2.2 '?' encoded is not a query separator", "User-agent: *\nDisallow: /x%3Fy\n",
       "agentbox", "/x?y", kA},
      {"§2.2.2 encoded space in the rule, raw in the URL", "User-agent: *\nDisallow: /a%20b\n",
       "agentbox", "/a b", kD},
      {"§2.2.2 stray '%' is the octet '%' on both sides", "User-agent: *\nDisallow: /100%\n",
       "agentbox", "/100%", kD},
      {"§2.2.2 stray '%' equals %25", "User-agent: *\nDisallow: /100%25\n", "agentbox", "/100%",
       kD},
      {"§2.2.2 lengths compare after normalization (tie: allow)",
       "User-agent: *\nAllow: /%7Ea\nDisallow: /~a\n", "agentbox", "/~a", kA},
  };
  runCases(cases);
}

TEST(RobotsUrls, PathAndQueryAreMatched) {
  const MatchCase cases[] = {
      {"§2.2.2 /robots.txt is always allowed", "User-agent: *\nDisallow: /\n", "agentbox",
       "/robots.txt", kA},
      {"§2.2.2 /robots.txt allowed in absolute form", "User-agent: *\nDisallow: /\n", "agentbox",
       "http://h/robots.txt", kA},
      {"§2.2.2 /robots.txt allowed even if named", "User-agent: *\nDisallow: /robots.txt\n",
       "agentbox", "/robots.txt", kA},
      {"§2.2.2 /robots.txt with a query", "User-agent: *\nDisallow: /\n", "agentbox",
       "/robots.txt?x=1", kA},
      {"§2.2.2 a longer name is not /robots.txt", "User-agent: *\nDisallow: /\n", "agentbox",
       "/robots.txt.bak", kD},
      {"§2.1 /robots.txt is lower-case only", "User-agent: *\nDisallow: /\n", "agentbox",
       "/ROBOTS.TXT", kD},
      {"§2.2.2 the query is matched", "User-agent: *\nDisallow: /p?q\n", "agentbox",
       "http://h/p?q=1", kD},
      {"§2.2.2 the fragment is not", "User-agent: *\nDisallow: /p\n", "agentbox", "http://h/x#/p",
       kA},
      {"§2.2.2 no path means '/'", "User-agent: *\nDisallow: /\n", "agentbox", "http://h", kD},
      {"§2.2.2 no path is exactly '/'", "User-agent: *\nDisallow: /$\n", "agentbox", "http://h",
       kD},
      {"§2.2.2 a query without path is '/?...' (anchored root)", "User-agent: *\nDisallow: /$\n",
       "agentbox", "http://h?x", kA},
      {"§2.2.2 a query without path is '/?...'", "User-agent: *\nDisallow: /?\n", "agentbox",
       "http://h?x", kD},
      {"§2.2.2 scheme-relative URL", "User-agent: *\nDisallow: /a\n", "agentbox", "//h/a", kD},
      {"§2.2.2 Google: scheme-less URL starts with the host", "User-agent: *\nDisallow: /a\n",
       "agentbox", "h/a", kD},
      {"§2.2.2 Google: a bare host is '/'", "User-agent: *\nDisallow: /h\n", "agentbox", "h", kA},
      {"§2.2.2 user info and port are not the path", "User-agent: *\nDisallow: /x\n", "agentbox",
       "https://user:pw@h:8080/x", kD},
      {"§2.2.2 a path in the query does not match a prefix", "User-agent: *\nDisallow: /a\n",
       "agentbox", "http://h/b?next=/a", kA},
      {"§2.2.2 a wildcard reaches a path in the query", "User-agent: *\nDisallow: /*/a\n",
       "agentbox", "http://h/b?next=/a", kD},
      {"§2.2.2 an empty URL is '/'", "User-agent: *\nDisallow: /\n", "agentbox", "", kD},
      {"§2.2.2 origin-form request target", "User-agent: *\nDisallow: /api/\n", "agentbox",
       "/api/v1/items?limit=5", kD},
  };
  runCases(cases);
}

TEST(RobotsSyntax, LineEndsBomCommentsAndJunk) {
  const MatchCase cases[] = {
      {"§2.2 CRLF line ends", "User-agent: agentbox\r\nDisallow: /p\r\n", "agentbox", "/p", kD},
      {"§2.2 CR line ends", "User-agent: agentbox\rDisallow: /p\r", "agentbox", "/p", kD},
      {"§2.2 mixed line ends (disallow)", "User-agent: agentbox\r\nAllow: /p/q\nDisallow: /p\r",
       "agentbox", "/p/x", kD},
      {"§2.2 mixed line ends (allow)", "User-agent: agentbox\r\nAllow: /p/q\nDisallow: /p\r",
       "agentbox", "/p/q", kA},
      {"§2.2 CRLF with blank lines in a group", "User-agent: agentbox\r\n\r\n\r\nDisallow: /p\r\n",
       "agentbox", "/p", kD},
      {"§2.2 CR-only blank lines in a group", "User-agent: agentbox\r\r\rDisallow: /p", "agentbox",
       "/p", kD},
      {"§2.2 no final line end", "User-agent: agentbox\nDisallow: /p", "agentbox", "/p", kD},
      {"§2.1 UTF-8 byte order mark skipped", "\xEF\xBB\xBFUser-agent: agentbox\nDisallow: /p\n",
       "agentbox", "/p", kD},
      {"§2.1 Google: partial byte order mark skipped",
       "\xEF\xBBUser-agent: agentbox\nDisallow: /p\n", "agentbox", "/p", kD},
      {"§2.1 byte order mark only at the start",
       "User-agent: agentbox\n\xEF\xBB\xBF"
       "Disallow: /p\n",
       "agentbox", "/p", kA},
      {"§2.2 comment after the value", "User-agent: *\nDisallow: /p # private\n", "agentbox", "/p",
       kD},
      {"§2.2.3 '#' ends the value", "User-agent: *\nDisallow: /p#q\n", "agentbox", "/pz", kD},
      {"§2.2 whole-line comment", "User-agent: *\n# Disallow: /\n", "agentbox", "/x", kA},
      {"§2.2 empty file allows everything", "", "agentbox", "/x", kA},
      {"§2.2 only blanks and comments", "\n\n  \n# nothing\n\t\n", "agentbox", "/x", kA},
      {"§2.3.1.5 binary garbage is skipped", "\x01\x02\x7F garbage \xFF\xFE\n\x03", "agentbox",
       "/x", kA},
      {"§2.3.1.5 an HTML page as robots.txt", "<html><body>Not found</body></html>", "agentbox",
       "/x", kA},
      {"§2.3.1.5 junk lines around a valid group",
       "<!doctype>\nUser-agent: *\n}}{{ junk\nDisallow: /p\n%%%\n", "agentbox", "/p", kD},
      {"§2.2.4 Sitemap anywhere does not change rules",
       "Sitemap: http://h/s.xml\nUser-agent: *\nDisallow: /p\nSitemap: http://h/t.xml\n",
       "agentbox", "/p", kD},
      {"§2.2.4 Crawl-delay does not change rules", "User-agent: *\nCrawl-delay: 5\nDisallow: /p\n",
       "agentbox", "/q", kA},
  };
  runCases(cases);
}

// RFC 9309 §5.1, the simple example, for each agent it names.
constexpr const char* kRfcSimple =
    "User-Agent: *\n"
    "Disallow: *.gif$\n"
    "Disallow: /example/\n"
    "Allow: /publications/\n"
    "\n"
    "User-Agent: foobot\n"
    "Disallow:/\n"
    "Allow:/example/page.html\n"
    "Allow:/example/allowed.gif\n"
    "\n"
    "User-Agent: barbot\n"
    "User-Agent: bazbot\n"
    "Disallow: /example/page.html\n"
    "\n"
    "User-Agent: quxbot\n"
    "\n"
    "EOF\n";

constexpr const char* kRfcLongest =
    "User-Agent: foobot\n"
    "Allow: /example/page/\n"
    "Disallow: /example/page/disallowed.gif\n";

TEST(RobotsRfcExamples, Section5) {
  const MatchCase cases[] = {
      {"§5.1 foobot: allowed page", kRfcSimple, "foobot", "/example/page.html", kA},
      {"§5.1 foobot: allowed gif", kRfcSimple, "foobot", "/example/allowed.gif", kA},
      {"§5.1 foobot: everything else", kRfcSimple, "foobot", "/example/other.html", kD},
      {"§5.1 foobot: the root", kRfcSimple, "foobot", "/", kD},
      {"§5.1 barbot: the page", kRfcSimple, "barbot", "/example/page.html", kD},
      {"§5.1 bazbot: the page", kRfcSimple, "bazbot", "/example/page.html", kD},
      {"§5.1 bazbot: other pages", kRfcSimple, "bazbot", "/example/other.html", kA},
      {"§5.1 barbot: gifs (the * group does not apply)", kRfcSimple, "barbot", "/x.gif", kA},
      {"§5.1 quxbot: empty group allows all", kRfcSimple, "quxbot", "/example/page.html", kA},
      {"§5.1 quxbot: gifs", kRfcSimple, "quxbot", "/a.gif", kA},
      {"§5.1 others: gif", kRfcSimple, "agentbox", "/images/a.gif", kD},
      {"§5.1 others: /example/", kRfcSimple, "agentbox", "/example/index.html", kD},
      {"§5.1 others: /publications/", kRfcSimple, "agentbox", "/publications/2022.html", kA},
      {"§5.1 others: gif under /publications/ (longest match)", kRfcSimple, "agentbox",
       "/publications/a.gif", kA},
      {"§5.1 others: anything else", kRfcSimple, "agentbox", "/about", kA},
      {"§5.2 the directory", kRfcLongest, "foobot", "/example/page/", kA},
      {"§5.2 the longer Disallow", kRfcLongest, "foobot", "/example/page/disallowed.gif", kD},
      {"§5.2 a sibling", kRfcLongest, "foobot", "/example/page/allowed.gif", kA},
  };
  runCases(cases);
}

TEST(Robots, VerdictNamesTheDecidingRule) {
  const Robots r = Robots::compile(
      "User-agent: *\nDisallow: /private/  # keep out\nAllow: /private/press\n", "agentbox");
  RobotsVerdict v = r.check("http://h/private/x");
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.reason, RobotsReason::kDisallowRule);
  EXPECT_EQ(v.line, 2u);
  EXPECT_FALSE(v.rule_is_allow);
  EXPECT_EQ(v.rule, "/private/");
  v = r.check("/private/press/today");
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.reason, RobotsReason::kAllowRule);
  EXPECT_EQ(v.line, 3u);
  EXPECT_TRUE(v.rule_is_allow);
  EXPECT_EQ(v.rule, "/private/press");
  v = r.check("/public");
  EXPECT_EQ(v.reason, RobotsReason::kNoRule);
  EXPECT_EQ(v.line, 0u);
  EXPECT_EQ(r.check("/robots.txt").reason, RobotsReason::kRobotsTxt);
  EXPECT_EQ(r.ruleCount(), 2u);
  EXPECT_FALSE(r.hasAgentGroup());
}

TEST(Robots, VerdictKeepsTheRuleAsWritten) {
  const Robots r = Robots::compile("User-agent: *\nDisallow: /caf\xC3\xA9\n", "agentbox");
  const RobotsVerdict v = r.check("/caf%C3%A9/menu");
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rule, "/caf\xC3\xA9");
}

TEST(Robots, AllowAllAndDisallowAll) {
  const Robots allow = Robots::allowAll();
  const Robots deny = Robots::disallowAll();
  EXPECT_TRUE(allow.allowed("http://h/anything"));
  EXPECT_EQ(allow.check("/x").reason, RobotsReason::kAllowAll);
  EXPECT_FALSE(deny.allowed("http://h/anything"));
  EXPECT_EQ(deny.check("/x").reason, RobotsReason::kDisallowAll);
  EXPECT_TRUE(deny.allowed("http://h/robots.txt"));  // §2.2.2: always allowed
  EXPECT_FALSE(allow.crawlDelaySeconds().has_value());
  EXPECT_FALSE(deny.crawlDelaySeconds().has_value());
}

TEST(Robots, HasAgentGroupEvenWithoutRules) {
  EXPECT_TRUE(Robots::compile("User-agent: agentbox\n", "agentbox").hasAgentGroup());
  EXPECT_FALSE(Robots::compile("User-agent: other\n", "agentbox").hasAgentGroup());
}

TEST(Robots, CopiesAndMovesKeepWorking) {
  std::string body = "User-agent: *\nDisallow: /a*b$\nAllow: /a/ok\n";
  Robots original = Robots::compile(body, "agentbox");
  body.assign(body.size(), 'x');  // the compiled form owns its data
  Robots copy = original;
  Robots moved = std::move(original);
  for (const Robots* r : {&copy, &moved}) {
    EXPECT_FALSE(r->allowed("/a/xb"));
    EXPECT_TRUE(r->allowed("/a/ok"));
    EXPECT_EQ(r->check("/a/xb").rule, "/a*b$");
  }
}

TEST(Robots, LongUrlsBeyondTheInlineBufferStillMatch) {
  const Robots r = Robots::compile("User-agent: *\nDisallow: /*end$\n", "agentbox");
  std::string url = "/" + std::string(3000, '\xC3') + "end";  // 9000 octets once encoded
  EXPECT_FALSE(r.allowed(url));
  EXPECT_TRUE(r.allowed(url + "x"));
}

}  // namespace
}  // namespace agentbox::policy
