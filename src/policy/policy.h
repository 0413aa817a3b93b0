// SPDX-License-Identifier: Apache-2.0
// File: policy.h
// The `Policy` value: every decision agentbox makes comes from one immutable Policy.
// Plain structs with in-class defaults (the built-in default-deny policy); the loader
// (policy/loader.h) fills them from files, environment and flags, and validates once.
// Policy-file key names are given in brackets where they differ from the field name;
// docs/policy.md documents every key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentbox::policy {

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = 1024 * kKiB;
inline constexpr uint64_t kGiB = 1024 * kMiB;

// How /workspace is mounted inside the sandbox.
enum class WorkspaceMode {
  kReadOnly,  // read-only bind (default) ["read-only"]
  kWrite,     // read-write bind: the agent changes the host tree directly ["write"]
};

// What happens when a required isolation layer cannot be set up.
enum class Isolation {
  kStrict,      // refuse to run (default) ["strict"]
  kBestEffort,  // run with the layers that remain; the run record lists what is missing
};

enum class NetworkMode {
  kNone,   // loopback only (default) ["none"]
  kProxy,  // only through agentbox's egress proxy (issue #18) ["proxy"]
};

// What a denied high-signal syscall does to the run.
enum class OnViolation {
  kDeny,  // the syscall fails with EPERM, the run goes on, the violation is recorded (default)
  kKill,  // the run is killed and exits 159
};

struct Resources {
  uint64_t memory_bytes = 512 * kMiB;       // cgroup memory limit, swap off [memory]
  double cpus = 0.5;                        // CPU quota in cores
  uint32_t pids = 32;                       // processes and threads
  uint32_t nofile = 1024;                   // RLIMIT_NOFILE
  uint64_t tmp_size_bytes = 128 * kMiB;     // size cap of the /tmp and /home/agent tmpfs [tmp_size]
  uint64_t output_limit_bytes = 64 * kMiB;  // stdout+stderr bytes kept [output_limit]
  uint64_t timeout_ms = 3'600'000;          // wall-clock limit of the run (1h); 0 = none [timeout]
};

// One extra bind mount. Host paths are absolute; the sandbox path defaults to the host path.
struct Bind {
  std::string host_path;     // absolute host path [host]
  std::string sandbox_path;  // absolute path inside the sandbox [sandbox]; = host_path if omitted
  bool operator==(const Bind&) const = default;
};

struct Filesystem {
  WorkspaceMode mode = WorkspaceMode::kReadOnly;  // how /workspace is mounted
  std::vector<Bind> read_only;                    // extra read-only binds; default none
  std::vector<Bind> read_write;                   // extra read-write binds; default none
  std::vector<std::string> hidden;  // sandbox paths masked (made empty and unreadable); none
  std::vector<std::string> deny;    // glob patterns no access is allowed to; default none
  bool allow_git_write = false;     // whether /workspace/.git may be written (write mode)
};

struct Seccomp {
  std::string profile = "default";                // "default" or a Docker/OCI JSON profile path
  OnViolation on_violation = OnViolation::kDeny;  // syscall violations only
};

// Plain-HTTP request rule for one host pattern: only these methods under these path prefixes.
struct HttpRule {
  std::string host;                        // host pattern, as in network.allow
  std::vector<std::string> methods;        // upper-case methods; empty = any
  std::vector<std::string> path_prefixes;  // [paths]; empty = any path
  bool operator==(const HttpRule&) const = default;
};

// A pinned address for a host name, like curl --resolve.
struct ResolveEntry {
  std::string host;              // normalized host name
  std::string address;           // IP literal (canonical text)
  std::optional<uint16_t> port;  // absent: keep the requested port
  bool operator==(const ResolveEntry&) const = default;
};

// Token bucket for the hosts matching `pattern` (one bucket per pattern).
struct RateRule {
  std::string pattern;               // host pattern, "*" = every host
  uint32_t requests_per_minute = 0;  // refill rate
  uint32_t burst = 0;                // bucket size
  bool operator==(const RateRule&) const = default;
};

// Landlock TCP port rules; absent (std::nullopt) = unrestricted inside the sandbox's own
// loopback-only network namespace.
struct Ports {
  std::optional<std::vector<uint16_t>> bind;     // ports the command may bind(2); default absent
  std::optional<std::vector<uint16_t>> connect;  // ports it may connect(2) to; default absent
};

// The built-in cidr_deny list: loopback, private, link-local, CGNAT, multicast, unspecified,
// reserved, the cloud metadata addresses, and the IPv4-mapped IPv6 forms of the IPv4 ranges.
std::vector<std::string> defaultCidrDeny();
// The built-in rate limit: {"*", 600 per minute, burst 60}.
std::vector<RateRule> defaultRate();

