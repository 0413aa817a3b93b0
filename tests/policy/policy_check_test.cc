// SPDX-License-Identifier: Apache-2.0
// `policy check`: every problem of a file, with file:line:col.
#include <gtest/gtest.h>

#include "policy/loader.h"

namespace agentbox::policy {
namespace {

struct Case {
  const char* what;
  const char* text;
  const char* first;  // the first diagnostic, as printed
};

const Case kCases[] = {
    {"syntax error", "[resources\nmemory = 1\n", "p.toml:1:11: "},
    {"unknown key with did-you-mean", "[resources]\nmemroy = \"1g\"\n",
     "p.toml:2:1: unknown key 'memroy' in [resources]; did you mean 'memory'?"},
    {"unknown section with did-you-mean", "[resorces]\nmemory = \"1g\"\n",
     "p.toml:1:2: unknown key 'resorces'; did you mean 'resources'?"},
    {"key in the wrong table", "memory = \"1g\"\n",
     "p.toml:1:1: unknown key 'memory'; did you mean 'memory' in [resources]?"},
    {"unknown key without a near name", "[network]\nfrobnicate = 1\n",
     "p.toml:2:1: unknown key 'frobnicate' in [network]"},
    {"unknown redaction key", "[redaction]\nrules = []\n",
     "p.toml:2:1: unknown key 'rules' in [redaction]"},
    {"audit not supported yet", "[audit]\nfsync = true\n",
     "p.toml:1:2: [audit] is not supported yet"},
    {"providers not supported yet", "[providers.gemini]\nbinary = \"gemini\"\n",
     "p.toml:1:2: [providers.gemini] is not supported yet"},
    {"wrong type", "[resources]\nmemory = true\n",
     "p.toml:2:10: expected a size (bytes, or a string like \"512m\"), found boolean"},
    {"bad unit", "[resources]\nmemory = \"1tb\"\n", "p.toml:2:10: invalid size '1tb'"},
    {"out of range", "[resources]\npids = 0\n",
     "p.toml:2:8: resources.pids = 0 is out of range: expected 1..65536"},
    {"negative", "[resources]\ncpus = -1\n", "p.toml:2:8: resources.cpus = -1 is out of range"},
    {"bad enum", "[network]\nmode = \"open\"\n",
     "p.toml:2:8: invalid network.mode 'open': expected one of \"none\", \"proxy\""},
    {"bad pattern", "[network]\nallow = [\"ok.com\", \"a*.com\"]\n",
     "p.toml:2:20: invalid host pattern 'a*.com'"},
    {"bad cidr", "[network]\ncidr_deny = [\"10.0.0.1/8\"]\n",
     "p.toml:2:14: address range '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8"},
    {"allowed and denied at the same specificity",
     "[network]\nallow = [\"a.com\", \"*.b.com\"]\ndeny = [\"*.b.com\"]\n",
     "p.toml:3:9: \"*.b.com\" is both denied here and allowed at the same specificity "
     "(p.toml:2:19)"},
    {"read-write inside hidden",
     "[filesystem]\nhidden = [\"/data\"]\nread_write = [{ host = \"/srv\", sandbox = \"/data/x\" "
     "}]\n",
     "p.toml:3:15: read-write bind /data/x is inside hidden path /data"},
    {"both read-only and read-write",
     "[filesystem]\nread_only = [\"/srv\"]\nread_write = [\"/srv\"]\n",
     "p.toml:3:15: /srv is bound both read-only and read-write"},
    {"relative bind", "[filesystem]\nread_only = [\"srv\"]\n",
     "p.toml:2:14: expected an absolute path, found \"srv\""},
    {"bind onto /proc", "[filesystem]\nread_only = [{ host = \"/x\", sandbox = \"/proc/1\" }]\n",
     "p.toml:2:14: cannot bind onto /proc/1"},
    {"section as a value", "network = 1\n", "p.toml:1:11: 'network' must be a table"},
    {"allow_loosening type", "allow_loosening = \"yes\"\n",
     "p.toml:1:19: expected true or false, found string"},
    {"resolve needs an address", "[network.resolve]\n\"api.test\" = \"localhost\"\n",
     "p.toml:2:14: expected an IP address, found \"localhost\""},
    {"rate needs both", "[network.rate]\n\"*\" = { burst = 5 }\n",
     "p.toml:2:7: network.rate \"*\" needs both requests_per_minute and burst"},
    {"http method case", "[network.http]\n\"pypi.org\" = { methods = [\"get\"] }\n",
     "p.toml:2:27: invalid HTTP method \"get\""},
    {"port range", "[network.ports]\nconnect = [0]\n",
     "p.toml:2:12: expected a port number 1..65535"},
    {"hostname", "[sandbox]\nhostname = \"-x\"\n", "p.toml:2:12: invalid host name"},
    {"user agent token", "[network]\nuser_agent = \"my bot/1.0\"\n",
     "p.toml:2:14: expected a product token"},
    {"profile", "[seccomp]\nprofile = \"relative.json\"\n",
     "p.toml:2:11: expected \"default\" or an absolute path"},
    {"timeout unit", "[resources]\ntimeout = \"1y\"\n", "p.toml:2:11: invalid duration '1y'"},
    {"env entry", "[sandbox]\nenv = [\"NOVALUE\"]\n", "p.toml:2:8: invalid variable 'NOVALUE'"},
    {"deny pinned host",
     "[network]\ndeny = [\"api.test\"]\n[network.resolve]\n\"api.test\" = \"127.0.0.1\"\n",
     "p.toml:2:9: \"api.test\" is denied here but pinned by network.resolve"},
};

TEST(CheckPolicyText, ReportsEachProblemWithFileLineColumn) {
  for (const Case& c : kCases) {
    std::vector<Diagnostic> d = checkPolicyText(c.text, "p.toml");
    ASSERT_FALSE(d.empty()) << c.what;
    EXPECT_EQ(d.front().toString().rfind(c.first, 0), 0u)
        << c.what << "\n  got:  " << d.front().toString() << "\n  want: " << c.first;
  }
}

TEST(CheckPolicyText, ListsEveryErrorInSourceOrder) {
  std::vector<Diagnostic> d = checkPolicyText(
      "[resources]\nmemroy = 1\npids = -1\n[network]\nmode = \"x\"\nallow = [1]\n", "p.toml");
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].line, 2);
  EXPECT_EQ(d[1].line, 3);
  EXPECT_EQ(d[2].line, 5);
  EXPECT_EQ(d[3].line, 6);
}

