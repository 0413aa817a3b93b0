// SPDX-License-Identifier: Apache-2.0
// File: redact_cmd.cc
// `agentbox redact [--jsonl] [--findings FILE] [--format jsonl|sarif] [--fail-on-findings]
// [--secret-env NAME] [--policy FILE] [FILE...]`: parses flags into a RedactFilterRequest; the
// filter lives in app/. The [redaction] section comes from the same layers as for `run`: the
// system policy, --policy FILE, OUTPUT_SANITIZATION and SECRET_REDACTION.
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "app/redact_filter.h"
#include "app/redaction_setup.h"
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
  std::string policy_file;
  std::vector<std::string> files;
};

std::string envValue(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): single-threaded here
  return v != nullptr ? std::string(v) : std::string();
}

// The layered policy, for its [redaction] section and the state dir. Only the variables
// that feed those are passed: the filter has no use for the sandbox's settings.
Result<policy::LoadedPolicy> loadPolicy(const RedactFlags& flags) {
  policy::LoadRequest load;
  for (const char* name : {"AGENTBOX_STATE_DIR", "XDG_STATE_HOME", "HOME", "OUTPUT_SANITIZATION",
                           "SECRET_REDACTION"}) {
    if (std::string v = envValue(name); !v.empty()) {
      load.environment[name] = v;
    }
  }
  if (!flags.policy_file.empty()) {
    load.user_policy_path = flags.policy_file;
  }
  load.redaction_catalogue = app::redactionCatalogue();
  AGENTBOX_ASSIGN_OR_RETURN(policy::LoadedPolicy loaded, policy::load(load));
  if (!loaded.policy.redaction.enabled) {
    return makeError(Errc::kInvalidInput,
                     "redaction.enabled is false ({}): the filter would redact nothing; unset "
                     "OUTPUT_SANITIZATION or use a policy with redaction enabled",
                     loaded.originOf("redaction.enabled").describe());
  }
  return loaded;
}

int runRedact(const RedactFlags& flags) {
  Result<policy::LoadedPolicy> loaded = loadPolicy(flags);
  if (!loaded.has_value()) {
    printError("redact: " + loaded.error().oneLine());
    return kUsageExit;
  }
  const std::string& state_dir = loaded->policy.runtime.state_dir;
  app::RedactFilterRequest req;
  req.settings = loaded->policy.redaction;
  req.inputs = flags.files;
  req.jsonl = flags.jsonl;
  if (!flags.findings.empty()) {
    req.findings_path = flags.findings;
  }
  req.fail_on_findings = flags.fail_on_findings;
  req.findings_format =
      flags.format == "sarif" ? app::FindingsFormat::kSarif : app::FindingsFormat::kJsonLines;
  req.tool_version = AGENTBOX_VERSION;
  req.state_dir = state_dir;
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
  cmd->add_option("--policy", flags->policy_file,
                  "policy file whose [redaction] section (custom rules, disabled rules, class "
                  "switches) applies, layered over /etc/agentbox/policy.toml as for run")
      ->type_name("FILE");
  cmd->add_option("FILE", flags->files, "inputs, in order ('-' = stdin); default stdin");
  cmd->callback([flags, &exit_code] { exit_code = runRedact(*flags); });
}

}  // namespace agentbox::cli
