// SPDX-License-Identifier: Apache-2.0
// File: proxy_reload_test.cc
// Live policy updates during a real run: the test rewrites the --policy file while the
// sandboxed command talks through the proxy. New requests and tunnels follow the new
// [network] rules, an open tunnel is kept, an invalid file is rejected with one line and
// the old rules stay, other sections are reported and ignored, and a policy path that now
// leads into the workspace is refused like at start.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "proxy_fixture.h"
#include "upstream_server.h"

namespace agentbox::testing {
namespace {

// Plain requests and one CONNECT tunnel through the proxy, driven by argv commands:
//   plain HOST PATH         one request on its own connection; prints "plain HOST PATH STATUS"
//   open HOST               opens the tunnel; prints "open HOST STATUS"
//   tunnel PATH             a request over the open tunnel; prints "tunnel PATH STATUS BODY"
//   until HOST STATUS       repeats plain HOST /poll every 100 ms until STATUS (10 s at most)
//   poll HOST SECONDS       plain HOST /poll every 200 ms; prints the distinct statuses seen
constexpr const char* kClient = R"PY(
import socket, sys, time
def read_response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        b = s.recv(65536)
        if not b:
            return data
        data += b
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        b = s.recv(65536)
        if not b:
            break
        body += b
    return head + b"\r\n\r\n" + body
def status(data):
    return int(data[9:12]) if data.startswith(b"HTTP/1.1 ") else 0
def plain(host, path):
    s = socket.create_connection(("127.0.0.1", 3128))
    s.settimeout(10)
    s.sendall(("GET http://%s%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
               % (host, path, host)).encode())
    d = read_response(s)
    s.close()
    return status(d)
tunnel = None
args = sys.argv[1:]
while args:
    cmd = args.pop(0)
    if cmd == "plain":
        h, p = args.pop(0), args.pop(0)
        print("plain", h, p, plain(h, p), flush=True)
    elif cmd == "open":
        h = args.pop(0)
        tunnel = socket.create_connection(("127.0.0.1", 3128))
        tunnel.settimeout(10)
        tunnel.sendall(("CONNECT %s:80 HTTP/1.1\r\nHost: %s:80\r\n\r\n" % (h, h)).encode())
        d = b""
        while b"\r\n\r\n" not in d:
            b = tunnel.recv(1)
            if not b:
                break
            d += b
        print("open", h, status(d), flush=True)
    elif cmd == "tunnel":
        p = args.pop(0)
        tunnel.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p).encode())
        d = read_response(tunnel)
        print("tunnel", p, status(d), d.partition(b"\r\n\r\n")[2].decode().strip(), flush=True)
    elif cmd == "until":
        h, want = args.pop(0), int(args.pop(0))
        end = time.time() + 10
        got = plain(h, "/poll")
        while got != want and time.time() < end:
            time.sleep(0.1)
            got = plain(h, "/poll")
        print("until", h, got, flush=True)
    elif cmd == "poll":
        h, secs = args.pop(0), float(args.pop(0))
        seen = set()
        end = time.time() + secs
        while time.time() < end:
            seen.add(plain(h, "/poll"))
            time.sleep(0.2)
        print("poll", h, sorted(seen), flush=True)
)PY";