TEST(CheckPolicyText, AcceptsACompletePolicy) {
  const char* text = R"(
allow_loosening = false
[resources]
memory = "1g"
cpus = 1.5
pids = 64
nofile = 2048
tmp_size = "256MiB"
output_limit = 1048576
timeout = "1h30m"
[filesystem]
mode = "write"
read_only = ["/opt/tools", { host = "/srv/data", sandbox = "/data" }]
read_write = ["/var/cache/build"]
hidden = ["/workspace/.secrets"]
deny = [".env", "*.pem", "/workspace/keys/**"]
allow_git_write = false
[seccomp]
profile = "default"
on_violation = "kill"
[network]
mode = "proxy"
allow = ["pypi.org", "files.pythonhosted.org", "*.googleapis.com", "api.test:8080"]
deny = ["metadata.google.internal"]
respect_robots = true
user_agent = "agentbox"
honor_crawl_delay = true
max_connections = 16
max_bytes = "512m"
[network.http]
"pypi.org" = { methods = ["GET", "HEAD"], paths = ["/simple/"] }
[network.resolve]
"api.test" = "127.0.0.1:8080"
[network.rate]
"*" = { requests_per_minute = 300, burst = 30 }
"*.googleapis.com" = { requests_per_minute = 60, burst = 10 }
[network.ports]
bind = [8080]
connect = [443, 8080]
[flags]
cursor_autofix = false
audit_all_operations = true
[redaction]
enabled = true
secrets = true
pii = true
ip_addresses = false
disable = ["email"]
[[redaction.custom]]
id = "corp-ticket"
regex = "\\b(TCK-[0-9]{6})\\b"
keywords = ["tck-"]
class = "custom"
severity = "medium"
validator = "none"
replacement = "[ticket:{fp}]"
[sandbox]
hostname = "agentbox"
isolation = "strict"
env = ["CI=1"]
)";
  std::vector<Diagnostic> d = checkPolicyText(text, "full.toml");
  EXPECT_TRUE(d.empty()) << d.front().toString();
  Result<LoadedPolicy> p = loadText(text, "full.toml");
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  EXPECT_EQ(p->policy.network.resolve.at(0).port, 8080);
  EXPECT_EQ(p->policy.filesystem.read_only.at(1).sandbox_path, "/data");
  EXPECT_EQ(p->policy.resources.timeout_ms, 5400000u);
  EXPECT_EQ(p->policy.network.rate.size(), 2u);
  EXPECT_EQ(p->originOf("network.allow").describe(), "full.toml:23");
}

}  // namespace
}  // namespace agentbox::policy
