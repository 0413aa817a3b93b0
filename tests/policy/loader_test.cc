// SPDX-License-Identifier: Apache-2.0
#include "policy/loader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "policy/keys.h"
#include "policy_test_util.h"

namespace agentbox::policy {
namespace {

using testing::TempDir;

LoadRequest baseRequest(const TempDir& dir) {
  LoadRequest r;
  r.system_policy_path = dir.path() + "/etc/absent.toml";
  r.environment = {{"HOME", dir.path() + "/home"}};
  return r;
}

std::string render(const LoadedPolicy& p, std::string_view key) {
  return findKey(key)->render(p.policy);
}

TEST(Load, NoFilesGivesTheBuiltInDefaults) {
  TempDir dir;
  Result<LoadedPolicy> p = load(baseRequest(dir));
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  Policy defaults;
  for (const KeySpec& k : keySpecs()) {
    EXPECT_EQ(k.render(p->policy), k.render(defaults)) << k.path;
    EXPECT_EQ(p->originOf(k.path).describe(), "default") << k.path;
  }
  EXPECT_EQ(p->policy.network.mode, NetworkMode::kNone);
  EXPECT_EQ(p->policy.filesystem.mode, WorkspaceMode::kReadOnly);
  EXPECT_EQ(p->policy.runtime.state_dir, dir.path() + "/home/.local/state/agentbox");
  EXPECT_TRUE(p->files.empty());
}

// One row of the layering table: a file setting, and a tighter and a looser value for the
// same key from an environment variable or a flag.
struct LayerCase {
  const char* key;
  const char* file;   // TOML that sets `key` (on line 2)
  bool from_env;      // environment variable, else flag
  const char* name;   // variable or flag
  const char* tight;  // allowed over the file
  const char* loose;  // refused over the file, allowed over the defaults
};

const LayerCase kLayerCases[] = {
    {"resources.memory", "[resources]\nmemory = \"1g\"\n", true, "CONTAINER_MEMORY_LIMIT", "512m",
     "2g"},
    {"resources.memory", "[resources]\nmemory = \"1g\"\n", false, "--memory", "256m", "4g"},
    {"resources.cpus", "[resources]\ncpus = 2\n", true, "CONTAINER_CPU_LIMIT", "1.5", "4"},
    {"resources.cpus", "[resources]\ncpus = 2\n", false, "--cpus", "0.5", "3"},
    {"resources.timeout", "[resources]\ntimeout = \"10m\"\n", true, "EXECUTION_TIMEOUT_MS", "60000",
     "3600000"},
    {"resources.timeout", "[resources]\ntimeout = \"10m\"\n", false, "--timeout", "5m", "1h"},
    {"resources.timeout", "[resources]\ntimeout = \"10m\"\n", false, "--timeout", "90", "0"},
    {"resources.pids", "[resources]\npids = 64\n", false, "--pids", "32", "128"},
    {"resources.nofile", "[resources]\nnofile = 2048\n", false, "--nofile", "1024", "4096"},
    {"resources.tmp_size", "[resources]\ntmp_size = \"256m\"\n", false, "--tmp-size", "64m", "1g"},
    {"resources.output_limit", "[resources]\noutput_limit = \"32m\"\n", false, "--output-limit",
     "16m", "64m"},
    {"sandbox.isolation", "[sandbox]\nisolation = \"strict\"\n", true, "CONTAINER_ISOLATION",
     "strict", "best-effort"},
    {"sandbox.isolation", "[sandbox]\nisolation = \"strict\"\n", false, "--best-effort", nullptr,
     ""},
    {"filesystem.allow_git_write", "[filesystem]\nallow_git_write = false\n", false,
     "--allow-git-write", nullptr, ""},
    {"filesystem.mode", "[filesystem]\nmode = \"read-only\"\n", false, "--mode", "read-only",
     "write"},
    {"sandbox.hostname", "[sandbox]\nhostname = \"box\"\n", false, "--hostname", "box", "other"},
    {"flags.cursor_autofix", "[flags]\ncursor_autofix = true\n", true, "FF_CURSOR_AUTOFIX", "false",
     nullptr},
    {"flags.cursor_autofix", "[flags]\ncursor_autofix = false\n", true, "FF_CURSOR_AUTOFIX", "0",
     "1"},
    {"redaction.enabled", "[redaction]\nenabled = true\n", true, "OUTPUT_SANITIZATION", "yes",
     "no"},
    {"redaction.secrets", "[redaction]\nsecrets = true\n", true, "SECRET_REDACTION", "on", "off"},
    // The older [flags] names bind the same keys.
    {"redaction.enabled", "[flags]\noutput_sanitization = true\n", true, "OUTPUT_SANITIZATION", "1",
     "0"},
    {"redaction.secrets", "[flags]\nsecret_redaction = true\n", true, "SECRET_REDACTION", "true",
     "false"},
    {"flags.audit_all_operations", "[flags]\naudit_all_operations = false\n", true,
     "AUDIT_ALL_OPERATIONS", "true", nullptr},
    {"flags.audit_all_operations", "[flags]\naudit_all_operations = true\n", true,
     "AUDIT_ALL_OPERATIONS", "TRUE", "false"},
};

void addValue(LoadRequest& r, const LayerCase& c, const char* value) {
  if (c.from_env) {
    r.environment[c.name] = value;
  } else {
    r.flags.push_back(FlagValue{c.name, value});
  }
}

std::string label(const LayerCase& c, const char* value) {
  return std::string(c.name) + "=" + value;
}

TEST(Load, DefaultsChangeEitherWayFromEnvAndFlags) {
  for (const LayerCase& c : kLayerCases) {
    for (const char* value : {c.tight, c.loose}) {
      if (value == nullptr) {
        continue;
      }
      TempDir dir;
      LoadRequest r = baseRequest(dir);
      addValue(r, c, value);
      Result<LoadedPolicy> p = load(r);
      ASSERT_TRUE(p.has_value()) << label(c, value) << ": " << p.error().oneLine();
      EXPECT_EQ(p->originOf(c.key).describe(), std::string(c.from_env ? "env " : "flag ") + c.name)
          << label(c, value);
    }
  }
}

TEST(Load, FileSettingsOnlyTighten) {
  for (const LayerCase& c : kLayerCases) {
    for (bool system : {true, false}) {
      TempDir dir;
      LoadRequest r = baseRequest(dir);
      std::string path = dir.write("policy.toml", c.file);
      if (system) {
        r.system_policy_path = path;
      } else {
        r.user_policy_path = path;
      }
      if (c.tight != nullptr) {
        LoadRequest tight = r;
        addValue(tight, c, c.tight);
        Result<LoadedPolicy> p = load(tight);
        ASSERT_TRUE(p.has_value()) << label(c, c.tight) << ": " << p.error().oneLine();
      }
      if (c.loose != nullptr) {
        LoadRequest loose = r;
        addValue(loose, c, c.loose);
        Result<LoadedPolicy> p = load(loose);
        ASSERT_FALSE(p.has_value()) << label(c, c.loose) << " over " << c.file;
        EXPECT_EQ(p.error().code(), Errc::kDenied);
        const std::string& msg = p.error().message();
        EXPECT_NE(msg.find(c.name), std::string::npos) << msg;
        EXPECT_NE(msg.find(path + ":2"), std::string::npos) << msg;
        EXPECT_NE(msg.find(c.key), std::string::npos) << msg;
      }
    }
  }
}

TEST(Load, AllowLooseningLetsLaterLayersLoosen) {
  for (const LayerCase& c : kLayerCases) {
    if (c.loose == nullptr) {
      continue;
    }
    TempDir dir;
    LoadRequest r = baseRequest(dir);
    r.system_policy_path =
        dir.write("policy.toml", std::string("allow_loosening = true\n") + c.file);
    addValue(r, c, c.loose);
    Result<LoadedPolicy> p = load(r);
    ASSERT_TRUE(p.has_value()) << label(c, c.loose) << ": " << p.error().oneLine();
  }
}

TEST(Load, UserFileCannotLoosenTheSystemFile) {
  TempDir dir;
  LoadRequest r = baseRequest(dir);
  r.system_policy_path = dir.write("etc/policy.toml", "[resources]\nmemory = \"1g\"\npids = 64\n");
  r.user_policy_path =
      dir.write("user/policy.toml", "allow_loosening = true\n[resources]\nmemory = \"2g\"\n");
  {
    Result<LoadedPolicy> p = load(r);
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().code(), Errc::kDenied);
    EXPECT_NE(p.error().message().find(*r.user_policy_path +
                                       ":3:1: resources.memory = \"2g\" loosens \"1g\" set by " +
                                       r.system_policy_path + ":2"),
              std::string::npos)
        << p.error().message();

    // The user file's allow_loosening covers its own settings only.
    dir.write("user/policy.toml", "allow_loosening = true\n[resources]\nmemory = \"512m\"\n");
    r.environment["CONTAINER_MEMORY_LIMIT"] = "768m";
  }
  {
    Result<LoadedPolicy> p = load(r);
    ASSERT_TRUE(p.has_value()) << p.error().oneLine();
    EXPECT_EQ(p->policy.resources.memory_bytes, 768 * kMiB);
    r.environment["CONTAINER_MEMORY_LIMIT"] = "1536m";
  }
  {
    Result<LoadedPolicy> p = load(r);
    ASSERT_FALSE(p.has_value());
    EXPECT_NE(p.error().message().find(r.system_policy_path + ":2"), std::string::npos);

    // A system file with allow_loosening lets the user file loosen.
    dir.write("etc/policy.toml", "allow_loosening = true\n[resources]\nmemory = \"1g\"\n");
    dir.write("user/policy.toml", "[resources]\nmemory = \"2g\"\n");
    r.environment.erase("CONTAINER_MEMORY_LIMIT");
  }
  {
    Result<LoadedPolicy> p = load(r);
    ASSERT_TRUE(p.has_value()) << p.error().oneLine();
    EXPECT_EQ(p->policy.resources.memory_bytes, 2 * kGiB);
    EXPECT_EQ(p->originOf("resources.memory").describe(), *r.user_policy_path + ":2");
    // ... but then binds env and flags itself.
    r.flags = {FlagValue{"--memory", "3g"}};
    EXPECT_FALSE(load(r).has_value());
  }
}

struct FileOverFile {
  const char* what;
  const char* system;
  const char* user;
  bool allowed;
};

const FileOverFile kFileOverFile[] = {
    {"narrower allow", "[network]\nallow = [\"*.example.com\"]",
     "[network]\nallow = [\"api.example.com\", \"*.cdn.example.com\"]", true},
    {"fewer allow", "[network]\nallow = [\"a.com\", \"b.com\"]", "[network]\nallow = [\"a.com\"]",
     true},
    {"new allow", "[network]\nallow = [\"*.example.com\"]", "[network]\nallow = [\"other.com\"]",
     false},
    {"wider allow", "[network]\nallow = [\"api.example.com\"]",
     "[network]\nallow = [\"*.example.com\"]", false},
    {"allow port to any port", "[network]\nallow = [\"a.com:443\"]",
     "[network]\nallow = [\"a.com\"]", false},
    {"allow to a port", "[network]\nallow = [\"a.com\"]", "[network]\nallow = [\"a.com:443\"]",
     true},
    {"more deny", "[network]\ndeny = [\"evil.com\"]",
     "[network]\ndeny = [\"evil.com\", \"bad.com\"]", true},
    {"broader deny", "[network]\ndeny = [\"x.evil.com\"]", "[network]\ndeny = [\"*.evil.com\"]",
     true},
    {"fewer deny", "[network]\ndeny = [\"evil.com\", \"bad.com\"]",
     "[network]\ndeny = [\"evil.com\"]", false},
    {"proxy over none", "[network]\nmode = \"none\"", "[network]\nmode = \"proxy\"", false},
    {"none over proxy", "[network]\nmode = \"proxy\"", "[network]\nmode = \"none\"", true},
    {"cidr removed", "[network]\ncidr_deny = [\"10.0.0.0/8\", \"127.0.0.0/8\"]",
     "[network]\ncidr_deny = [\"127.0.0.0/8\"]", false},
    {"cidr widened", "[network]\ncidr_deny = [\"10.1.0.0/16\"]",
     "[network]\ncidr_deny = [\"10.0.0.0/8\"]", true},
    {"slower rate", "[network.rate]\n\"*\" = { requests_per_minute = 60, burst = 10 }",
     "[network.rate]\n\"*\" = { requests_per_minute = 30, burst = 5 }", true},
    {"faster rate", "[network.rate]\n\"*\" = { requests_per_minute = 60, burst = 10 }",
     "[network.rate]\n\"*\" = { requests_per_minute = 120, burst = 10 }", false},
    {"rate removed", "[network.rate]\n\"*\" = { requests_per_minute = 60, burst = 10 }",
     "[network.rate]\n\"a.com\" = { requests_per_minute = 60, burst = 10 }", false},
    {"fewer ports", "[network.ports]\nconnect = [80, 443]", "[network.ports]\nconnect = [443]",
     true},
    {"more ports", "[network.ports]\nconnect = [443]", "[network.ports]\nconnect = [22, 443]",
     false},
    {"ports where any", "[network]\nmax_connections = 8", "[network.ports]\nbind = [8080]", true},
    {"narrower http",
     "[network.http]\n\"pypi.org\" = { methods = [\"GET\", \"HEAD\"], paths = [\"/simple/\"] }",
     "[network.http]\n\"pypi.org\" = { methods = [\"GET\"], paths = [\"/simple/requests/\"] }",
     true},
    {"wider http", "[network.http]\n\"pypi.org\" = { methods = [\"GET\"], paths = [\"/simple/\"] }",
     "[network.http]\n\"pypi.org\" = { methods = [\"GET\", \"POST\"], paths = [\"/simple/\"] }",
     false},
    {"http path widened",
     "[network.http]\n\"pypi.org\" = { methods = [\"GET\"], paths = [\"/simple/\"] }",
     "[network.http]\n\"pypi.org\" = { methods = [\"GET\"], paths = [\"/\"] }", false},
    {"robots off", "[network]\nrespect_robots = true", "[network]\nrespect_robots = false", false},
    {"fewer connections", "[network]\nmax_connections = 8", "[network]\nmax_connections = 4", true},
    {"more bytes", "[network]\nmax_bytes = \"1m\"", "[network]\nmax_bytes = \"2m\"", false},
    {"more hidden", "[filesystem]\nhidden = [\"/a\"]", "[filesystem]\nhidden = [\"/a\", \"/b\"]",
     true},
    {"less hidden", "[filesystem]\nhidden = [\"/a\", \"/b\"]", "[filesystem]\nhidden = [\"/a\"]",
     false},
    {"less deny globs", "[filesystem]\ndeny = [\".env\"]", "[filesystem]\ndeny = []", false},
    {"git write on", "[filesystem]\nallow_git_write = false",
     "[filesystem]\nallow_git_write = true", false},
    {"kill over deny", "[seccomp]\non_violation = \"deny\"", "[seccomp]\non_violation = \"kill\"",
     true},
    {"deny over kill", "[seccomp]\non_violation = \"kill\"", "[seccomp]\non_violation = \"deny\"",
     false},
    // Frozen keys: any change is a loosening; the same value is fine.
    {"profile changed", "[seccomp]\nprofile = \"/etc/agentbox/seccomp.json\"",
     "[seccomp]\nprofile = \"default\"", false},
    {"profile same", "[seccomp]\nprofile = \"/etc/agentbox/seccomp.json\"",
     "[seccomp]\nprofile = \"/etc/agentbox/seccomp.json\"", true},
    {"resolve changed", "[network.resolve]\n\"api.test\" = \"127.0.0.1\"",
     "[network.resolve]\n\"api.test\" = \"127.0.0.2\"", false},
    {"resolve added", "[network.resolve]\n\"api.test\" = \"127.0.0.1\"",
     "[network.resolve]\n\"api.test\" = \"127.0.0.1\"\n\"b.test\" = \"10.0.0.1\"", false},
    {"resolve same", "[network.resolve]\n\"api.test\" = \"127.0.0.1:8080\"",
     "[network.resolve]\n\"API.test\" = \"127.0.0.1:8080\"", true},
    {"bind added", "[filesystem]\nread_only = [\"/opt\"]",
     "[filesystem]\nread_only = [\"/opt\", \"/srv\"]", false},
    {"bind removed", "[filesystem]\nread_write = [\"/cache\"]", "[filesystem]\nread_write = []",
     false},
    {"user agent", "[network]\nuser_agent = \"agentbox\"", "[network]\nuser_agent = \"googlebot\"",
     false},
    {"hostname", "[sandbox]\nhostname = \"box\"", "[sandbox]\nhostname = \"box2\"", false},
    {"env kept, one added", "[sandbox]\nenv = [\"A=1\"]", "[sandbox]\nenv = [\"A=1\", \"B=2\"]",
     true},
    {"env changed", "[sandbox]\nenv = [\"A=1\"]", "[sandbox]\nenv = [\"A=2\"]", false},
};

TEST(Load, UserFileOverSystemFileTable) {
  for (const FileOverFile& c : kFileOverFile) {
    TempDir dir;
    LoadRequest r = baseRequest(dir);
    r.system_policy_path = dir.write("etc/policy.toml", c.system);
    r.user_policy_path = dir.write("user/policy.toml", c.user);
    Result<LoadedPolicy> p = load(r);
    EXPECT_EQ(p.has_value(), c.allowed) << c.what << ": " << (p ? "" : p.error().oneLine());
    if (!p.has_value()) {
      EXPECT_EQ(p.error().code(), Errc::kDenied) << c.what << ": " << p.error().oneLine();
    }
  }
}

TEST(Load, EnvFlagIsFrozenByNameForBindingFiles) {
  TempDir dir;
  LoadRequest r = baseRequest(dir);
  r.system_policy_path = dir.write("policy.toml", "[sandbox]\nenv = [\"A=1\"]\n");
  r.flags = {FlagValue{"--env", "B=2"}};
  {
    Result<LoadedPolicy> p = load(r);
    ASSERT_TRUE(p.has_value()) << p.error().oneLine();
    EXPECT_EQ(p->policy.sandbox.env.size(), 2u);
    r.flags = {FlagValue{"--env", "A=secret-value"}};
  }
  {
    Result<LoadedPolicy> p = load(r);
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().message().find("secret-value"), std::string::npos)
        << "values are never echoed";
  }
}

