// SPDX-License-Identifier: Apache-2.0
// File: cgroups.cc
#include "sandbox/cgroups.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <thread>

#include "util/sys.h"

namespace agentbox::sandbox {

namespace {

constexpr uint64_t kCpuPeriodUs = 100000;
const char* const kV1Needed[] = {"memory", "pids", "cpu", "cpuacct"};

std::string readTrim(const std::string& path) {
  std::string s = sys::readFile(path, 1 << 20).value_or(std::string());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

uint64_t readU64(const std::string& path) {
  std::string s = readTrim(path);
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool writable(const std::string& dir) {
  return ::access(dir.c_str(), W_OK | X_OK) == 0;
}

bool exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

std::string parentDir(const CgroupHierarchy& h, const std::string& parent) {
  std::string p = parent.empty() ? h.self : parent;
  return p == "/" ? h.mount : h.mount + p;
}

bool hasControllers(const std::string& dir, std::initializer_list<const char*> names) {
  std::string have = " " + readTrim(dir + "/cgroup.controllers") + " ";
  for (const char* n : names) {
    if (have.find(std::string(" ") + n + " ") == std::string::npos) {
      return false;
    }
  }
  return true;
}

Status makeDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error::sys(errno, fmt::format("mkdir({})", dir));
  }
  return ok();
}

// Waits until rmdir succeeds (processes take a moment to leave after SIGKILL).
void removeDir(const std::string& dir) {
  for (int i = 0; i < 200; ++i) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void killV1Freezer(const std::string& freezer_dir, const std::vector<std::string>& dirs) {
  // Freeze first so that nothing forks between reading the task list and the kill.
  bool frozen = !freezer_dir.empty() &&
                sys::writeFileOnce(freezer_dir + "/freezer.state", "FROZEN").has_value();
  for (const std::string& dir : dirs) {
    std::string procs = sys::readFile(dir + "/cgroup.procs").value_or(std::string());
    size_t pos = 0;
    while (pos < procs.size()) {
      size_t end = procs.find('\n', pos);
      end = end == std::string::npos ? procs.size() : end;
      int pid = 0;
      std::from_chars(procs.data() + pos, procs.data() + end, pid);
      if (pid > 0) {
        ::kill(pid, SIGKILL);
      }
      pos = end + 1;
    }
  }
  if (frozen) {
    Status ignored = sys::writeFileOnce(freezer_dir + "/freezer.state", "THAWED");
    (void)ignored;
  }
}

}  // namespace

uint64_t keyedValue(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      std::string_view num = line.substr(key.size() + 1);
      uint64_t v = 0;
      std::from_chars(num.data(), num.data() + num.size(), v);
      return v;
    }
    if (end == std::string_view::npos) {
      break;
    }
    pos = end + 1;
  }
  return 0;
}

std::vector<LimitWrite> v2LimitWrites(const std::string& dir, const CgroupLimits& l) {
  auto quota = static_cast<uint64_t>(std::llround(l.cpus * static_cast<double>(kCpuPeriodUs)));
  return {
      {dir, "memory.max", std::to_string(l.memory_bytes)},
      {dir, "memory.swap.max", "0", /*optional=*/true},
      {dir, "pids.max", std::to_string(l.pids)},
      {dir, "cpu.max", fmt::format("{} {}", std::max<uint64_t>(quota, 1000), kCpuPeriodUs)},
  };
}

std::vector<LimitWrite> v1LimitWrites(const std::string& memory_dir, const std::string& pids_dir,
                                      const std::string& cpu_dir, const CgroupLimits& l) {
  auto quota = static_cast<uint64_t>(std::llround(l.cpus * static_cast<double>(kCpuPeriodUs)));
  return {
      {memory_dir, "memory.limit_in_bytes", std::to_string(l.memory_bytes)},
      // memsw = mem: no swap on top of the limit (absent without swap accounting).
      {memory_dir, "memory.memsw.limit_in_bytes", std::to_string(l.memory_bytes), true},
      {pids_dir, "pids.max", std::to_string(l.pids)},
      {cpu_dir, "cpu.cfs_period_us", std::to_string(kCpuPeriodUs)},
      {cpu_dir, "cpu.cfs_quota_us", std::to_string(std::max<uint64_t>(quota, 1000))},
  };
}

Status applyLimitWrites(const std::vector<LimitWrite>& writes) {
  for (const LimitWrite& w : writes) {
    std::string path = w.dir + "/" + w.file;
    if (w.optional && !exists(path)) {
      continue;
    }
    AGENTBOX_TRY(sys::writeFileOnce(path, w.value).context("cgroup limit {}={}", path, w.value));
  }
  return ok();
}

