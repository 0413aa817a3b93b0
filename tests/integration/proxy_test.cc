// SPDX-License-Identifier: Apache-2.0
// File: proxy_test.cc
// network.mode = "proxy": real clients (curl, python3 urllib, raw sockets from python3)
// inside a real sandbox, through agentbox's egress proxy, to real servers this test starts
// on 127.0.0.1 (reached through [network.resolve] pins, since cidr_deny refuses loopback).
// Each test attacks one property and checks the answer the client got and the run record.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "harness.h"
#include "proxy_fixture.h"
#include "run_fixture.h"
#include "upstream_server.h"

namespace agentbox::testing {
namespace {

using nlohmann::json;

TEST_F(ProxyTest, CurlOverHttpReachesAPinnedUpstreamAndIsRecorded) {
  UpstreamServer up;
  std::string policy = policyFile("allow = []\n" + pins(up, {"api.test"}));
  Run r = runIn(policy, "env | grep -i _proxy | sort; curl -sS -m 10 http://api.test/hello?x=1");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("HTTP_PROXY=http://127.0.0.1:3128"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("https_proxy=http://127.0.0.1:3128"), std::string::npos);
  EXPECT_NE(r.c.out.find("NO_PROXY=localhost,127.0.0.1,::1"), std::string::npos);
  EXPECT_NE(r.c.out.find("echo GET /hello?x=1 len=0"), std::string::npos) << r.c.out;
  ASSERT_EQ(up.requests().size(), 1u);
  EXPECT_EQ(up.requests()[0], "GET /hello?x=1 HTTP/1.1");  // origin-form upstream
  EXPECT_EQ(up.heads()[0].find("Proxy-Connection"), std::string::npos);
  const json* c = findConnection(r.record, "api.test");
  ASSERT_NE(c, nullptr) << r.record.dump(2);
  EXPECT_EQ((*c)["decision"], "allowed");
  EXPECT_EQ((*c)["rule"], "network.resolve:api.test");
  EXPECT_EQ((*c)["status"], 200);
  EXPECT_EQ((*c)["method"], "GET");
  EXPECT_EQ((*c)["path"], "/hello?x=1");
  EXPECT_EQ((*c)["port"], 80);
  EXPECT_EQ((*c)["address"], "127.0.0.1:" + std::to_string(up.port()));
  EXPECT_GT((*c)["bytes_up"].get<uint64_t>(), 20u);
  EXPECT_GT((*c)["bytes_down"].get<uint64_t>(), 20u);
  EXPECT_TRUE((*c)["duration_ms"].is_number());
  EXPECT_EQ(r.record["network"]["mode"], "proxy");
  EXPECT_EQ(r.record["network"]["counts"]["by_decision"]["allowed"], 1);
}

TEST_F(ProxyTest, DeniedHostGets403NamingTheRuleAndAViolation) {
  UpstreamServer up;
  std::string policy = policyFile("allow = [\"*.example.test\"]\ndeny = [\"bad.example.test\"]\n");
  Run r = runIn(policy,
                "curl -sS -m 10 -w ' %{http_code}\\n' http://example.org/; "
                "curl -sS -m 10 -w ' %{http_code}\\n' http://bad.example.test/x");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("agentbox: example.org is not in the network allowlist (policy "
                         "network.allow)\n 403"),
            std::string::npos)
      << r.c.out;
  EXPECT_NE(r.c.out.find("agentbox: bad.example.test matches the deny pattern bad.example.test "
                         "(policy network.deny)\n 403"),
            std::string::npos)
      << r.c.out;
  EXPECT_EQ(up.connections(), 0);
  const json* c = findConnection(r.record, "example.org");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["decision"], "denied");
  EXPECT_EQ((*c)["rule"], "default-deny");
  EXPECT_EQ((*c)["status"], 403);
  int network_violations = 0;
  for (const json& v : r.record["violations"]) {
    if (v["kind"] == "network") {
      ++network_violations;
      EXPECT_TRUE(v["rule"] == "default-deny" || v["rule"] == "network.deny:bad.example.test")
          << v.dump();
    }
  }
  EXPECT_EQ(network_violations, 2) << r.record["violations"].dump(2);
}

