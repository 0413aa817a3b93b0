// SPDX-License-Identifier: Apache-2.0
// File: session.cc
// A client connection: request heads, policy decisions, resolving and connecting, and the
// answers the proxy gives itself (403, 429, 4xx, 502, 504). Bodies and tunnels are in
// session_transfer.cc.
#include "proxy/session.h"

#include <fmt/format.h>

#include "proxy/deny_message.h"
#include "proxy/upstream_address.h"

namespace agentbox::proxy {

namespace {

constexpr auto kDrainLimit = std::chrono::seconds(2);

uint64_t msSince(std::chrono::steady_clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t)
          .count());
}

std::string errorText(const boost::system::error_code& ec) {
  return ec.message();
}

}  // namespace

const char* decisionName(Decision d) {
  switch (d) {
    case Decision::kAllowed:
      return "allowed";
    case Decision::kDenied:
      return "denied";
    case Decision::kRateLimited:
      return "rate-limited";
    case Decision::kRefused:
      return "refused";
    case Decision::kFailed:
      return "failed";
    case Decision::kLimit:
      return "limit";
  }
  return "?";
}

Session::Session(ProxyContext& ctx, tcp::socket client)
    : ctx_(ctx),
      client_(std::move(client)),
      upstream_(ctx.io),
      resolver_(ctx.io),
      timer_(ctx.io),
      queue_timer_(ctx.io),
      parser_(ctx.options.limits) {
  ctx_.live.insert(this);
  touch();
}

Session::~Session() {
  emit();
  ctx_.live.erase(this);
  if (counted_) {
    --ctx_.active;
  }
}

void Session::start() {
  ++ctx_.stats.connections;
  boost::system::error_code ignored;
  client_.set_option(tcp::no_delay(true), ignored);
  if (ctx_.active >= ctx_.options.max_connections) {
    event_ = {};
    event_.time = std::chrono::system_clock::now();
    request_start_ = std::chrono::steady_clock::now();
    in_request_ = true;
    reject(Decision::kLimit, 503, "network.max_connections",
           fmt::format("agentbox: more than {} concurrent proxied connections; close some or raise "
                       "network.max_connections (policy network.max_connections)",
                       ctx_.options.max_connections));
    return;
  }
  ++ctx_.active;
  counted_ = true;
  beginHead(/*after_exchange=*/false);
}

void Session::beginHead(bool after_exchange) {
  phase_ = Phase::kHead;
  idle_wait_ = after_exchange && in_.empty();
  armPhaseTimer(idle_wait_ ? ctx_.options.idle_timeout : ctx_.options.header_timeout);
  readHead();
}

void Session::shutdown() {
  if (in_request_ && event_.reason.empty()) {
    event_.reason = "open when the run ended";
  }
  emit();
  closeAll();
}

void Session::armPhaseTimer(std::chrono::milliseconds after) {
  uint64_t gen = ++timer_gen_;
  if (after.count() == 0) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code& ec) {
    if (ec || gen != self->timer_gen_) {
      return;
    }
    switch (self->phase_) {
      case Phase::kHead:
        self->onHeadTimeout();
        break;
      case Phase::kConnect:
        self->connect_timed_out_ = true;
        self->upstream_.close();
        break;
      case Phase::kExchange:
      case Phase::kTunnel:
        self->armIdleWatchdog();
        break;
      case Phase::kClosing:
        self->closeAll();
        break;
      case Phase::kPolicy:  // the robots fetch has its own timeout; a crawl wait is bounded
      case Phase::kDone:
        break;
    }
  });
}

// Exchange and tunnel phases: re-checks the last activity instead of re-arming per read.
void Session::armIdleWatchdog() {
  auto idle = ctx_.options.idle_timeout;
  if (idle.count() == 0) {
    return;
  }
  auto quiet = std::chrono::steady_clock::now() - last_activity_;
  if (quiet < idle) {
    armPhaseTimer(std::chrono::duration_cast<std::chrono::milliseconds>(idle - quiet) +
                  std::chrono::milliseconds(1));
    return;
  }
  std::string msg =
      fmt::format("agentbox: {}:{} sent nothing for {} ms (policy network.idle_timeout)",
                  event_.host, event_.port, idle.count());
  if (phase_ == Phase::kExchange && event_.status == 0) {
    failUpstream(504, "network.idle_timeout", msg);
    return;
  }
  cut(msg);
}

