// SPDX-License-Identifier: Apache-2.0
// File: sandbox_spec.h
// What one sandboxed run needs beyond the Policy: the command, the workspace, and the few
// host facts the plan depends on (gathered once, so that planning stays pure and testable).
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"

namespace agentbox::sandbox {

struct RunTarget {
  std::vector<std::string> argv;  // the command; argv[0] is searched in the sandbox's PATH
  std::string workspace;          // canonical host path bound at /workspace
  std::string term = "dumb";      // TERM inside (the caller's, if set)
  std::string lang = "C.UTF-8";   // LANG inside (the caller's, if set)
};

// One top-level entry of the host root that the sandbox mirrors (/bin, /lib64, ...).
struct RootEntry {
  std::string name;         // "bin"
  std::string link_target;  // non-empty: a symlink to recreate ("usr/bin")
};

struct HostFacts {
  std::vector<RootEntry> root_entries;  // /usr is always bound; these are the rest
  std::vector<std::string> etc_files;   // host /etc files bound read-only (ld.so.cache ...)
  std::vector<std::string> etc_dirs;    // host /etc dirs bound read-only (ssl ...)
  std::string localtime_target;         // /etc/localtime symlink target, if any
};

// Reads the host root: which of /bin, /sbin, /lib* exist and are symlinks, which /etc files.
HostFacts detectHostFacts();

}  // namespace agentbox::sandbox