// A wildcard allow is matched by the proxy: a pinned host under it is reached, a POST to
// another host under it is denied by the wildcard's http rule (so the host matched the
// wildcard), and the bare domain and a look-alike are outside it.
TEST_F(ProxyTest, WildcardDomainsMatchSubdomainsOnly) {
  UpstreamServer up;
  std::string policy = policyFile(
      "allow = [\"*.example.test\"]\n[network.http]\n\"*.example.test\" = { methods = "
      "[\"GET\"] }\n" +
      pins(up, {"api.example.test"}));
  Run r = runIn(policy,
                "for u in http://api.example.test/a http://deep.sub.example.test/b "
                "http://example.test/c http://notexample.test/d; do "
                "curl -sS -m 10 -o /dev/null -w \"$u %{http_code}\\n\" -X POST -d x $u; done; "
                "curl -sS -m 10 http://api.example.test/get");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("http://api.example.test/a 403"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("http://deep.sub.example.test/b 403"), std::string::npos);
  EXPECT_NE(r.c.out.find("http://example.test/c 403"), std::string::npos);
  EXPECT_NE(r.c.out.find("http://notexample.test/d 403"), std::string::npos);
  EXPECT_NE(r.c.out.find("echo GET /get len=0"), std::string::npos) << r.c.out;
  const json* deep = findConnection(r.record, "deep.sub.example.test");
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ((*deep)["rule"], "network.http:*.example.test");
  const json* apex = findConnection(r.record, "example.test");
  ASSERT_NE(apex, nullptr);
  EXPECT_EQ((*apex)["rule"], "default-deny");
  EXPECT_EQ((*findConnection(r.record, "notexample.test"))["rule"], "default-deny");
  EXPECT_EQ(up.requests().size(), 1u);  // only the GET reached the upstream
}