void Session::readHead() {
  phase_ = Phase::kHead;
  if (!in_.empty()) {
    switch (parser_.feed(in_)) {
      case RequestParser::State::kDone:
        handleHead();
        return;
      case RequestParser::State::kError: {
        event_ = {};
        event_.time = std::chrono::system_clock::now();
        request_start_ = std::chrono::steady_clock::now();
        in_request_ = true;
        const HttpError& e = parser_.error();
        reject(Decision::kRefused, e.status, "http",
               fmt::format("agentbox: malformed request refused: {}", e.reason));
        return;
      }
      case RequestParser::State::kNeedMore:
        break;
    }
  }
  client_.async_read_some(
      asio::buffer(rbuf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        if (ec) {
          if (!self->in_.empty()) {
            self->event_ = {};
            self->event_.time = std::chrono::system_clock::now();
            self->in_request_ = true;
            self->event_.decision = Decision::kRefused;
            self->event_.rule = "http";
            self->event_.reason = "client closed the connection inside a request head";
          }
          self->closeAll();
          return;
        }
        bool was_idle = self->idle_wait_;
        self->in_.append(self->rbuf_.data(), n);
        if (was_idle) {
          self->idle_wait_ = false;
          self->armPhaseTimer(self->ctx_.options.header_timeout);
        }
        self->readHead();
      });
}

void Session::onHeadTimeout() {
  if (in_.empty()) {
    closeAll();  // an idle kept-alive connection: nothing to record
    return;
  }
  event_ = {};
  event_.time = std::chrono::system_clock::now();
  request_start_ = std::chrono::steady_clock::now();
  in_request_ = true;
  reject(Decision::kRefused, 408, "network.header_timeout",
         fmt::format("agentbox: the request head did not arrive within {} ms (policy "
                     "network.header_timeout)",
                     ctx_.options.header_timeout.count()));
}

void Session::handleHead() {
  head_ = parser_.takeHead();
  in_.erase(0, parser_.consumed());
  parser_.reset();
  ++ctx_.stats.requests;
  event_ = {};
  event_.time = std::chrono::system_clock::now();
  request_start_ = std::chrono::steady_clock::now();
  in_request_ = true;
  event_.method = head_.method;
  event_.path = head_.path;
  event_.host = head_.host;
  event_.port = head_.port;
  policy::NormalizedHost host;
  std::string_view why;
  if (!policy::normalizeHostInto(head_.host, host, &why)) {
    reject(Decision::kRefused, 400, "host",
           fmt::format("agentbox: invalid host '{}' in the request: {}", head_.host.substr(0, 64),
                       why));
    return;
  }
  event_.host = std::string(host.text());
  if (!admit(host)) {
    return;
  }
  rules_ = ctx_.rules;  // this request keeps the rules it is decided by, across a reload
  policy::NetDecision d = head_.is_connect
                              ? rules_->decide(host, head_.port)
                              : rules_->decideHttp(host, head_.port, head_.method, head_.path);
  event_.rule = std::string(d.rule);
  if (!d.allowed()) {
    reject(Decision::kDenied, 403, std::string(d.rule),
           denyMessage({.host = event_.host,
                        .port = head_.port,
                        .method = head_.method,
                        .rule = d.rule,
                        .reason = d.reason}));
    return;
  }
  if (ctx_.rate != nullptr) {
    policy::RateDecision r = ctx_.rate->acquire(host, head_.port);
    if (!r.allowed) {
      uint64_t secs = (r.retry_after_ms + 999) / 1000;
      reject(Decision::kRateLimited, 429, std::string(r.rule),
             fmt::format("agentbox: request rate for {} exceeded; retry in {} s (policy {})",
                         event_.host, secs, r.rule),
             fmt::format("Retry-After: {}\r\n", secs));
      return;
    }
  }
  decision_ = d;
  host_ = host;
  applyRobots();
}

