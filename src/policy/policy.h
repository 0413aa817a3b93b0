// SPDX-License-Identifier: Apache-2.0
// File: policy.h
// The `Policy` value: every decision agentbox makes comes from one immutable Policy.
// Plain structs with in-class defaults (the built-in default-deny policy); the loader
// (issue #11) fills them from files, environment and flags, and validates once.
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
  kReadOnly,  // read-only bind (default)
  kWrite,     // read-write bind: the agent changes the host tree directly
};

// What happens when a required isolation layer cannot be set up.
enum class Isolation {
  kStrict,      // refuse to run (default)
  kBestEffort,  // run with the layers that remain; the run record lists what is missing
};

enum class NetworkMode {
  kNone,   // loopback only (default)
  kProxy,  // only through agentbox's egress proxy (issue #18)
};

struct Resources {
  uint64_t memory_bytes = 512 * kMiB;        // cgroup memory limit, swap off (issue #13)
  double cpus = 0.5;                         // CPU quota in cores (issue #13)
  uint32_t pids = 32;                        // processes and threads (issue #13)
  uint32_t nofile = 1024;                    // RLIMIT_NOFILE (issue #13)
  uint64_t tmp_size_bytes = 128 * kMiB;      // size cap of the /tmp and /home/agent tmpfs
  uint64_t output_limit_bytes = 64 * kMiB;   // stdout+stderr bytes kept (issue #13)
  uint64_t timeout_ms = 3600 * 1000;         // wall-clock limit of the whole run; 0 = none
};

struct Filesystem {
  WorkspaceMode mode = WorkspaceMode::kReadOnly;  // how /workspace is mounted
};

struct Network {
  NetworkMode mode = NetworkMode::kNone;  // default: loopback only
};

// One variable passed into the sandbox's otherwise empty environment.
struct EnvVar {
  std::string name;   // a valid variable name
  std::string value;  // resolved value (`--env NAME` takes the caller's value)
};

struct Sandbox {
  std::string hostname = "agentbox";   // the UTS hostname inside
  std::vector<EnvVar> env;             // extra variables (PATH, HOME, USER, TERM, LANG always)
  Isolation isolation = Isolation::kStrict;  // strict refuses a missing layer
};

struct Policy {
  Resources resources;
  Filesystem filesystem;
  Network network;
  Sandbox sandbox;
};

}  // namespace agentbox::policy
