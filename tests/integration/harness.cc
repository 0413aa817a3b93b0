// SPDX-License-Identifier: Apache-2.0
// File: harness.cc
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;  // NOLINT

namespace agentbox::testing {

namespace {

std::string envOrDie(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
  if (v == nullptr || *v == '\0') {
    throw std::runtime_error(std::string(name) + " is not set (run through ctest)");
  }
  return v;
}

std::vector<std::string> buildEnv(const std::map<std::string, std::string>& add,
                                  const std::vector<std::string>& unset) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) {
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  for (const auto& name : unset) {
    env.erase(name);
  }
  for (const auto& [k, v] : add) {
    env[k] = v;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) {
    out.push_back(k + "=" + v);
  }
  return out;
}

std::vector<char*> cstrs(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string agentboxBin() {
  return envOrDie("AGENTBOX_BIN");
}
std::string probeBin() {
  return envOrDie("AGENTBOX_PROBE");
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  ::chmod(tmpl.c_str(), 0755);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  // Make everything writable first: the sandbox may have left read-only files.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    ::chmod(it->path().c_str(), 0755);
  }
  std::filesystem::remove_all(path_, ec);
}

Captured runProcess(const std::string& binary, const SpawnOptions& o) {
  int in[2];
  int out[2];
  int err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2");
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), o.args.begin(), o.args.end());
  std::vector<std::string> env_s = buildEnv(o.env, o.unset_env);
  std::vector<char*> argv = cstrs(argv_s);
  std::vector<char*> envp = cstrs(env_s);
  if (o.inherit_fd >= 0) {
    ::fcntl(o.inherit_fd, F_SETFD, 0);  // the canary must reach agentbox
  }
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    throw std::runtime_error("posix_spawn " + binary + ": " + std::strerror(rc));
  }
  // Feed stdin in full, then close (tests use small inputs). A command may exit without
  // reading it (agentbox refusing a bad policy does): EPIPE then, not a SIGPIPE that kills
  // the test binary. SIGPIPE is blocked only here, after the spawn, so no child inherits it.
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t before;
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, &before);
  size_t off = 0;
  while (off < o.stdin_data.size()) {
    ssize_t n = ::write(in[1], o.stdin_data.data() + off, o.stdin_data.size() - off);
    if (n <= 0) {
      if (n < 0 && errno == EPIPE) {
        const struct timespec no_wait = {0, 0};
        ::sigtimedwait(&pipe_only, nullptr, &no_wait);  // drop the pending SIGPIPE
      }
      break;
    }
    off += static_cast<size_t>(n);
  }
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  ::close(in[1]);
  Captured c;
  auto ms = [&] {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count());
  };
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  bool killed = false;
  while (open_fds > 0) {
    int r = ::poll(fds, 2, 100);
    if (!killed && ms() > o.kill_after.count()) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    if (r <= 0) {
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::string chunk(buf, static_cast<size_t>(n));
      if (i == 0) {
        c.out += chunk;
        c.out_chunks.emplace_back(ms(), chunk);
      } else {
        c.err += chunk;
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  c.ended_ms = ms();
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return c;
}

pid_t startProcess(const std::string& binary, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s = buildEnv(env, {});
  std::vector<char*> argv = cstrs(argv_s);
  std::vector<char*> envp = cstrs(env_s);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    throw std::runtime_error("posix_spawn failed");
  }
  return pid;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, const std::string& content, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  ::chmod(path.c_str(), mode);
}

namespace {

template <class Match>
bool anyProcess(Match match) {
  DIR* d = ::opendir("/proc");
  if (d == nullptr) {
    return false;
  }
  bool found = false;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') {
      continue;
    }
    std::string cmdline = readFile(std::string("/proc/") + e->d_name + "/cmdline");
    for (char& ch : cmdline) {
      ch = ch == '\0' ? ' ' : ch;
    }
    while (!cmdline.empty() && cmdline.back() == ' ') {
      cmdline.pop_back();
    }
    if (match(cmdline)) {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

}  // namespace

std::string sleepArg(const std::string& seconds) {
  return "sleep " + seconds + "." + std::to_string(::getpid() % 100000);
}

bool processWithCmdline(const std::string& exact) {
  return anyProcess([&](const std::string& c) { return c == exact; });
}

bool processWithArgExists(const std::string& needle) {
  return anyProcess([&](const std::string& c) { return c.find(needle) != std::string::npos; });
}

}  // namespace agentbox::testing
