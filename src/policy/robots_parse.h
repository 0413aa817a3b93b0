// SPDX-License-Identifier: Apache-2.0
// File: robots_parse.h
// The line layer of robots.txt (RFC 9309 §2.2): size cap, byte order mark, CR / LF / CRLF
// line ends, comments, "key: value" records. It knows nothing about groups; Robots does that.
// Never fails: any input is read, and what is not a record is skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace agentbox::policy {

// Parsing limit (§2.5 requires at least 500 KiB). Content past it is ignored, and so is the
// line it cuts: a rule truncated mid-path could say something the file never said.
inline constexpr size_t kRobotsMaxBytes = size_t{500} * 1024;

// The part of `body` that is parsed: at most kRobotsMaxBytes (ending at the last line end
// inside the cap when the body is longer), without a leading UTF-8 byte order mark (or a
// leading prefix of one, as Google's parser also skips).
std::string_view robotsEffectiveBody(std::string_view body);

enum class RobotsKey : uint8_t {
  kUserAgent,   // "user-agent" (also the typos "useragent", "user agent")
  kAllow,       // "allow"
  kDisallow,    // "disallow" (also "disalow", "dissallow", "dissalow", "diasllow", "disallaw")
  kCrawlDelay,  // "crawl-delay" (an extension; see docs/robots.md)
  kSitemap,     // "sitemap" (§2.2.4; never ends or joins a group)
  kOther,       // any other key (§2.2.4)
};

// One record. `value` has surrounding blanks and any comment removed; views point into the
// body given to RobotsLexer.
struct RobotsRecord {
  uint32_t line = 0;  // 1-based line number in the file
  RobotsKey key = RobotsKey::kOther;
  std::string_view name;   // the key as written
  std::string_view value;  // may be empty
  // True if `value` is a plain literal: no '%', '*', '$', inner blank, control or non-ASCII
  // octet, so it is already in normalized form (robots_pattern.h) and has no operator.
  bool literal = false;
};

// Reads records in file order:
//   RobotsLexer lex(body);
//   RobotsRecord rec;
//   while (lex.next(rec)) { ... }
// A record is `key ":" value`. As in Google's parser, a line without a colon whose content is
// exactly two blank-separated words is read as `key value` ("Disallow /tmp"): the intent is
// plain, and a polite agent errs on the side of obeying. Lines that are blank, comments or
// without a key are skipped (but counted for line numbers).
class RobotsLexer {
 public:
  explicit RobotsLexer(std::string_view body);

  bool next(RobotsRecord& out);

 private:
  // One pass over the bytes with a class table: every octet is looked at once (twice for
  // blanks around a key), which keeps a 15 KB file at a few microseconds.
  const char* pos_;
  const char* end_;
  uint32_t line_ = 0;
};

// Parses a crawl-delay value: a plain non-negative decimal number, `DIGITS [ "." DIGITS ]`
// ("2", "2.5", "0"). Anything else ("abc", "-5", "10s", "1,5", "+2", ".5", "2.", "") and
// numbers too large for a double give a negative result, meaning "ignore this line".
double parseRobotsCrawlDelay(std::string_view value);

}  // namespace agentbox::policy
