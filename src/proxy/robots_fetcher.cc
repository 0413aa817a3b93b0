// SPDX-License-Identifier: Apache-2.0
// File: robots_fetcher.cc
#include "proxy/robots_fetcher.h"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <optional>

#include "policy/robots_fetch.h"
#include "policy/robots_parse.h"
#include "policy/url.h"
#include "proxy/http_message.h"
#include "proxy/upstream_address.h"

namespace agentbox::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// A failed fetch is not kept for the full day a file may be: a host that was down for a
// moment should not stay disallowed (or unlimited) for the rest of a long run.
constexpr std::chrono::seconds kFailureTtl{300};
constexpr size_t kMaxHeadBytes = size_t{32} * 1024;

std::optional<std::chrono::seconds> maxAge(const ResponseHead& head) {
  const HeaderField* cc = head.find("cache-control");
  if (cc == nullptr) {
    return std::nullopt;
  }
  size_t at = cc->value.find("max-age=");
  if (at == std::string::npos) {
    return std::nullopt;
  }
  int64_t secs = 0;
  size_t i = at + 8;
  bool any = false;
  for (; i < cc->value.size() && cc->value[i] >= '0' && cc->value[i] <= '9'; ++i) {
    secs = std::min<int64_t>(secs * 10 + (cc->value[i] - '0'), int64_t{1} << 40);
    any = true;
  }
  return any ? std::optional(std::chrono::seconds(secs)) : std::nullopt;
}

// A chunked body decoded by the proxy's own framing scanner (the fetch asks for HTTP/1.0,
// so servers rarely send one). A truncated or malformed body keeps the payload that arrived
// before the fault: robots.txt is line based and capped anyway.
struct Dechunked {
  std::string payload;
  bool done = false;  // the last chunk and the trailer arrived
};

Dechunked dechunk(std::string_view in) {
  Dechunked d;
  ChunkScanner scanner;
  scanner.scan(in, &d.payload);
  d.done = scanner.state() != ChunkScanner::State::kMore;
  return d;
}

class Fetch : public std::enable_shared_from_this<Fetch> {
 public:
  Fetch(const RobotsFetchEnv& env, const RobotsOrigin& origin,
        std::function<void(RobotsResult)> done)
      : env_(env),
        first_(origin),
        origin_(origin),
        done_(std::move(done)),
        timer_(env.io),
        resolver_(env.io),
        socket_(env.io) {}

  void start() {
    if (env_.timeout.count() > 0) {
      timer_.expires_after(env_.timeout);
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) {
          self->finishTransport(policy::RobotsTransport::kTimeout,
                                fmt::format("no answer within {} ms", self->env_.timeout.count()));
        }
      });
    }
    attempt();
  }

 private:
  void attempt();
  void connect(std::vector<tcp::endpoint> endpoints);
  void handshake();
  void sendRequest();
  void readSome();
  void onBytes();
  void onHead(const ResponseHead& head, size_t consumed, bool eof);
  void redirect(const ResponseHead& head);
  void finishTransport(policy::RobotsTransport t, const std::string& why);
  void finish(RobotsResult r);
  void closeStreams();

  template <class Handler>
  void readInto(Handler&& h) {
    if (tls_) {
      tls_->async_read_some(asio::buffer(rbuf_), std::forward<Handler>(h));
    } else {
      socket_.async_read_some(asio::buffer(rbuf_), std::forward<Handler>(h));
    }
  }

  RobotsFetchEnv env_;
  RobotsOrigin first_;   // whose robots.txt this is (named in every result)
  RobotsOrigin origin_;  // where the current attempt goes (differs after a redirect)
  std::string path_ = "/robots.txt";
  int redirects_ = 0;
  std::function<void(RobotsResult)> done_;
  asio::steady_timer timer_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  std::string request_;
  std::string buf_;
  std::array<char, size_t{16} * 1024> rbuf_{};
  bool finished_ = false;
};

