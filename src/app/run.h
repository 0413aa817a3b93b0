// SPDX-License-Identifier: Apache-2.0
// File: run.h
// The `agentbox run` use case: checks the workspace against the state dir, creates the run
// directory, reaps what dead runs left, supervises the sandbox while streaming its output,
// writes the run record, and returns the exit status of DESIGN.md's table.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/loader.h"
#include "policy/policy.h"
#include "util/result.h"

namespace agentbox::app {

struct RunRequest {
  policy::Policy policy;
  std::vector<std::string> argv;
  std::string workspace;  // as given; default the current directory
  std::string state_dir;  // resolved state dir (see stateDirFromEnv)
  std::optional<std::string> report_path;
  bool quiet = false;  // no informational lines from agentbox on stderr
  std::string term = "dumb";
  std::string lang = "C.UTF-8";
  std::string caller_home;              // rewritten to ~ in output
  std::vector<std::string> secret_env;  // --secret-env NAME: values redacted exactly
  // Live policy updates (network.mode = "proxy" only, policy_reload.h): the --policy file
  // to watch (empty: none), how to load every layer again, and the policy loaded at start.
  std::string policy_file;
  std::function<Result<policy::LoadedPolicy>()> reload_policy;
  std::shared_ptr<const policy::LoadedPolicy> loaded_policy;
};

// Exit status per DESIGN.md; failures before the command starts print one line, exit 125.
int runCommand(const RunRequest& request);

// Refuses a workspace that contains the state dir or lies inside it (canonical paths).
Status checkWorkspaceAgainstStateDir(const std::string& workspace, const std::string& state_dir);

}  // namespace agentbox::app
