// SPDX-License-Identifier: Apache-2.0
// File: seccomp_docker.h
// Docker/OCI JSON seccomp profiles (the format of moby's default.json and containers-common's
// /usr/share/containers/seccomp.json) -> SeccompRules. The JSON library is used only in
// seccomp_docker.cc; everything here is pure and returns Result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/seccomp_rules.h"
#include "util/result.h"

namespace agentbox::sandbox {

struct KernelVersion {
  int major = 0;
  int minor = 0;
  friend auto operator<=>(const KernelVersion&, const KernelVersion&) = default;
};

// "6.18.44-fc-v857" -> {6, 18}; nullopt-like {0, 0} on garbage.
KernelVersion parseKernelVersion(std::string_view release);
// uname() of the running kernel.
Result<KernelVersion> runningKernelVersion();

// What `includes` / `excludes` are evaluated against.
struct DockerProfileContext {
  std::string arch = "amd64";     // Go-style name of the native architecture
  std::vector<std::string> caps;  // capabilities the sandboxed process holds: none
  KernelVersion kernel;           // for minKernel
  // Replace the profile's treatment of the high-signal families (mount, namespaces,
  // ptrace, bpf, ... see seccomp_builtin.h) by the built-in rules wherever the profile
  // would allow them, so that a profile can tighten but never open them. Off only in tests
  // that show what the profile alone does.
  bool mandatory_guard = true;
};

// The context for this host: native arch, empty caps, running kernel.
Result<DockerProfileContext> hostDockerProfileContext();

// Parses a profile. `name` labels errors and the rules ("seccomp.json"). Errors
// (kInvalidInput) name the byte offset and what was expected:
//   "seccomp profile p.json: byte 120 (line 7, column 14): syscalls[3].action: expected one
//    of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, ... got \"SCMP_ACT_NOPE\""
// Unknown syscall names are not errors: compileSeccomp() skips them with one warning.
Result<SeccompRules> parseDockerProfile(std::string_view text, std::string_view name,
                                        const DockerProfileContext& context);

// Reads `path` and parses it (name = path). kNotFound / kIo for the file itself.
Result<SeccompRules> loadDockerProfile(const std::string& path,
                                       const DockerProfileContext& context);

}  // namespace agentbox::sandbox