void Fetch::attempt() {
  policy::NormalizedHost host;
  if (!policy::normalizeHostInto(origin_.host, host, nullptr)) {
    finishTransport(policy::RobotsTransport::kUnreachable,
                    fmt::format("invalid host '{}'", origin_.host));
    return;
  }
  origin_.host = std::string(host.text());
  policy::NetDecision d = env_.rules->decide(host, origin_.port);
  if (!d.allowed()) {
    finishTransport(
        policy::RobotsTransport::kUnreachable,
        fmt::format("{}:{} is not allowed by the policy ({})", origin_.host, origin_.port, d.rule));
    return;
  }
  if (origin_.tls && env_.tls == nullptr) {
    finishTransport(policy::RobotsTransport::kUnreachable, "no TLS client available");
    return;
  }
  boost::system::error_code ec;
  if (d.pinned != nullptr) {
    asio::ip::address a = asio::ip::make_address(d.pinned->address, ec);
    if (ec) {
      finishTransport(policy::RobotsTransport::kUnreachable, "network.resolve address invalid");
      return;
    }
    connect({tcp::endpoint(a, d.pinned->port.value_or(origin_.port))});
    return;
  }
  if (host.isIp()) {
    asio::ip::address a = asio::ip::make_address(origin_.host, ec);
    connect({tcp::endpoint(a, origin_.port)});
    return;
  }
  resolver_.async_resolve(
      origin_.host, std::to_string(origin_.port),
      [self = shared_from_this()](boost::system::error_code rec,
                                  const tcp::resolver::results_type& rs) {
        if (self->finished_) {
          return;
        }
        if (rec || rs.empty()) {
          self->finishTransport(policy::RobotsTransport::kUnreachable,
                                fmt::format("cannot resolve {}", self->origin_.host));
          return;
        }
        std::vector<tcp::endpoint> eps;
        for (const auto& r : rs) {
          eps.push_back(r.endpoint());
        }
        if (auto denied = firstDeniedAddress(*self->env_.rules, eps)) {
          self->finishTransport(
              policy::RobotsTransport::kUnreachable,
              fmt::format("{} resolves to {}, a denied address ({})", self->origin_.host,
                          denied->endpoint.address().to_string(), denied->decision.rule));
          return;
        }
        self->connect(std::move(eps));
      });
}

void Fetch::connect(std::vector<tcp::endpoint> endpoints) {
  // Pinned addresses are the policy author's choice; literal and resolved ones are checked.
  auto eps = std::make_shared<std::vector<tcp::endpoint>>(std::move(endpoints));
  asio::async_connect(
      socket_, *eps,
      [self = shared_from_this(), eps](boost::system::error_code ec, const tcp::endpoint&) {
        if (self->finished_) {
          return;
        }
        if (ec) {
          self->finishTransport(policy::RobotsTransport::kUnreachable, "connect: " + ec.message());
          return;
        }
        self->handshake();
      });
}

void Fetch::handshake() {
  if (!origin_.tls) {
    sendRequest();
    return;
  }
  tls_.emplace(std::move(socket_), *env_.tls);
  socket_ = tcp::socket(env_.io);
  // SNI and the certificate's name: what a browser would check for this host.
  SSL_set_tlsext_host_name(tls_->native_handle(), origin_.host.c_str());
  tls_->set_verify_mode(asio::ssl::verify_peer);
  tls_->set_verify_callback(asio::ssl::host_name_verification(origin_.host));
  tls_->async_handshake(
      asio::ssl::stream_base::client, [self = shared_from_this()](boost::system::error_code ec) {
        if (self->finished_) {
          return;
        }
        if (ec) {
          self->finishTransport(policy::RobotsTransport::kUnreachable, "TLS: " + ec.message());
          return;
        }
        self->sendRequest();
      });
}

void Fetch::sendRequest() {
  // HTTP/1.0 with Connection: close: the body ends with the connection, and no chunked
  // framing is allowed in answer to a 1.0 request.
  bool default_port = origin_.port == (origin_.tls ? 443 : 80);
  std::string host_field =
      default_port ? origin_.host : fmt::format("{}:{}", origin_.host, origin_.port);
  request_ = fmt::format(
      "GET {} HTTP/1.0\r\nHost: {}\r\nUser-Agent: {}\r\nAccept: text/plain, */*\r\n"
      "Connection: close\r\n\r\n",
      path_, host_field, env_.user_agent.empty() ? "agentbox" : env_.user_agent);
  auto on_written = [self = shared_from_this()](boost::system::error_code ec, size_t) {
    if (self->finished_) {
      return;
    }
    if (ec) {
      self->finishTransport(policy::RobotsTransport::kUnreachable, "send: " + ec.message());
      return;
    }
    self->readSome();
  };
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(request_), on_written);
  } else {
    asio::async_write(socket_, asio::buffer(request_), on_written);
  }
}

void Fetch::readSome() {
  readInto([self = shared_from_this()](boost::system::error_code ec, size_t n) {
    if (self->finished_) {
      return;
    }
    self->buf_.append(self->rbuf_.data(), n);
    bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
    if (ec && !eof) {
      self->finishTransport(policy::RobotsTransport::kUnreachable, "read: " + ec.message());
      return;
    }
    ResponseParse r = parseResponseHead(self->buf_, "GET");
    if (r.state == ResponseParse::State::kError) {
      self->finishTransport(policy::RobotsTransport::kUnreachable,
                            "malformed response: " + r.error.reason);
      return;
    }
    if (r.state == ResponseParse::State::kDone) {
      self->onHead(r.head, r.consumed, eof);
      return;
    }
    if (eof || self->buf_.size() > kMaxHeadBytes) {
      self->finishTransport(policy::RobotsTransport::kUnreachable,
                            eof ? "connection closed before a response" : "response head too big");
      return;
    }
    self->readSome();
  });
}

