// SPDX-License-Identifier: Apache-2.0
// File: run_cmd.cc
// `agentbox run [options] -- CMD [ARGS...]`: parses flags into the Policy and a RunRequest.
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "app/run.h"
#include "cli/command.h"
#include "policy/units.h"

namespace agentbox::cli {

namespace {

struct RunFlags {
  std::string workspace;
  std::string mode = "read-only";
  std::vector<std::string> env;
  std::string tmp_size;
  std::string timeout;
  std::string report;
  std::string hostname;
  bool quiet = false;
};

bool validEnvName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
    return false;
  }
  for (char c : name) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool validHostname(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') {
    return false;
  }
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

const char* envOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): single-threaded here
  return (v != nullptr && *v != '\0') ? v : fallback;
}

// Applies the flags to the built-in policy; a bad value is one line naming the flag.
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
  policy::Policy& p = req.policy;
  if (f.mode == "write") {
    p.filesystem.mode = policy::WorkspaceMode::kWrite;
  } else if (f.mode != "read-only") {
    return makeError(Errc::kInvalidInput, "--mode {}: expected read-only or write", f.mode);
  }
  if (!f.tmp_size.empty()) {
    AGENTBOX_ASSIGN_OR_RETURN(p.resources.tmp_size_bytes,
                              policy::parseSize(f.tmp_size).context("--tmp-size"));
    if (p.resources.tmp_size_bytes < 4096) {
      return makeError(Errc::kInvalidInput, "--tmp-size {}: must be at least 4k", f.tmp_size);
    }
  }
  if (!f.timeout.empty()) {
    AGENTBOX_ASSIGN_OR_RETURN(p.resources.timeout_ms,
                              policy::parseDurationMs(f.timeout).context("--timeout"));
  }
  if (!f.hostname.empty()) {
    if (!validHostname(f.hostname)) {
      return makeError(Errc::kInvalidInput,
                       "--hostname {}: expected 1-63 letters, digits or '-', not starting or "
                       "ending with '-'",
                       f.hostname);
    }
    p.sandbox.hostname = f.hostname;
  }
  for (const std::string& e : f.env) {
    size_t eq = e.find('=');
    std::string name = e.substr(0, eq);
    if (!validEnvName(name)) {
      return makeError(Errc::kInvalidInput, "--env {}: '{}' is not a valid variable name", e, name);
    }
    if (eq != std::string::npos) {
      p.sandbox.env.push_back({name, e.substr(eq + 1)});
      continue;
    }
    const char* host = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (host == nullptr) {
      return makeError(Errc::kInvalidInput,
                       "--env {}: {} is not set in agentbox's environment; use --env {}=VALUE", e,
                       name, name);
    }
    p.sandbox.env.push_back({name, host});
  }
  req.workspace = f.workspace.empty() ? "." : f.workspace;
  AGENTBOX_ASSIGN_OR_RETURN(
      req.state_dir,
      app::stateDirFromEnv(std::getenv("AGENTBOX_STATE_DIR"),  // NOLINT(concurrency-mt-unsafe)
                           std::getenv("XDG_STATE_HOME"),      // NOLINT(concurrency-mt-unsafe)
                           std::getenv("HOME")));              // NOLINT(concurrency-mt-unsafe)
  if (!f.report.empty()) {
    req.report_path = f.report;
  }
  req.quiet = f.quiet;
  req.term = envOr("TERM", "dumb");
  req.lang = envOr("LANG", "C.UTF-8");
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
  run->add_option("--mode", flags->mode, "How /workspace is mounted: read-only (default) or write");
  run->add_option("--env", flags->env,
                  "Pass NAME (the caller's value) or NAME=VALUE into the sandbox; repeatable");
  run->add_option("--tmp-size", flags->tmp_size,
                  "Size cap of /tmp and /home/agent (bytes, k/m/g = KiB/MiB/GiB; default 128m)");
  run->add_option("--timeout", flags->timeout,
                  "Wall-clock limit: seconds or 1500ms, 90s, 2m, 1h (default 1h; 0 = none)");
  run->add_option("--report", flags->report, "Write the run record (JSON) to FILE");
  run->add_option("--hostname", flags->hostname, "Hostname inside (default agentbox)");
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
