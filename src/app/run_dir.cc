// SPDX-License-Identifier: Apache-2.0
// File: run_dir.cc
#include "app/run_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <sstream>

#include "sandbox/cgroups.h"
#include "util/sys.h"
#include "util/time.h"

namespace agentbox::app {

namespace {

std::string randomHex(size_t bytes) {
  std::string out;
  for (char c : sys::randomBytes(bytes).value_or(std::string())) {
    out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  }
  return out;
}

}  // namespace

uint64_t processStartTime(pid_t pid) {
  Result<std::string> stat = sys::readFile(fmt::format("/proc/{}/stat", pid));
  if (!stat.has_value()) {
    return 0;
  }
  // The command name (field 2) may hold spaces and parens: count fields after the last ')'.
  size_t pos = stat->rfind(')');
  if (pos == std::string::npos) {
    return 0;
  }
  std::string_view rest = std::string_view(*stat).substr(pos + 2);
  for (int field = 3; field < 22; ++field) {
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) {
      return 0;
    }
    rest.remove_prefix(sp + 1);
  }
  uint64_t start = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), start);
  return start;
}

std::string RunDir::newId() {
  return compactUtc(std::chrono::system_clock::now()) + "-" + randomHex(4);
}

Result<RunDir> RunDir::create(const std::string& state_dir, std::string id) {
  std::string runs = state_dir + "/runs";
  AGENTBOX_TRY(sys::mkdirs(runs + "/.active", 0700));
  std::string path = runs + "/" + id;
  AGENTBOX_TRY(sys::mkdir(path, 0700));
  std::string lock_path = path + "/lock";
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd lock, sys::open(lock_path, O_RDWR | O_CREAT | O_EXCL, 0600));
  AGENTBOX_ASSIGN_OR_RETURN(bool locked, sys::tryLock(lock));
  if (!locked) {
    return makeError(Errc::kInternal, "run directory {} is locked by another process", path);
  }
  // Marked active only once locked: a concurrent start never sees a free lock of a live run.
  std::string active = runs + "/.active/" + id;
  if (::link(lock_path.c_str(), active.c_str()) != 0) {
    return Error::sys(errno, fmt::format("link({}, {})", lock_path, active))
        .addContext("cannot mark the run active");
  }
  return RunDir(id, path, active, std::move(lock));
}

RunDir::~RunDir() {
  if (!active_.empty()) {
    ::unlink(active_.c_str());
  }
}

Status RunDir::recordCleanup(pid_t init_pid, const std::vector<std::string>& cgroup_dirs) {
  std::string text = fmt::format("pid {} {}\n", init_pid, processStartTime(init_pid));
  for (const std::string& d : cgroup_dirs) {
    text += "cgroup " + d + "\n";
  }
  ssize_t n = ::pwrite(lock_.get(), text.data(), text.size(), 0);
  if (n != static_cast<ssize_t>(text.size())) {
    return Error::sys(n < 0 ? errno : EIO, fmt::format("write {}/lock", path_));
  }
  return ok();
}

namespace {

struct CleanupRecord {
  pid_t pid = 0;
  uint64_t start = 0;
  std::vector<std::string> cgroups;
};

// `pid P START` and `cgroup DIR` lines (this version's lock file).
CleanupRecord parseCleanupRecord(const std::string& text) {
  CleanupRecord r;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("pid ", 0) == 0) {
      if (std::sscanf(line.c_str() + 4, "%d %lu", &r.pid, &r.start) != 2) {  // NOLINT
        r.pid = 0;
        r.start = 0;
      }
    } else if (line.rfind("cgroup ", 0) == 0) {
      r.cgroups.push_back(line.substr(7));
    }
  }
  return r;
}

// An earlier version's run: `init.pid` ("P START") and `cgroups` (a directory per line), read
// as the lines of this version's record.
CleanupRecord readLegacyRecord(const std::string& dir) {
  std::string text = "pid " + sys::readFile(dir + "/init.pid").value_or(std::string()) + "\n";
  std::istringstream lines(sys::readFile(dir + "/cgroups").value_or(std::string()));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) {
      text += "cgroup " + line + "\n";
    }
  }
  return parseCleanupRecord(text);
}

// The record of the run behind `marker`, or nothing while a live agentbox owns the run.
// This version's marker is the lock itself; an earlier version's is an empty file beside
// runs/<id>/lock. Either way a held lock means a live owner.
std::optional<CleanupRecord> recordOfDeadRun(const std::string& marker, const std::string& dir) {
  Result<UniqueFd> fd = sys::open(marker, O_RDWR);
  if (fd.has_value()) {
    Result<bool> free = sys::tryLock(*fd);
    if (!free.has_value() || !*free) {
      return std::nullopt;
    }
  }
  std::string content = sys::readFile(marker).value_or(std::string());
  if (!content.empty()) {
    return parseCleanupRecord(content);
  }
  Result<UniqueFd> lock = sys::open(dir + "/lock", O_RDWR);
  if (lock.has_value()) {
    Result<bool> free = sys::tryLock(*lock);
    if (!free.has_value() || !*free) {
      return std::nullopt;  // a live agentbox of an earlier version owns this run
    }
  }
  return readLegacyRecord(dir);
}

}  // namespace

std::vector<std::string> reapStaleRuns(const std::string& state_dir) {
  std::vector<std::string> cleaned;
  std::string runs = state_dir + "/runs";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(runs + "/.active", ec)) {
    std::string id = entry.path().filename().string();
    std::string dir = fmt::format("{}/{}", runs, id);
    std::optional<CleanupRecord> rec = recordOfDeadRun(entry.path().string(), dir);
    if (!rec.has_value()) {
      continue;
    }
    std::string what = fmt::format("run {}: its agentbox died", id);
    if (rec->pid > 0 && rec->start != 0 && processStartTime(rec->pid) == rec->start) {
      ::kill(rec->pid, SIGKILL);  // pid 1 of the sandbox: the whole pid namespace goes with it
      what += fmt::format("; killed its sandbox (pid {})", rec->pid);
    }
    if (!rec->cgroups.empty()) {
      sandbox::removeStaleCgroups(rec->cgroups);
      what += fmt::format("; removed its {} cgroup director{}", rec->cgroups.size(),
                          rec->cgroups.size() == 1 ? "y" : "ies");
    }
    ::unlink(entry.path().c_str());
    cleaned.push_back(what);
  }
  return cleaned;
}

}  // namespace agentbox::app