class ReloadTest : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    writeFile(ws_.file("client.py"), kClient);
  }

  std::string pinsTo(const UpstreamServer& up, const std::vector<std::string>& names) {
    return pins(up, names);
  }

  // Replaces `path` the way editors do: a new file renamed over the old one.
  static void replaceAtomically(const std::string& path, const std::string& content) {
    writeFile(path + ".tmp", content);
    ASSERT_EQ(::rename((path + ".tmp").c_str(), path.c_str()), 0);
  }

  static bool waitFor(const UpstreamServer& up, const std::string& request_line) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < end) {
      for (const std::string& r : up.requests()) {
        if (r == request_line) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Runs the client with `args` in the background while `during` changes the policy.
  template <class During>
  Run runWhile(const std::string& policy, const std::string& args, During during) {
    Run r;
    std::thread t([&] { r = runIn(policy, "python3 /workspace/client.py " + args); });
    during();
    t.join();
    return r;
  }
};

int countLines(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST_F(ReloadTest, RemovingADomainDeniesNewRequestsAndTunnelsButKeepsTheOpenTunnel) {
  UpstreamServer up;
  std::string policy = policyFile(pinsTo(up, {"keep.test", "drop.test"}));
  Run r = runWhile(policy,
                   "open drop.test tunnel /t1 until drop.test 403 plain keep.test /k "
                   "tunnel /t2 open drop.test",
                   [&] {
                     ASSERT_TRUE(waitFor(up, "GET /t1 HTTP/1.1"));
                     std::string next = readFile(policy);
                     replaceAtomically(policy,
                                       "[resources]\nmemory = \"300m\"\n[network]\n"
                                       "mode = \"proxy\"\nrespect_robots = false\n"
                                       "honor_crawl_delay = false\n" +
                                           pinsTo(up, {"keep.test"}));
                   });
  ASSERT_EQ(r.c.exit_code, 0) << r.c.out << r.c.err;
  EXPECT_EQ(r.c.out,
            "open drop.test 200\n"
            "tunnel /t1 200 echo GET /t1 len=0 body=\n"
            "until drop.test 403\n"
            "plain keep.test /k 200\n"
            "tunnel /t2 200 echo GET /t2 len=0 body=\n"  // the open tunnel was kept
            "open drop.test 403\n");                     // a new one is not
  EXPECT_NE(r.c.err.find("agentbox: policy reload of " + policy +
                         ": network.resolve applied to new requests and tunnels; open tunnels "
                         "are kept\n"),
            std::string::npos)
      << r.c.err;
  EXPECT_NE(r.c.err.find("agentbox: policy reload of " + policy +
                         ": resources.memory cannot change during a run; ignored\n"),
            std::string::npos)
      << r.c.err;
  EXPECT_EQ(r.record["limits"].dump().find("300"), std::string::npos);
  bool noted = false;
  for (const json& w : r.record["warnings"]) {
    noted = noted || w.get<std::string>().find("network.resolve applied") != std::string::npos;
  }
  EXPECT_TRUE(noted) << r.record["warnings"].dump(2);
  const json* denied = findConnection(r.record, "drop.test", "/poll");
  ASSERT_NE(denied, nullptr);
}

// The supervisor (comm "agentbox", not the sandbox's "agentbox-init", which shares its
// command line) of the run whose command line names `needle`; 0 if none.
pid_t supervisorOf(const std::string& needle) {
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream comm(e.path() / "comm");
    std::string c;
    std::getline(comm, c);
    std::ifstream cmd(e.path() / "cmdline", std::ios::binary);
    std::string args{std::istreambuf_iterator<char>(cmd), {}};
    if (c == "agentbox" && args.find(needle) != std::string::npos) {
      return static_cast<pid_t>(std::stol(name));
    }
  }
  return 0;
}

// Signals sent to `agentbox run` belong to the command: SIGHUP is forwarded, and neither
// reloads the policy nor ends the run (the file watcher is what reloads).
TEST_F(ReloadTest, SighupIsForwardedToTheCommandAndReloadsNothing) {
  UpstreamServer up;
  std::string policy = policyFile(pinsTo(up, {"keep.test"}));
  std::string marker = ws_.file("waiting");
  Run r;
  std::thread t([&] {
    r = runIn(policy,
              "trap 'echo got-hup; exit 7' HUP; touch /workspace/waiting; "
              "i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; echo no-hup",
              {"--mode", "write"});
  });
  pid_t pid = 0;
  for (int i = 0; i < 400 && (pid == 0 || !std::filesystem::exists(marker)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    pid = pid != 0 ? pid : supervisorOf(policy);
  }
  ASSERT_NE(pid, 0);
  ASSERT_TRUE(std::filesystem::exists(marker));
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  t.join();
  EXPECT_EQ(r.c.exit_code, 7) << r.c.out << r.c.err;
  EXPECT_EQ(r.c.out, "got-hup\n") << r.c.err;
  EXPECT_EQ(countLines(r.c.err, "policy reload"), 0) << r.c.err;
}

TEST_F(ReloadTest, AnInvalidFileIsRejectedWithOneLineAndTheOldRulesStay) {
  UpstreamServer up;
  std::string policy = policyFile(pinsTo(up, {"keep.test"}));
  Run r = runWhile(policy, "plain keep.test /first poll keep.test 2.5 poll other.test 1", [&] {
    ASSERT_TRUE(waitFor(up, "GET /first HTTP/1.1"));
    writeFile(policy, "[network]\nmode = \"proxy\"\nallow = [\"other.test\"\n");  // unclosed
  });
  ASSERT_EQ(r.c.exit_code, 0) << r.c.out << r.c.err;
  EXPECT_EQ(r.c.out, "plain keep.test /first 200\npoll keep.test [200]\npoll other.test [403]\n");
  EXPECT_EQ(countLines(r.c.err, "policy reload"), 1) << r.c.err;
  EXPECT_NE(r.c.err.find("agentbox: policy reload of " + policy + " rejected: " + policy + ":"),
            std::string::npos)
      << r.c.err;
  EXPECT_NE(r.c.err.find("; the policy in force stays\n"), std::string::npos) << r.c.err;
}

// The --policy path is a symlink; re-pointing it into the workspace (where the agent can
// write) must not hand the agent its own rules: the reload is refused as the start would be.
TEST_F(ReloadTest, APolicyPathThatNowLeadsIntoTheWorkspaceIsRefused) {
  UpstreamServer up;
  std::string real = policyFile(pinsTo(up, {"keep.test"}), "real.toml");
  std::string evil = ws_.file("evil.toml");
  writeFile(evil, "[network]\nmode = \"proxy\"\nrespect_robots = false\n" +
                      pinsTo(up, {"keep.test", "evil.test"}));
  // At start, a policy file inside the workspace is refused outright.
  Run refused = runIn(evil, "true");
  EXPECT_EQ(refused.c.exit_code, 125);
  EXPECT_NE(refused.c.err.find("is inside the workspace"), std::string::npos) << refused.c.err;
  EXPECT_EQ(countLines(refused.c.err, "\n"), 1) << refused.c.err;

  std::string link = state_.file("live.toml");
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  Run r = runWhile(link, "plain keep.test /first poll evil.test 2.5", [&] {
    ASSERT_TRUE(waitFor(up, "GET /first HTTP/1.1"));
    std::string tmp = link + ".new";
    ASSERT_EQ(::symlink(evil.c_str(), tmp.c_str()), 0);
    ASSERT_EQ(::rename(tmp.c_str(), link.c_str()), 0);
  });
  ASSERT_EQ(r.c.exit_code, 0) << r.c.out << r.c.err;
  EXPECT_EQ(r.c.out, "plain keep.test /first 200\npoll evil.test [403]\n");
  EXPECT_EQ(countLines(r.c.err, "policy reload"), 1) << r.c.err;
  EXPECT_NE(r.c.err.find("agentbox: policy reload of " + link + " rejected: "), std::string::npos)
      << r.c.err;
  EXPECT_NE(r.c.err.find("workspace"), std::string::npos) << r.c.err;
  // Nothing but the first request reached the upstream: evil.test was never let through.
  EXPECT_EQ(up.requests(), std::vector<std::string>{"GET /first HTTP/1.1"});
}

// A policy file inside the state dir (where run records and keys live) is refused at start.
TEST_F(ReloadTest, APolicyFileInsideTheStateDirIsRefused) {
  std::filesystem::create_directories(stateDir());
  std::string inside = stateDir() + "/policy.toml";
  writeFile(inside, "[network]\nmode = \"proxy\"\n");
  Run r = runIn(inside, "true");
  EXPECT_EQ(r.c.exit_code, 125);
  EXPECT_NE(r.c.err.find("is inside the state dir"), std::string::npos) << r.c.err;
  EXPECT_EQ(countLines(r.c.err, "\n"), 1) << r.c.err;
}

}  // namespace
}  // namespace agentbox::testing
