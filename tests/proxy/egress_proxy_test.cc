// SPDX-License-Identifier: Apache-2.0
// The egress proxy in-process on real loopback sockets (so that the session code also runs
// under ASan/UBSan): a listener handed to it, a real upstream server, blocking clients.
#include "proxy/egress_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "integration/upstream_server.h"

namespace agentbox::proxy {
namespace {

using testing::UpstreamServer;

class Recorder : public EventSink {
 public:
  void onConnection(const ConnectionEvent& e) override {
    std::lock_guard lock(mu);
    events.push_back(e);
  }
  std::vector<ConnectionEvent> take() {
    std::lock_guard lock(mu);
    return events;
  }
  std::mutex mu;
  std::vector<ConnectionEvent> events;
};

UniqueFd listenLoopback(uint16_t* port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  EXPECT_EQ(::listen(fd.get(), 64), 0);
  socklen_t len = sizeof(a);
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

int connectTo(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  return fd;
}

// Sends `request`, reads until EOF (or `until` appears) or 5 s pass.
std::string exchange(int fd, const std::string& request, const std::string& until = "") {
  EXPECT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!until.empty() && out.find(until) != std::string::npos) {
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      continue;
    }
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

class EgressProxyTest : public ::testing::Test {
 protected:
  void startProxy(policy::Network net, uint32_t max_connections = 64,
                  uint64_t max_bytes = uint64_t{1} << 30, RobotsOptions robots = {}) {
    net.mode = policy::NetworkMode::kProxy;
    net_ = net;
    auto rules = policy::NetRules::build(net_);
    ASSERT_TRUE(rules.has_value()) << rules.error().oneLine();
    rules_.emplace(std::move(*rules));
    auto rate = policy::RateLimiter::create(net_.rate, clock_);
    ASSERT_TRUE(rate.has_value());
    rate_ = std::move(*rate);
    auto p = EgressProxy::create({.rules = *rules_,
                                  .rate = rate_.get(),
                                  .max_connections = max_connections,
                                  .max_bytes = max_bytes,
                                  .connect_timeout = std::chrono::milliseconds(1000),
                                  .header_timeout = std::chrono::milliseconds(500),
                                  .idle_timeout = std::chrono::milliseconds(500),
                                  .limits = {},
                                  .robots = robots},
                                 recorder_);
    ASSERT_TRUE(p.has_value());
    proxy_ = std::move(*p);
    ASSERT_TRUE(proxy_->start().has_value());
    ASSERT_TRUE(proxy_->addListener(listenLoopback(&port_)).has_value());
  }
  policy::Network pinned(const UpstreamServer& up) {
    policy::Network n;
    n.resolve = {{"api.test", "127.0.0.1", up.port()}};
    return n;
  }
  void TearDown() override {
    if (proxy_) {
      proxy_->stop();
    }
  }

  policy::Network net_;
  policy::SteadyClock clock_;
  std::optional<policy::NetRules> rules_;
  std::unique_ptr<policy::RateLimiter> rate_;
  Recorder recorder_;
  std::unique_ptr<EgressProxy> proxy_;
  uint16_t port_ = 0;
};

TEST_F(EgressProxyTest, ForwardsKeepAliveAndPipelinedRequestsInOrder) {
  UpstreamServer up;
  startProxy(pinned(up));
  int fd = connectTo(port_);
  std::string out = exchange(fd,
                             "GET http://api.test/a HTTP/1.1\r\nHost: api.test\r\n\r\n"
                             "PUT http://api.test/b HTTP/1.1\r\nHost: api.test\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n"
                             "GET http://api.test/c HTTP/1.1\r\nHost: api.test\r\n"
                             "Connection: close\r\n\r\n");
  ::close(fd);
  size_t a = out.find("echo GET /a len=0");
  size_t b = out.find("echo PUT /b len=3 body=xyz");
  size_t c = out.find("echo GET /c len=0");
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  ASSERT_NE(c, std::string::npos) << out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(up.connections(), 1);
  proxy_->stop();
  auto events = recorder_.take();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].method, "PUT");
  EXPECT_EQ(events[1].status, 200);
  EXPECT_EQ(events[1].rule, "network.resolve:api.test");
  EXPECT_GT(events[1].bytes_up, 0u);
}

TEST_F(EgressProxyTest, DeniesRateLimitsAndRefuses) {
  UpstreamServer up;
  policy::Network n = pinned(up);
  n.rate = {{"*", 1, 1}};
  startProxy(n);
  int a = connectTo(port_);
  EXPECT_NE(exchange(a, "GET http://api.test/1 HTTP/1.1\r\nHost: api.test\r\n\r\n", "len=0")
                .find("200 OK"),
            std::string::npos);
  std::string second = exchange(a, "GET http://api.test/2 HTTP/1.1\r\nHost: api.test\r\n\r\n");
  EXPECT_NE(second.find("HTTP/1.1 429 Too Many Requests\r\n"), std::string::npos) << second;
  EXPECT_NE(second.find("Retry-After: 60\r\n"), std::string::npos) << second;
  ::close(a);
  int b = connectTo(port_);
  std::string denied = exchange(b, "CONNECT example.org:443 HTTP/1.1\r\n\r\n");
  EXPECT_NE(denied.find("403 Forbidden"), std::string::npos);
  EXPECT_NE(denied.find("agentbox: example.org is not in the network allowlist (policy "
                        "network.allow)\n"),
            std::string::npos)
      << denied;
  ::close(b);
  int c = connectTo(port_);
  std::string bad = exchange(c, "GET http://api.test/ HTTP/1.1\r\nHost: other\r\n\r\n");
  EXPECT_NE(bad.find("400 Bad Request"), std::string::npos) << bad;
  ::close(c);
  int d = connectTo(port_);
  std::string slow = exchange(d, "GET http://api.test/ HTTP/1.1\r\n");
  EXPECT_NE(slow.find("408 Request Timeout"), std::string::npos) << slow;
  ::close(d);
  EXPECT_EQ(up.requests().size(), 1u);
}

TEST_F(EgressProxyTest, TunnelsConnectAndRecordsOpenTunnelsAtStop) {
  UpstreamServer up;
  startProxy(pinned(up));
  int fd = connectTo(port_);
  // The tunnel carries plain HTTP here: what matters is that bytes flow both ways.
  std::string out = exchange(fd,
                             "CONNECT api.test:443 HTTP/1.1\r\nHost: api.test:443\r\n\r\n"
                             "GET /inside HTTP/1.1\r\nHost: api.test\r\n\r\n",
                             "len=0");
  EXPECT_NE(out.find("HTTP/1.1 200 Connection established\r\n\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("echo GET /inside len=0"), std::string::npos) << out;
  proxy_->stop();  // the tunnel is still open
  ::close(fd);
  auto events = recorder_.take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].method, "CONNECT");
  EXPECT_EQ(events[0].status, 200);
  EXPECT_EQ(events[0].reason, "open when the run ended");
  EXPECT_GT(events[0].bytes_down, 20u);
}

TEST_F(EgressProxyTest, UpstreamRefusedIs502AndBudgetsAreEnforced) {
  policy::Network n;
  n.resolve = {{"down.test", "127.0.0.1", UpstreamServer::closedPort()}};
  UpstreamServer up;
  n.resolve.push_back({"api.test", "127.0.0.1", up.port()});
  startProxy(n, /*max_connections=*/2, /*max_bytes=*/200);
  int a = connectTo(port_);
  std::string down = exchange(a, "GET http://down.test/ HTTP/1.1\r\nHost: down.test\r\n\r\n");
  EXPECT_NE(down.find("502 Bad Gateway"), std::string::npos) << down;
  EXPECT_NE(down.find("Connection refused"), std::string::npos) << down;
  ::close(a);
  for (int i = 0; i < 3; ++i) {
    int b = connectTo(port_);
    std::string r = exchange(b,
                             "GET http://api.test/ HTTP/1.1\r\nHost: api.test\r\n"
                             "Connection: close\r\n\r\n");
    ::close(b);
    if (i == 2) {
      EXPECT_NE(r.find("403 Forbidden"), std::string::npos) << r;
      EXPECT_NE(r.find("network.max_bytes"), std::string::npos) << r;
    }
  }
  int h1 = connectTo(port_);
  int h2 = connectTo(port_);
  int h3 = connectTo(port_);
  std::string over = exchange(h3, "");
  EXPECT_NE(over.find("503 Service Unavailable"), std::string::npos) << over;
  ::close(h1);
  ::close(h2);
  ::close(h3);
}

std::string robotsFile(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

constexpr const char* kGetPrivate =
    "GET http://api.test/private HTTP/1.1\r\nHost: api.test\r\n\r\n";
constexpr const char* kGetPublic = "GET http://api.test/public HTTP/1.1\r\nHost: api.test\r\n\r\n";

// Concurrent first requests share one fetch; the disallowed path never reaches the upstream.
TEST_F(EgressProxyTest, RobotsFetchIsSharedAndDisallowedPathsAre403) {
  UpstreamServer up;
  up.setRoute("/robots.txt", robotsFile("User-agent: *\nDisallow: /private\n"));
  startProxy(pinned(up), 64, uint64_t{1} << 30,
             {.respect_robots = true, .honor_crawl_delay = true, .user_agent = "agentbox"});
  std::string a;
  std::string b;
  std::thread ta([&] {
    int fd = connectTo(port_);
    a = exchange(fd, kGetPrivate, "\n\n");
    ::close(fd);
  });
  std::thread tb([&] {
    int fd = connectTo(port_);
    b = exchange(fd, kGetPublic, "body=");
    ::close(fd);
  });
  ta.join();
  tb.join();
  EXPECT_EQ(a.rfind("HTTP/1.1 403 ", 0), 0u) << a;
  EXPECT_NE(a.find("robots.txt line 2"), std::string::npos) << a;
  EXPECT_NE(b.find("echo GET /public"), std::string::npos) << b;
  std::vector<std::string> reqs = up.requests();
  EXPECT_EQ(std::count(reqs.begin(), reqs.end(), "GET /robots.txt HTTP/1.0"), 1);
  EXPECT_EQ(std::count(reqs.begin(), reqs.end(), "GET /private HTTP/1.1"), 0);
  proxy_->stop();
  EXPECT_EQ(proxy_->stats().robots_fetches, 1u);
}

// A request waiting for its Crawl-delay when the proxy stops is recorded and released.
TEST_F(EgressProxyTest, StopWhileARequestWaitsForCrawlDelay) {
  UpstreamServer up;
  up.setRoute("/robots.txt", robotsFile("User-agent: *\nCrawl-delay: 30\n"));
  startProxy(pinned(up), 64, uint64_t{1} << 30,
             {.respect_robots = true, .honor_crawl_delay = true, .user_agent = "agentbox"});
  int first = connectTo(port_);
  EXPECT_NE(exchange(first, kGetPublic, "body=").find("echo GET /public"), std::string::npos);
  int second = connectTo(port_);
  std::string req = kGetPublic;
  EXPECT_EQ(::write(second, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  proxy_->stop();
  ProxyStats st = proxy_->stats();
  EXPECT_EQ(st.crawl_queued, 1u);
  std::vector<ConnectionEvent> events = recorder_.take();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].reason, "open when the run ended");
  EXPECT_EQ(up.requests().size(), 2u);  // robots.txt and the first request only
  ::close(first);
  ::close(second);
}

// updateNetwork: later requests follow the new rules, an open tunnel stays up.
TEST_F(EgressProxyTest, UpdateNetworkAppliesToNewRequestsAndKeepsTunnels) {
  UpstreamServer up;
  startProxy(pinned(up));
  int tunnel = connectTo(port_);
  EXPECT_NE(
      exchange(tunnel, "CONNECT api.test:80 HTTP/1.1\r\nHost: api.test:80\r\n\r\n", "\r\n\r\n")
          .find("200"),
      std::string::npos);
  policy::Network none;
  none.mode = policy::NetworkMode::kProxy;
  auto rules = policy::NetRules::build(none);
  ASSERT_TRUE(rules.has_value());
  proxy_->updateNetwork({.rules = std::make_shared<const policy::NetRules>(std::move(*rules)),
                         .rate = nullptr,
                         .robots = {}});
  std::string denied;
  for (int i = 0; i < 50 && denied.find(" 403 ") == std::string::npos; ++i) {
    int fd = connectTo(port_);
    denied = exchange(fd, kGetPublic, "\n\n");
    ::close(fd);
  }
  EXPECT_NE(denied.find("HTTP/1.1 403 "), std::string::npos) << denied;
  EXPECT_NE(exchange(tunnel, "GET /kept HTTP/1.1\r\nHost: api.test\r\n\r\n", "body=")
                .find("echo GET /kept"),
            std::string::npos);
  ::close(tunnel);
  proxy_->stop();
  EXPECT_EQ(proxy_->stats().updates, 1u);
}

}  // namespace
}  // namespace agentbox::proxy
