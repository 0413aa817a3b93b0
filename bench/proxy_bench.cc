// SPDX-License-Identifier: Apache-2.0
// File: proxy_bench.cc
// What the egress proxy costs. Part 1 (Google Benchmark): request-head parsing throughput.
// Part 2: wrk against a small keep-alive HTTP server of our own on 127.0.0.1, once direct
// and once through the EgressProxy (in this process, its own loop thread, the server pinned
// with a network.resolve entry), with a Lua script that sends absolute-form requests:
// latency p50/p99 at concurrency 1 and requests/s at concurrency 64, alternating direct and
// proxied runs, --reps times; prints best and spread of each.
//   proxy_bench [--reps N] [--seconds S] [google-benchmark flags]
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "policy/net_rules.h"
#include "proxy/egress_proxy.h"
#include "proxy/http_message.h"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using agentbox::proxy::RequestParser;

void BM_ParseRequestHead(benchmark::State& state) {
  const std::string req =
      "GET http://api.example.com/v1/items?page=2 HTTP/1.1\r\nHost: api.example.com\r\n"
      "User-Agent: curl/7.88.1\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n"
      "Authorization: Bearer abc.def.ghi\r\n\r\n";
  RequestParser p;
  for (auto _ : state) {
    p.reset();
    benchmark::DoNotOptimize(p.feed(req));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * req.size()));
}
BENCHMARK(BM_ParseRequestHead);

// A fixed 200 with a 13-byte body, keep-alive, one thread (asio), pipelining-safe.
class TinyServer {
 public:
  TinyServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  TinyServer(const TinyServer&) = delete;
  TinyServer& operator=(const TinyServer&) = delete;
  TinyServer(TinyServer&&) = delete;
  TinyServer& operator=(TinyServer&&) = delete;
  ~TinyServer() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  struct Conn : std::enable_shared_from_this<Conn> {
    explicit Conn(tcp::socket s) : sock(std::move(s)) {}
    void read() {
      sock.async_read_some(
          asio::buffer(buf), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
            if (ec) {
              return;
            }
            self->pending.append(self->buf.data(), n);
            std::string out;
            size_t end = 0;
            while ((end = self->pending.find("\r\n\r\n")) != std::string::npos) {
              self->pending.erase(0, end + 4);
              out +=
                  "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\n"
                  "hello, bench\n";
            }
            if (out.empty()) {
              self->read();
              return;
            }
            auto data = std::make_shared<std::string>(std::move(out));
            asio::async_write(self->sock, asio::buffer(*data),
                              [self, data](boost::system::error_code ec2, size_t) {
                                if (!ec2) {
                                  self->read();
                                }
                              });
          });
    }
    tcp::socket sock;
    std::array<char, 16384> buf{};
    std::string pending;
  };
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (!ec) {
        s.set_option(tcp::no_delay(true));
        std::make_shared<Conn>(std::move(s))->read();
      }
      accept();
    });
  }
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

class NullSink : public agentbox::proxy::EventSink {
 public:
  void onConnection(const agentbox::proxy::ConnectionEvent& e) override { (void)e; }
};

struct WrkResult {
  double p50_ms = 0;
  double p99_ms = 0;
  double rps = 0;
};

double toMs(const std::string& v) {
  double x = std::atof(v.c_str());
  if (v.find("us") != std::string::npos) {
    return x / 1000;
  }
  if (v.find("ms") != std::string::npos) {
    return x;
  }
  return x * 1000;  // "s"
}

std::optional<WrkResult> runWrk(uint16_t port, int connections, int seconds,
                                const std::string& script) {
  std::string cmd = "wrk --latency -t" + std::to_string(std::min(connections, 2)) + " -c" +
                    std::to_string(connections) + " -d" + std::to_string(seconds) + "s -s " +
                    script + " http://127.0.0.1:" + std::to_string(port) + "/ 2>&1";
  FILE* f = ::popen(cmd.c_str(), "r");  // NOLINT(cert-env33-c): fixed command line
  if (f == nullptr) {
    return std::nullopt;
  }
  WrkResult r;
  char line[512];
  bool non2xx = false;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    std::string l(line);
    char val[64] = {};
    if (std::sscanf(line, " 50%% %63s", val) == 1) {
      r.p50_ms = toMs(val);
    } else if (std::sscanf(line, " 99%% %63s", val) == 1) {
      r.p99_ms = toMs(val);
    } else if (l.rfind("Requests/sec:", 0) == 0) {
      r.rps = std::atof(l.c_str() + 13);
    } else if (l.find("Non-2xx") != std::string::npos) {
      non2xx = true;
      std::fprintf(stderr, "proxy_bench: %s", line);
    }
  }
  int rc = ::pclose(f);
  if (rc != 0 || non2xx || r.rps == 0) {
    std::fprintf(stderr, "proxy_bench: wrk failed (%s)\n", cmd.c_str());
    return std::nullopt;
  }
  return r;
}

