// SPDX-License-Identifier: Apache-2.0
// File: main.cc
// Argument parsing entry point: registers every command and maps parse failures to the exit
// codes of DESIGN.md. No logic lives here.
#include <malloc.h>

#include <cstdio>
#include <exception>
#include <string>

#include "app/build_info.h"
#include "cli/command.h"

namespace agentbox::cli {

void printError(std::string_view message) {
  std::string line = "agentbox: ";
  line.append(message);
  while (!line.empty() && line.back() == '\n') {
    line.pop_back();
  }
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

namespace {

int usageExitFor(int argc, char** argv) {
  return (argc > 1 && std::string_view(argv[1]) == "run") ? kRunUsageExit : kUsageExit;
}

int dispatch(int argc, char** argv) {
  CLI::App app{"agentbox: run AI coding agents on real repositories without trusting them"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("agentbox ") + AGENTBOX_VERSION);
  int exit_code = 0;
  std::vector<std::string> command;
  int cli_argc = argc;
  if (argc > 1 && std::string_view(argv[1]) == "run") {
    for (int i = 2; i < argc; ++i) {
      if (std::string_view(argv[i]) == "--") {
        command.assign(argv + i + 1, argv + argc);
        cli_argc = i;
        break;
      }
    }
  }
  addRunCommand(app, exit_code, command);
  // `agentbox run [OPTIONS] -- CMD`, every sandboxed run, can only select `run` (a sibling's
  // name after it is a stray argument of run, with or without the siblings registered):
  // building the other commands' options, validators and help texts cost each run ~24 page
  // faults and ~0.1 ms.
  const bool run_with_command = cli_argc != argc;
  if (!run_with_command) {
    addDoctorCommand(app, exit_code);
    addRedactCommand(app, exit_code);
    addPolicyCommand(app, exit_code);
    addPolicyRobotsCommand(app, exit_code);  // keep last: attaches to `policy` if it exists
  }
  try {
    app.parse(cli_argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::printf("agentbox %s\n%s\n", AGENTBOX_VERSION, agentbox::app::linkedLibraries().c_str());
    return 0;
  } catch (const CLI::ParseError& e) {
    printError(std::string(e.what()) + "; see 'agentbox --help'");
    return usageExitFor(argc, argv);
  }
  return exit_code;
}

}  // namespace
}  // namespace agentbox::cli

int main(int argc, char** argv) {
  // One malloc arena for every thread: a run's helper threads (rule loading, the seccomp
  // program, the proxy) allocate little, and an arena of their own costs each of them a
  // 64 MiB reservation, its page faults and, at the thread's end, unmaps whose TLB
  // shoot-downs interrupt the other core (~0.3 ms of a run's cold start, docs/performance.md).
  // Before any thread exists, which is what makes it safe.
  ::mallopt(M_ARENA_MAX, 1);  // NOLINT(concurrency-mt-unsafe)
  // Keep freed memory at the top of the heap (up to 8 MiB) and serve blocks up to 1 MiB from
  // the heap: a run's rule loading frees and reallocates a few hundred KiB, and each trim or
  // munmap gave pages back that the next allocation faulted in again (with TLB shoot-downs
  // while other threads run).
  ::mallopt(M_TRIM_THRESHOLD, 8 << 20);  // NOLINT(concurrency-mt-unsafe)
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);  // NOLINT(concurrency-mt-unsafe)
  try {
    int rc = agentbox::cli::dispatch(argc, argv);
    // Every command has released what it holds (files, children, threads) before it returns:
    // what is left is freeing memory and the libraries' exit handlers, on every run's wall
    // time. The sanitizers' leak check runs at exit, so they keep it.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    if (std::fflush(nullptr) == 0) {
      std::_Exit(rc);
    }
#endif
    return rc;
  } catch (const std::exception& e) {
    agentbox::cli::printError(std::string("internal error: ") + e.what());
  } catch (...) {
    agentbox::cli::printError("internal error: unknown exception");
  }
  return 125;
}