TEST_F(ProxyTest, HttpsThroughConnectToATlsServerWithATestCa) {
  TempDir pki("agentbox-pki");
  std::string d = pki.path();
  SpawnOptions gen_opts;
  gen_opts.args = {
      "-c", "set -e; cd " + d +
                "; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                "-keyout ca.key -out ca.pem -days 2 -subj /CN=agentbox-test-ca 2>/dev/null; "
                "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                "-keyout srv.key -out srv.csr -subj /CN=secure.test 2>/dev/null; "
                "printf 'subjectAltName=DNS:secure.test\\n' > ext; "
                "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                "-out srv.pem -days 2 -extfile ext 2>/dev/null; chmod 644 *"};
  Captured gen = runProcess("/bin/sh", gen_opts);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::filesystem::copy_file(d + "/ca.pem", ws_.file("ca.pem"));
  writeFile(d + "/tls.py", R"PY(
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = ("tls ok " + self.path + "\n").encode()
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
  std::string policy =
      policyFile("allow = []\n[network.resolve]\n\"secure.test\" = \"127.0.0.1:" + port + "\"\n");
  Run r = runIn(policy,
                "curl -sS -m 10 --cacert /workspace/ca.pem https://secure.test/c1; "
                "python3 -c \"import ssl,urllib.request as u; "
                "c=ssl.create_default_context(cafile='/workspace/ca.pem'); "
                "print(u.urlopen('https://secure.test/py', context=c, timeout=10).read().decode(),"
                " end='')\"; "
                "curl -sS -m 10 -o /dev/null -w 'connect=%{http_connect}\\n' https://other.test/ "
                "2>/dev/null; echo curl-rc=$?");
  ::kill(server, SIGKILL);
  ::waitpid(server, nullptr, 0);
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("tls ok /c1\n"), std::string::npos) << r.c.out << r.c.err;
  EXPECT_NE(r.c.out.find("tls ok /py\n"), std::string::npos) << r.c.out << r.c.err;
  // A denied CONNECT: curl reports the proxy's 403 as the CONNECT response code.
  EXPECT_NE(r.c.out.find("connect=403\ncurl-rc=56\n"), std::string::npos) << r.c.out;
  int tunnels = 0;
  for (const json& c : r.record["network"]["connections"]) {
    if (c["host"] == "secure.test") {
      ++tunnels;
      EXPECT_EQ(c["method"], "CONNECT");
      EXPECT_EQ(c["port"], 443);
      EXPECT_TRUE(c["path"].is_null());
      EXPECT_EQ(c["status"], 200);
      EXPECT_EQ(c["decision"], "allowed");
      EXPECT_GT(c["bytes_up"].get<uint64_t>(), 100u);  // a TLS handshake went through
      EXPECT_GT(c["bytes_down"].get<uint64_t>(), 100u);
    }
  }
  EXPECT_EQ(tunnels, 2) << r.record["network"].dump(2);
  const json* other = findConnection(r.record, "other.test");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ((*other)["status"], 403);
}

TEST_F(ProxyTest, PythonUrllibUsesTheProxyAndSeesDenials) {
  UpstreamServer up;
  std::string policy = policyFile("allow = []\n" + pins(up, {"api.test"}));
  Run r = runIn(policy,
                "python3 -c \"import urllib.request as u, urllib.error as e\n"
                "print(u.urlopen('http://api.test/py', timeout=10).read().decode(), end='')\n"
                "try:\n  u.urlopen('http://denied.test/', timeout=10)\n"
                "except e.HTTPError as x:\n  print(x.code, x.read().decode(), end='')\"");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("echo GET /py len=0"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("403 agentbox: denied.test is not in the network allowlist"),
            std::string::npos)
      << r.c.out;
}

// Every spelling of a loopback or private address is refused by cidr_deny, even when the
// allowlist is "*", and the upstream never sees a connection.
TEST_F(ProxyTest, EveryIpLiteralNotationOfLoopbackIsRefused) {
  UpstreamServer up;
  std::string p = std::to_string(up.port());
  std::string policy = policyFile("allow = [\"*\"]\n");
  std::vector<std::pair<std::string, std::string>> cases;
  for (const char* host :
       {"127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "127.1", "127.0.1", "0",
        "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]",
        "[::127.0.0.1]", "10.1.2.3", "169.254.169.254", "[fe80::1]", "[64:ff9b::7f00:1]"}) {
    std::string h = std::string(host) + ":" + p;
    cases.emplace_back(
        host, "GET http://" + h + "/ HTTP/1.1\r\nHost: " + h + "\r\nConnection: close\r\n\r\n");
    cases.emplace_back(std::string("CONNECT ") + host,
                       "CONNECT " + h + " HTTP/1.1\r\nHost: " + h + "\r\n\r\n");
  }
  json record;
  auto res = raw(policy, cases, &record);
  for (const auto& [name, payload] : cases) {
    ASSERT_TRUE(res.count(name)) << name;
    EXPECT_EQ(res[name]["status"], 403) << name << ": " << res[name]["text"];
    EXPECT_NE(res[name]["text"].get<std::string>().find("(policy network.cidr_deny)"),
              std::string::npos)
        << name << ": " << res[name]["text"];
  }
  EXPECT_EQ(up.connections(), 0);
  for (const json& c : record["network"]["connections"]) {
    EXPECT_EQ(c["rule"].get<std::string>().rfind("network.cidr_deny:", 0), 0u) << c.dump();
  }
}

TEST_F(ProxyTest, LocalhostAllowedByPatternButResolvingToLoopbackIsRefused) {
  UpstreamServer up;
  std::string p = std::to_string(up.port());
  std::string policy = policyFile("allow = [\"localhost\", \"*.localhost\"]\n");
  json record;
  auto res = raw(policy,
                 {{"get", "GET http://localhost:" + p + "/ HTTP/1.1\r\nHost: localhost:" + p +
                              "\r\nConnection: close\r\n\r\n"},
                  {"connect", "CONNECT LOCALHOST.:" + p + " HTTP/1.1\r\n\r\n"}},
                 &record);
  for (const char* name : {"get", "connect"}) {
    EXPECT_EQ(res[name]["status"], 403) << res[name]["text"];
    EXPECT_NE(res[name]["text"].get<std::string>().find(
                  "localhost resolves to 127.0.0.1, which is in a denied address range"),
              std::string::npos)
        << res[name]["text"];
  }
  EXPECT_EQ(up.connections(), 0);
  const json* c = findConnection(record, "localhost");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["rule"], "network.cidr_deny:127.0.0.0/8");
  EXPECT_EQ((*c)["address"], "127.0.0.1:" + p);
}

