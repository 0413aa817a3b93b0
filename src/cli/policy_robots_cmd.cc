// SPDX-License-Identifier: Apache-2.0
// File: policy_robots_cmd.cc
// `agentbox policy robots`: decides URLs (or prints the crawl-delay) for one user-agent
// against a robots.txt file. Parsing and printing only; the logic is policy/robots.h.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "policy/robots.h"
#include "policy/robots_file.h"
#include "policy/robots_pattern.h"

namespace agentbox::cli {

namespace {

struct RobotsArgs {
  std::string robots_file;
  std::string user_agent;
  bool crawl_delay = false;
  std::vector<std::string> urls;
};

int runPolicyRobots(const RobotsArgs& args) {
  if (args.crawl_delay == !args.urls.empty()) {
    printError(args.crawl_delay
                   ? "policy robots: --crawl-delay takes no URLs; run it without them"
                   : "policy robots: give URLs to check, or --crawl-delay; see --help");
    return kUsageExit;
  }
  if (policy::robotsProductToken(args.user_agent).empty()) {
    printError(fmt::format(
        "policy robots: --user-agent '{}' has no product token; start it with letters, '-' "
        "or '_' (e.g. agentbox)",
        args.user_agent));
    return kUsageExit;
  }
  Result<std::string> body = policy::readRobotsFile(args.robots_file);
  if (!body) {
    printError(fmt::format("policy robots: cannot read --robots {}: {}", args.robots_file,
                           body.error().oneLine()));
    return kUsageExit;
  }
  const policy::Robots robots = policy::Robots::compile(*body, args.user_agent);
  std::string out;
  if (args.crawl_delay) {
    const std::optional<double> delay = robots.crawlDelaySeconds();
    out = delay ? fmt::format("crawl-delay {}\n", *delay) : std::string("crawl-delay none\n");
  } else {
    for (const std::string& url : args.urls) {
      out += robots.allowed(url) ? "allowed " : "disallowed ";
      out += url;
      out += '\n';
    }
  }
  const bool written = std::fwrite(out.data(), 1, out.size(), stdout) == out.size();
  return written && std::fflush(stdout) == 0 ? 0 : kUsageExit;
}

// CLI11 2.1 (Debian 12) has no get_subcommand_no_throw(); its get_subcommand() throws.
CLI::App* findSubcommand(CLI::App& app, const std::string& name) {
  const std::vector<CLI::App*> found =
      app.get_subcommands([&name](CLI::App* sub) { return sub->check_name(name); });
  return found.empty() ? nullptr : found.front();
}

}  // namespace

void addPolicyRobotsCommand(CLI::App& app, int& exit_code) {
  // The `policy` command belongs to addPolicyCommand (called before this); create it only if
  // it is not there.
  CLI::App* policy = findSubcommand(app, "policy");
  if (policy == nullptr) {
    policy = app.add_subcommand("policy", "Check and explain agentbox policies");
    policy->require_subcommand(1);
  }
  auto args = std::make_shared<RobotsArgs>();
  CLI::App* cmd = policy->add_subcommand(
      "robots", "Decide URLs, or print the crawl-delay, for a user-agent against a robots.txt");
  cmd->add_option("--robots", args->robots_file, "robots.txt file to read")->required();
  cmd->add_option("--user-agent", args->user_agent,
                  "user-agent whose product token is matched (e.g. agentbox)")
      ->required();
  cmd->add_flag("--crawl-delay", args->crawl_delay,
                "print 'crawl-delay SECONDS' or 'crawl-delay none' instead of checking URLs");
  cmd->add_option("urls", args->urls, "URLs to check; one 'allowed URL' / 'disallowed URL' each");
  cmd->callback([args, &exit_code] { exit_code = runPolicyRobots(*args); });
}

}  // namespace agentbox::cli
