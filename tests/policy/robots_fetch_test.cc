// SPDX-License-Identifier: Apache-2.0
// The status rules of RFC 9309 §2.3.1 and the cache limit of §2.4.
#include "policy/robots_fetch.h"

#include <gtest/gtest.h>

namespace agentbox::policy {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST(RobotsFetch, StatusRules) {
  struct Case {
    const char* section;
    RobotsTransport transport;
    int status;
    int redirects;
    RobotsFetchAction action;
  };
  constexpr auto kResp = RobotsTransport::kResponse;
  const Case cases[] = {
      {"§2.3.1.1 200 parse", kResp, 200, 0, RobotsFetchAction::kParse},
      {"§2.3.1.1 204 parse (empty body: no rules)", kResp, 204, 0, RobotsFetchAction::kParse},
      {"§2.3.1.1 299 parse", kResp, 299, 0, RobotsFetchAction::kParse},
      {"§2.3.1.2 301 follow", kResp, 301, 0, RobotsFetchAction::kFollowRedirect},
      {"§2.3.1.2 302 follow", kResp, 302, 3, RobotsFetchAction::kFollowRedirect},
      {"§2.3.1.2 308 fifth redirect followed", kResp, 308, 4, RobotsFetchAction::kFollowRedirect},
      {"§2.3.1.2 sixth redirect: unavailable", kResp, 307, 5, RobotsFetchAction::kAllowAll},
      {"§2.3.1.2 redirect loop: unavailable", kResp, 302, 40, RobotsFetchAction::kAllowAll},
      {"§2.3.1.3 400 allow all", kResp, 400, 0, RobotsFetchAction::kAllowAll},
      {"§2.3.1.3 401 allow all", kResp, 401, 0, RobotsFetchAction::kAllowAll},
      {"§2.3.1.3 403 allow all", kResp, 403, 0, RobotsFetchAction::kAllowAll},
      {"§2.3.1.3 404 allow all", kResp, 404, 0, RobotsFetchAction::kAllowAll},
      {"§2.3.1.3 410 allow all", kResp, 410, 0, RobotsFetchAction::kAllowAll},
      {"§2.3.1.3 429 allow all (a 4xx)", kResp, 429, 0, RobotsFetchAction::kAllowAll},
      {"§2.3.1.3 404 after redirects", kResp, 404, 3, RobotsFetchAction::kAllowAll},
      {"§2.3.1.4 500 disallow all", kResp, 500, 0, RobotsFetchAction::kDisallowAll},
      {"§2.3.1.4 503 disallow all", kResp, 503, 0, RobotsFetchAction::kDisallowAll},
      {"§2.3.1.4 599 disallow all", kResp, 599, 0, RobotsFetchAction::kDisallowAll},
      {"§2.3.1.4 timeout", RobotsTransport::kTimeout, 0, 0, RobotsFetchAction::kDisallowAll},
      {"§2.3.1.4 unreachable", RobotsTransport::kUnreachable, 0, 0,
       RobotsFetchAction::kDisallowAll},
      {"§2.3.1.4 status ignored on timeout", RobotsTransport::kTimeout, 200, 0,
       RobotsFetchAction::kDisallowAll},
      {"§2.3.1.4 1xx is no final answer: fail closed", kResp, 100, 0,
       RobotsFetchAction::kDisallowAll},
      {"§2.3.1.4 out-of-range status: fail closed", kResp, 600, 0, RobotsFetchAction::kDisallowAll},
      {"§2.3.1.4 zero status: fail closed", kResp, 0, 0, RobotsFetchAction::kDisallowAll},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(robotsFetchAction(c.transport, c.status, c.redirects), c.action)
        << c.section << " got "
        << robotsFetchActionName(robotsFetchAction(c.transport, c.status, c.redirects));
  }
}

TEST(RobotsFetch, CacheLimitIs24Hours) {
  EXPECT_EQ(robotsCacheTtl(std::nullopt), hours(24));     // §2.4 default limit
  EXPECT_EQ(robotsCacheTtl(seconds(600)), seconds(600));  // shorter max-age kept
  EXPECT_EQ(robotsCacheTtl(hours(48)), hours(24));        // longer one capped
  EXPECT_EQ(robotsCacheTtl(seconds(-3)), seconds(0));     // nonsense: do not cache
  EXPECT_TRUE(robotsCacheFresh(seconds(0), hours(24)));
  EXPECT_TRUE(robotsCacheFresh(hours(24) - seconds(1), hours(24)));
  EXPECT_FALSE(robotsCacheFresh(hours(24), hours(24)));
  EXPECT_FALSE(robotsCacheFresh(seconds(601), seconds(600)));
  EXPECT_FALSE(robotsCacheFresh(hours(25), hours(48)));   // a ttl above the limit is capped
  EXPECT_FALSE(robotsCacheFresh(seconds(-1), hours(1)));  // clock went back: refetch
}

}  // namespace
}  // namespace agentbox::policy