TEST(Load, EnvFlagTakesTheCallersValue) {
  TempDir dir;
  LoadRequest r = baseRequest(dir);
  r.environment["TOKEN"] = "abc";
  r.flags = {FlagValue{"--env", "TOKEN"}, FlagValue{"--env", "X=1=2"}};
  Result<LoadedPolicy> p = load(r);
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  ASSERT_EQ(p->policy.sandbox.env.size(), 2u);
  EXPECT_EQ(p->policy.sandbox.env[0], (EnvVar{"TOKEN", "abc"}));
  EXPECT_EQ(p->policy.sandbox.env[1], (EnvVar{"X", "1=2"}));
  r.flags = {FlagValue{"--env", "MISSING"}};
  EXPECT_FALSE(load(r).has_value());
  r.flags = {FlagValue{"--env", "1BAD=x"}};
  EXPECT_FALSE(load(r).has_value());
}

TEST(Load, EnvironmentValuesAreParsedStrictly) {
  struct Case {
    const char* var;
    const char* value;
    bool ok;
  };
  const Case cases[] = {
      {"SANDBOX_ENABLED", "true", true},
      {"SANDBOX_ENABLED", "1", true},
      {"SANDBOX_ENABLED", "false", false},
      {"SANDBOX_ENABLED", "0", false},
      {"SANDBOX_ENABLED", "maybe", false},
      {"CONTAINER_ISOLATION", "best-effort", true},
      {"CONTAINER_ISOLATION", "loose", false},
      {"CONTAINER_MEMORY_LIMIT", "512MiB", true},
      {"CONTAINER_MEMORY_LIMIT", "512MB", false},
      {"CONTAINER_MEMORY_LIMIT", "1k", false},
      {"CONTAINER_CPU_LIMIT", "0.5", true},
      {"CONTAINER_CPU_LIMIT", "-1", false},
      {"CONTAINER_CPU_LIMIT", "1e3", false},
      {"CONTAINER_CPU_LIMIT", "nan", false},
      {"CONTAINER_CPU_LIMIT", "0", false},
      {"EXECUTION_TIMEOUT_MS", "1500", true},
      {"EXECUTION_TIMEOUT_MS", "90s", false},
      {"EXECUTION_TIMEOUT_MS", "-5", false},
      {"FF_CURSOR_AUTOFIX", "Yes", true},
      {"FF_CURSOR_AUTOFIX", "y", false},
      {"OUTPUT_SANITIZATION", "off", true},
      {"SECRET_REDACTION", "2", false},
      {"AUDIT_ALL_OPERATIONS", "on", true},
      {"AGENTBOX_STATE_DIR", "relative", false},
      {"AGENTBOX_CGROUP_ROOT", "/sys/fs/cgroup/x", true},
      {"AGENTBOX_CGROUP_ROOT", "x", false},
      {"CONTAINER_MEMORY_LIMIT", "", true},  // empty counts as unset
  };
  for (const Case& c : cases) {
    TempDir dir;
    LoadRequest r = baseRequest(dir);
    r.environment[c.var] = c.value;
    Result<LoadedPolicy> p = load(r);
    EXPECT_EQ(p.has_value(), c.ok) << c.var << "=" << c.value;
    if (!p.has_value()) {
      EXPECT_NE(p.error().message().find(c.var), std::string::npos) << p.error().message();
    }
  }
}

