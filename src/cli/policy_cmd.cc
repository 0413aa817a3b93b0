// SPDX-License-Identifier: Apache-2.0
// File: policy_cmd.cc
// `agentbox policy check|explain|check-url|defaults`: argument parsing and printing only; the
// logic is policy/loader.h, policy/explain.h and app/policy_check_url.h.
// Exit codes (DESIGN.md): 0 success, 1 a negative answer (errors found, a URL denied),
// 2 a usage or input error.
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/policy_check_url.h"
#include "app/redaction_setup.h"
#include "cli/command.h"
#include "policy/explain.h"
#include "policy/loader.h"

extern char** environ;  // NOLINT: POSIX

namespace agentbox::cli {

namespace {

constexpr int kNegative = 1;

int printOut(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : kUsageExit;
}

std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string_view::npos) {
      env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
  }
  return env;
}

// The policy flags `agentbox run` takes, so `explain` and `check-url` show what a run with
// them would get.
struct PolicyFlags {
  std::optional<std::string> policy_file;
  std::map<std::string, std::string> values;  // flag -> value, for the single-valued ones
  std::vector<std::string> env;
  bool best_effort = false;
  bool allow_git_write = false;

  void add(CLI::App* cmd) {
    cmd->add_option("--policy", policy_file, "policy file layered over /etc/agentbox/policy.toml");
    for (const char* flag : {"--memory", "--cpus", "--pids", "--nofile", "--output-limit",
                             "--tmp-size", "--timeout", "--mode", "--hostname"}) {
      cmd->add_option_function<std::string>(
          flag, [this, flag](const std::string& v) { values[flag] = v; }, "as for agentbox run");
    }
    cmd->add_option("--env", env, "NAME=VALUE or NAME, as for agentbox run");
    cmd->add_flag("--best-effort", best_effort, "as for agentbox run");
    cmd->add_flag("--allow-git-write", allow_git_write, "as for agentbox run");
  }

  Result<policy::LoadedPolicy> load() const {
    policy::LoadRequest req;
    req.user_policy_path = policy_file;
    req.environment = environment();
    req.redaction_catalogue = app::redactionCatalogue();
    for (const auto& [flag, value] : values) {
      req.flags.push_back(policy::FlagValue{flag, value});
    }
    for (const std::string& e : env) {
      req.flags.push_back(policy::FlagValue{"--env", e});
    }
    if (best_effort) {
      req.flags.push_back(policy::FlagValue{"--best-effort", ""});
    }
    if (allow_git_write) {
      req.flags.push_back(policy::FlagValue{"--allow-git-write", ""});
    }
    return policy::load(req);
  }
};

int runCheck(const std::vector<std::string>& files) {
  int status = 0;
  std::string out;
  auto catalogue = app::redactionCatalogue();
  for (const std::string& file : files) {
    Result<std::vector<policy::Diagnostic>> diags = policy::checkPolicyFile(file, catalogue.get());
    if (!diags) {
      printOut(out);
      out.clear();
      printError(fmt::format("policy check: {}", diags.error().oneLine()));
      return kUsageExit;
    }
    // Notes (values looser than the built-in defaults) come only with a valid file.
    if (diags->empty() || diags->front().note) {
      out += fmt::format("{}: ok\n", file);
    }
    for (const policy::Diagnostic& d : *diags) {
      out += d.toString() + "\n";
      status = d.note ? status : kNegative;
    }
  }
  int io = printOut(out);
  return io != 0 ? io : status;
}

int runExplain(const PolicyFlags& flags) {
  Result<policy::LoadedPolicy> loaded = flags.load();
  if (!loaded) {
    printError(loaded.error().oneLine());
    return kUsageExit;
  }
  return printOut(policy::renderExplain(*loaded));
}

struct CheckUrlArgs {
  PolicyFlags flags;
  bool resolve = false;
  bool json = false;
  std::string method = "GET";
  std::vector<std::string> urls;
};

int runCheckUrl(const CheckUrlArgs& args) {
  Result<policy::LoadedPolicy> loaded = args.flags.load();
  if (!loaded) {
    printError(loaded.error().oneLine());
    return kUsageExit;
  }
  Result<std::vector<app::UrlVerdict>> verdicts =
      app::checkUrls(loaded->policy, args.urls,
                     app::CheckUrlOptions{.resolve = args.resolve, .method = args.method});
  if (!verdicts) {
    printError(verdicts.error().oneLine());
    return kUsageExit;
  }
  std::string out;
  bool any_denied = false;
  for (const app::UrlVerdict& v : *verdicts) {
    any_denied = any_denied || !v.allowed;
    if (args.json) {
      nlohmann::ordered_json j = {{"url", v.url},
                                  {"decision", v.allowed ? "allow" : "deny"},
                                  {"rule", v.rule},
                                  {"reason", v.reason}};
      // Replace invalid UTF-8 in a URL given on the command line instead of throwing.
      out += j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    } else if (v.allowed) {
      out += fmt::format("allow {} rule={}\n", v.url, v.rule);
    } else {
      out += fmt::format("deny {} rule={}: {}\n", v.url, v.rule, v.reason);
    }
  }
  int io = printOut(out);
  return io != 0 ? io : (any_denied ? kNegative : 0);
}

}  // namespace

void addPolicyCommand(CLI::App& app, int& exit_code) {
  CLI::App* policy = app.add_subcommand("policy", "Check and explain agentbox policies");
  policy->require_subcommand(1);

  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* check = policy->add_subcommand(
      "check",
      "Validate policy files: exit 0 if valid (with a note for each value looser than the "
      "built-in default), 1 with every error as FILE:LINE:COL");
  check->add_option("FILE", *files, "policy files to check")->required();
  check->callback([files, &exit_code] { exit_code = runCheck(*files); });

  auto explain_flags = std::make_shared<PolicyFlags>();
  CLI::App* explain = policy->add_subcommand(
      "explain", "Print the effective policy as TOML, each value with the layer it came from");
  explain_flags->add(explain);
  explain->callback([explain_flags, &exit_code] { exit_code = runExplain(*explain_flags); });

  auto url_args = std::make_shared<CheckUrlArgs>();
  CLI::App* check_url = policy->add_subcommand(
      "check-url", "Decide URLs: 'allow URL rule=RULE' or 'deny URL rule=RULE: reason' each");
  url_args->flags.add(check_url);
  check_url->add_flag("--resolve", url_args->resolve,
                      "resolve allowed names and check every address against cidr_deny");
  check_url->add_flag("--json", url_args->json,
                      "one JSON object per line: url, decision, rule, reason");
  check_url->add_option("--method", url_args->method, "HTTP method for network.http rules")
      ->capture_default_str();
  check_url->add_option("URL", url_args->urls, "URLs to decide, in order")->required();
  check_url->callback([url_args, &exit_code] { exit_code = runCheckUrl(*url_args); });

  CLI::App* defaults = policy->add_subcommand("defaults", "Print the built-in policy as TOML");
  defaults->callback([&exit_code] { exit_code = printOut(policy::renderDefaults()); });
}

}  // namespace agentbox::cli
