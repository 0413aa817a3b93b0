// SPDX-License-Identifier: Apache-2.0
// File: egress_proxy.h
// The egress proxy of one run: HTTP/1.1 forward proxying of absolute-form requests and
// CONNECT tunnels, each request or tunnel decided by the policy's NetRules and RateLimiter,
// names resolved here (outside the sandbox) only after they are allowed, and every address
// checked against cidr_deny before it is connected to (unless a [network.resolve] pin gave
// it). With robots options on, the proxy fetches each host's /robots.txt itself (through the
// same rules and address checks, see robots_fetcher.h), refuses plain-HTTP paths it
// disallows and spaces requests and new tunnels by its Crawl-delay. One Boost.Asio
// io_context on one thread; no thread per connection.
//
// Lifetime and threading: create(), then start() (spawns the loop thread with every signal
// blocked, so signals stay with the supervisor), addListener() from any thread (posted to
// the loop), stop() from the thread that called start() (closes every connection, joins).
// The EventSink is called on the loop thread only; it must outlive the proxy. The NetRules
// and RateLimiter given must outlive it too. updateNetwork() (any thread) replaces them for
// requests and tunnels decided after it; what is open or already decided is kept.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "policy/net_rules.h"
#include "policy/rate_limiter.h"
#include "proxy/http_message.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::proxy {

// What the proxy decided for one request (plain HTTP) or one tunnel (CONNECT).
enum class Decision : uint8_t {
  kAllowed,      // forwarded (status is the upstream's, or 200 for a tunnel)
  kDenied,       // 403 by policy (rule names the policy entry)
  kRateLimited,  // 429 with Retry-After
  kRefused,      // 4xx for a malformed request (400, 405, 408, 431, 501, 505)
  kFailed,       // allowed, but the upstream could not be reached or broke (502, 504)
  kLimit,        // max_connections or max_bytes (503, or the transfer was cut)
};
const char* decisionName(Decision d);

// One record of the run's `network.connections`. Strings are raw: the sink redacts them
// (a path or query can hold a token) before storing or printing anything.
struct ConnectionEvent {
  std::chrono::system_clock::time_point time;  // when the request head arrived
  std::string host;  // normalized when it parsed, else as sent (may be empty)
  uint16_t port = 0;
  std::string method;  // "CONNECT" for tunnels
  std::string path;    // plain HTTP: path and query as sent; empty for tunnels
  Decision decision = Decision::kRefused;
  std::string rule;         // policy rule ("network.allow:*.example.com", "default-deny", ...)
  std::string reason;       // one line; the text of the 4xx/5xx body when the proxy answered
  int status = 0;           // HTTP status the client got (0: the connection was cut first)
  std::string address;      // "ip:port" actually connected to, empty if none
  uint64_t bytes_up = 0;    // bytes sent to the upstream (head and body / tunnel bytes)
  uint64_t bytes_down = 0;  // bytes sent to the client from the upstream
  uint64_t duration_ms = 0;
  uint64_t queued_ms = 0;  // time waited for the host's Crawl-delay (0: not queued)
};

class EventSink {
 public:
  EventSink() = default;
  EventSink(const EventSink&) = delete;
  EventSink& operator=(const EventSink&) = delete;
  EventSink(EventSink&&) = delete;
  EventSink& operator=(EventSink&&) = delete;
  virtual ~EventSink() = default;
  // Called on the loop thread when a request or tunnel ends.
  virtual void onConnection(const ConnectionEvent& event) = 0;
};

// robots.txt in the proxy (policy keys network.respect_robots, honor_crawl_delay, user_agent).
struct RobotsOptions {
  bool respect_robots = false;          // plain-HTTP requests checked against the host's robots.txt
  bool honor_crawl_delay = false;       // requests and new tunnels spaced by its Crawl-delay
  std::string user_agent = "agentbox";  // product token the file is compiled for
};

// What a live policy update replaces.
struct NetworkUpdate {
  std::shared_ptr<const policy::NetRules> rules;  // not null
  std::shared_ptr<policy::RateLimiter> rate;      // null: no rate limits
  RobotsOptions robots{};
};

struct ProxyOptions {
  const policy::NetRules& rules;
  policy::RateLimiter* rate = nullptr;     // null: no rate limits
  uint32_t max_connections = 64;           // concurrent client connections (503 beyond)
  uint64_t max_bytes = uint64_t{1} << 30;  // both directions, whole run (403 / cut beyond)
  std::chrono::milliseconds connect_timeout{10'000};  // 504 past it; 0 = none
  std::chrono::milliseconds header_timeout{10'000};   // 408 past it; 0 = none
  std::chrono::milliseconds idle_timeout{60'000};     // close past it; 0 = none
  ParseLimits limits{};
  RobotsOptions robots{};
  // Requests of one host that may wait for its Crawl-delay at once (429 beyond).
  uint32_t crawl_queue_limit = 16;
};

// Counters, readable after stop().
struct ProxyStats {
  uint64_t connections = 0;      // client connections accepted
  uint64_t requests = 0;         // requests and tunnels decided
  uint64_t bytes = 0;            // bytes counted against max_bytes
  uint64_t robots_fetches = 0;   // robots.txt fetches started
  uint64_t crawl_queued = 0;     // requests and tunnels that waited for a Crawl-delay
  uint64_t crawl_waited_ms = 0;  // the time they waited, summed
  uint64_t crawl_refused = 0;    // refused with 429 because the host's queue was full
  uint64_t updates = 0;          // network updates applied
};

class EgressProxy {
 public:
  static Result<std::unique_ptr<EgressProxy>> create(const ProxyOptions& options, EventSink& sink);
  EgressProxy(const EgressProxy&) = delete;
  EgressProxy& operator=(const EgressProxy&) = delete;
  EgressProxy(EgressProxy&&) = delete;
  EgressProxy& operator=(EgressProxy&&) = delete;
  ~EgressProxy();  // stop()s

  Status start();
  // A listening TCP socket (in any network namespace) the proxy accepts clients on.
  Status addListener(UniqueFd listening);
  void stop();
  // Posts new rules to the loop (see the class comment). Before start() or after stop()
  // it has no effect.
  void updateNetwork(NetworkUpdate update);
  ProxyStats stats() const;

  struct Impl;

 private:
  explicit EgressProxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace agentbox::proxy