TEST_F(ProxyTest, RateLimitAnswers429WithRetryAfter) {
  UpstreamServer up;
  std::string policy =
      policyFile("allow = []\n[network.rate]\n\"*\" = { requests_per_minute = 1, burst = 2 }\n" +
                 pins(up, {"api.test"}));
  Run r = runIn(policy,
                "for i in 1 2 3; do curl -sS -m 10 -D - -o body.$i http://api.test/$i | "
                "tr -d '\\r' | grep -E '^(HTTP|Retry-After)'; done; cat body.3",
                {"--mode", "write"});
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("HTTP/1.1 200 OK\nHTTP/1.1 200 OK\nHTTP/1.1 429 Too Many Requests\n"
                         "Retry-After: "),
            std::string::npos)
      << r.c.out;
  size_t ra = r.c.out.find("Retry-After: ");
  ASSERT_NE(ra, std::string::npos);
  int secs = std::stoi(r.c.out.substr(ra + 13));
  EXPECT_GE(secs, 1);
  EXPECT_LE(secs, 60);
  EXPECT_NE(r.c.out.find("agentbox: request rate for api.test exceeded; retry in"),
            std::string::npos);
  EXPECT_NE(r.c.out.find("(policy network.rate:*)"), std::string::npos) << r.c.out;
  EXPECT_EQ(up.requests().size(), 2u);
  const json* c = findConnection(r.record, "api.test", "/3");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["decision"], "rate-limited");
  EXPECT_EQ((*c)["status"], 429);
}

TEST_F(ProxyTest, UpstreamDownSlowAndResetGive502And504) {
  UpstreamServer silent(UpstreamServer::Mode::kSilent);
  UpstreamServer reset(UpstreamServer::Mode::kReset);
  uint16_t down = UpstreamServer::closedPort();
  std::string policy = policyFile(
      "allow = []\nidle_timeout = \"1s\"\n[network.resolve]\n"
      "\"down.test\" = \"127.0.0.1:" +
      std::to_string(down) + "\"\n\"slow.test\" = \"127.0.0.1:" + std::to_string(silent.port()) +
      "\"\n\"reset.test\" = \"127.0.0.1:" + std::to_string(reset.port()) + "\"\n");
  Run r = runIn(policy,
                "for h in down slow reset; do curl -sS -m 20 -w ' %{http_code}\\n' "
                "http://$h.test/; done");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("agentbox: cannot connect to down.test:80 (127.0.0.1:" +
                         std::to_string(down) + "): Connection refused\n 502"),
            std::string::npos)
      << r.c.out;
  EXPECT_NE(r.c.out.find("agentbox: slow.test:80 sent nothing for 1000 ms (policy "
                         "network.idle_timeout)\n 504"),
            std::string::npos)
      << r.c.out;
  EXPECT_NE(r.c.out.find("agentbox: reset.test:80 "), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("\n 502\n", r.c.out.find("reset.test")), std::string::npos) << r.c.out;
  EXPECT_EQ((*findConnection(r.record, "slow.test"))["decision"], "failed");
  EXPECT_EQ((*findConnection(r.record, "down.test"))["status"], 502);
  EXPECT_EQ((*findConnection(r.record, "reset.test"))["status"], 502);
}

TEST_F(ProxyTest, UpstreamConnectTimeoutGives504) {
  UpstreamServer stuck(UpstreamServer::Mode::kNoAccept);
  std::string policy = policyFile(
      "allow = []\nconnect_timeout = \"1s\"\n[network.resolve]\n\"stuck.test\" = \"127.0.0.1:" +
      std::to_string(stuck.port()) + "\"\n");
  auto t0 = std::chrono::steady_clock::now();
  Run r = runIn(policy, "curl -sS -m 20 -w ' %{http_code}\\n' http://stuck.test/");
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("agentbox: stuck.test:80 did not accept a connection within 1000 ms "
                         "(policy network.connect_timeout)\n 504"),
            std::string::npos)
      << r.c.out;
  EXPECT_LT(took, std::chrono::seconds(15));
}

