// SPDX-License-Identifier: Apache-2.0
// File: proxy_robots_test.cc
// robots.txt in the egress proxy: the proxy fetches each origin's /robots.txt itself (once,
// shared by concurrent requests), refuses the plain-HTTP paths it disallows for the
// policy's user_agent with a 403 naming the line, spaces requests by its Crawl-delay, and
// applies RFC 9309's status rules when the fetch fails. Real curl inside a real sandbox,
// real servers on 127.0.0.1.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "proxy_fixture.h"
#include "upstream_server.h"

namespace agentbox::testing {
namespace {

std::string robotsResponse(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::string statusResponse(int status, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n" + extra +
         "Connection: close\r\n\r\n";
}

int countRequests(const UpstreamServer& up, const std::string& line_prefix) {
  int n = 0;
  for (const std::string& r : up.requests()) {
    n += r.rfind(line_prefix, 0) == 0 ? 1 : 0;
  }
  return n;
}

constexpr const char* kRobotsOn = "respect_robots = true\nhonor_crawl_delay = true\n";

TEST_F(ProxyTest, RobotsDisallowedPathGets403NamingTheLineAndOneSharedFetch) {
  UpstreamServer up;
  up.setRoute("/robots.txt", robotsResponse("# test\nUser-agent: *\nDisallow: /private\n"));
  std::string policy = policyFile(std::string(kRobotsOn) + pins(up, {"site.test"}));
  // Three concurrent requests to a host whose robots.txt is not known yet: one fetch.
  Run r = runIn(policy,
                "cd /tmp; for p in public private other; do "
                "curl -sS -m 10 -w ' %{http_code}\\n' http://site.test/$p/x > out.$p & done; "
                "wait; cat out.public out.private out.other");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("echo GET /public/x len=0"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("echo GET /other/x len=0"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("agentbox: GET http://site.test:80/private/x is disallowed by "
                         "http://site.test/robots.txt line 3 (\"Disallow: /private\") for "
                         "user-agent agentbox (policy network.respect_robots)\n 403"),
            std::string::npos)
      << r.c.out;
  EXPECT_EQ(countRequests(up, "GET /robots.txt "), 1);
  EXPECT_EQ(countRequests(up, "GET /private"), 0);
  ASSERT_FALSE(up.heads().empty());
  EXPECT_NE(up.heads()[0].find("User-Agent: agentbox\r\n"), std::string::npos) << up.heads()[0];
  const json* c = findConnection(r.record, "site.test", "/private");
  ASSERT_NE(c, nullptr) << r.record.dump(2);
  EXPECT_EQ((*c)["decision"], "denied");
  EXPECT_EQ((*c)["rule"], "robots.txt:3");
  EXPECT_EQ((*c)["status"], 403);
  bool violation = false;
  for (const json& v : r.record["violations"]) {
    violation = violation || (v["kind"] == "network" && v["rule"] == "robots.txt:3");
  }
  EXPECT_TRUE(violation) << r.record["violations"].dump(2);
}

// A chunked robots.txt on a connection the server keeps open: the fetch decodes it with the
// proxy's own chunk scanner and ends at the last chunk, not at a timeout (which would
// disallow every path).
TEST_F(ProxyTest, AChunkedRobotsTxtOnAKeptAliveConnectionIsDecoded) {
  UpstreamServer up;
  up.setRoute("/robots.txt",
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
              "Connection: keep-alive\r\n\r\n"
              "e;ext=1\r\nUser-agent: *\n\r\n13\r\nDisallow: /private\n\r\n0\r\nX-T: 1\r\n\r\n");
  std::string policy =
      policyFile(std::string(kRobotsOn) + "connect_timeout = \"3s\"\n" + pins(up, {"site.test"}));
  Run r = runIn(policy,
                "for p in public private; do "
                "curl -sS -m 20 -w \" $p %{http_code}\\n\" http://site.test/$p/x; done");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("echo GET /public/x len=0 body=\n public 200"), std::string::npos)
      << r.c.out;
  EXPECT_NE(r.c.out.find("http://site.test/robots.txt line 2 (\"Disallow: /private\")"),
            std::string::npos)
      << r.c.out;
  EXPECT_NE(r.c.out.find(" private 403"), std::string::npos) << r.c.out;
  EXPECT_EQ(countRequests(up, "GET /private"), 0);
}

// The group naming the policy's user_agent replaces the `*` group; another token gets `*`.
TEST_F(ProxyTest, RobotsGroupsAreChosenByThePolicysUserAgent) {
  UpstreamServer up;
  up.setRoute("/robots.txt", robotsResponse("User-agent: *\nDisallow: /\n\n"
                                            "User-agent: agentbox\nDisallow: /agent-only\n"));
  std::string script =
      "for p in agent-only/a free; do curl -sS -m 10 -o /dev/null -w \"$p %{http_code}\\n\" "
      "http://site.test/$p; done";
  Run mine = runIn(policyFile(std::string(kRobotsOn) + pins(up, {"site.test"})), script);
  ASSERT_EQ(mine.c.exit_code, 0) << mine.c.err;
  EXPECT_NE(mine.c.out.find("agent-only/a 403\nfree 200\n"), std::string::npos) << mine.c.out;
  Run other = runIn(
      policyFile(std::string(kRobotsOn) + "user_agent = \"otherbot\"\n" + pins(up, {"site.test"})),
      script);
  ASSERT_EQ(other.c.exit_code, 0) << other.c.err;
  EXPECT_NE(other.c.out.find("agent-only/a 403\nfree 403\n"), std::string::npos) << other.c.out;
  EXPECT_NE(up.heads().back().find("User-Agent: otherbot\r\n"), std::string::npos);
}

// RFC 9309 2.3.1: 404 allows everything, 500 and a timeout disallow everything, and a
// redirect loop is followed five times and then counts as unavailable (allow all).
TEST_F(ProxyTest, RobotsFetchFailuresFollowTheStatusRules) {
  UpstreamServer missing;
  missing.setRoute("/robots.txt", statusResponse(404));
  UpstreamServer broken;
  broken.setRoute("/robots.txt", statusResponse(500));
  UpstreamServer silent;
  silent.setRoute("/robots.txt", "");  // never answers
  UpstreamServer loop;
  loop.setRoute("/robots.txt", statusResponse(301, "Location: /robots.txt\r\n"));
  std::string policy =
      policyFile(std::string(kRobotsOn) + "connect_timeout = \"2s\"\n[network.resolve]\n" +
                 "\"missing.test\" = \"127.0.0.1:" + std::to_string(missing.port()) + "\"\n" +
                 "\"broken.test\" = \"127.0.0.1:" + std::to_string(broken.port()) + "\"\n" +
                 "\"silent.test\" = \"127.0.0.1:" + std::to_string(silent.port()) + "\"\n" +
                 "\"loop.test\" = \"127.0.0.1:" + std::to_string(loop.port()) + "\"\n");
  Run r = runIn(policy,
                "for h in missing broken silent loop; do "
                "curl -sS -m 20 -w \" $h %{http_code}\\n\" http://$h.test/page; done");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("echo GET /page len=0 body=\n missing 200"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("agentbox: GET http://broken.test:80/page refused: "
                         "http://broken.test/robots.txt answered 500: every path disallowed "
                         "(RFC 9309 2.3.1.4) (policy network.respect_robots)\n broken 403"),
            std::string::npos)
      << r.c.out;
  EXPECT_NE(r.c.out.find("http://silent.test/robots.txt timed out (no answer within 2000 ms): "
                         "every path disallowed"),
            std::string::npos)
      << r.c.out;
  EXPECT_NE(r.c.out.find(" silent 403"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("echo GET /page len=0 body=\n loop 200"), std::string::npos) << r.c.out;
  EXPECT_EQ(countRequests(loop, "GET /robots.txt "), 6);  // the first and five redirects
  EXPECT_EQ(countRequests(broken, "GET /page"), 0);
  EXPECT_EQ(countRequests(silent, "GET /page"), 0);
  const json* c = findConnection(r.record, "broken.test");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["rule"], "robots.txt:unreachable");
}

// Requests to a host with Crawl-delay: 1 reach it at least a second apart, queued (all
// succeed), and the run record counts the queued requests and their wait.
TEST_F(ProxyTest, CrawlDelaySpacesConcurrentRequestsAndIsRecorded) {
  UpstreamServer up;
  up.setRoute("/robots.txt", robotsResponse("User-agent: *\nCrawl-delay: 1\n"));
  std::string policy = policyFile(std::string(kRobotsOn) + pins(up, {"slow.test"}));
  Run r = runIn(policy,
                "for i in 1 2 3; do curl -sS -m 20 -o /dev/null -w \"%{http_code}\\n\" "
                "http://slow.test/$i & done; wait");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_EQ(r.c.out, "200\n200\n200\n");
  std::vector<std::chrono::steady_clock::time_point> times;
  for (const auto& [line, t] : up.arrivals()) {
    if (line.rfind("GET /robots.txt", 0) != 0) {
      times.push_back(t);
    }
  }
  ASSERT_EQ(times.size(), 3u);
  std::sort(times.begin(), times.end());
  for (size_t i = 1; i < times.size(); ++i) {
    auto gap =
        std::chrono::duration_cast<std::chrono::milliseconds>(times[i] - times[i - 1]).count();
    // The proxy starts each at least 1000 ms after the previous one; the connect that follows
    // adds well under the 15 ms allowed here for scheduling noise between two requests.
    EXPECT_GE(gap, 985) << "gap " << i;
  }
  const json& counts = r.record["network"]["counts"]["crawl_delay"];
  EXPECT_EQ(counts["queued"], 2) << r.record["network"].dump(2);
  EXPECT_GE(counts["waited_ms"].get<uint64_t>(), 2900u);
}

// At most 16 requests of a host wait for its Crawl-delay; the next ones are refused at once
// with 429 and Retry-After. (Clients give up after 3 s: the test does not wait for the
// queue to drain.)
TEST_F(ProxyTest, AFullCrawlDelayQueueAnswers429WithRetryAfter) {
  UpstreamServer up;
  up.setRoute("/robots.txt", robotsResponse("User-agent: *\nCrawl-delay: 1\n"));
  std::string policy = policyFile(std::string(kRobotsOn) + pins(up, {"busy.test"}));
  // The first request fetches robots.txt; the 20 after it arrive well within one delay.
  Run r = runIn(policy,
                "curl -sS -m 5 -o /dev/null http://busy.test/first; "
                "for i in $(seq 1 20); do curl -s -m 3 -o /dev/null "
                "-w '%{http_code} %header{retry-after}\\n' http://busy.test/$i & done; wait",
                {"--pids", "64"});
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  int refused = 0;
  std::istringstream lines(r.c.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("429 ", 0) == 0) {
      ++refused;
      int retry = std::stoi(line.substr(4));
      EXPECT_GE(retry, 15) << line;  // 16 requests ahead of it, 1 s apart
      EXPECT_LE(retry, 17) << line;
    }
  }
  // 16 of the 20 wait and 4 are refused, or 3 if the loop started more than a delay after
  // /first (then one goes at once); a queued request leaves only after a full second.
  EXPECT_GE(refused, 3) << r.c.out;
  EXPECT_LE(refused, 4) << r.c.out;
  const json* c = nullptr;
  for (const json& e : r.record["network"]["connections"]) {
    if (e["status"] == 429) {
      c = &e;
    }
  }
  ASSERT_NE(c, nullptr) << r.record.dump(2);
  EXPECT_EQ((*c)["decision"], "rate-limited");
  EXPECT_EQ((*c)["rule"], "robots.txt:crawl-delay");
}

// Through CONNECT the proxy sees no paths: robots.txt (fetched over https, verified against
// the CA store, here the test CA through SSL_CERT_FILE) disallows everything, yet tunnels
// go through, spaced by its Crawl-delay.
TEST_F(ProxyTest, TunnelsAreSpacedByCrawlDelayButNotRefusedByRobotsRules) {
  TempDir pki("agentbox-pki");
  std::string d = pki.path();
  SpawnOptions gen;
  gen.args = {"-c", "set -e; cd " + d +
                        "; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                        "-nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=agentbox-test-ca "
                        "2>/dev/null; openssl req -newkey ec -pkeyopt "
                        "ec_paramgen_curve:prime256v1 -nodes -keyout srv.key -out srv.csr "
                        "-subj /CN=polite.test 2>/dev/null; "
                        "printf 'subjectAltName=DNS:polite.test\\n' > ext; "
                        "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                        "-out srv.pem -days 2 -extfile ext 2>/dev/null; chmod 644 *"};
  Captured made = runProcess("/bin/sh", gen);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::filesystem::copy_file(d + "/ca.pem", ws_.file("ca.pem"));
  writeFile(d + "/tls.py", R"PY(
import http.server, ssl, sys, time, threading
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        with lock:
            open(sys.argv[1] + "/log", "a").write("%s %.6f\n" % (self.path, time.monotonic()))
        body = (b"User-agent: *\nDisallow: /\nCrawl-delay: 1\n" if self.path == "/robots.txt"
                else ("tls ok " + self.path + "\n").encode())
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1] + "/srv.pem", sys.argv[1] + "/srv.key")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(sys.argv[1] + "/port.tmp", "w").write(str(srv.server_address[1]))
import os; os.rename(sys.argv[1] + "/port.tmp", sys.argv[1] + "/port")
srv.serve_forever()
)PY");
  pid_t server = startProcess("/usr/bin/python3", {d + "/tls.py", d}, {});
  std::string port;
  for (int i = 0; i < 100 && port.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(d + "/port");
    std::getline(in, port);
  }
  ASSERT_FALSE(port.empty()) << "TLS server did not start";
  std::string policy = policyFile(
      std::string(kRobotsOn) + "[network.resolve]\n\"polite.test\" = \"127.0.0.1:" + port + "\"\n");
  Run r = runIn(policy,
                "for i in 1 2 3; do curl -sS -m 20 --cacert /workspace/ca.pem "
                "https://polite.test/t$i & done; wait",
                {}, {{"SSL_CERT_FILE", d + "/ca.pem"}});
  // Without the test CA the proxy cannot verify the server: its robots.txt counts as
  // unreachable (no Crawl-delay known, and CONNECT is never refused by robots rules).
  Run unverified = runIn(policy,
                         "for i in 4 5; do curl -sS -m 20 --cacert /workspace/ca.pem "
                         "https://polite.test/t$i & done; wait");
  ::kill(server, SIGKILL);
  ::waitpid(server, nullptr, 0);
  ASSERT_EQ(unverified.c.exit_code, 0) << unverified.c.out << unverified.c.err;
  EXPECT_EQ(unverified.record["network"]["counts"]["crawl_delay"]["queued"], 0);
  ASSERT_EQ(r.c.exit_code, 0) << r.c.out << r.c.err;
  for (const char* t : {"tls ok /t1\n", "tls ok /t2\n", "tls ok /t3\n"}) {
    EXPECT_NE(r.c.out.find(t), std::string::npos) << r.c.out;
  }
  std::vector<double> times;
  std::ifstream log(d + "/log");
  int robots_fetches = 0;
  for (std::string path; log >> path;) {
    double t = 0;
    log >> t;
    if (path == "/robots.txt") {
      ++robots_fetches;
    } else if (path != "/t4" && path != "/t5") {
      times.push_back(t);
    }
  }
  EXPECT_EQ(robots_fetches, 1);
  ASSERT_EQ(times.size(), 3u);
  std::sort(times.begin(), times.end());
  for (size_t i = 1; i < times.size(); ++i) {
    // Tunnels start 1 s apart at the proxy; measured after each client's own TLS handshake,
    // which adds a few ms either way.
    EXPECT_GE(times[i] - times[i - 1], 0.95) << "gap " << i;
  }
  EXPECT_EQ(r.record["network"]["counts"]["crawl_delay"]["queued"], 2)
      << r.record["network"].dump(2);
}

}  // namespace
}  // namespace agentbox::testing