Result<RunCgroups> RunCgroups::create(const CgroupRequest& req) {
  RunCgroups cg;
  cg.limits_ = req.limits;
  const CgroupLayout& layout = req.layout;
  std::string why_v2 = "no cgroup2 mount";
  // v2: limits when the parent offers memory, pids and cpu; kill/events whenever writable.
  if (layout.v2.has_value()) {
    std::string parent = parentDir(*layout.v2, req.parent);
    if (!writable(parent)) {
      why_v2 = fmt::format("cgroup2 parent {} is not writable by this user", parent);
    } else {
      cg.v2_dir_ = parent + "/" + req.name;
      AGENTBOX_TRY(makeDir(cg.v2_dir_));
      AGENTBOX_ASSIGN_OR_RETURN(cg.v2_fd_, sys::open(cg.v2_dir_, O_RDONLY | O_DIRECTORY));
      if (hasControllers(parent, {"memory", "pids", "cpu"})) {
        std::string enable = parent + "/cgroup.subtree_control";
        Status s = sys::writeFileOnce(enable, "+memory +pids +cpu");
        if (s.has_value() && hasControllers(cg.v2_dir_, {"memory", "pids", "cpu"})) {
          AGENTBOX_TRY(applyLimitWrites(v2LimitWrites(cg.v2_dir_, req.limits)));
          cg.version_ = CgroupVersion::kV2;
          return cg;
        }
        why_v2 = fmt::format("cannot enable controllers in {}: {}", enable,
                             s.has_value() ? "not delegated" : s.error().oneLine());
      } else {
        why_v2 = fmt::format("cgroup2 parent {} does not delegate memory, pids and cpu", parent);
      }
    }
  }
  // v1: every needed hierarchy writable (root, or a subtree delegated to this user).
  std::string why_v1;
  for (const char* c : kV1Needed) {
    auto it = layout.v1.find(c);
    if (it == layout.v1.end()) {
      why_v1 = fmt::format("no v1 {} hierarchy", c);
      break;
    }
    std::string parent = parentDir(it->second, req.parent);
    if (!writable(parent)) {
      why_v1 = fmt::format("v1 {} parent {} is not writable by this user", c, parent);
      break;
    }
  }
  if (why_v1.empty()) {
    // The v1 freezer only makes the kill atomic; cgroup.kill of the controller-less cgroup2
    // (which the child is cloned into) already is, and a freeze and thaw cost every run two
    // kernel text patches (the freezer's static key) with their cross-CPU interrupts.
    const bool v2_kill = cg.v2_fd_.valid() && exists(cg.v2_dir_ + "/cgroup.kill");
    for (const char* c : {"memory", "pids", "cpu", "cpuacct", "freezer"}) {
      auto it = layout.v1.find(c);
      if (it == layout.v1.end() || (v2_kill && std::string_view(c) == "freezer")) {
        continue;  // freezer is optional (kill falls back to SIGKILL of the task list)
      }
      std::string dir = parentDir(it->second, req.parent) + "/" + req.name;
      // Hierarchies mounted together (cpu,cpuacct) share one directory.
      bool shared = false;
      for (const auto& [name, d] : cg.v1_dirs_) {
        shared = shared || d == dir;
      }
      if (!shared) {
        AGENTBOX_TRY(makeDir(dir));
      }
      cg.v1_dirs_[c] = dir;
    }
    AGENTBOX_TRY(applyLimitWrites(
        v1LimitWrites(cg.v1_dirs_["memory"], cg.v1_dirs_["pids"], cg.v1_dirs_["cpu"], req.limits)));
    cg.version_ = CgroupVersion::kV1;
    return cg;
  }
  cg.why_none_ = fmt::format("{}; {}", why_v2, why_v1);
  return cg;
}

RunCgroups::~RunCgroups() {
  if (v2_dir_.empty() && v1_dirs_.empty()) {
    return;
  }
  // After a normal end the run's pid 1 is gone and with it every process of the sandbox: the
  // directories are empty and rmdir succeeds at once. A cgroup that still holds a task
  // refuses rmdir (EBUSY) and is emptied (killAll) before it is removed. Nothing can join
  // an empty run cgroup (only the supervisor writes its task files), so the first check
  // cannot be raced.
  bool busy = false;
  for (const std::string& dir : dirs()) {
    busy = busy || (::rmdir(dir.c_str()) != 0 && errno != ENOENT);
  }
  if (busy) {
    killAll();
    removeAll();
  }
}

void RunCgroups::dropV2(const std::string& why) {
  notes_.push_back("cgroup2 kill/events unavailable: " + why);
  v2_fd_.reset();
  removeDir(v2_dir_);
  v2_dir_.clear();
}