TEST(Load, EnvironmentValuesLandInThePolicy) {
  TempDir dir;
  LoadRequest r = baseRequest(dir);
  r.environment = {{"HOME", "/home/u"},
                   {"CONTAINER_MEMORY_LIMIT", "256m"},
                   {"CONTAINER_CPU_LIMIT", "1.25"},
                   {"EXECUTION_TIMEOUT_MS", "90500"},
                   {"CONTAINER_ISOLATION", "best-effort"},
                   {"FF_CURSOR_AUTOFIX", "true"},
                   {"OUTPUT_SANITIZATION", "false"},
                   {"SECRET_REDACTION", "false"},
                   {"AUDIT_ALL_OPERATIONS", "true"},
                   {"AGENTBOX_STATE_DIR", "/var/lib/ab"},
                   {"AGENTBOX_CGROUP_ROOT", "/sys/fs/cgroup/ab"}};
  Result<LoadedPolicy> p = load(r);
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  const Policy& pol = p->policy;
  EXPECT_EQ(pol.resources.memory_bytes, 256 * kMiB);
  EXPECT_DOUBLE_EQ(pol.resources.cpus, 1.25);
  EXPECT_EQ(pol.resources.timeout_ms, 90500u);
  EXPECT_EQ(pol.sandbox.isolation, Isolation::kBestEffort);
  EXPECT_TRUE(pol.flags.cursor_autofix);
  EXPECT_FALSE(pol.redaction.enabled);
  EXPECT_FALSE(pol.redaction.secrets);
  EXPECT_EQ(p->originOf("redaction.enabled").describe(), "env OUTPUT_SANITIZATION");
  EXPECT_EQ(p->originOf("redaction.secrets").describe(), "env SECRET_REDACTION");
  EXPECT_TRUE(pol.flags.audit_all_operations);
  EXPECT_EQ(pol.runtime.state_dir, "/var/lib/ab");
  EXPECT_EQ(pol.runtime.cgroup_root, "/sys/fs/cgroup/ab");
  EXPECT_EQ(p->originOf("runtime.state_dir").describe(), "env AGENTBOX_STATE_DIR");
}

