// SPDX-License-Identifier: Apache-2.0
// File: robots_fetch.cc
#include "policy/robots_fetch.h"

namespace agentbox::policy {

std::string_view robotsFetchActionName(RobotsFetchAction action) {
  switch (action) {
    case RobotsFetchAction::kParse:
      return "parse";
    case RobotsFetchAction::kFollowRedirect:
      return "follow-redirect";
    case RobotsFetchAction::kAllowAll:
      return "allow-all";
    case RobotsFetchAction::kDisallowAll:
      return "disallow-all";
  }
  return "disallow-all";
}

RobotsFetchAction robotsFetchAction(RobotsTransport transport, int status, int redirects_followed) {
  if (transport != RobotsTransport::kResponse) {
    return RobotsFetchAction::kDisallowAll;
  }
  if (status >= 200 && status <= 299) {
    return RobotsFetchAction::kParse;
  }
  if (status >= 300 && status <= 399) {
    return redirects_followed < kRobotsMaxRedirects ? RobotsFetchAction::kFollowRedirect
                                                    : RobotsFetchAction::kAllowAll;
  }
  if (status >= 400 && status <= 499) {
    return RobotsFetchAction::kAllowAll;
  }
  // 5xx, and anything that is not a final HTTP status (1xx, out of range): fail closed.
  return RobotsFetchAction::kDisallowAll;
}

std::chrono::seconds robotsCacheTtl(std::optional<std::chrono::seconds> max_age) {
  if (!max_age.has_value()) {
    return kRobotsMaxCacheAge;
  }
  if (max_age->count() < 0) {
    return std::chrono::seconds(0);
  }
  return *max_age < kRobotsMaxCacheAge ? *max_age : kRobotsMaxCacheAge;
}

bool robotsCacheFresh(std::chrono::seconds age, std::chrono::seconds ttl) {
  const std::chrono::seconds limit = ttl < kRobotsMaxCacheAge ? ttl : kRobotsMaxCacheAge;
  return age.count() >= 0 && age < limit;
}

}  // namespace agentbox::policy
