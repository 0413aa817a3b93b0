// SPDX-License-Identifier: Apache-2.0
// File: proxy_fixture.h
// The fixture of the network.mode = "proxy" integration tests: a policy file in the state
// dir, [network.resolve] pins to servers on 127.0.0.1 (cidr_deny refuses loopback
// otherwise), runs with --report, and raw HTTP cases sent from python3 inside the sandbox.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"
#include "run_fixture.h"
#include "upstream_server.h"

namespace agentbox::testing {

using nlohmann::json;

// Sends each case (hex payload) to the proxy on its own connection and prints one JSON line
// per case: the status of the first response line and the whole answer.
inline constexpr const char* kRawClient = R"PY(
import json, socket, sys
cases = json.load(open(sys.argv[1]))
for c in cases:
    s = socket.create_connection(("127.0.0.1", 3128))
    s.settimeout(c.get("timeout", 8))
    data = b""
    try:
        s.sendall(bytes.fromhex(c["hex"]))
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except (socket.timeout, ConnectionResetError, BrokenPipeError) as e:
        data += ("<%s>" % type(e).__name__).encode()
    s.close()
    text = data.decode("latin-1")
    status = int(text[9:12]) if text.startswith("HTTP/1.1 ") else 0
    print(json.dumps({"name": c["name"], "status": status, "text": text}), flush=True)
)PY";

inline std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

class ProxyTest : public RunTest {
 protected:
  void SetUp() override {
    RunTest::SetUp();
    writeFile(ws_.file("raw.py"), kRawClient);
  }

  // A [network] policy in the state dir (outside the workspace). robots.txt fetching is off
  // unless the test's TOML mentions it, so that tests of other properties see only their
  // own requests upstream.
  std::string policyFile(const std::string& network_toml, const std::string& name = "policy.toml") {
    std::string path = state_.file(name);
    std::string robots;
    if (network_toml.find("respect_robots") == std::string::npos) {
      robots += "respect_robots = false\n";
    }
    if (network_toml.find("honor_crawl_delay") == std::string::npos) {
      robots += "honor_crawl_delay = false\n";
    }
    writeFile(path, "[network]\nmode = \"proxy\"\n" + robots + network_toml);
    return path;
  }
  std::string pins(const UpstreamServer& up, std::vector<std::string> names) {
    std::string out = "[network.resolve]\n";
    for (const std::string& n : names) {
      out += "\"" + n + "\" = \"127.0.0.1:" + std::to_string(up.port()) + "\"\n";
    }
    return out;
  }

  struct Run {
    Captured c;
    json record;
  };
  // `env` is added to agentbox's own environment (not the sandbox's).
  Run runIn(const std::string& policy, const std::string& script,
            std::vector<std::string> flags = {}, std::map<std::string, std::string> env = {}) {
    std::string report = state_.file("report.json");
    ::unlink(report.c_str());
    std::vector<std::string> f = {"--policy", policy, "--report", report};
    f.insert(f.end(), flags.begin(), flags.end());
    SpawnOptions extra;
    extra.env = std::move(env);
    Run r{run({"/bin/sh", "-c", script}, f, extra), json()};
    std::ifstream in(report);
    if (in) {
      r.record = json::parse(in, nullptr, false);
    }
    return r;
  }

  // Raw cases through python3 inside the sandbox; results by name.
  std::map<std::string, json> raw(const std::string& policy,
                                  const std::vector<std::pair<std::string, std::string>>& cases,
                                  json* record = nullptr) {
    json list = json::array();
    for (const auto& [name, payload] : cases) {
      list.push_back({{"name", name}, {"hex", hex(payload)}});
    }
    writeFile(ws_.file("cases.json"), list.dump());
    Run r = runIn(policy, "python3 /workspace/raw.py /workspace/cases.json");
    EXPECT_EQ(r.c.exit_code, 0) << r.c.err;
    std::map<std::string, json> out;
    std::istringstream lines(r.c.out);
    for (std::string line; std::getline(lines, line);) {
      json j = json::parse(line, nullptr, false);
      if (j.is_object()) {
        out[j["name"].get<std::string>()] = j;
      }
    }
    if (record != nullptr) {
      *record = r.record;
    }
    return out;
  }
};

inline const json* findConnection(const json& record, const std::string& host,
                                  const std::string& path_prefix = "") {
  for (const json& c : record["network"]["connections"]) {
    if (c["host"] == host &&
        (path_prefix.empty() ||
         (c["path"].is_string() && c["path"].get<std::string>().rfind(path_prefix, 0) == 0))) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace agentbox::testing