TEST_F(ProxyTest, MalformedRequestsAreRefusedCleanly) {
  UpstreamServer up;
  std::string h = "api.test";
  std::string policy = policyFile("allow = []\n" + pins(up, {h}));
  std::string tls_hello("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11);
  json record;
  auto res =
      raw(policy,
          {{"garbage", std::string("\x01\x02\x03garbage\r\n\r\n", 14)},
           {"tls", tls_hello + std::string(64, 'A')},
           {"big-header", "GET http://api.test/ HTTP/1.1\r\nHost: api.test\r\nX-Big: " +
                              std::string(40000, 'a') + "\r\n\r\n"},
           {"long-line", "GET http://api.test/" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n"},
           {"connect-url", "CONNECT http://api.test:443/ HTTP/1.1\r\n\r\n"},
           {"connect-noport", "CONNECT api.test HTTP/1.1\r\n\r\n"},
           {"connect-port0", "CONNECT api.test:0 HTTP/1.1\r\n\r\n"},
           {"host-mismatch", "GET http://api.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n"},
           {"cl-te",
            "POST http://api.test/ HTTP/1.1\r\nHost: api.test\r\nContent-Length: 4\r\n"
            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
           {"two-cl",
            "POST http://api.test/ HTTP/1.1\r\nHost: api.test\r\nContent-Length: 4\r\n"
            "Content-Length: 5\r\n\r\nabcde"},
           {"origin-form", "GET / HTTP/1.1\r\nHost: api.test\r\n\r\n"},
           {"trace", "TRACE http://api.test/ HTTP/1.1\r\nHost: api.test\r\n\r\n"},
           {"bare-lf", "GET http://api.test/ HTTP/1.1\nHost: api.test\n\n"}},
          &record);
  const std::map<std::string, std::pair<int, std::string>> want = {
      {"garbage", {400, "not an HTTP request"}},
      {"tls", {400, "TLS sent to the proxy port"}},
      {"big-header", {431, "request head larger than"}},
      {"long-line", {431, "request line longer than"}},
      {"connect-url", {400, "CONNECT target must be host:port, not a URL"}},
      {"connect-noport", {400, "CONNECT target must be host:port"}},
      {"connect-port0", {400, "CONNECT target must be host:port"}},
      {"host-mismatch", {400, "Host header 'evil.test' does not match the request target"}},
      {"cl-te", {400, "both Content-Length and Transfer-Encoding"}},
      {"two-cl", {400, "two different Content-Length values"}},
      {"origin-form", {400, "not a proxy request"}},
      {"trace", {405, "method TRACE is not allowed"}},
      {"bare-lf", {400, "bare CR or LF"}},
  };
  for (const auto& [name, expect] : want) {
    ASSERT_TRUE(res.count(name)) << name;
    EXPECT_EQ(res[name]["status"], expect.first) << name << ": " << res[name]["text"];
    std::string text = res[name]["text"];
    EXPECT_NE(text.find("agentbox: malformed request refused: " + expect.second), std::string::npos)
        << name << ": " << text;
    EXPECT_NE(text.find("Connection: close\r\n"), std::string::npos) << name;
  }
  EXPECT_EQ(up.connections(), 0);
  int refused = 0;
  for (const json& c : record["network"]["connections"]) {
    refused += c["decision"] == "refused" ? 1 : 0;
  }
  EXPECT_EQ(refused, static_cast<int>(want.size()));
}

// Keep-alive on both sides, pipelined requests answered in order, chunked bodies relayed.
TEST_F(ProxyTest, PipelinedKeepAliveAndChunkedRequests) {
  UpstreamServer up;
  std::string policy = policyFile("allow = []\n" + pins(up, {"api.test"}));
  std::string host = "Host: api.test\r\n";
  auto res = raw(policy, {{"pipeline", "GET http://api.test/first HTTP/1.1\r\n" + host + "\r\n" +
                                           "POST http://api.test/second HTTP/1.1\r\n" + host +
                                           "Transfer-Encoding: chunked\r\n\r\n"
                                           "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n" +
                                           "POST http://api.test/third HTTP/1.1\r\n" + host +
                                           "Content-Length: 3\r\nConnection: close\r\n\r\nabc"}});
  std::string text = res["pipeline"]["text"];
  size_t a = text.find("echo GET /first len=0");
  size_t b = text.find("echo POST /second len=11 body=hello world");
  size_t c = text.find("echo POST /third len=3 body=abc");
  ASSERT_NE(a, std::string::npos) << text;
  ASSERT_NE(b, std::string::npos) << text;
  ASSERT_NE(c, std::string::npos) << text;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(up.connections(), 1);  // one upstream connection served all three
  EXPECT_NE(up.heads()[1].find("Transfer-Encoding: chunked"), std::string::npos);
}

TEST_F(ProxyTest, SecretInAQueryStringDoesNotReachTheRunRecord) {
  UpstreamServer up;
  const std::string token = "tok-9f8e7d6c5b4a39281706";
  std::string policy = policyFile("allow = []\n" + pins(up, {"api.test"}));
  Run r = runIn(policy, "curl -sS -m 10 \"http://api.test/q?access=$FOO_TOKEN&x=1\" >/dev/null",
                {"--env", "FOO_TOKEN=" + token});
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  ASSERT_EQ(up.requests().size(), 1u);
  EXPECT_NE(up.requests()[0].find(token), std::string::npos);  // it did go through
  std::string report = readFile(state_.file("report.json"));
  EXPECT_EQ(report.find(token), std::string::npos) << report;
  const json* c = findConnection(r.record, "api.test");
  ASSERT_NE(c, nullptr);
  std::string path = (*c)["path"];
  EXPECT_EQ(path.rfind("/q?access=", 0), 0u) << path;
  EXPECT_EQ(path.find(token), std::string::npos);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(stateDir())) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(readFile(entry.path()).find(token), std::string::npos) << entry.path();
    }
  }
}

