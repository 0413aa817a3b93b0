// SPDX-License-Identifier: Apache-2.0
// File: session_transfer.cc
// A session's transfers: a plain-HTTP exchange (request head and body up, response head and
// body down, then the next request of the connection) and a CONNECT tunnel.
#include <fmt/format.h>

#include "proxy/session.h"

namespace agentbox::proxy {

namespace {

bool isReset(const boost::system::error_code& ec) {
  return ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

std::string budgetMessage(uint64_t max_bytes) {
  return fmt::format(
      "agentbox: the run's proxy byte budget of {} bytes is used up; transfer cut (policy "
      "network.max_bytes)",
      max_bytes);
}

}  // namespace

void Session::sendRequestHead() {
  phase_ = Phase::kExchange;
  touch();
  armIdleWatchdog();
  event_.decision = Decision::kAllowed;
  event_.address = upstream_address_;
  // We answer "Expect: 100-continue" ourselves once the policy allowed the request and the
  // upstream is connected: the client's body then flows without an interim response to relay.
  bool answer_continue = head_.expect_continue && head_.body != BodyKind::kNone && !retried_;
  std::erase_if(head_.headers, [](const HeaderField& f) { return iequals(f.name, "expect"); });
  wbuf_ = head_.forwardHead();
  body_left_ = head_.content_length;
  chunks_ = ChunkScanner();
  auto send_head = [self = shared_from_this()] {
    asio::async_write(
        self->upstream_, asio::buffer(self->wbuf_), [self](boost::system::error_code ec, size_t n) {
          if (ec) {
            if (!self->retryOnFreshConnection()) {
              self->failUpstream(502, "upstream",
                                 fmt::format("agentbox: {}:{} closed the connection: {}",
                                             self->event_.host, self->event_.port, ec.message()));
            }
            return;
          }
          self->event_.bytes_up += n;
          if (!self->charge(n)) {
            self->cut(budgetMessage(self->ctx_.options.max_bytes));
            return;
          }
          self->forwardRequestBody();
        });
  };
  if (!answer_continue) {
    send_head();
    return;
  }
  cbuf_ = "HTTP/1.1 100 Continue\r\n\r\n";
  asio::async_write(client_, asio::buffer(cbuf_),
                    [self = shared_from_this(), send_head](boost::system::error_code ec, size_t) {
                      if (ec) {
                        self->cut("client closed the connection");
                        return;
                      }
                      send_head();
                    });
}

// Forwards the request body as it came (Content-Length bytes, or chunked framing checked by
// the ChunkScanner); bytes past its end stay in in_ for the next pipelined request.
void Session::forwardRequestBody() {
  bool done = head_.body == BodyKind::kNone ||
              (head_.body == BodyKind::kLength && body_left_ == 0) ||
              (head_.body == BodyKind::kChunked && chunks_.state() == ChunkScanner::State::kDone);
  if (done) {
    readResponseHead();
    return;
  }
  if (in_.empty()) {
    client_.async_read_some(asio::buffer(rbuf_),
                            [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                              if (ec) {
                                self->cut("client closed the connection inside the request body");
                                return;
                              }
                              self->touch();
                              self->in_.append(self->rbuf_.data(), n);
                              self->forwardRequestBody();
                            });
    return;
  }
  size_t take = 0;
  if (head_.body == BodyKind::kLength) {
    take = static_cast<size_t>(std::min<uint64_t>(body_left_, in_.size()));
    body_left_ -= take;
  } else {
    take = chunks_.scan(in_);
    if (chunks_.state() == ChunkScanner::State::kError) {
      failUpstream(400, "http", "agentbox: malformed request refused: " + chunks_.error());
      event_.decision = Decision::kRefused;
      return;
    }
  }
  wbuf_.assign(in_, 0, take);
  in_.erase(0, take);
  asio::async_write(upstream_, asio::buffer(wbuf_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                      if (ec) {
                        self->failUpstream(
                            502, "upstream",
                            fmt::format("agentbox: {}:{} closed the connection "
                                        "inside the request body: {}",
                                        self->event_.host, self->event_.port, ec.message()));
                        return;
                      }
                      self->event_.bytes_up += n;
                      if (!self->charge(n)) {
                        self->cut(budgetMessage(self->ctx_.options.max_bytes));
                        return;
                      }
                      self->forwardRequestBody();
                    });
}

// A kept-alive upstream may have closed while idle: a request without a body that got no
// answer at all is sent once more on a fresh connection.
bool Session::retryOnFreshConnection() {
  if (!reused_ || retried_ || head_.body != BodyKind::kNone || !up_in_.empty()) {
    return false;
  }
  retried_ = true;
  reused_ = false;
  boost::system::error_code ignored;
  upstream_.close(ignored);
  event_.bytes_up = 0;
  boost::system::error_code ec;
  auto addr = upstream_address_;
  // upstream_address_ is "ip:port" or "[ip]:port".
  size_t colon = addr.rfind(':');
  std::string ip = addr.substr(0, colon);
  if (!ip.empty() && ip.front() == '[') {
    ip = ip.substr(1, ip.size() - 2);
  }
  asio::ip::address a = asio::ip::make_address(ip, ec);
  if (ec) {
    return false;
  }
  auto port = static_cast<uint16_t>(std::stoi(addr.substr(colon + 1)));
  connectTo({tcp::endpoint(a, port)});
  return true;
}

void Session::readResponseHead() {
  ResponseParse r = parseResponseHead(up_in_, head_.method, ctx_.options.limits);
  if (r.state == ResponseParse::State::kError) {
    failUpstream(502, "upstream",
                 fmt::format("agentbox: {}:{}: {}", event_.host, event_.port, r.error.reason));
    return;
  }
  if (r.state == ResponseParse::State::kDone) {
    onResponseHead(std::move(r.head), r.consumed);
    return;
  }
  upstream_.async_read_some(
      asio::buffer(ubuf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        if (ec) {
          if (self->retryOnFreshConnection()) {
            return;
          }
          std::string what = ec == asio::error::eof ? "closed the connection without a response"
                             : isReset(ec)          ? "reset the connection"
                                                    : ec.message();
          self->failUpstream(
              502, "upstream",
              fmt::format("agentbox: {}:{} {}", self->event_.host, self->event_.port, what));
          return;
        }
        self->touch();
        self->up_in_.append(self->ubuf_.data(), n);
        self->readResponseHead();
      });
}

void Session::onResponseHead(ResponseHead head, size_t consumed) {
  up_in_.erase(0, consumed);
  if (head.status >= 100 && head.status < 200) {
    if (head.status == 101) {
      failUpstream(502, "upstream",
                   fmt::format("agentbox: {}:{} switched protocols, which the proxy does not "
                               "relay for plain HTTP",
                               event_.host, event_.port));
      return;
    }
    readResponseHead();  // interim responses (100 Continue, 103) are not relayed
    return;
  }
  resp_ = std::move(head);
  client_keep_ = head_.keep_alive && resp_.body != BodyKind::kUntilClose;
  body_left_ = resp_.content_length;
  chunks_ = ChunkScanner();
  event_.status = resp_.status;
  cbuf_ = resp_.forwardHead(!client_keep_);
  asio::async_write(client_, asio::buffer(cbuf_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                      if (ec) {
                        self->cut("client closed the connection");
                        return;
                      }
                      self->event_.bytes_down += n;
                      if (!self->charge(n)) {
                        self->cut(budgetMessage(self->ctx_.options.max_bytes));
                        return;
                      }
                      self->forwardResponseBody();
                    });
}

void Session::forwardResponseBody() {
  bool done = resp_.body == BodyKind::kNone ||
              (resp_.body == BodyKind::kLength && body_left_ == 0) ||
              (resp_.body == BodyKind::kChunked && chunks_.state() == ChunkScanner::State::kDone);
  if (done) {
    finishExchange();
    return;
  }
  if (up_in_.empty()) {
    upstream_.async_read_some(
        asio::buffer(ubuf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
          if (ec == asio::error::eof && self->resp_.body == BodyKind::kUntilClose) {
            self->resp_.body = BodyKind::kNone;
            self->resp_.keep_alive = false;
            self->finishExchange();
            return;
          }
          if (ec) {
            self->cut(fmt::format("{}:{} ended the response early: {}", self->event_.host,
                                  self->event_.port, ec.message()));
            return;
          }
          self->touch();
          self->up_in_.append(self->ubuf_.data(), n);
          self->forwardResponseBody();
        });
    return;
  }
  size_t take = up_in_.size();
  if (resp_.body == BodyKind::kLength) {
    take = static_cast<size_t>(std::min<uint64_t>(body_left_, up_in_.size()));
    body_left_ -= take;
  } else if (resp_.body == BodyKind::kChunked) {
    take = chunks_.scan(up_in_);
    if (chunks_.state() == ChunkScanner::State::kError) {
      cut(fmt::format("{}:{} sent a {}", event_.host, event_.port, chunks_.error()));
      return;
    }
  }
  cbuf_.assign(up_in_, 0, take);
  up_in_.erase(0, take);
  asio::async_write(client_, asio::buffer(cbuf_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                      if (ec) {
                        self->cut("client closed the connection inside the response");
                        return;
                      }
                      self->event_.bytes_down += n;
                      if (!self->charge(n)) {
                        self->cut(budgetMessage(self->ctx_.options.max_bytes));
                        return;
                      }
                      self->forwardResponseBody();
                    });
}

void Session::finishExchange() {
  emit();
  retried_ = false;
  if (!resp_.keep_alive || !up_in_.empty()) {
    boost::system::error_code ignored;
    upstream_.close(ignored);
    upstream_key_.clear();
    up_in_.clear();
  }
  if (!client_keep_) {
    phase_ = Phase::kClosing;
    armPhaseTimer(std::chrono::milliseconds(2000));
    drainAndClose();
    return;
  }
  beginHead(/*after_exchange=*/true);
}

void Session::startTunnel() {
  cbuf_ = "HTTP/1.1 200 Connection established\r\n\r\n";
  event_.status = 200;
  asio::async_write(client_, asio::buffer(cbuf_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      if (ec) {
                        self->cut("client closed the connection");
                        return;
                      }
                      if (self->in_.empty()) {
                        self->pump(Side::kClient);
                        self->pump(Side::kUpstream);
                        return;
                      }
                      // Bytes the client sent right after its CONNECT head (an eager TLS
                      // ClientHello) go first.
                      self->wbuf_ = std::move(self->in_);
                      self->in_.clear();
                      asio::async_write(self->upstream_, asio::buffer(self->wbuf_),
                                        [self](boost::system::error_code ec2, size_t n) {
                                          if (ec2) {
                                            self->cut("upstream closed the tunnel");
                                            return;
                                          }
                                          self->event_.bytes_up += n;
                                          (void)self->charge(n);
                                          self->pump(Side::kClient);
                                          self->pump(Side::kUpstream);
                                        });
                    });
}

// One direction of a tunnel: read, count, write, repeat; EOF half-closes the other side.
void Session::pump(Side from) {
  tcp::socket& src = from == Side::kClient ? client_ : upstream_;
  auto& buf = from == Side::kClient ? rbuf_ : ubuf_;
  src.async_read_some(asio::buffer(buf),
                      [self = shared_from_this(), from](boost::system::error_code ec, size_t n) {
                        if (self->phase_ != Phase::kTunnel) {
                          return;
                        }
                        if (ec) {
                          self->onTunnelSideDone(from);
                          return;
                        }
                        tcp::socket& dst = from == Side::kClient ? self->upstream_ : self->client_;
                        auto& b = from == Side::kClient ? self->rbuf_ : self->ubuf_;
                        if (from == Side::kClient) {
                          self->event_.bytes_up += n;
                        } else {
                          self->event_.bytes_down += n;
                        }
                        if (!self->charge(n)) {
                          self->cut(budgetMessage(self->ctx_.options.max_bytes));
                          return;
                        }
                        asio::async_write(dst, asio::buffer(b.data(), n),
                                          [self, from](boost::system::error_code ec2, size_t) {
                                            if (ec2) {
                                              self->cut("tunnel closed");
                                              return;
                                            }
                                            self->pump(from);
                                          });
                      });
}

void Session::onTunnelSideDone(Side from) {
  auto idx = static_cast<size_t>(from);
  tunnel_done_[idx] = true;
  tcp::socket& dst = from == Side::kClient ? upstream_ : client_;
  boost::system::error_code ignored;
  dst.shutdown(tcp::socket::shutdown_send, ignored);
  if (tunnel_done_[0] && tunnel_done_[1]) {
    emit();
    closeAll();
  }
}

}  // namespace agentbox::proxy
