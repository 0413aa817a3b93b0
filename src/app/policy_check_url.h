// SPDX-License-Identifier: Apache-2.0
// File: policy_check_url.h
// The `agentbox policy check-url` use case: the policy's decision for each URL and, on
// request, the cidr_deny check of the addresses the name resolves to (DNS happens here, in
// app/, because policy/ never opens a socket).
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"
#include "util/result.h"

namespace agentbox::app {

struct CheckUrlOptions {
  bool resolve = false;        // resolve allowed names and check every address
  std::string method = "GET";  // for network.http rules on plain-http URLs
};

struct UrlVerdict {
  std::string url;  // as given
  bool allowed = false;
  std::string rule;
  std::string reason;
};

// One verdict per URL, in input order. Error only when the policy's network rules cannot be
// built (never for a policy from policy::load).
Result<std::vector<UrlVerdict>> checkUrls(const policy::Policy& policy,
                                          const std::vector<std::string>& urls,
                                          const CheckUrlOptions& options);

}  // namespace agentbox::app
