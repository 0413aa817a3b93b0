// SPDX-License-Identifier: Apache-2.0
// File: run_dir.h
// The state dir's run directories: runs/<id>/ holds `lock`, `output.log` and `result.json`.
// `lock` is flocked while agentbox lives and, once the sandbox exists, records what a clean-up
// needs: a line `pid <host pid> <start time>` for the sandbox's pid 1, then a line
// `cgroup <dir>` per cgroup directory the run made. runs/.active/<id> is a hard link to the
// same file: it marks runs in progress, so that the next start finds the leftovers of an
// agentbox that died (kill -9) without scanning every old run. One file, written once, keeps
// a run's start to the inodes it needs (each costs the filesystem an allocation).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::app {

class RunDir {
 public:
  // A new run id: UTC time and 32 random bits ("20261204T215903Z-a86168ad").
  static std::string newId();
  // Creates runs/<id>/ (0700) under state_dir and takes its lock; id defaults to newId().
  static Result<RunDir> create(const std::string& state_dir, std::string id = newId());
  RunDir(RunDir&&) = default;
  RunDir& operator=(RunDir&&) = default;
  RunDir(const RunDir&) = delete;
  RunDir& operator=(const RunDir&) = delete;
  ~RunDir();  // unmarks the run as active

  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }
  // Writes the clean-up record (pid 1 with its start time, the cgroup directories) into the
  // lock file, in one write.
  Status recordCleanup(pid_t init_pid, const std::vector<std::string>& cgroup_dirs);

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
// the recorded start time), removes their cgroups and unmarks them. Runs of an earlier
// version (an empty marker, `init.pid` and `cgroups` files beside the lock) are read too.
// Returns one line per run it cleaned up.
std::vector<std::string> reapStaleRuns(const std::string& state_dir);

// Reads field 22 (start time in clock ticks) of /proc/<pid>/stat; 0 if gone.
uint64_t processStartTime(pid_t pid);

}  // namespace agentbox::app