struct Network {
  NetworkMode mode = NetworkMode::kNone;  // default: loopback only
  std::vector<std::string> allow;         // host patterns allowed; default none (deny all)
  std::vector<std::string> deny;          // host patterns denied; default none
  std::vector<HttpRule> http;             // per-host plain-HTTP method/path rules; none
  std::vector<ResolveEntry> resolve;      // pinned addresses; each is an explicit allow; none
  std::vector<std::string> cidr_deny = defaultCidrDeny();  // address ranges never connected to
  std::vector<RateRule> rate = defaultRate();              // per-domain request rates
  bool respect_robots = true;                              // honour robots.txt of the hosts fetched
  std::string user_agent = "agentbox";   // product token robots.txt is matched against
  bool honor_crawl_delay = true;         // wait the Crawl-delay robots.txt asks for
  uint32_t max_connections = 64;         // concurrent proxied connections of one run
  uint64_t max_bytes = 1 * kGiB;         // bytes transferred through the proxy in one run
  uint64_t connect_timeout_ms = 10'000;  // proxy's upstream connect limit (504 past it); 0 = none
  uint64_t header_timeout_ms = 10'000;   // a client's request head must arrive within it (408)
  uint64_t idle_timeout_ms = 60'000;     // a proxied connection with no bytes either way closes
  Ports ports;                           // landlock port rules; default absent (unrestricted)
};

// Feature switches shown by `explain` now; their effect lands with their feature. (The
// older flags.output_sanitization / flags.secret_redaction keys are read as redaction.enabled
// / redaction.secrets.)
struct Flags {
  bool cursor_autofix = false;        // let Cursor's agent apply its fixes (FF_CURSOR_AUTOFIX)
  bool audit_all_operations = false;  // audit every operation, not just runs (AUDIT_ALL_OPERATIONS)
};

// One [[redaction.custom]] rule. The names are kept as the policy spells them; the loader
// checks their spelling, and the app layer (app/redaction_setup.h) turns the rule into a
// redact::Rule. Policy files cannot set an id of a built-in rule.
struct CustomRedactionRule {
  std::string id;                     // unique among custom and built-in rules: [a-z0-9-]
  std::string regex;                  // RE2 syntax; group 1 (or the whole match) is redacted
  std::string rule_class = "custom";  // [class] secret | credential | pii | path | custom
  std::string severity = "high";      // low | medium | high | critical
  std::vector<std::string> keywords;  // literal triggers (case-insensitive), at least one
  std::string validator = "none";     // none | luhn | github-checksum | jwt | email | ssn |
                                      // entropy (Shannon floor 3.5 bits/byte)
  std::string replacement;            // "" = "[REDACTED:{id}:{fp}]"; {id} {fp} {class}
  bool operator==(const CustomRedactionRule&) const = default;
};

// The output redactor of runs and of `agentbox redact` (docs/redaction.md).
struct Redaction {
  bool enabled = true;        // the output redactor at all (OUTPUT_SANITIZATION)
  bool secrets = true;        // secret and credential rules (SECRET_REDACTION); known secrets stay
  bool pii = true;            // pii rules: e-mail, card numbers, SSNs
  bool ip_addresses = false;  // built-in rules whose id starts with "ip-"
  std::vector<std::string> disable;         // built-in rule ids switched off; default none
  std::vector<CustomRedactionRule> custom;  // team rules, checked after the built-ins; none
};

// One variable passed into the sandbox's otherwise empty environment.
struct EnvVar {
  std::string name;   // a valid variable name
  std::string value;  // resolved value (`--env NAME` takes the caller's value)
  bool operator==(const EnvVar&) const = default;
};

struct Sandbox {
  std::string hostname = "agentbox";  // the UTS hostname inside
  std::vector<EnvVar> env;            // extra variables (PATH, HOME, USER, TERM, LANG always)
  Isolation isolation = Isolation::kStrict;  // strict refuses a missing layer
};

// Host-side locations, from the environment only (never from a policy file).
struct Runtime {
  std::string state_dir;    // resolved state dir ($AGENTBOX_STATE_DIR, XDG, ~/.local/state)
  std::string cgroup_root;  // $AGENTBOX_CGROUP_ROOT; empty = discover the delegated cgroup
};

struct Policy {
  Resources resources;
  Filesystem filesystem;
  Seccomp seccomp;
  Network network;
  Flags flags;
  Redaction redaction;
  Sandbox sandbox;
  Runtime runtime;
};

}  // namespace agentbox::policy
