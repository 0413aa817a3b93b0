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

Result<RunDir> RunDir::create(const std::string& state_dir) {
  std::string runs = state_dir + "/runs";
  AGENTBOX_TRY(sys::mkdirs(runs + "/.active", 0700));
  std::string id = compactUtc(std::chrono::system_clock::now()) + "-" + randomHex(4);
  std::string path = runs + "/" + id;
  AGENTBOX_TRY(sys::mkdir(path, 0700));
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd lock, sys::open(path + "/lock", O_RDWR | O_CREAT, 0600));
  AGENTBOX_ASSIGN_OR_RETURN(bool locked, sys::tryLock(lock));
  if (!locked) {
    return makeError(Errc::kInternal, "run directory {} is locked by another process", path);
  }
  std::string active = runs + "/.active/" + id;
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd marker, sys::open(active, O_WRONLY | O_CREAT, 0600));
  return RunDir(id, path, active, std::move(lock));
}

RunDir::~RunDir() {
  if (!active_.empty()) {
    ::unlink(active_.c_str());
  }
}

Status RunDir::recordInitPid(pid_t pid) {
  return sys::writeFileAtomic(path_ + "/init.pid",
                              fmt::format("{} {}\n", pid, processStartTime(pid)), 0600);
}

Status RunDir::recordCgroups(const std::vector<std::string>& dirs) {
  std::string text;
  for (const std::string& d : dirs) {
    text += d + "\n";
  }
  return sys::writeFileAtomic(path_ + "/cgroups", text, 0600);
}

std::vector<std::string> reapStaleRuns(const std::string& state_dir) {
  std::vector<std::string> cleaned;
  std::string runs = state_dir + "/runs";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(runs + "/.active", ec)) {
    std::string id = entry.path().filename().string();
    std::string dir = runs + "/" + id;
    Result<UniqueFd> lock = sys::open(dir + "/lock", O_RDWR);
    if (lock.has_value()) {
      Result<bool> free = sys::tryLock(*lock);
      if (!free.has_value() || !*free) {
        continue;  // a live agentbox owns this run
      }
    }
    std::string what = fmt::format("run {}: its agentbox died", id);
    Result<std::string> pidline = sys::readFile(dir + "/init.pid");
    if (pidline.has_value()) {
      pid_t pid = 0;
      uint64_t start = 0;
      if (std::sscanf(pidline->c_str(), "%d %lu", &pid, &start) == 2 && pid > 0 &&  // NOLINT
          start != 0 && processStartTime(pid) == start) {
        ::kill(pid, SIGKILL);  // pid 1 of the sandbox: the whole pid namespace goes with it
        what += fmt::format("; killed its sandbox (pid {})", pid);
      }
    }
    Result<std::string> cgroups = sys::readFile(dir + "/cgroups");
    if (cgroups.has_value() && !cgroups->empty()) {
      std::vector<std::string> dirs;
      std::istringstream lines(*cgroups);
      for (std::string line; std::getline(lines, line);) {
        dirs.push_back(line);
      }
      sandbox::removeStaleCgroups(dirs);
      what += fmt::format("; removed its {} cgroup director{}", dirs.size(),
                          dirs.size() == 1 ? "y" : "ies");
    }
    ::unlink(entry.path().c_str());
    cleaned.push_back(what);
  }
  return cleaned;
}

}  // namespace agentbox::app