TEST_F(ProxyTest, NoneModeStillHasNoRouteAnywhere) {
  UpstreamServer up;
  std::string policy = state_.file("none.toml");
  writeFile(policy, "[network]\nmode = \"none\"\n");
  Run r = runIn(policy,
                "env | grep -ci _proxy; "
                "curl -sS -m 5 http://127.0.0.1:" +
                    std::to_string(up.port()) +
                    "/ 2>&1; echo rc=$?; "
                    "python3 -c \"import socket\ntry:\n  socket.create_connection(('127.0.0.1', "
                    "3128), 2)\nexcept OSError as e: print('proxy', e.errno)\"");
  EXPECT_NE(r.c.out.find("0\n"), std::string::npos) << r.c.out;  // no *_proxy variables
  EXPECT_NE(r.c.out.find("Couldn't connect to server"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("rc=7"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("proxy 111"), std::string::npos) << r.c.out;  // ECONNREFUSED
  EXPECT_EQ(up.connections(), 0);
  EXPECT_EQ(r.record["network"]["mode"], "none");
  EXPECT_TRUE(r.record["network"]["connections"].empty());
}

TEST_F(ProxyTest, MaxConnectionsAndMaxBytesAreEnforced) {
  UpstreamServer up;
  std::string policy =
      policyFile("allow = []\nmax_connections = 1\nmax_bytes = 300\n" + pins(up, {"api.test"}));
  // One connection held open by a half-sent head; the second is over the limit.
  writeFile(ws_.file("limits.py"), R"PY(
import socket, time
hold = socket.create_connection(("127.0.0.1", 3128))
hold.sendall(b"GET http://api.test/ HTTP/1.1\r\n")
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", 3128))
s.settimeout(5)
print(s.recv(4096).decode().splitlines()[0])
hold.close()
time.sleep(0.3)
for i in range(4):
    s = socket.create_connection(("127.0.0.1", 3128))
    s.settimeout(5)
    s.sendall(b"GET http://api.test/%d HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n" % i)
    data = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        data += b
    lines = data.decode().splitlines() or ["<cut>"]
    print(lines[0], lines[-1])
    s.close()
)PY");
  Run r = runIn(policy, "python3 /workspace/limits.py");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_NE(r.c.out.find("HTTP/1.1 503 Service Unavailable\n"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("byte budget of 300 bytes is used up"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("HTTP/1.1 403 Forbidden"), std::string::npos) << r.c.out;
  bool saw_conn_limit = false;
  for (const json& c : r.record["network"]["connections"]) {
    saw_conn_limit = saw_conn_limit || c["rule"] == "network.max_connections";
  }
  EXPECT_TRUE(saw_conn_limit) << r.record["network"].dump(2);
}

}  // namespace
}  // namespace agentbox::testing
