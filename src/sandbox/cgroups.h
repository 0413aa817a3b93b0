// SPDX-License-Identifier: Apache-2.0
// File: cgroups.h
// The run's cgroups: chosen (v2 with the memory, pids and cpu controllers delegated, else v1
// when every needed hierarchy is writable), created before the clone, limited, joined (v2 by
// CLONE_INTO_CGROUP, v1 by the child itself: it writes "0" to each hierarchy's `tasks` file,
// opened here before the clone), sampled, killed as a
// whole (cgroup.kill, or the v1 freezer then SIGKILL) and removed. A controller-less cgroup2
// mount (this kind of v1 host) still gives cgroup.kill and cgroup.events: it is used for
// those whenever writable. Created directories are named `agentbox-run-<id>` and listed in
// the run directory, so that clean-up after a dead agentbox removes only what agentbox made.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/cgroup_layout.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::sandbox {

struct CgroupLimits {
  uint64_t memory_bytes = 0;  // hard limit, swap off
  double cpus = 0;            // quota in cores (period 100 ms)
  uint32_t pids = 0;          // processes and threads
};

enum class CgroupVersion { kNone, kV1, kV2 };

struct CgroupStats {
  uint64_t peak_memory_bytes = 0;
  uint64_t cpu_usage_ns = 0;
  uint64_t oom_kills = 0;
  uint64_t pids_limit_hits = 0;
  uint64_t peak_pids = 0;
};

// A limit file write, as the v1 or v2 interface spells it: "<dir>/<file>" <- value.
struct LimitWrite {
  std::string dir;
  std::string file;
  std::string value;
  bool optional = false;  // skip if the file does not exist (memsw without swap accounting)
};

// Pure: the files and values that enforce `limits` in the given directories.
std::vector<LimitWrite> v2LimitWrites(const std::string& dir, const CgroupLimits& limits);
std::vector<LimitWrite> v1LimitWrites(const std::string& memory_dir, const std::string& pids_dir,
                                      const std::string& cpu_dir, const CgroupLimits& limits);
// Applies writes in order; a missing optional file is skipped.
Status applyLimitWrites(const std::vector<LimitWrite>& writes);

// Pure parsers of the stat files.
uint64_t keyedValue(std::string_view text, std::string_view key);  // "key N" lines; 0 if absent

struct CgroupRequest {
  const CgroupLayout& layout;
  std::string parent;  // cgroup path for every hierarchy ("/agentbox-ci"); empty = own cgroup
  std::string name;    // "agentbox-run-<id>"
  CgroupLimits limits;
};

class RunCgroups {
 public:
  // Picks the version and creates the directories; with no usable hierarchy for limits the
  // result has version() == kNone and whyNone() says why (the caller decides strict or not).
  static Result<RunCgroups> create(const CgroupRequest& request);
  RunCgroups(RunCgroups&&) = default;
  RunCgroups& operator=(RunCgroups&&) = default;
  RunCgroups(const RunCgroups&) = delete;
  RunCgroups& operator=(const RunCgroups&) = delete;
  ~RunCgroups();  // kills anything left and removes the directories

  CgroupVersion version() const { return version_; }
  const std::string& whyNone() const { return why_none_; }
  // An O_DIRECTORY fd of the v2 cgroup for CLONE_INTO_CGROUP, or -1.
  int cloneIntoFd() const { return v2_fd_.get(); }
  bool hasV2Kill() const { return v2_fd_.valid(); }
  // Called when CLONE_INTO_CGROUP was refused: forget the v2 cgroup (kill falls back).
  void dropV2(const std::string& why);
  // The `tasks` file of every v1 hierarchy, opened write-only (close-on-exec) for the child,
  // which moves itself by writing "0" to each before it does anything else. Moving the
  // calling thread needs none of the global threadgroup lock that a cgroup.procs write (or a
  // write of another pid) takes, whose RCU grace period costs 7-16 ms per run here; the
  // kernel checks the opener's credentials, so the child needs no right of its own.
  Result<std::vector<UniqueFd>> openJoinFiles() const;
  // Kills every process in the run's cgroups.
  void killAll();
  void sample();  // records peak pids between reads
  CgroupStats stats() const;
  std::vector<std::string> dirs() const;
  std::string describe() const;
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  RunCgroups() = default;
  void removeAll();

  CgroupVersion version_ = CgroupVersion::kNone;
  std::string why_none_;
  std::string v2_dir_;  // limits (kV2) and/or kill/events
  UniqueFd v2_fd_;
  std::map<std::string, std::string> v1_dirs_;  // controller -> directory
  CgroupLimits limits_;
  uint64_t peak_pids_ = 0;
  std::vector<std::string> notes_;
};

// Kills and removes cgroup directories a dead run left (paths from its run directory).
void removeStaleCgroups(const std::vector<std::string>& dirs);

}  // namespace agentbox::sandbox