TEST(Load, FlagsLandInThePolicyAndTheLastOneWins) {
  TempDir dir;
  LoadRequest r = baseRequest(dir);
  r.flags = {{"--memory", "1g"},     {"--memory", "256m"},   {"--cpus", "2"},
             {"--pids", "100"},      {"--nofile", "4096"},   {"--output-limit", "1m"},
             {"--tmp-size", "64m"},  {"--timeout", "1m30s"}, {"--mode", "write"},
             {"--hostname", "work"}, {"--best-effort", ""}};
  Result<LoadedPolicy> p = load(r);
  ASSERT_TRUE(p.has_value()) << p.error().oneLine();
  const Policy& pol = p->policy;
  EXPECT_EQ(pol.resources.memory_bytes, 256 * kMiB);
  EXPECT_DOUBLE_EQ(pol.resources.cpus, 2);
  EXPECT_EQ(pol.resources.pids, 100u);
  EXPECT_EQ(pol.resources.nofile, 4096u);
  EXPECT_EQ(pol.resources.output_limit_bytes, kMiB);
  EXPECT_EQ(pol.resources.tmp_size_bytes, 64 * kMiB);
  EXPECT_EQ(pol.resources.timeout_ms, 90000u);
  EXPECT_EQ(pol.filesystem.mode, WorkspaceMode::kWrite);
  EXPECT_EQ(pol.sandbox.hostname, "work");
  EXPECT_EQ(pol.sandbox.isolation, Isolation::kBestEffort);
  EXPECT_EQ(p->originOf("resources.memory").describe(), "flag --memory");
}

