// SPDX-License-Identifier: Apache-2.0
// File: fs_rules.h
// Filesystem decisions of a policy, on paths as the command inside the sandbox sees them.
// Pure and lexical (no filesystem access): the mount plan makes the kernel enforce the same
// layout; this answers "would the policy allow it, and by which rule" for reports, the
// workspace layer and `policy explain`. Thread-safe after build.
//
// Order: the path is canonicalized ('.', '..', repeated slashes); filesystem.hidden, then
// filesystem.deny patterns deny first (deny and hidden win over allow); a write under
// /workspace/.git needs allow_git_write; then the path must lie under a readable root
// (system dirs, /workspace, /tmp, /home/agent, binds) for reads, or a writable root
// (/tmp, /home/agent, /workspace in write mode, read_write binds) for writes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"
#include "util/result.h"

namespace agentbox::policy {

enum class FsAccess : uint8_t { kRead, kWrite };

struct FsDecision {
  bool allowed = false;
  std::string rule;    // "filesystem.hidden:/x", "filesystem.deny:*.pem", "filesystem.mode", ...
  std::string reason;  // one line
};

// The system directories bound read-only into every sandbox.
inline constexpr std::string_view kSystemReadOnlyRoots[] = {"/usr", "/bin",   "/sbin",
                                                            "/lib", "/lib64", "/etc"};
inline constexpr std::string_view kWorkspaceDir = "/workspace";

// Lexical canonical form of an absolute path: no '.', '..' (stops at '/'), repeated or
// trailing slashes. nullopt for a relative or empty path, or one containing a NUL byte.
std::optional<std::string> canonicalPath(std::string_view path);

// Glob match on a canonical path: '*' and '?' stay within a component, '**' crosses them.
// A pattern without '/' matches any one component (".env", "*.pem"); a pattern starting
// with '/' is anchored at the root. A match on a directory also covers everything below it.
bool fsPatternMatches(std::string_view pattern, std::string_view canonical_path);

class FsRules {
 public:
  // Errors (kInvalidInput) for relative paths; the loader reports them with positions first.
  static Result<FsRules> build(const Filesystem& fs);
  FsDecision decide(std::string_view sandbox_path, FsAccess access) const;

 private:
  FsRules() = default;
  Filesystem fs_;
  std::vector<std::string> hidden_;
  std::vector<std::string> readable_;
  std::vector<std::string> writable_;
};

// True if `path` equals `root` or lies below it (both canonical).
bool pathUnder(std::string_view path, std::string_view root);

}  // namespace agentbox::policy
