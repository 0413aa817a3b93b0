// SPDX-License-Identifier: Apache-2.0
// File: robots_fetch.h
// What the answer to `GET /robots.txt` means (RFC 9309 §2.3.1, §2.4), as pure functions for
// the proxy, which does the fetching itself (issue #19). No I/O here.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace agentbox::policy {

// Redirects followed in a row before the file counts as unavailable (§2.3.1.2: at least five).
inline constexpr int kRobotsMaxRedirects = 5;
// Longest time a fetched robots.txt (or the outcome of a failed fetch) may be reused (§2.4).
inline constexpr std::chrono::seconds kRobotsMaxCacheAge = std::chrono::hours(24);

// How the fetch ended at the transport level.
enum class RobotsTransport {
  kResponse,     // an HTTP response arrived; its status code decides
  kTimeout,      // no (complete) response in time
  kUnreachable,  // name, connect or TLS failure, or the connection broke
};

// What to do next.
enum class RobotsFetchAction {
  kParse,           // 2xx: compile the body with Robots::compile
  kFollowRedirect,  // 3xx, fewer than kRobotsMaxRedirects followed so far: fetch Location
  kAllowAll,        // 4xx, or too many redirects: "unavailable", Robots::allowAll (§2.3.1.3)
  kDisallowAll,     // 5xx, timeout, unreachable, or a status outside 200-599:
                    // "unreachable", Robots::disallowAll (§2.3.1.4)
};

std::string_view robotsFetchActionName(RobotsFetchAction action);

// `status` is the HTTP status (ignored unless transport is kResponse); `redirects_followed`
// counts the redirects already taken to reach this response. A 3xx with no usable Location
// is the caller's to treat as kAllowAll (it cannot be followed; §2.3.1.2 lets a crawler
// treat the file as unavailable).
RobotsFetchAction robotsFetchAction(RobotsTransport transport, int status, int redirects_followed);

// How long the outcome may be cached: the response's Cache-Control max-age when given and
// shorter, never more than kRobotsMaxCacheAge; negative max-age counts as zero.
std::chrono::seconds robotsCacheTtl(std::optional<std::chrono::seconds> max_age);

// True if a copy fetched `age` ago with time-to-live `ttl` may still be used.
bool robotsCacheFresh(std::chrono::seconds age, std::chrono::seconds ttl);

}  // namespace agentbox::policy