TEST(Load, FlagsOverrideEnvironment) {
  TempDir dir;
  LoadRequest r = baseRequest(dir);
  r.environment["CONTAINER_MEMORY_LIMIT"] = "1g";
  r.flags = {{"--memory", "2g"}};
  Result<LoadedPolicy> p = load(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->policy.resources.memory_bytes, 2 * kGiB);
}

TEST(Load, BadFlagsAreErrorsNamingTheFlag) {
  const FlagValue cases[] = {{"--memory", "lots"},
                             {"--cpus", "0"},
                             {"--pids", "0"},
                             {"--pids", "x"},
                             {"--timeout", "1y"},
                             {"--mode", "dry"},
                             {"--hostname", "bad_host"},
                             {"--best-effort", "yes"},
                             {"--allow-git-write", "1"},
                             {"--workspace", "/x"},
                             {"--nofile", "8"}};
  for (const FlagValue& f : cases) {
    TempDir dir;
    LoadRequest r = baseRequest(dir);
    r.flags = {f};
    Result<LoadedPolicy> p = load(r);
    ASSERT_FALSE(p.has_value()) << f.flag << " " << f.value;
    EXPECT_EQ(p.error().code(), Errc::kInvalidInput);
    EXPECT_NE(p.error().message().find(f.flag), std::string::npos) << p.error().message();
  }
}

