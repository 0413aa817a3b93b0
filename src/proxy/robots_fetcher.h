// SPDX-License-Identifier: Apache-2.0
// File: robots_fetcher.h
// The proxy's own fetch of one host's /robots.txt (internal to the proxy layer). It goes
// through the same policy as the sandbox's traffic, never around it: the host (and every
// redirect target) must be allowed by NetRules, names are resolved here, every address is
// checked against cidr_deny (a [network.resolve] pin gives the address instead), and the
// status rules of policy/robots_fetch.h decide what the answer means (2xx parse, up to five
// redirects, 4xx allow all, 5xx / timeout / unreachable disallow all).
//
// Threading: start on the proxy's loop thread; `done` is called exactly once, on that
// thread, also when the io_context is stopped first (then never).
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "policy/net_rules.h"
#include "policy/robots.h"

namespace agentbox::proxy {

// Whose robots.txt: http://host:port/robots.txt, or https:// for the target of a CONNECT.
struct RobotsOrigin {
  std::string host;  // normalized
  uint16_t port = 0;
  bool tls = false;

  [[nodiscard]] std::string url() const;  // "http://host:port/robots.txt"
};

struct RobotsResult {
  std::shared_ptr<const policy::Robots> robots;  // never null
  // One line for deny messages and the log: "http://h:80/robots.txt answered 503: every
  // path disallowed (RFC 9309 2.3.1.4)".
  std::string source;
  std::chrono::seconds ttl{0};  // how long the result may be reused
};

struct RobotsFetchEnv {
  boost::asio::io_context& io;
  boost::asio::ssl::context* tls = nullptr;  // null: https origins count as unreachable
  std::shared_ptr<const policy::NetRules> rules;
  std::string user_agent;                     // sent as User-Agent and used to compile the file
  std::chrono::milliseconds timeout{10'000};  // the whole fetch, redirects included
};

void fetchRobots(const RobotsFetchEnv& env, const RobotsOrigin& origin,
                 std::function<void(RobotsResult)> done);

}  // namespace agentbox::proxy
