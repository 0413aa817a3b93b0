// SPDX-License-Identifier: Apache-2.0
// File: proxy_tools_test.cc
// The tools coding agents run, inside a real sandbox, through the egress proxy, against
// servers this test starts on 127.0.0.1: git over dumb HTTP, npm from a local registry, pip
// from a local simple index, and a Node program with undici's EnvHttpProxyAgent. Each tool
// is made to find the proxy through the variable meant for it (the generic *_proxy variables
// are removed for that command). Node 20's built-in fetch ignores proxy variables: it must
// fail closed, with no route anywhere.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "proxy_fixture.h"
#include "upstream_server.h"

namespace agentbox::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNoGenericProxy =
    "env -u HTTP_PROXY -u http_proxy -u HTTPS_PROXY -u https_proxy -u ALL_PROXY -u all_proxy";

bool canConnect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

// `python3 -m http.server` serving `dir` on 127.0.0.1, stopped at scope end.
class StaticServer {
 public:
  explicit StaticServer(const std::string& dir) : port_(UpstreamServer::closedPort()) {
    pid_ = startProcess(
        "/usr/bin/python3",
        {"-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, std::to_string(port_)},
        {});
    for (int i = 0; i < 100 && !canConnect(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  StaticServer(const StaticServer&) = delete;
  StaticServer& operator=(const StaticServer&) = delete;
  StaticServer(StaticServer&&) = delete;
  StaticServer& operator=(StaticServer&&) = delete;
  ~StaticServer() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  uint16_t port() const { return port_; }
  bool ready() const { return canConnect(port_); }

 private:
  uint16_t port_;
  pid_t pid_ = -1;
};

Captured hostShell(const std::string& script) {
  SpawnOptions o;
  o.args = {"-c", script};
  return runProcess("/bin/sh", o);
}

class ToolsTest : public ProxyTest {
 protected:
  std::string pin(const std::string& host, uint16_t port) {
    return "[network.resolve]\n\"" + host + "\" = \"127.0.0.1:" + std::to_string(port) + "\"\n";
  }
  TempDir served_{"agentbox-served"};
};

TEST_F(ToolsTest, SandboxEnvironmentNamesTheProxyForEachTool) {
  Run r = runIn(policyFile(""), "env | grep -E '^(npm_config_|PIP_PROXY|GIT_CONFIG)' | sort");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.err;
  EXPECT_EQ(r.c.out,
            "GIT_CONFIG_COUNT=1\nGIT_CONFIG_KEY_0=http.proxy\n"
            "GIT_CONFIG_VALUE_0=http://127.0.0.1:3128\nPIP_PROXY=http://127.0.0.1:3128\n"
            "npm_config_https_proxy=http://127.0.0.1:3128\n"
            "npm_config_proxy=http://127.0.0.1:3128\n");
}

TEST_F(ToolsTest, GitClonesOverDumbHttpThroughHttpProxyConfig) {
  Captured made = hostShell(
      "set -e; cd " + served_.path() +
      "; git init -q src; cd src; echo 'hello from git' > README; git add README; "
      "git -c user.name=t -c user.email=t@example.test commit -qm first; cd ..; "
      "git clone -q --bare src repo.git; git -C repo.git update-server-info; chmod -R a+rX .");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  StaticServer server(served_.path());
  ASSERT_TRUE(server.ready());
  Run r = runIn(policyFile(pin("git.test", server.port())),
                std::string(kNoGenericProxy) +
                    " git clone -q http://git.test/repo.git /tmp/r && cat /tmp/r/README && "
                    "git -C /tmp/r log --format=%s");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.out << r.c.err;
  EXPECT_EQ(r.c.out, "hello from git\nfirst\n");
  const json* c = findConnection(r.record, "git.test", "/repo.git/info/refs");
  ASSERT_NE(c, nullptr) << r.record.dump(2);
  EXPECT_EQ((*c)["decision"], "allowed");
  EXPECT_EQ((*c)["status"], 200);
}

TEST_F(ToolsTest, NpmInstallsFromALocalRegistryThroughNpmConfigProxy) {
  // A one-version packument and its tarball, made with `npm pack` on the host.
  Captured made = hostShell(
      "set -e; cd " + served_.path() +
      "; mkdir -p pkg tarballs; cd pkg; "
      "printf '{\"name\":\"demo-pkg\",\"version\":\"1.0.0\",\"main\":\"index.js\"}' > "
      "package.json; echo 'module.exports = \"demo from the local registry\";' > index.js; "
      "npm pack --silent --pack-destination ../tarballs >/dev/null; cd ..; "
      "sha=$(sha1sum tarballs/demo-pkg-1.0.0.tgz | cut -d' ' -f1); "
      "printf '{\"name\":\"demo-pkg\",\"dist-tags\":{\"latest\":\"1.0.0\"},\"versions\":{"
      "\"1.0.0\":{\"name\":\"demo-pkg\",\"version\":\"1.0.0\",\"main\":\"index.js\",\"dist\":{"
      "\"tarball\":\"http://registry.test/tarballs/demo-pkg-1.0.0.tgz\",\"shasum\":\"%s\"}}}}' "
      "$sha > demo-pkg; chmod -R a+rX .");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  StaticServer server(served_.path());
  ASSERT_TRUE(server.ready());
  Run r = runIn(policyFile(pin("registry.test", server.port())),
                std::string("mkdir /tmp/app && cd /tmp/app && echo '{}' > package.json && ") +
                    kNoGenericProxy +
                    " npm install --registry http://registry.test/ --no-audit --no-fund "
                    "--no-update-notifier --loglevel=error demo-pkg >/dev/null && "
                    "node -e 'console.log(require(\"demo-pkg\"))'",
                {"--pids", "64", "--memory", "1g"});
  ASSERT_EQ(r.c.exit_code, 0) << r.c.out << r.c.err;
  EXPECT_EQ(r.c.out, "demo from the local registry\n");
  EXPECT_NE(findConnection(r.record, "registry.test", "/tarballs/demo-pkg-1.0.0.tgz"), nullptr)
      << r.record.dump(2);
}

TEST_F(ToolsTest, PipDownloadsFromALocalSimpleIndexThroughPipProxy) {
  // A minimal wheel (pip download reads its name and metadata, nothing is installed).
  Captured made = hostShell(
      "set -e; cd " + served_.path() +
      "; mkdir -p simple/demo-pkg files; /usr/bin/python3 - <<'EOF'\n"
      "import zipfile\n"
      "w = zipfile.ZipFile('files/demo_pkg-1.0-py3-none-any.whl', 'w')\n"
      "w.writestr('demo_pkg/__init__.py', 'X = 1\\n')\n"
      "w.writestr('demo_pkg-1.0.dist-info/METADATA', "
      "'Metadata-Version: 2.1\\nName: demo-pkg\\nVersion: 1.0\\n')\n"
      "w.writestr('demo_pkg-1.0.dist-info/WHEEL', "
      "'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')\n"
      "w.writestr('demo_pkg-1.0.dist-info/RECORD', '')\n"
      "w.close()\n"
      "EOF\n"
      "echo '<html><body><a href=\"../../files/demo_pkg-1.0-py3-none-any.whl\">"
      "demo_pkg-1.0-py3-none-any.whl</a></body></html>' > simple/demo-pkg/index.html; "
      "chmod -R a+rX .");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  StaticServer server(served_.path());
  ASSERT_TRUE(server.ready());
  Run r = runIn(policyFile(pin("pypi.test", server.port())),
                std::string(kNoGenericProxy) +
                    " python3 -m pip download --disable-pip-version-check --no-deps -q "
                    "--index-url http://pypi.test/simple/ --trusted-host pypi.test -d /tmp/dl "
                    "demo-pkg==1.0 && ls /tmp/dl");
  ASSERT_EQ(r.c.exit_code, 0) << r.c.out << r.c.err;
  EXPECT_EQ(r.c.out, "demo_pkg-1.0-py3-none-any.whl\n");
  EXPECT_NE(findConnection(r.record, "pypi.test", "/simple/demo-pkg/"), nullptr)
      << r.record.dump(2);
}

// undici (pinned in scripts/setup.sh into .tools/npm) is copied into the workspace.
TEST_F(ToolsTest, NodeUndiciEnvHttpProxyAgentGoesThroughTheProxyAndBuiltInFetchFailsClosed) {
  fs::path undici = fs::path(AGENTBOX_SOURCE_DIR) / ".tools/npm/node_modules/undici";
  std::error_code ec;
  if (!fs::exists(undici / "package.json", ec)) {
    GTEST_SKIP() << "undici not installed in " << undici << ": run scripts/setup.sh";
  }
  fs::create_directories(ws_.file("node_modules"));
  fs::copy(undici, ws_.file("node_modules/undici"), fs::copy_options::recursive, ec);
  ASSERT_FALSE(ec) << ec.message();
  hostShell("chmod -R a+rX " + ws_.path());
  UpstreamServer up;
  writeFile(
      ws_.file("agent.js"),
      "const { EnvHttpProxyAgent, fetch } = require('undici');\n"
      "(async () => {\n"
      "  const r = await fetch('http://api.test/undici', "
      "{ dispatcher: new EnvHttpProxyAgent() });\n"
      "  console.log('undici', r.status, (await r.text()).trim());\n"
      "  try {\n"
      "    await fetch('http://denied.test/x', { dispatcher: new EnvHttpProxyAgent() });\n"
      "    console.log('undici-denied reached');\n"
      "  } catch (e) {\n"
      "    console.log('undici-denied', e.cause && e.cause.cause && e.cause.cause.message);\n"
      "  }\n"
      "  for (const url of ['http://api.test/builtin', 'http://127.0.0.1:" +
          std::to_string(up.port()) +
          "/builtin', 'http://192.0.2.1/builtin']) {\n"
          "    try {\n"
          "      const b = await globalThis.fetch(url, { signal: AbortSignal.timeout(5000) "
          "});\n"
          "      console.log('builtin', url, 'reached', b.status);\n"
          "    } catch (e) {\n"
          "      console.log('builtin', url, 'failed', (e.cause && e.cause.code) || e.name);\n"
          "    }\n"
          "  }\n"
          "})();\n");
  Run r = runIn(policyFile(pins(up, {"api.test"})), "cd /workspace && node agent.js",
                {"--pids", "64", "--memory", "1g"});
  ASSERT_EQ(r.c.exit_code, 0) << r.c.out << r.c.err;
  EXPECT_NE(r.c.out.find("undici 200 echo GET /undici len=0 body=\n"), std::string::npos)
      << r.c.out;
  // undici tunnels plain HTTP through CONNECT too; the proxy refuses the tunnel.
  EXPECT_NE(r.c.out.find("undici-denied Proxy response (403) !== 200 when HTTP Tunneling\n"),
            std::string::npos)
      << r.c.out;
  // No DNS in the sandbox, nothing listening on its own loopback, no route off the host.
  EXPECT_NE(r.c.out.find("builtin http://api.test/builtin failed E"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("/builtin failed ECONNREFUSED"), std::string::npos) << r.c.out;
  EXPECT_NE(r.c.out.find("builtin http://192.0.2.1/builtin failed ENETUNREACH"), std::string::npos)
      << r.c.out;
  EXPECT_EQ(r.c.out.find("reached"), std::string::npos) << r.c.out;
  const json* denied = findConnection(r.record, "denied.test");
  ASSERT_NE(denied, nullptr) << r.record.dump(2);
  EXPECT_EQ((*denied)["method"], "CONNECT");
  EXPECT_EQ((*denied)["rule"], "default-deny");
  ASSERT_EQ(up.requests().size(), 1u);  // only the undici request got out
  EXPECT_EQ(up.requests()[0], "GET /undici HTTP/1.1");
}

}  // namespace
}  // namespace agentbox::testing