// Budget checks before any policy work: the byte budget is per run.
bool Session::admit(const policy::NormalizedHost& host) {
  (void)host;
  if (!ctx_.budgetLeft()) {
    reject(Decision::kLimit, 403, "network.max_bytes",
           fmt::format("agentbox: the run's proxy byte budget of {} bytes is used up (policy "
                       "network.max_bytes)",
                       ctx_.options.max_bytes));
    return false;
  }
  return true;
}

void Session::resolveAndConnect() {
  const policy::NormalizedHost& host = host_;
  const policy::NetDecision& d = decision_;
  std::string key = fmt::format("{}:{}", host.text(), head_.port);
  target_key_ = key;
  if (upstream_.is_open() && upstream_key_ == key && !head_.is_connect) {
    reused_ = true;
    sendRequestHead();
    return;
  }
  reused_ = false;
  if (upstream_.is_open()) {
    boost::system::error_code ignored;
    upstream_.close(ignored);
    up_in_.clear();
  }
  upstream_key_.clear();
  if (d.pinned != nullptr) {
    // A [network.resolve] pin: the policy's author chose this address; exempt from cidr_deny.
    boost::system::error_code ec;
    asio::ip::address a = asio::ip::make_address(d.pinned->address, ec);
    if (ec) {
      failUpstream(502, std::string(d.rule),
                   fmt::format("agentbox: network.resolve address '{}' for {} is not an IP "
                               "address; fix the policy",
                               d.pinned->address, event_.host));
      return;
    }
    connectTo({tcp::endpoint(a, d.pinned->port.value_or(head_.port))});
    return;
  }
  if (host.isIp()) {
    boost::system::error_code ec;
    asio::ip::address a = asio::ip::make_address(std::string(host.text()), ec);
    onResolved({tcp::endpoint(a, head_.port)});
    return;
  }
  phase_ = Phase::kConnect;
  armPhaseTimer(ctx_.options.connect_timeout);
  resolver_.async_resolve(
      std::string(host.text()), std::to_string(head_.port),
      [self = shared_from_this()](boost::system::error_code ec, tcp::resolver::results_type rs) {
        if (self->phase_ != Phase::kConnect) {
          return;
        }
        if (ec || rs.empty()) {
          self->failUpstream(502, "dns",
                             fmt::format("agentbox: cannot resolve {}: {}", self->event_.host,
                                         ec ? errorText(ec) : "no addresses"));
          return;
        }
        std::vector<tcp::endpoint> eps;
        for (const auto& r : rs) {
          eps.push_back(r.endpoint());
        }
        self->onResolved(eps);
      });
}

// Every address is checked before any is tried: an allowed name that resolves to loopback
// or a private range is refused outright, whichever address the kernel would pick.
void Session::onResolved(const std::vector<tcp::endpoint>& endpoints) {
  if (auto denied = firstDeniedAddress(*rules_, endpoints)) {
    event_.address = endpointText(denied->endpoint);
    reject(Decision::kDenied, 403, std::string(denied->decision.rule),
           fmt::format("agentbox: {} resolves to {}, which is in a denied address range ({}); "
                       "pin an address with network.resolve if this is intended (policy "
                       "network.cidr_deny)",
                       event_.host, denied->endpoint.address().to_string(), denied->decision.rule));
    return;
  }
  connectTo(endpoints);
}