Result<std::vector<UniqueFd>> RunCgroups::openJoinFiles() const {
  std::vector<UniqueFd> fds;
  std::vector<std::string> done;
  for (const auto& [c, dir] : v1_dirs_) {
    if (std::find(done.begin(), done.end(), dir) != done.end()) {
      continue;  // hierarchies mounted together (cpu,cpuacct) share one directory
    }
    const std::string file = dir + "/tasks";
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid()) {
      return Error::sys(errno, fmt::format("open({})", file))
          .addContext(fmt::format("cannot join the run's v1 {} cgroup", c))
          .withHint("check that the cgroup subtree is writable by this user");
    }
    fds.push_back(std::move(fd));
    done.push_back(dir);
  }
  return fds;
}

void RunCgroups::killAll() {
  if (!v2_dir_.empty() && exists(v2_dir_ + "/cgroup.kill")) {
    Status ignored = sys::writeFileOnce(v2_dir_ + "/cgroup.kill", "1");
    (void)ignored;
  }
  if (!v1_dirs_.empty()) {
    std::vector<std::string> dirs;
    for (const auto& [c, dir] : v1_dirs_) {
      dirs.push_back(dir);
    }
    auto f = v1_dirs_.find("freezer");
    killV1Freezer(f == v1_dirs_.end() ? "" : f->second, dirs);
  }
}

void RunCgroups::sample() {
  uint64_t now = 0;
  if (version_ == CgroupVersion::kV2) {
    now = readU64(v2_dir_ + "/pids.current");
  } else if (version_ == CgroupVersion::kV1) {
    now = readU64(v1_dirs_["pids"] + "/pids.current");
  }
  peak_pids_ = std::max(peak_pids_, now);
}

CgroupStats RunCgroups::stats() const {
  CgroupStats s;
  s.peak_pids = peak_pids_;
  if (version_ == CgroupVersion::kV2) {
    s.peak_memory_bytes = readU64(v2_dir_ + "/memory.peak");
    s.oom_kills = keyedValue(sys::readFile(v2_dir_ + "/memory.events").value_or(""), "oom_kill");
    s.pids_limit_hits = keyedValue(sys::readFile(v2_dir_ + "/pids.events").value_or(""), "max");
    s.cpu_usage_ns =
        keyedValue(sys::readFile(v2_dir_ + "/cpu.stat").value_or(""), "usage_usec") * 1000;
    if (exists(v2_dir_ + "/pids.peak")) {
      s.peak_pids = std::max(s.peak_pids, readU64(v2_dir_ + "/pids.peak"));
    }
  } else if (version_ == CgroupVersion::kV1) {
    const std::string& mem = v1_dirs_.at("memory");
    s.peak_memory_bytes = readU64(mem + "/memory.max_usage_in_bytes");
    s.oom_kills = keyedValue(sys::readFile(mem + "/memory.oom_control").value_or(""), "oom_kill");
    s.pids_limit_hits =
        keyedValue(sys::readFile(v1_dirs_.at("pids") + "/pids.events").value_or(""), "max");
    s.cpu_usage_ns = readU64(v1_dirs_.at("cpuacct") + "/cpuacct.usage");
  }
  return s;
}

std::vector<std::string> RunCgroups::dirs() const {
  std::vector<std::string> out;
  if (!v2_dir_.empty()) {
    out.push_back(v2_dir_);
  }
  for (const auto& [c, dir] : v1_dirs_) {
    if (std::find(out.begin(), out.end(), dir) == out.end()) {
      out.push_back(dir);
    }
  }
  return out;
}

std::string RunCgroups::describe() const {
  switch (version_) {
    case CgroupVersion::kV2:
      return fmt::format("v2 {}", v2_dir_);
    case CgroupVersion::kV1:
      return fmt::format("v1 {}{}", v1_dirs_.at("memory"),
                         v2_dir_.empty() ? "" : fmt::format(" + cgroup2 {} for kill", v2_dir_));
    case CgroupVersion::kNone:
      return "none";
  }
  return "none";
}

void RunCgroups::removeAll() {
  for (const std::string& dir : dirs()) {
    removeDir(dir);
  }
  v1_dirs_.clear();
  v2_dir_.clear();
}

void removeStaleCgroups(const std::vector<std::string>& dirs) {
  for (const std::string& dir : dirs) {
    // Only directories agentbox made: the name is checked, not just the path list.
    if (dir.find("/agentbox-run-") == std::string::npos || !exists(dir)) {
      continue;
    }
    if (exists(dir + "/cgroup.kill")) {
      Status ignored = sys::writeFileOnce(dir + "/cgroup.kill", "1");
      (void)ignored;
    } else {
      killV1Freezer(exists(dir + "/freezer.state") ? dir : "", {dir});
    }
    removeDir(dir);
  }
}

}  // namespace agentbox::sandbox