std::string stats(std::vector<double> v, bool higher_better) {
  std::sort(v.begin(), v.end());
  double best = higher_better ? v.back() : v.front();
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%9.3f (spread %.3f-%.3f)", best, v.front(), v.back());
  return buf;
}

int comparison(int reps, int seconds) {
  if (std::system("command -v wrk >/dev/null") != 0) {
    std::fprintf(stderr, "proxy_bench: wrk is not installed (apt-get install wrk)\n");
    return 1;
  }
  TinyServer upstream;
  agentbox::policy::Network net;
  net.mode = agentbox::policy::NetworkMode::kProxy;
  net.resolve = {{"bench.test", "127.0.0.1", upstream.port()}};
  auto rules = agentbox::policy::NetRules::build(net);
  NullSink sink;
  auto proxy =
      agentbox::proxy::EgressProxy::create({.rules = *rules,
                                            .rate = nullptr,
                                            .max_connections = 1024,
                                            .max_bytes = uint64_t{1} << 50,
                                            .connect_timeout = std::chrono::milliseconds(10'000),
                                            .header_timeout = std::chrono::milliseconds(10'000),
                                            .idle_timeout = std::chrono::milliseconds(60'000),
                                            .limits = {}},
                                           sink);
  if (!proxy.has_value() || !(*proxy)->start().has_value()) {
    return 1;
  }
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(lfd, 1024) != 0 ||
      ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return 1;
  }
  uint16_t proxy_port = ntohs(a.sin_port);
  (void)(*proxy)->addListener(agentbox::UniqueFd(lfd));
  std::string dir = "/tmp/agentbox-proxy-bench." + std::to_string(::getpid());
  std::string direct_lua = dir + ".direct.lua";
  std::string proxy_lua = dir + ".proxy.lua";
  std::ofstream(direct_lua) << "request = function() return "
                               "\"GET / HTTP/1.1\\r\\nHost: bench.test\\r\\n\\r\\n\" end\n";
  std::ofstream(proxy_lua) << "request = function() return \"GET http://bench.test/ "
                              "HTTP/1.1\\r\\nHost: bench.test\\r\\n\\r\\n\" end\n";
  std::vector<double> d50, d99, p50, p99, drps, prps;
  for (int i = 0; i < reps; ++i) {
    auto dc1 = runWrk(upstream.port(), 1, seconds, direct_lua);
    auto pc1 = runWrk(proxy_port, 1, seconds, proxy_lua);
    auto dc64 = runWrk(upstream.port(), 64, seconds, direct_lua);
    auto pc64 = runWrk(proxy_port, 64, seconds, proxy_lua);
    if (!dc1 || !pc1 || !dc64 || !pc64) {
      return 1;
    }
    d50.push_back(dc1->p50_ms);
    d99.push_back(dc1->p99_ms);
    p50.push_back(pc1->p50_ms);
    p99.push_back(pc1->p99_ms);
    drps.push_back(dc64->rps);
    prps.push_back(pc64->rps);
  }
  (*proxy)->stop();
  std::remove(direct_lua.c_str());
  std::remove(proxy_lua.c_str());
  std::vector<double> add50, add99;
  for (int i = 0; i < reps; ++i) {
    add50.push_back(p50[i] - d50[i]);
    add99.push_back(p99[i] - d99[i]);
  }
  std::printf("proxy_bench: %d reps x %d s per run, wrk, one upstream thread, one proxy thread\n",
              reps, seconds);
  std::printf("c=1   latency p50 ms   direct %s   proxy %s   added %s\n", stats(d50, false).c_str(),
              stats(p50, false).c_str(), stats(add50, false).c_str());
  std::printf("c=1   latency p99 ms   direct %s   proxy %s   added %s\n", stats(d99, false).c_str(),
              stats(p99, false).c_str(), stats(add99, false).c_str());
  std::printf("c=64  requests/s       direct %s   proxy %s\n", stats(drps, true).c_str(),
              stats(prps, true).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 3;
  int seconds = 5;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::max(1, std::atoi(argv[++i]));
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return comparison(reps, seconds);
}
