// SPDX-License-Identifier: Apache-2.0
// File: redact_cmd.cc
// `agentbox redact [--jsonl] [--findings FILE] [--format jsonl|sarif] [--fail-on-findings]
// [--secret-env NAME] [FILE...]`: parses flags into a RedactFilterRequest; the filter lives in
// app/.
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "app/redact_filter.h"
#include "cli/command.h"
#include "policy/loader.h"

namespace agentbox::cli {

namespace {

struct RedactFlags {
  bool jsonl = false;
  std::string findings;
  bool fail_on_findings = false;
  std::string format = "jsonl";
  std::vector<std::string> secret_env;
  std::vector<std::string> files;
};

std::string envValue(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): single-threaded here
  return v != nullptr ? std::string(v) : std::string();
}

int runRedact(const RedactFlags& flags) {
  std::map<std::string, std::string> env;
  for (const char* name : {"AGENTBOX_STATE_DIR", "XDG_STATE_HOME", "HOME"}) {
    if (std::string v = envValue(name); !v.empty()) {
      env[name] = v;
    }
  }
  auto state_dir = policy::resolveStateDir(env);
  if (!state_dir.has_value()) {
    printError("redact: " + state_dir.error().oneLine());
    return kUsageExit;
  }
  app::RedactFilterRequest req;
  req.inputs = flags.files;
  req.jsonl = flags.jsonl;
  if (!flags.findings.empty()) {
    req.findings_path = flags.findings;
  }
  req.fail_on_findings = flags.fail_on_findings;
  req.findings_format =
      flags.format == "sarif" ? app::FindingsFormat::kSarif : app::FindingsFormat::kJsonLines;
  req.tool_version = AGENTBOX_VERSION;
  req.state_dir = *state_dir;
  req.home_dir = envValue("HOME");
  for (const std::string& name : flags.secret_env) {
    std::string v = envValue(name.c_str());
    if (v.empty()) {
      printError("redact: --secret-env " + name + ": the variable is unset or empty");
      return kUsageExit;
    }
    req.known_secrets.push_back(std::move(v));
  }
  return app::runRedactFilter(req, STDOUT_FILENO, STDERR_FILENO);
}

}  // namespace

void addRedactCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<RedactFlags>();
  CLI::App* cmd = app.add_subcommand(
      "redact", "Redact secrets and personal data from stdin or FILEs to stdout");
  cmd->add_flag("--jsonl", flags->jsonl,
                "input is JSON Lines: redact inside string values, keep every line valid JSON");
  cmd->add_option("--findings", flags->findings,
                  "write one JSON object per finding to FILE (never the secret)")
      ->type_name("FILE");
  cmd->add_flag("--fail-on-findings", flags->fail_on_findings, "exit 1 if anything was found");
  cmd->add_option("--format", flags->format,
                  "findings format: jsonl (default) or sarif (SARIF 2.1.0; without --findings "
                  "the SARIF log replaces the redacted output on stdout)")
      ->check(CLI::IsMember({"jsonl", "sarif"}))
      ->type_name("FORMAT");
  cmd->add_option("--secret-env", flags->secret_env,
                  "also redact the value of environment variable NAME in any encoding")
      ->type_name("NAME");
  cmd->add_option("FILE", flags->files, "inputs, in order ('-' = stdin); default stdin");
  cmd->callback([flags, &exit_code] { exit_code = runRedact(*flags); });
}

}  // namespace agentbox::cli