TEST(Load, PolicyInsideTheWorkspaceOrStateDirIsRefused) {
  TempDir dir;
  std::string ws = dir.path() + "/ws";
  std::string state = dir.path() + "/state";
  std::string inside = dir.write("ws/sub/policy.toml", "");
  std::string in_state = dir.write("state/policy.toml", "");
  std::string outside = dir.write("etc/policy.toml", "");
  std::filesystem::create_symlink(inside, dir.path() + "/link.toml");
  std::filesystem::create_symlink(ws + "/sub", dir.path() + "/linkdir");
  struct Case {
    std::string path;
    bool refused;
  };
  const Case cases[] = {
      {inside, true},
      {in_state, true},
      {dir.path() + "/link.toml", true},            // symlink to a file inside
      {dir.path() + "/linkdir/policy.toml", true},  // through a symlinked directory
      {ws + "/../ws/sub/policy.toml", true},
      {outside, false},
  };
  for (const Case& c : cases) {
    LoadRequest r = baseRequest(dir);
    r.workspace_dir = ws;
    r.state_dir = state;
    r.user_policy_path = c.path;
    Result<LoadedPolicy> p = load(r);
    EXPECT_EQ(!p.has_value(), c.refused) << c.path;
    if (c.refused && !p.has_value()) {
      EXPECT_EQ(p.error().code(), Errc::kDenied) << p.error().oneLine();
    }
  }
  // The state dir defaults to the resolved one from the environment.
  LoadRequest r = baseRequest(dir);
  r.environment["AGENTBOX_STATE_DIR"] = state;
  r.user_policy_path = in_state;
  EXPECT_FALSE(load(r).has_value());
}

