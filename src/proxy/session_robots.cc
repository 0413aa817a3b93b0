// SPDX-License-Identifier: Apache-2.0
// File: session_robots.cc
// A session's politeness step, between the policy decision and the upstream connection:
// the host's robots.txt (fetched once per origin and shared, robots_cache.h) decides a
// plain-HTTP path, and its Crawl-delay spaces requests and new tunnels (crawl_queue.h).
// Through CONNECT the path is not visible, so only the delay applies there.
#include <fmt/format.h>

#include <cmath>

#include "proxy/session.h"

namespace agentbox::proxy {

namespace {

constexpr std::chrono::milliseconds kDefaultRobotsTimeout{10'000};
// Longest Crawl-delay honoured: a file asking for more would stall the agent for minutes per
// request, which no tool's timeout survives; the queue cap bounds the total.
constexpr double kMaxCrawlDelaySeconds = 60;

}  // namespace

asio::ssl::context* ProxyContext::tlsClient() {
  if (tls != nullptr || tls_failed) {
    return tls.get();
  }
  try {
    auto c = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    // The system's CA store (OpenSSL also honours SSL_CERT_FILE / SSL_CERT_DIR here).
    c->set_default_verify_paths();
    c->set_verify_mode(asio::ssl::verify_peer);
    tls = std::move(c);
  } catch (const boost::system::system_error&) {
    tls_failed = true;  // https robots.txt then counts as unreachable
  }
  return tls.get();
}

void Session::applyRobots() {
  const RobotsOptions& ro = ctx_.robots;
  bool check_path = ro.respect_robots && !head_.is_connect;
  if (!check_path && !ro.honor_crawl_delay) {
    resolveAndConnect();
    return;
  }
  phase_ = Phase::kPolicy;
  armPhaseTimer(std::chrono::milliseconds(0));
  RobotsFetchEnv env{
      .io = ctx_.io,
      .tls = head_.is_connect ? ctx_.tlsClient() : nullptr,
      .rules = rules_,
      .user_agent = ro.user_agent,
      .timeout = ctx_.options.connect_timeout.count() > 0 ? ctx_.options.connect_timeout
                                                          : kDefaultRobotsTimeout,
  };
  RobotsOrigin origin{
      .host = std::string(host_.text()), .port = head_.port, .tls = head_.is_connect};
  uint64_t before = ctx_.robots_cache.fetches();
  ctx_.robots_cache.lookup(env, origin,
                           [self = shared_from_this(), check_path](const RobotsResult& r) {
                             if (self->phase_ != Phase::kPolicy) {
                               return;  // closed while waiting
                             }
                             self->onRobots(r, check_path);
                           });
  ctx_.stats.robots_fetches += ctx_.robots_cache.fetches() - before;
}

void Session::onRobots(const RobotsResult& result, bool check_path) {
  if (check_path) {
    policy::RobotsVerdict v = result.robots->check(head_.path);
    if (!v.allowed) {
      if (v.line != 0) {
        reject(Decision::kDenied, 403, fmt::format("robots.txt:{}", v.line),
               fmt::format("agentbox: {} http://{}:{}{} is disallowed by {} line {} "
                           "(\"Disallow: {}\") for user-agent {} (policy network.respect_robots)",
                           head_.method, event_.host, head_.port, head_.path, result.source, v.line,
                           v.rule, ctx_.robots.user_agent));
      } else {
        reject(Decision::kDenied, 403, "robots.txt:unreachable",
               fmt::format("agentbox: {} http://{}:{}{} refused: {} (policy "
                           "network.respect_robots)",
                           head_.method, event_.host, head_.port, head_.path, result.source));
      }
      return;
    }
  }
  std::chrono::milliseconds delay{0};
  if (ctx_.robots.honor_crawl_delay) {
    if (std::optional<double> s = result.robots->crawlDelaySeconds(); s.has_value() && *s > 0) {
      delay = std::chrono::milliseconds(std::llround(std::min(*s, kMaxCrawlDelaySeconds) * 1000));
    }
  }
  waitForCrawlSlot(delay);
}

void Session::waitForCrawlSlot(std::chrono::milliseconds delay) {
  auto now = std::chrono::steady_clock::now();
  CrawlQueue::Ticket t = ctx_.crawl.reserve(host_.text(), delay, now);
  if (!t.admitted) {
    ++ctx_.stats.crawl_refused;
    reject(Decision::kRateLimited, 429, "robots.txt:crawl-delay",
           fmt::format("agentbox: {} requests to {} already wait for its robots.txt Crawl-delay "
                       "of {} ms; retry in {} s (policy network.honor_crawl_delay)",
                       ctx_.crawl.waiting(host_.text()), event_.host, delay.count(),
                       t.retry_after.count()),
           fmt::format("Retry-After: {}\r\n", t.retry_after.count()));
    return;
  }
  if (t.wait.count() == 0) {
    resolveAndConnect();
    return;
  }
  ++ctx_.stats.crawl_queued;
  queue_timer_.expires_after(t.wait);
  queue_timer_.async_wait([self = shared_from_this(), now](const boost::system::error_code& ec) {
    // Released whatever happened, so that a closed session does not hold a queue place.
    self->ctx_.crawl.release(self->host_.text());
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - now);
    self->event_.queued_ms = static_cast<uint64_t>(waited.count());
    self->ctx_.stats.crawl_waited_ms += self->event_.queued_ms;
    if (ec || self->phase_ != Phase::kPolicy) {
      return;
    }
    self->resolveAndConnect();
  });
}

}  // namespace agentbox::proxy
