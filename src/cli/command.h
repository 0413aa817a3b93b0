// SPDX-License-Identifier: Apache-2.0
// File: command.h
// Each `agentbox <command>` registers itself on the CLI11 app from its own file. A command's
// callback stores the process exit status in `exit_code` (contracts in DESIGN.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace agentbox::cli {

// Usage errors of `run` exit 125 (DESIGN.md); every other command exits 2.
inline constexpr int kRunUsageExit = 125;
inline constexpr int kUsageExit = 2;

// `command` is everything after the first "--" of `agentbox run ... -- CMD ARGS`, split off by
// main() before CLI11 sees the arguments (so the command's own flags are never parsed).
void addRunCommand(CLI::App& app, int& exit_code, const std::vector<std::string>& command);
void addDoctorCommand(CLI::App& app, int& exit_code);
void addRedactCommand(CLI::App& app, int& exit_code);
void addPolicyCommand(CLI::App& app, int& exit_code);        // creates `policy`: before robots
void addPolicyRobotsCommand(CLI::App& app, int& exit_code);  // after addPolicyCommand: joins it

// Prints "agentbox: <message>" as one line on stderr.
void printError(std::string_view message);

}  // namespace agentbox::cli