TEST(Load, MissingUserFileIsAnErrorAndMissingSystemFileIsNot) {
  TempDir dir;
  LoadRequest r = baseRequest(dir);
  r.user_policy_path = dir.path() + "/nope.toml";
  Result<LoadedPolicy> p = load(r);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), Errc::kNotFound);
  EXPECT_NE(p.error().oneLine().find("nope.toml"), std::string::npos);
}

TEST(Load, FileErrorsCarryFileLineColumnAndACount) {
  TempDir dir;
  LoadRequest r = baseRequest(dir);
  r.user_policy_path = dir.write("p.toml", "[resources]\nmemory = true\npids = 0\n");
  Result<LoadedPolicy> p = load(r);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), Errc::kInvalidInput);
  EXPECT_EQ(p.error().message().rfind(*r.user_policy_path + ":2:10: expected a size", 0), 0u)
      << p.error().message();
  EXPECT_NE(p.error().message().find("and 1 more"), std::string::npos);
}

TEST(ResolveStateDir, FollowsTheDocumentedOrder) {
  using Env = std::map<std::string, std::string>;
  struct Case {
    Env env;
    const char* dir;  // nullptr: error
  };
  const Case cases[] = {
      {{{"AGENTBOX_STATE_DIR", "/s"}, {"XDG_STATE_HOME", "/x"}, {"HOME", "/h"}}, "/s"},
      {{{"XDG_STATE_HOME", "/x"}, {"HOME", "/h"}}, "/x/agentbox"},
      {{{"XDG_STATE_HOME", "relative"}, {"HOME", "/h"}}, "/h/.local/state/agentbox"},
      {{{"AGENTBOX_STATE_DIR", ""}, {"HOME", "/h"}}, "/h/.local/state/agentbox"},
      {{{"HOME", "/h"}}, "/h/.local/state/agentbox"},
      {{{"AGENTBOX_STATE_DIR", "rel"}, {"HOME", "/h"}}, nullptr},
      {{}, nullptr},
  };
  for (const Case& c : cases) {
    Result<std::string> d = resolveStateDir(c.env);
    if (c.dir == nullptr) {
      EXPECT_FALSE(d.has_value());
    } else {
      ASSERT_TRUE(d.has_value()) << d.error().oneLine();
      EXPECT_EQ(*d, c.dir);
    }
  }
}

}  // namespace
}  // namespace agentbox::policy
