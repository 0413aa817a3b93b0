// SPDX-License-Identifier: Apache-2.0
// File: doctor_cmd.cc
// `agentbox doctor [--json]`: one line per layer (or one JSON object per layer), exit 0 only
// when the strict default can run for this user.
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "policy/loader.h"
#include "sandbox/host_probe.h"

extern "C" {
extern char** environ;  // NOLINT: the process environment, read once here
}

namespace agentbox::cli {

namespace {

int runDoctor(bool json) {
  policy::LoadRequest load;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) {
      load.environment.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
  }
  Result<policy::LoadedPolicy> loaded = policy::load(load);
  if (!loaded.has_value()) {
    printError(loaded.error().oneLine());
    return kUsageExit;
  }
  std::vector<sandbox::LayerCheck> checks = sandbox::probeHost(loaded->policy);
  bool strict_ok = true;
  for (const sandbox::LayerCheck& c : checks) {
    strict_ok = strict_ok && (c.available || !c.required);
    if (json) {
      nlohmann::json j = {{"layer", c.layer},
                          {"available", c.available},
                          {"required", c.required},
                          {"detail", c.detail},
                          {"fix", c.fix.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.fix)}};
      std::puts(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%-26s %-9s %s%s%s\n", c.layer.c_str(), c.available ? "ok" : "missing",
                  c.detail.c_str(),
                  c.fix.empty() || c.available ? "" : "; fix: ", c.available ? "" : c.fix.c_str());
    }
  }
  if (!json) {
    std::printf("%s\n", strict_ok ? "agentbox run can use every required layer here"
                                  : "agentbox run refuses here by default (strict); fix the "
                                    "missing layers above or pass --best-effort");
  }
  return strict_ok ? 0 : 1;
}

}  // namespace

void addDoctorCommand(CLI::App& app, int& exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* doctor =
      app.add_subcommand("doctor", "Check which isolation layers this host gives this user");
  doctor->add_flag("--json", *json, "One JSON object per layer (docs/doctor.md)");
  doctor->callback([json, &exit_code] { exit_code = runDoctor(*json); });
}

}  // namespace agentbox::cli