void Fetch::onHead(const ResponseHead& head, size_t consumed, bool eof) {
  if (head.status >= 100 && head.status < 200) {
    buf_.erase(0, consumed);  // interim response: the real one follows
    if (eof) {
      finishTransport(policy::RobotsTransport::kUnreachable, "no final response");
    } else {
      readSome();
    }
    return;
  }
  policy::RobotsFetchAction action =
      policy::robotsFetchAction(policy::RobotsTransport::kResponse, head.status, redirects_);
  std::string where = fmt::format("{} answered {}", first_.url(), head.status);
  switch (action) {
    case policy::RobotsFetchAction::kFollowRedirect:
      redirect(head);
      return;
    case policy::RobotsFetchAction::kAllowAll:
      finish({.robots = std::make_shared<policy::Robots>(policy::Robots::allowAll()),
              .source = where + (head.status < 400 ? " after too many redirects" : "") +
                        ": every path allowed (RFC 9309 2.3.1.3)",
              .ttl = policy::robotsCacheTtl(maxAge(head))});
      return;
    case policy::RobotsFetchAction::kDisallowAll:
      finish({.robots = std::make_shared<policy::Robots>(policy::Robots::disallowAll()),
              .source = where + ": every path disallowed (RFC 9309 2.3.1.4)",
              .ttl = kFailureTtl});
      return;
    case policy::RobotsFetchAction::kParse:
      break;
  }
  std::string_view body = std::string_view(buf_).substr(consumed);
  Dechunked chunked;
  if (head.body == BodyKind::kChunked) {
    chunked = dechunk(body);
  }
  bool complete = eof || head.body == BodyKind::kNone || chunked.done ||
                  (head.body == BodyKind::kLength && body.size() >= head.content_length) ||
                  body.size() > policy::kRobotsMaxBytes + size_t{64} * 1024;
  if (!complete) {
    readSome();
    return;
  }
  if (head.body == BodyKind::kLength && body.size() > head.content_length) {
    body = body.substr(0, head.content_length);
  }
  std::string_view text = head.body == BodyKind::kChunked ? chunked.payload : body;
  finish(
      {.robots = std::make_shared<policy::Robots>(policy::Robots::compile(text, env_.user_agent)),
       .source = first_.url(),
       .ttl = policy::robotsCacheTtl(maxAge(head))});
}

void Fetch::redirect(const ResponseHead& head) {
  const HeaderField* loc = head.find("location");
  std::string where = fmt::format("{} answered {}", first_.url(), head.status);
  auto unavailable = [&](const std::string& why) {
    // A redirect that cannot be followed: the file is unavailable (RFC 9309 2.3.1.2).
    finish({.robots = std::make_shared<policy::Robots>(policy::Robots::allowAll()),
            .source = where + " " + why + ": every path allowed (RFC 9309 2.3.1.3)",
            .ttl = kFailureTtl});
  };
  if (loc == nullptr || loc->value.empty()) {
    unavailable("without a Location");
    return;
  }
  ++redirects_;
  if (loc->value.front() == '/' && (loc->value.size() < 2 || loc->value[1] != '/')) {
    path_ = loc->value;
  } else {
    Result<policy::Url> url = policy::parseUrl(loc->value);
    if (!url.has_value()) {
      unavailable("with an unusable Location");
      return;
    }
    origin_ = {.host = url->host, .port = url->port, .tls = url->scheme == "https"};
    path_ = url->target;
  }
  closeStreams();
  buf_.clear();
  attempt();
}

void Fetch::finishTransport(policy::RobotsTransport t, const std::string& why) {
  // Timeout and unreachable both mean "disallow all" (policy::robotsFetchAction).
  std::string what = t == policy::RobotsTransport::kTimeout ? "timed out" : "unreachable";
  finish({.robots = std::make_shared<policy::Robots>(policy::Robots::disallowAll()),
          .source = fmt::format("{} {} ({}): every path disallowed (RFC 9309 2.3.1.4)",
                                first_.url(), what, why),
          .ttl = kFailureTtl});
}

void Fetch::finish(RobotsResult r) {
  if (finished_) {
    return;
  }
  finished_ = true;
  timer_.cancel();
  resolver_.cancel();
  closeStreams();
  auto done = std::move(done_);
  done(std::move(r));
}

void Fetch::closeStreams() {
  boost::system::error_code ignored;
  if (tls_) {
    tls_->next_layer().close(ignored);
    tls_.reset();
  }
  socket_.close(ignored);
  socket_ = tcp::socket(env_.io);
}

}  // namespace

std::string RobotsOrigin::url() const {
  bool default_port = port == (tls ? 443 : 80);
  return default_port ? fmt::format("{}://{}/robots.txt", tls ? "https" : "http", host)
                      : fmt::format("{}://{}:{}/robots.txt", tls ? "https" : "http", host, port);
}

void fetchRobots(const RobotsFetchEnv& env, const RobotsOrigin& origin,
                 std::function<void(RobotsResult)> done) {
  std::make_shared<Fetch>(env, origin, std::move(done))->start();
}

}  // namespace agentbox::proxy
