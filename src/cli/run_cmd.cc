// SPDX-License-Identifier: Apache-2.0
// File: run_cmd.cc
// `agentbox run [options] -- CMD [ARGS...]`: parses flags into the Policy and a RunRequest.
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "app/redaction_setup.h"
#include "app/run.h"
#include "cli/command.h"
#include "policy/loader.h"

extern "C" {
extern char** environ;  // NOLINT: the process environment, read once here
}

namespace agentbox::cli {

namespace {

struct RunFlags {
  std::string workspace;
  std::string policy_file;
  std::vector<std::string> mode;
  std::vector<std::string> env;
  std::vector<std::string> tmp_size;
  std::vector<std::string> timeout;
  std::vector<std::string> memory;
  std::vector<std::string> cpus;
  std::vector<std::string> pids;
  std::vector<std::string> nofile;
  std::vector<std::string> output_limit;
  std::vector<std::string> hostname;
  std::string report;
  std::vector<std::string> secret_env;
  bool best_effort = false;
  bool allow_git_write = false;
  bool quiet = false;
};

const char* envOr(const std::map<std::string, std::string>& env, const char* name,
                  const char* fallback) {
  auto it = env.find(name);
  return (it != env.end() && !it->second.empty()) ? it->second.c_str() : fallback;
}

std::map<std::string, std::string> callerEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) {
      env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
  }
  return env;
}

// The flags that feed the policy, in a fixed order; repeated flags keep their order, so
// the last one wins as the loader documents.
std::vector<policy::FlagValue> policyFlags(const RunFlags& f) {
  std::vector<policy::FlagValue> out;
  auto add = [&](const char* flag, const std::vector<std::string>& values) {
    for (const std::string& v : values) {
      out.push_back({flag, v});
    }
  };
  add("--mode", f.mode);
  add("--tmp-size", f.tmp_size);
  add("--timeout", f.timeout);
  add("--memory", f.memory);
  add("--cpus", f.cpus);
  add("--pids", f.pids);
  add("--nofile", f.nofile);
  add("--output-limit", f.output_limit);
  add("--hostname", f.hostname);
  add("--env", f.env);
  if (f.best_effort) {
    out.push_back({"--best-effort", ""});
  }
  if (f.allow_git_write) {
    out.push_back({"--allow-git-write", ""});
  }
  return out;
}

// Loads the layered policy (defaults < system file < --policy < environment < flags).
Result<app::RunRequest> buildRequest(const RunFlags& f, std::vector<std::string> argv) {
  app::RunRequest req;
  if (!argv.empty() && argv.front() == "--") {
    argv.erase(argv.begin());
  }
  if (argv.empty()) {
    return makeError(Errc::kInvalidInput,
                     "run: no command given; usage: agentbox run [options] -- CMD [ARGS...]");
  }
  req.argv = std::move(argv);
  req.workspace = f.workspace.empty() ? "." : f.workspace;
  policy::LoadRequest load;
  load.environment = callerEnvironment();
  load.flags = policyFlags(f);
  load.redaction_catalogue = app::redactionCatalogue();
  if (!f.policy_file.empty()) {
    load.user_policy_path = f.policy_file;
  }
  char* ws = ::realpath(req.workspace.c_str(), nullptr);
  load.workspace_dir = ws != nullptr ? ws : req.workspace;
  ::free(ws);  // NOLINT(cppcoreguidelines-no-malloc): realpath's contract
  AGENTBOX_ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, policy::load(load));
  req.policy = loaded.policy;
  req.state_dir = loaded.policy.runtime.state_dir;
  if (!f.policy_file.empty()) {
    // A reload goes through every layer and check again, exactly as this load did.
    req.policy_file = f.policy_file;
    req.reload_policy = [load] { return policy::load(load); };
    req.loaded_policy = std::make_shared<const policy::LoadedPolicy>(std::move(loaded));
  }
  if (!f.report.empty()) {
    req.report_path = f.report;
  }
  req.quiet = f.quiet;
  req.secret_env = f.secret_env;
  req.caller_home = envOr(load.environment, "HOME", "");
  req.term = envOr(load.environment, "TERM", "dumb");
  req.lang = envOr(load.environment, "LANG", "C.UTF-8");
  return req;
}

}  // namespace

void addRunCommand(CLI::App& app, int& exit_code, const std::vector<std::string>& command) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand(
      "run", "Run a command in a fresh sandbox: agentbox run [options] -- CMD [ARGS...]");
  // Without "--", the first positional starts the command (`agentbox run make test`).
  run->prefix_command();
  run->add_option("--workspace", flags->workspace,
                  "Host directory bound at /workspace (default: the current directory)");
  run->add_option("--policy", flags->policy_file,
                  "Policy file (TOML, docs/policy.md); never read from the workspace");
  run->add_option("--mode", flags->mode, "How /workspace is mounted: read-only (default) or write");
  run->add_option("--env", flags->env,
                  "Pass NAME (the caller's value) or NAME=VALUE into the sandbox; repeatable");
  run->add_option("--tmp-size", flags->tmp_size,
                  "Size cap of /tmp, /home/agent and /dev/shm (k/m/g = KiB/MiB/GiB; default 128m)");
  run->add_option("--timeout", flags->timeout,
                  "Wall-clock limit: seconds or 1500ms, 90s, 2m, 1h (default 1h; 0 = none)");
  run->add_option("--memory", flags->memory, "Memory limit, swap off (default 512m)");
  run->add_option("--cpus", flags->cpus, "CPU quota in cores (default 0.5)");
  run->add_option("--pids", flags->pids, "Processes and threads (default 32)");
  run->add_option("--nofile", flags->nofile, "Open files per process (default 1024)");
  run->add_option("--output-limit", flags->output_limit,
                  "Bytes of stdout+stderr kept; the rest is dropped (default 64m)");
  run->add_option("--hostname", flags->hostname, "Hostname inside (default agentbox)");
  run->add_flag("--best-effort", flags->best_effort,
                "Run with the isolation layers this host can give and list what is missing");
  run->add_flag("--allow-git-write", flags->allow_git_write,
                "In write mode, let the command write /workspace/.git (read-only by default: a "
                "planted hook or config runs code on the host at the next git command)");
  run->add_option("--secret-env", flags->secret_env,
                  "Treat the value of --env variable NAME as a secret: redacted exactly, and in "
                  "base64, URL and hex form, wherever it appears; repeatable");
  run->add_option("--report", flags->report, "Write the run record (JSON) to FILE");
  run->add_flag("--quiet,-q", flags->quiet, "No informational messages from agentbox");
  run->callback([run, flags, &exit_code, command] {
    std::vector<std::string> argv = run->remaining();
    // Before "--" only agentbox's own options may appear; without "--" the command starts at
    // the first word that is not an option. Either way an unknown "-x" is a bad flag.
    if (!argv.empty() && (!command.empty() || argv.front().rfind('-', 0) == 0)) {
      printError(
          fmt::format("run: unknown option or stray argument '{}'; see 'agentbox run "
                      "--help' (put the command after --)",
                      argv.front()));
      exit_code = kRunUsageExit;
      return;
    }
    argv.insert(argv.end(), command.begin(), command.end());
    Result<app::RunRequest> req = buildRequest(*flags, std::move(argv));
    if (!req.has_value()) {
      printError(req.error().oneLine());
      exit_code = kRunUsageExit;
      return;
    }
    exit_code = app::runCommand(*req);
  });
}

}  // namespace agentbox::cli
