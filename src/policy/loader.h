// SPDX-License-Identifier: Apache-2.0
// File: loader.h
// policy::load merges the layers into one validated, immutable Policy:
//
//   built-in defaults < system file (/etc/agentbox/policy.toml, if present) < --policy FILE
//     < environment variables < command-line flags
//
// Built-in defaults may be changed either way by any layer. A key a policy file sets binds
// the layers above it: they may only tighten it (less memory, narrower allow patterns, more
// deny patterns, shorter timeout, best-effort refused, autofix off, ...), unless that file
// says `allow_loosening = true`; keys with no order (seccomp.profile, network.resolve, binds,
// user_agent, hostname) are frozen. A refused loosening is an error naming the variable or
// flag, the file and the line. Validation happens here, once: unknown keys (with "did you
// mean"), wrong types, out-of-range values and contradictory rules are errors with
// file:line:col. After load() the Policy is const and never re-validated.
//
// The environment comes in as a map, never from the process: the CLI builds it from environ.
// Nothing here reads the workspace or the current directory for a policy. Thread-safe (no
// shared state); reads the two policy files and canonicalizes paths, nothing else.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/policy.h"
#include "policy/redaction_catalogue.h"
#include "util/result.h"

namespace agentbox::policy {

inline constexpr std::string_view kSystemPolicyPath = "/etc/agentbox/policy.toml";

// One command-line flag of `agentbox run` that feeds the policy, e.g. {"--memory", "256m"}.
// Accepted flags and their keys:
//   --memory SIZE       resources.memory        --cpus N        resources.cpus
//   --pids N            resources.pids          --nofile N      resources.nofile
//   --output-limit SIZE resources.output_limit  --tmp-size SIZE resources.tmp_size
//   --timeout DURATION  resources.timeout       --mode MODE     filesystem.mode
//   --hostname NAME     sandbox.hostname        --best-effort   sandbox.isolation (value "")
//   --allow-git-write   filesystem.allow_git_write (value "")
//   --env NAME=VALUE | NAME (takes NAME from LoadRequest::environment)   sandbox.env
// Any other flag is an error (kInvalidInput): --workspace, --report, --quiet and --policy are
// not policy values and must not be passed here.
struct FlagValue {
  std::string flag;
  std::string value;
};

struct LoadRequest {
  // Fixed in production; only tests point it elsewhere (no env var can move it).
  std::string system_policy_path = std::string(kSystemPolicyPath);
  std::optional<std::string> user_policy_path;     // --policy FILE
  std::map<std::string, std::string> environment;  // the caller's environment
  std::vector<FlagValue> flags;                    // in command-line order; the last one wins
  // Host paths the --policy file must not be inside (after resolving symlinks). Empty
  // workspace_dir: no workspace check. Empty state_dir: resolveStateDir(environment).
  std::string workspace_dir;
  std::string state_dir;
  // Built-in redaction rule ids and the custom-rule compile check (app::redactionCatalogue()).
  // Null: [redaction] ids and regexes are checked later, when the rules are built.
  std::shared_ptr<const RedactionCatalogue> redaction_catalogue;
};

// Where a value came from, for `explain` and for error messages.
struct Origin {
  enum class Kind : uint8_t { kDefault, kFile, kEnv, kFlag };
  Kind kind = Kind::kDefault;
  std::string file;  // kFile: the path as given
  int line = 0;      // kFile: line and column of the key
  int column = 0;
  std::string name;                           // kEnv: variable name; kFlag: flag ("--memory")
  std::vector<std::pair<int, int>> elements;  // kFile: (line, column) of each list item

  // "default", "/etc/agentbox/policy.toml:12", "env CONTAINER_MEMORY_LIMIT", "flag --memory".
  std::string describe() const;
};

struct LoadedPolicy {
  const Policy policy;  // NOLINT(readability-identifier-naming): a value, not a constant
  std::map<std::string, Origin, std::less<>> origins;  // every key of keySpecs()
  std::vector<std::string> files;                      // the policy files read, in order

  const Origin& originOf(std::string_view key) const;
};

// Merges and validates the layers. Errors: kInvalidInput for a bad file, value, variable or
// flag (message "FILE:LINE:COL: ..." or "env NAME: ..." / "flag --x: ..."; when a file has
// several errors the first is given and the count of the others); kDenied for a refused
// loosening, SANDBOX_ENABLED=false, or a --policy file inside the workspace or state dir;
// kNotFound / kPermission / kIo when the --policy file (or an existing system file) cannot
// be read.
Result<LoadedPolicy> load(const LoadRequest& request);

// Every problem of one policy file on its own (over the defaults, no other layer): syntax,
// unknown keys, types, ranges, contradictions. Empty when valid. Errors only, never notes.
std::vector<Diagnostic> checkPolicyText(std::string_view text, std::string_view file_name,
                                        const RedactionCatalogue* catalogue = nullptr);
// Same for a file on disk; an error when it cannot be read. When the file is valid, the
// result holds its looseningNotes() instead (`policy check` prints them; they are not errors).
Result<std::vector<Diagnostic>> checkPolicyFile(const std::string& path,
                                                const RedactionCatalogue* catalogue = nullptr);
// One policy text over the defaults (no system file, environment or flags): for tests,
// the fuzzer and `explain` round trips.
Result<LoadedPolicy> loadText(std::string_view text, std::string_view file_name,
                              const RedactionCatalogue* catalogue = nullptr);
// One note per key set by a policy file to a value looser than the built-in default (the
// layering's "tighter" order): more memory, a network allow list, redaction turned off,
// rules disabled. At the key's file:line:col; a reviewer's list of what a file opens up.
std::vector<Diagnostic> looseningNotes(const LoadedPolicy& loaded);

// $AGENTBOX_STATE_DIR (must be absolute), else $XDG_STATE_HOME/agentbox (when absolute, as
// the XDG spec says), else $HOME/.local/state/agentbox. Error when none applies.
Result<std::string> resolveStateDir(const std::map<std::string, std::string>& environment);

// The environment variables load() reads, in documentation order.
const std::vector<std::string_view>& policyEnvironmentVariables();

}  // namespace agentbox::policy
