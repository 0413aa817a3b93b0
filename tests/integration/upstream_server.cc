// SPDX-License-Identifier: Apache-2.0
// File: upstream_server.cc
#include "upstream_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>

namespace agentbox::testing {

namespace {

int listenLoopback(int backlog, uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::listen(fd, backlog) != 0) {
    throw std::runtime_error("upstream: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// Reads until `buf` holds `need` bytes or the peer closes / the server stops.
bool readMore(int fd, std::string& buf, const std::atomic<bool>& stop) {
  char tmp[16384];
  while (!stop) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      continue;
    }
    ssize_t n = ::read(fd, tmp, sizeof(tmp));
    if (n <= 0) {
      return false;
    }
    buf.append(tmp, static_cast<size_t>(n));
    return true;
  }
  return false;
}

std::string lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// Decodes a chunked body at the front of `buf` (simple and trusting: test traffic only).
bool readChunked(int fd, std::string& buf, std::string& body, const std::atomic<bool>& stop) {
  while (true) {
    size_t eol = buf.find("\r\n");
    while (eol == std::string::npos) {
      if (!readMore(fd, buf, stop)) {
        return false;
      }
      eol = buf.find("\r\n");
    }
    size_t size = std::strtoul(buf.substr(0, eol).c_str(), nullptr, 16);
    while (buf.size() < eol + 2 + size + 2) {
      if (!readMore(fd, buf, stop)) {
        return false;
      }
    }
    body += buf.substr(eol + 2, size);
    buf.erase(0, eol + 2 + size + 2);
    if (size == 0) {
      return true;  // no trailers in test traffic
    }
  }
}

}  // namespace

UpstreamServer::UpstreamServer(Mode mode) : mode_(mode) {
  listen_fd_ = listenLoopback(mode == Mode::kNoAccept ? 0 : 64, &port_);
  if (mode == Mode::kNoAccept) {
    // Fill the accept queue so that further SYNs are dropped: connect() then hangs.
    for (int i = 0; i < 4; ++i) {
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port_);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a));
      fillers_.push_back(c);
    }
    return;
  }
  acceptor_ = std::thread([this] { acceptLoop(); });
}

UpstreamServer::~UpstreamServer() {
  stop_ = true;
  if (acceptor_.joinable()) {
    acceptor_.join();
  }
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (std::thread& t : threads) {
    t.join();
  }
  for (int fd : fillers_) {
    ::close(fd);
  }
  ::close(listen_fd_);
}

uint16_t UpstreamServer::closedPort() {
  uint16_t port = 0;
  int fd = listenLoopback(1, &port);
  ::close(fd);
  return port;
}

std::vector<std::string> UpstreamServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<std::string> UpstreamServer::heads() const {
  std::lock_guard lock(mu_);
  return heads_;
}

void UpstreamServer::setRoute(const std::string& target, std::string raw_response) {
  std::lock_guard lock(mu_);
  routes_[target] = std::move(raw_response);
}

std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>>
UpstreamServer::arrivals() const {
  std::lock_guard lock(mu_);
  return arrivals_;
}

void UpstreamServer::acceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      continue;
    }
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    ++connections_;
    std::lock_guard lock(mu_);
    threads_.emplace_back([this, fd] {
      serve(fd);
      ::close(fd);
    });
  }
}

void UpstreamServer::serve(int fd) {
  std::string buf;
  while (!stop_) {
    size_t end = buf.find("\r\n\r\n");
    while (end == std::string::npos) {
      if (!readMore(fd, buf, stop_)) {
        return;
      }
      end = buf.find("\r\n\r\n");
    }
    std::string head = buf.substr(0, end + 4);
    buf.erase(0, end + 4);
    std::string line = head.substr(0, head.find("\r\n"));
    size_t sp1 = line.find(' ');
    size_t sp2 = line.find(' ', sp1 + 1);
    std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::optional<std::string> canned;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(line);
      heads_.push_back(head);
      arrivals_.emplace_back(line, std::chrono::steady_clock::now());
      if (auto it = routes_.find(target); it != routes_.end()) {
        canned = it->second;
      }
    }
    if (canned.has_value()) {
      if (canned->empty()) {
        while (readMore(fd, buf, stop_)) {
        }
        return;
      }
      size_t off = 0;
      while (off < canned->size()) {
        ssize_t n = ::write(fd, canned->data() + off, canned->size() - off);
        if (n <= 0) {
          return;
        }
        off += static_cast<size_t>(n);
      }
      if (canned->find("\r\nConnection: keep-alive\r\n") != std::string::npos) {
        while (readMore(fd, buf, stop_)) {  // the client must see the end by the framing
        }
      }
      return;
    }
    std::string lhead = lower(head);
    std::string body;
    if (lhead.find("transfer-encoding: chunked") != std::string::npos) {
      if (!readChunked(fd, buf, body, stop_)) {
        return;
      }
    } else if (size_t cl = lhead.find("content-length: "); cl != std::string::npos) {
      size_t n = std::strtoul(lhead.c_str() + cl + 16, nullptr, 10);
      while (buf.size() < n) {
        if (!readMore(fd, buf, stop_)) {
          return;
        }
      }
      body = buf.substr(0, n);
      buf.erase(0, n);
    }
    if (mode_ == Mode::kSilent) {
      while (readMore(fd, buf, stop_)) {
      }
      return;
    }
    if (mode_ == Mode::kReset) {
      linger l{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
      return;  // close() with linger 0 sends RST
    }
    std::string text = "echo " + line.substr(0, sp1) + " " + line.substr(sp1 + 1, sp2 - sp1 - 1) +
                       " len=" + std::to_string(body.size()) + " body=" + body.substr(0, 64) + "\n";
    std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                       std::to_string(text.size()) + "\r\n\r\n" + text;
    size_t off = 0;
    while (off < resp.size()) {
      ssize_t n = ::write(fd, resp.data() + off, resp.size() - off);
      if (n <= 0) {
        return;
      }
      off += static_cast<size_t>(n);
    }
    if (lhead.find("connection: close") != std::string::npos) {
      return;
    }
  }
}

}  // namespace agentbox::testing
