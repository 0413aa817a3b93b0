// SPDX-License-Identifier: Apache-2.0
// File: harness.h
// Drives the real agentbox binary: spawn with chosen stdin, environment and extra inherited
// fds, capture stdout/stderr with arrival times, temporary workspaces and state dirs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace agentbox::testing {

std::string agentboxBin();  // $AGENTBOX_BIN
std::string probeBin();     // $AGENTBOX_PROBE

// A directory removed (recursively) at scope end. World-traversable (mode 0755).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "agentbox-it");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct SpawnOptions {
  std::vector<std::string> args;           // after the binary name
  std::string stdin_data;                  // written then closed
  std::map<std::string, std::string> env;  // added to (or replacing) the test's environment
  std::vector<std::string> unset_env;
  int inherit_fd = -1;                          // an extra fd left open across exec (a canary)
  std::chrono::milliseconds kill_after{60000};  // SIGKILL the process if it runs longer
};

struct Captured {
  int exit_code = -1;  // exit status, or 128+signal
  std::string out;
  std::string err;
  // Milliseconds since spawn at which each stdout chunk arrived, and when the process ended.
  std::vector<std::pair<long, std::string>> out_chunks;
  long ended_ms = 0;
};

Captured runProcess(const std::string& binary, const SpawnOptions& options);

// Starts a process and returns its pid without waiting (stdout/stderr to /dev/null).
pid_t startProcess(const std::string& binary, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env);

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& content, mode_t mode = 0644);
bool processWithArgExists(const std::string& needle);  // scans /proc/*/cmdline
bool processWithCmdline(const std::string& exact);     // args joined by spaces
// "sleep 300.<pid>": a sleep command line unique to this test process, so that an unrelated
// `sleep 300` elsewhere on the machine is never taken for a process of the run.
std::string sleepArg(const std::string& seconds);

}  // namespace agentbox::testing
