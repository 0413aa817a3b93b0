// SPDX-License-Identifier: Apache-2.0
// File: upstream_server.h
// A real HTTP/1.1 server on 127.0.0.1 for the proxy tests, run on threads of the test
// process: echoes each request (method, target, body) with keep-alive, or misbehaves on
// purpose (never answers, resets the connection, or never accepts).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace agentbox::testing {

class UpstreamServer {
 public:
  enum class Mode {
    kEcho,      // "echo METHOD TARGET len=N body=..." with Content-Length, keep-alive
    kSilent,    // reads the request, never answers
    kReset,     // reads the request, then resets the connection (RST)
    kNoAccept,  // listen backlog 0, filled by the server itself: SYNs are dropped
  };
  explicit UpstreamServer(Mode mode = Mode::kEcho);
  UpstreamServer(const UpstreamServer&) = delete;
  UpstreamServer& operator=(const UpstreamServer&) = delete;
  UpstreamServer(UpstreamServer&&) = delete;
  UpstreamServer& operator=(UpstreamServer&&) = delete;
  ~UpstreamServer();

  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }
  // Request lines and raw heads received so far, in order.
  std::vector<std::string> requests() const;
  std::vector<std::string> heads() const;

  // Echo mode: a request for exactly `target` gets `raw_response` (status line, fields,
  // body, as bytes) and the connection is closed (or, when the response says
  // "Connection: keep-alive", left open until the client closes it, so that the client must
  // find the end by the framing); an empty response means "never answer".
  // Call before the traffic starts.
  void setRoute(const std::string& target, std::string raw_response);
  // When each request line arrived (steady clock), in order.
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> arrivals() const;

  // A port on 127.0.0.1 with nothing listening (bound once, then closed).
  static uint16_t closedPort();

 private:
  void acceptLoop();
  void serve(int fd);
  Mode mode_;
  int listen_fd_ = -1;
  std::vector<int> fillers_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;          // guarded by mu_
  std::vector<std::string> heads_;             // guarded by mu_
  std::map<std::string, std::string> routes_;  // guarded by mu_
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>>
      arrivals_;                      // guarded by mu_
  std::vector<std::thread> threads_;  // guarded by mu_
  std::thread acceptor_;
};

}  // namespace agentbox::testing
