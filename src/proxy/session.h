// SPDX-License-Identifier: Apache-2.0
// File: session.h
// One client connection of the egress proxy (internal to the proxy layer): reads request
// heads, decides each by the policy, forwards absolute-form requests over a kept-alive
// upstream connection (answered strictly in order, so pipelined requests stay in order),
// or turns the connection into a CONNECT tunnel. Runs on the proxy's loop thread only;
// every asynchronous step holds a shared_ptr to the session.
#pragma once

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "policy/host.h"
#include "proxy/crawl_queue.h"
#include "proxy/egress_proxy.h"
#include "proxy/http_message.h"
#include "proxy/robots_cache.h"

namespace agentbox::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Session;

// What every session of one proxy shares. Loop thread only.
struct ProxyContext {
  ProxyContext(asio::io_context& io_context, const ProxyOptions& opts, EventSink& event_sink)
      : io(io_context),
        options(opts),
        sink(event_sink),
        // Non-owning: the caller keeps the first rules and limiter alive (egress_proxy.h);
        // updates bring owned ones.
        rules(std::shared_ptr<const policy::NetRules>(), &opts.rules),
        rate(std::shared_ptr<policy::RateLimiter>(), opts.rate),
        robots(opts.robots),
        crawl(opts.crawl_queue_limit) {}

  asio::io_context& io;
  ProxyOptions options;
  EventSink& sink;
  uint32_t active = 0;  // open client connections
  ProxyStats stats;
  std::unordered_set<Session*> live;
  // Replaced by updateNetwork(); a request keeps the rules it was decided by.
  std::shared_ptr<const policy::NetRules> rules;
  std::shared_ptr<policy::RateLimiter> rate;
  RobotsOptions robots;
  RobotsCache robots_cache;
  CrawlQueue crawl;
  std::unique_ptr<asio::ssl::context> tls;  // for https robots.txt; made on first use
  bool tls_failed = false;

  bool budgetLeft() const { return stats.bytes < options.max_bytes; }
  asio::ssl::context* tlsClient();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ProxyContext& ctx, tcp::socket client);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&&) = delete;
  Session& operator=(Session&&) = delete;
  ~Session();

  void start();
  // Proxy shutdown: records what is in flight and closes both sides.
  void shutdown();

 private:
  // kPolicy: waiting for robots.txt or the host's Crawl-delay, before any upstream I/O.
  enum class Phase : uint8_t { kHead, kPolicy, kConnect, kExchange, kTunnel, kClosing, kDone };
  enum class Side : uint8_t { kClient, kUpstream };

  // Request heads: beginHead() arms the header (or, between requests, idle) timer once.
  void beginHead(bool after_exchange);
  void readHead();
  void onHeadTimeout();
  void handleHead();
  bool admit(const policy::NormalizedHost& host);
  // robots.txt (plain HTTP) and Crawl-delay, then resolveAndConnect().
  void applyRobots();
  void onRobots(const RobotsResult& result, bool check_path);
  void waitForCrawlSlot(std::chrono::milliseconds delay);
  void resolveAndConnect();
  void onResolved(const std::vector<tcp::endpoint>& endpoints);
  void connectTo(std::vector<tcp::endpoint> endpoints);
  void onConnected();
  // Plain HTTP.
  void sendRequestHead();
  void forwardRequestBody();
  void readResponseHead();
  void onResponseHead(ResponseHead head, size_t consumed);
  void forwardResponseBody();
  void finishExchange();
  bool retryOnFreshConnection();
  // CONNECT.
  void startTunnel();
  void pump(Side from);
  void onTunnelSideDone(Side from);
  // Answers and ends.
  void reject(Decision decision, int status, std::string rule, std::string message,
              std::string extra_headers = "");
  void failUpstream(int status, std::string rule, std::string message);
  void drainAndClose();
  void closeAll();
  void emit();
  bool charge(size_t n);  // counts n bytes against max_bytes; false once past it
  void cut(std::string reason);
  // Timers.
  void armPhaseTimer(std::chrono::milliseconds after);
  void armIdleWatchdog();
  void touch() { last_activity_ = std::chrono::steady_clock::now(); }

  ProxyContext& ctx_;
  tcp::socket client_;
  tcp::socket upstream_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  asio::steady_timer queue_timer_;  // the Crawl-delay wait
  uint64_t timer_gen_ = 0;
  Phase phase_ = Phase::kHead;
  std::chrono::steady_clock::time_point last_activity_;
  std::chrono::steady_clock::time_point request_start_;

  RequestParser parser_;
  RequestHead head_;
  // The current request's decision and the rules that made it (its views point into them).
  std::shared_ptr<const policy::NetRules> rules_;
  policy::NetDecision decision_;
  policy::NormalizedHost host_;
  std::string in_;     // client bytes not yet consumed (pipelined requests wait here)
  std::string up_in_;  // upstream bytes not yet consumed
  std::string wbuf_;   // bytes in flight to the upstream
  std::string cbuf_;   // bytes in flight to the client
  std::array<char, 16 * 1024> rbuf_{};
  std::array<char, 16 * 1024> ubuf_{};
  uint64_t body_left_ = 0;
  ChunkScanner chunks_;
  ResponseHead resp_;
  bool client_keep_ = false;

  std::string upstream_key_;  // "host:port" the open upstream connection serves
  std::string target_key_;    // the same for the current request
  std::string upstream_address_;
  bool reused_ = false;
  bool retried_ = false;
  bool connect_timed_out_ = false;
  bool idle_wait_ = false;  // waiting for the next request on a kept-alive connection
  bool tunnel_done_[2] = {false, false};

  ConnectionEvent event_;
  bool in_request_ = false;  // event_ describes a request not yet emitted
  bool counted_ = false;     // counted in ctx_.active
};

}  // namespace agentbox::proxy
