// SPDX-License-Identifier: Apache-2.0
// File: robots_pattern.h
// The byte-level pieces of robots.txt matching (RFC 9309 §2.2.2, §2.2.3): extracting the path
// and query from a URL, percent-encoding normalization applied to both rule patterns and URLs,
// and the wildcard match itself. Pure functions; nothing here allocates unless it returns a
// std::string.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace agentbox::policy {

// Which side of a comparison is being normalized. The two differ only in `*` and `$`:
// in a pattern `*` is the wildcard and a final `$` anchors the end (§2.2.3); in a URL both
// are plain octets, so they are encoded (%2A, %24) to compare equal to a pattern that spells
// them encoded, as §2.2.3 asks ("/path/file-with-a-%2A.html" matches ".../file-with-a-*.html").
enum class RobotsSide { kPattern, kUrl };

// The path and query of `url` (scheme, authority and fragment removed), as a view into `url`.
// Accepts absolute URLs ("http://h/p?q"), scheme-relative ("//h/p"), origin-form ("/p?q") and
// scheme-less ("h/p", read as host "h"). The view may be empty (no path: means "/") or start
// with '?' (means "/?..."); normalizeRobots() adds the leading '/' in both cases.
std::string_view robotsPathAndQuery(std::string_view url);

// Normalized form, so that equal resources compare equal octet by octet:
//  - %XX of an unreserved character (RFC 3986 §2.3: ALPHA DIGIT - . _ ~) is decoded;
//  - other %XX escapes are kept, hex digits upper-cased (%2f -> %2F);
//  - a '%' not followed by two hex digits becomes %25;
//  - octets >= 0x80 (UTF-8), controls, space and DEL are percent-encoded;
//  - kUrl: '*' and '$' are encoded; kPattern: '$' is kept only as the final octet.
// Reserved characters ('/', '?', '=', ':' ...) are compared as written: RFC 3986 §2.2 says
// "/" and "%2F" are different, and encoding them would break every path.
// `add_leading_slash` prepends '/' (see robotsPathAndQuery).
//
// Exact size of the normalized form.
size_t normalizedRobotsSize(std::string_view in, RobotsSide side, bool add_leading_slash);
// Writes the normalized form to `out`, which must have normalizedRobotsSize() bytes (3x the
// input plus one always suffices); returns the number written.
size_t normalizeRobotsTo(std::string_view in, RobotsSide side, bool add_leading_slash, char* out);
// True if normalizeRobotsTo() would change `in` (the common case is false: no copy needed).
bool robotsNeedsNormalizing(std::string_view in, RobotsSide side);
// Convenience for tests and tools; allocates.
std::string normalizeRobots(std::string_view in, RobotsSide side);

// True if the normalized `path` matches the normalized `pattern`: anchored at the first octet,
// '*' matches any run of octets, a final '$' anchors the end (§2.2.3). Worst case
// O(|path| * |pattern|); no allocation. Reference semantics for the compiled matcher.
bool robotsPatternMatches(std::string_view pattern, std::string_view path);

// The part of robotsPatternMatches() after the literal prefix: `rest` is the pattern from its
// first '*' on, without a final '$' (`anchored` says whether there was one), and `path` has
// already matched the prefix up to `pos`. Middle segments are placed leftmost (greedy), which
// is exact for patterns whose only operator is '*'.
bool robotsMatchAfterPrefix(std::string_view rest, std::string_view path, size_t pos,
                            bool anchored);

// The product token of a user-agent string: its leading run of [A-Za-z_-] (§2.2.1), so
// "agentbox/1.0 (+https://x)" gives "agentbox". Empty if it starts with anything else.
std::string_view robotsProductToken(std::string_view user_agent);

}  // namespace agentbox::policy