void Session::connectTo(std::vector<tcp::endpoint> endpoints) {
  phase_ = Phase::kConnect;
  connect_timed_out_ = false;
  armPhaseTimer(ctx_.options.connect_timeout);
  auto eps = std::make_shared<std::vector<tcp::endpoint>>(std::move(endpoints));
  asio::async_connect(
      upstream_, *eps,
      [self = shared_from_this(), eps](boost::system::error_code ec, const tcp::endpoint& e) {
        if (self->phase_ != Phase::kConnect) {
          return;
        }
        if (self->connect_timed_out_) {
          self->event_.address = endpointText(eps->front());
          self->failUpstream(
              504, "network.connect_timeout",
              fmt::format("agentbox: {}:{} did not accept a connection within {} ms (policy "
                          "network.connect_timeout)",
                          self->event_.host, self->event_.port,
                          self->ctx_.options.connect_timeout.count()));
          return;
        }
        if (ec) {
          self->event_.address = endpointText(eps->back());
          self->failUpstream(
              502, "upstream",
              fmt::format("agentbox: cannot connect to {}:{} ({}): {}", self->event_.host,
                          self->event_.port, self->event_.address, errorText(ec)));
          return;
        }
        self->event_.address = endpointText(e);
        self->upstream_address_ = self->event_.address;
        boost::system::error_code ignored;
        self->upstream_.set_option(tcp::no_delay(true), ignored);
        self->onConnected();
      });
}

void Session::onConnected() {
  upstream_key_ = target_key_;
  phase_ = head_.is_connect ? Phase::kTunnel : Phase::kExchange;
  touch();
  armIdleWatchdog();
  event_.decision = Decision::kAllowed;
  if (head_.is_connect) {
    startTunnel();
  } else {
    sendRequestHead();
  }
}

void Session::reject(Decision decision, int status, std::string rule, std::string message,
                     std::string extra_headers) {
  event_.decision = decision;
  event_.status = status;
  event_.rule = std::move(rule);
  event_.reason = message;
  event_.duration_ms = msSince(request_start_);
  emit();
  message += "\n";
  cbuf_ = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n"
      "Connection: close\r\n{}\r\n{}",
      status, reasonPhrase(status), message.size(), extra_headers, message);
  phase_ = Phase::kClosing;
  armPhaseTimer(std::chrono::duration_cast<std::chrono::milliseconds>(kDrainLimit));
  asio::async_write(client_, asio::buffer(cbuf_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      if (ec) {
                        self->closeAll();
                        return;
                      }
                      self->drainAndClose();
                    });
}

void Session::failUpstream(int status, std::string rule, std::string message) {
  boost::system::error_code ignored;
  upstream_.close(ignored);
  upstream_key_.clear();
  reject(Decision::kFailed, status, std::move(rule), std::move(message));
}

// After an answer with "Connection: close": stop sending, read (and drop) what the client
// still sends until it closes or the drain limit passes, so that closing with unread data
// does not reset the connection before the client has read the answer.
void Session::drainAndClose() {
  boost::system::error_code ignored;
  client_.shutdown(tcp::socket::shutdown_send, ignored);
  client_.async_read_some(asio::buffer(rbuf_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                            if (ec) {
                              self->closeAll();
                              return;
                            }
                            self->drainAndClose();
                          });
}

void Session::closeAll() {
  phase_ = Phase::kDone;
  ++timer_gen_;
  boost::system::error_code ignored;
  timer_.cancel();
  queue_timer_.cancel();
  resolver_.cancel();
  client_.close(ignored);
  upstream_.close(ignored);
}

void Session::emit() {
  if (!in_request_) {
    return;
  }
  in_request_ = false;
  if (event_.duration_ms == 0) {
    event_.duration_ms = msSince(request_start_);
  }
  ctx_.sink.onConnection(event_);
}

bool Session::charge(size_t n) {
  ctx_.stats.bytes += n;
  touch();
  return ctx_.stats.bytes <= ctx_.options.max_bytes;
}

void Session::cut(std::string reason) {
  if (event_.decision == Decision::kAllowed && reason.find("max_bytes") != std::string::npos) {
    event_.decision = Decision::kLimit;
    event_.rule = "network.max_bytes";
  }
  event_.reason = std::move(reason);
  emit();
  closeAll();
}

}  // namespace agentbox::proxy
