// SPDX-License-Identifier: Apache-2.0
// File: run_dir.h
// The state dir's run directories: runs/<id>/ holds `lock` (flock held while agentbox lives),
// `init.pid` (host pid and start time of the sandbox's pid 1), `cgroups` (the directories
// the run created) and `result.json`.
// runs/.active/<id> marks runs in progress, so that the next start finds the leftovers of an
// agentbox that died (kill -9) without scanning every old run.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::app {

class RunDir {
 public:
  // Creates runs/<id>/ (0700) under state_dir and takes its lock.
  static Result<RunDir> create(const std::string& state_dir);
  RunDir(RunDir&&) = default;
  RunDir& operator=(RunDir&&) = default;
  RunDir(const RunDir&) = delete;
  RunDir& operator=(const RunDir&) = delete;
  ~RunDir();  // unmarks the run as active

  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }
  Status recordInitPid(pid_t pid);
  // The run's cgroup directories, one per line in `cgroups`.
  Status recordCgroups(const std::vector<std::string>& dirs);

 private:
  RunDir(std::string id, std::string path, std::string active, UniqueFd lock)
      : id_(std::move(id)),
        path_(std::move(path)),
        active_(std::move(active)),
        lock_(std::move(lock)) {}
  std::string id_;
  std::string path_;
  std::string active_;
  UniqueFd lock_;
};

// Kills what is left of runs whose agentbox died (their lock is free, their pid 1 alive with
// the recorded start time) and unmarks them. Returns one line per run it cleaned up.
std::vector<std::string> reapStaleRuns(const std::string& state_dir);

// Reads field 22 (start time in clock ticks) of /proc/<pid>/stat; 0 if gone.
uint64_t processStartTime(pid_t pid);

}  // namespace agentbox::app
