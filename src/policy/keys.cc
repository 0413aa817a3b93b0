// SPDX-License-Identifier: Apache-2.0
// File: keys.cc
// The key table. Each entry is built by a small family of helpers (size, duration, count,
// boolean, enum, frozen string, lists) so that range checks, comparisons and rendering are
// written once per kind of value.
#include "policy/keys.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "policy/cidr.h"
#include "policy/fs_rules.h"
#include "policy/host_pattern.h"
#include "policy/key_kinds.h"
#include "policy/units.h"

namespace agentbox::policy {

std::string_view KeySpec::section() const {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : path.substr(0, dot);
}

std::string_view KeySpec::name() const {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

namespace {

using kinds::boolKey;
using kinds::countKey;
using kinds::cpusKey;
using kinds::durationKey;
using kinds::enumKey;
using kinds::frozenStringKey;
using kinds::sizeKey;

std::vector<KeySpec> resourceKeys() {
  std::vector<KeySpec> v;
  v.push_back(sizeKey(
      "resources.memory", "memory limit (cgroup memory.max, swap off)",
      +[](Policy& p) -> uint64_t& { return p.resources.memory_bytes; }, 4 * kMiB, 1024 * kGiB));
  v.push_back(cpusKey(
      "resources.cpus", "CPU quota in cores (cgroup cpu.max), 0.01..1024",
      +[](Policy& p) -> double& { return p.resources.cpus; }));
  v.push_back(countKey(
      "resources.pids", "processes and threads (cgroup pids.max), 1..65536",
      +[](Policy& p) -> uint32_t& { return p.resources.pids; }, 1, 65536));
  v.push_back(countKey(
      "resources.nofile", "open files per process (RLIMIT_NOFILE), 16..1048576",
      +[](Policy& p) -> uint32_t& { return p.resources.nofile; }, 16, 1048576));
  v.push_back(sizeKey(
      "resources.tmp_size", "size of the /tmp and /home/agent tmpfs each",
      +[](Policy& p) -> uint64_t& { return p.resources.tmp_size_bytes; }, 64 * kKiB, 1024 * kGiB));
  v.push_back(sizeKey(
      "resources.output_limit", "stdout+stderr bytes kept; the rest is dropped",
      +[](Policy& p) -> uint64_t& { return p.resources.output_limit_bytes; }, 1 * kKiB,
      1024 * kGiB));
  v.push_back(durationKey(
      "resources.timeout", "wall-clock limit of the run (seconds, or 90s, 10m, 1h); 0 = none",
      +[](Policy& p) -> uint64_t& { return p.resources.timeout_ms; }));
  return v;
}

std::vector<KeySpec> filesystemKeys() {
  std::vector<KeySpec> v;
  v.push_back(enumKey<WorkspaceMode>(
      "filesystem.mode", "how /workspace is mounted: \"read-only\" or \"write\"",
      +[](Policy& p) -> WorkspaceMode& { return p.filesystem.mode; },
      {{"read-only", WorkspaceMode::kReadOnly}, {"write", WorkspaceMode::kWrite}}));
  v.push_back(kinds::bindsKey(
      "filesystem.read_only",
      "extra read-only binds: \"/host/path\" or {host = ..., sandbox = ...}",
      +[](Policy& p) -> std::vector<Bind>& { return p.filesystem.read_only; }));
  v.push_back(kinds::bindsKey(
      "filesystem.read_write",
      "extra read-write binds: \"/host/path\" or {host = ..., sandbox = ...}",
      +[](Policy& p) -> std::vector<Bind>& { return p.filesystem.read_write; }));
  v.push_back(kinds::pathSetKey(
      "filesystem.hidden", "sandbox paths masked with an empty, unreadable mount",
      +[](Policy& p) -> std::vector<std::string>& { return p.filesystem.hidden; }));
  v.push_back(kinds::globSetKey(
      "filesystem.deny",
      "glob patterns no access is allowed to (\".env\", \"*.pem\", "
      "\"/workspace/secrets/**\")",
      +[](Policy& p) -> std::vector<std::string>& { return p.filesystem.deny; }));
  v.push_back(boolKey(
      "filesystem.allow_git_write", "whether /workspace/.git may be written",
      +[](Policy& p) -> bool& { return p.filesystem.allow_git_write; }, false));
  return v;
}

std::vector<KeySpec> networkKeys() {
  std::vector<KeySpec> v;
  v.push_back(enumKey<NetworkMode>("network.mode",
                                   "\"none\" (loopback only) or \"proxy\" (egress proxy only)",
                                   +[](Policy& p) -> NetworkMode& { return p.network.mode; },
                                   {{"none", NetworkMode::kNone}, {"proxy", NetworkMode::kProxy}}));
  v.push_back(kinds::allowListKey());
  v.push_back(kinds::denyListKey());
  v.push_back(kinds::httpKey());
  v.push_back(kinds::resolveKey());
  v.push_back(kinds::cidrKey());
  v.push_back(kinds::rateKey());
  v.push_back(boolKey(
      "network.respect_robots", "honour robots.txt of the hosts fetched",
      +[](Policy& p) -> bool& { return p.network.respect_robots; }, true));
  v.push_back(frozenStringKey(
      "network.user_agent", "product token robots.txt is matched against",
      +[](Policy& p) -> std::string& { return p.network.user_agent; }, kinds::validToken));
  v.push_back(boolKey(
      "network.honor_crawl_delay", "wait the Crawl-delay robots.txt asks for",
      +[](Policy& p) -> bool& { return p.network.honor_crawl_delay; }, true));
  v.push_back(countKey(
      "network.max_connections", "concurrent proxied connections, 1..65536",
      +[](Policy& p) -> uint32_t& { return p.network.max_connections; }, 1, 65536));
  v.push_back(sizeKey(
      "network.max_bytes", "bytes transferred through the proxy in one run",
      +[](Policy& p) -> uint64_t& { return p.network.max_bytes; }, 0, uint64_t{1} << 50));
  v.push_back(durationKey(
      "network.connect_timeout", "proxy's upstream connect limit (504 past it); 0 = none",
      +[](Policy& p) -> uint64_t& { return p.network.connect_timeout_ms; }));
  v.push_back(durationKey(
      "network.header_timeout", "time a client has to send a request head (408 past it); 0 = none",
      +[](Policy& p) -> uint64_t& { return p.network.header_timeout_ms; }));
  v.push_back(durationKey(
      "network.idle_timeout", "a proxied connection idle this long either way closes; 0 = none",
      +[](Policy& p) -> uint64_t& { return p.network.idle_timeout_ms; }));
  v.push_back(kinds::portsKey(
      "network.ports.bind", "TCP ports the command may bind (landlock); absent = any",
      +[](Policy& p) -> std::optional<std::vector<uint16_t>>& { return p.network.ports.bind; }));
  v.push_back(kinds::portsKey(
      "network.ports.connect", "TCP ports the command may connect to (landlock); absent = any",
      +[](Policy& p) -> std::optional<std::vector<uint16_t>>& { return p.network.ports.connect; }));
  return v;
}

std::vector<KeySpec> otherKeys() {
  std::vector<KeySpec> v;
  v.push_back(frozenStringKey(
      "seccomp.profile", "\"default\" or an absolute path to a Docker/OCI JSON profile",
      +[](Policy& p) -> std::string& { return p.seccomp.profile; }, kinds::validProfile));
  v.push_back(enumKey<OnViolation>(
      "seccomp.on_violation", "denied syscall: \"deny\" (EPERM, go on) or \"kill\" (exit 159)",
      +[](Policy& p) -> OnViolation& { return p.seccomp.on_violation; },
      {{"kill", OnViolation::kKill}, {"deny", OnViolation::kDeny}}));
  v.push_back(boolKey(
      "flags.cursor_autofix", "let Cursor's agent apply its fixes",
      +[](Policy& p) -> bool& { return p.flags.cursor_autofix; }, false));
  v.push_back(boolKey(
      "flags.audit_all_operations", "audit every operation, not just runs",
      +[](Policy& p) -> bool& { return p.flags.audit_all_operations; }, true));
  v.push_back(frozenStringKey(
      "sandbox.hostname", "UTS hostname inside the sandbox",
      +[](Policy& p) -> std::string& { return p.sandbox.hostname; }, kinds::validHostname));
  v.push_back(enumKey<Isolation>(
      "sandbox.isolation", "\"strict\" (refuse to run without every layer) or \"best-effort\"",
      +[](Policy& p) -> Isolation& { return p.sandbox.isolation; },
      {{"strict", Isolation::kStrict}, {"best-effort", Isolation::kBestEffort}}));
  v.push_back(kinds::envKey());
  return v;
}

std::vector<KeySpec> redactionKeys() {
  std::vector<KeySpec> v;
  v.push_back(boolKey(
      "redaction.enabled",
      "redact the command's output, logs and run record at all (OUTPUT_SANITIZATION)",
      +[](Policy& p) -> bool& { return p.redaction.enabled; }, true));
  v.push_back(boolKey(
      "redaction.secrets", "secret and credential rules; known secrets stay (SECRET_REDACTION)",
      +[](Policy& p) -> bool& { return p.redaction.secrets; }, true));
  v.push_back(boolKey(
      "redaction.pii", "personal-data rules: e-mail addresses, card numbers, SSNs",
      +[](Policy& p) -> bool& { return p.redaction.pii; }, true));
  v.push_back(boolKey(
      "redaction.ip_addresses", "keep the built-in rules whose id starts with \"ip-\"",
      +[](Policy& p) -> bool& { return p.redaction.ip_addresses; }, true));
  v.push_back(kinds::disabledRulesKey());
  v.push_back(kinds::customRulesKey());
  return v;
}

std::vector<KeySpec> buildSpecs() {
  std::vector<KeySpec> all;
  for (auto part : {resourceKeys, filesystemKeys, otherKeys, networkKeys, redactionKeys}) {
    for (KeySpec& k : part()) {
      all.push_back(std::move(k));
    }
  }
  // Rendering order: the order of keySections(), then table order within a section.
  std::stable_sort(all.begin(), all.end(), [](const KeySpec& a, const KeySpec& b) {
    const auto& s = keySections();
    auto ia = std::find(s.begin(), s.end(), a.section()) - s.begin();
    auto ib = std::find(s.begin(), s.end(), b.section()) - s.begin();
    return ia < ib;
  });
  return all;
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1);
  std::vector<size_t> cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    prev[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

const std::vector<std::string_view>& keySections() {
  static const std::vector<std::string_view> kSections = {"resources", "filesystem",    "seccomp",
                                                          "network",   "network.ports", "flags",
                                                          "redaction", "sandbox"};
  return kSections;
}

const std::vector<std::string_view>& unsupportedSections() {
  static const std::vector<std::string_view> kUnsupported = {"audit", "providers"};
  return kUnsupported;
}

const std::vector<RenamedKey>& renamedKeys() {
  // Documented in [flags] before [redaction] existed; kept so that older files still load.
  static const std::vector<RenamedKey> kRenamed = {
      {"flags.output_sanitization", "redaction.enabled"},
      {"flags.secret_redaction", "redaction.secrets"}};
  return kRenamed;
}

std::string_view renamedKey(std::string_view path) {
  for (const RenamedKey& r : renamedKeys()) {
    if (r.old_path == path) {
      return r.path;
    }
  }
  return {};
}

const std::vector<KeySpec>& keySpecs() {
  static const std::vector<KeySpec> kSpecs = buildSpecs();
  return kSpecs;
}

const KeySpec* findKey(std::string_view path) {
  for (const KeySpec& k : keySpecs()) {
    if (k.path == path) {
      return &k;
    }
  }
  return nullptr;
}

std::string_view closestName(std::string_view name,
                             const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_d = std::max<size_t>(2, name.size() / 3) + 1;
  for (std::string_view c : candidates) {
    size_t d = editDistance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

Result<bool> parseEnvBool(std::string_view text) {
  std::string lower;
  for (char c : text) {
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  for (const char* t : {"true", "1", "yes", "on"}) {
    if (lower == t) {
      return true;
    }
  }
  for (const char* f : {"false", "0", "no", "off"}) {
    if (lower == f) {
      return false;
    }
  }
  return makeError(Errc::kInvalidInput,
                   "invalid boolean '{}': expected true/false, 1/0, yes/no or on/off", text);
}

}  // namespace agentbox::policy
