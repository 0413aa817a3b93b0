// SPDX-License-Identifier: Apache-2.0
// File: seccomp_test_child.h
// Test harness: run a body in a forked child, optionally under a compiled seccomp filter
// whose listener is served by a real SeccompNotifier in the parent (the test process).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/seccomp_compile.h"
#include "sandbox/seccomp_notify.h"
#include "util/sys_harden.h"

namespace agentbox::sandbox::testing {

class RecordingSink : public ViolationSink {
 public:
  void onSyscallViolation(const SyscallViolation& v) override { violations.push_back(v); }
  bool has(const std::string& name) const {
    for (const auto& v : violations) {
      if (v.syscall == name) {
        return true;
      }
    }
    return false;
  }
  std::vector<SyscallViolation> violations;
};

struct ChildResult {
  int status = -1;     // waitpid status
  std::string output;  // what the child wrote to its out fd (also its stdout/stderr)
  RecordingSink sink;
  uint64_t total = 0;
  uint64_t suppressed = 0;
  bool kill_requested = false;
  double max_handle_ms = 0;  // longest single handleReady() call
  bool exited(int code) const { return WIFEXITED(status) && WEXITSTATUS(status) == code; }
};

// Writes printf-style text to fd (child side; avoids stdio buffering across fork).
inline void childPrintf(int fd, const char* fmt_str, ...) __attribute__((format(printf, 2, 3)));
inline void childPrintf(int fd, const char* fmt_str, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt_str);
  const int n = vsnprintf(buf, sizeof(buf), fmt_str, ap);
  va_end(ap);
  if (n > 0) {
    (void)!write(fd, buf, static_cast<size_t>(n) < sizeof(buf) ? n : sizeof(buf) - 1);
  }
}

// Forks; the child runs `setup` (may be empty) then `body(out_fd)` and _exits with its
// return value. If `program` is given, the child sets no_new_privs and installs it after
// `setup` with its listener sent to the parent, which serves it until the child exits.
inline ChildResult runChild(const std::function<int(int)>& body,
                            const SeccompProgram* program = nullptr, NotifierOptions options = {},
                            const std::function<int()>& setup = {}, int timeout_ms = 60000) {
  ChildResult r;
  int out[2];
  int sock[2];
  if (pipe2(out, O_CLOEXEC) != 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) != 0) {
    return r;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    close(out[0]);
    close(sock[0]);
    dup2(out[1], 1);
    dup2(out[1], 2);
    if (setup && setup() != 0) {
      _exit(90);
    }
    if (program != nullptr) {
      if (sys_harden::setNoNewPrivs() != 0) {
        _exit(91);
      }
      if (int err = installSeccompAndSendListener(*program, sock[1]); err != 0) {
        childPrintf(1, "install failed errno=%d\n", err);
        _exit(92);
      }
    }
    close(sock[1]);
    _exit(body(1));
  }
  close(out[1]);
  close(sock[1]);
  std::optional<SeccompNotifier> notifier;
  if (program != nullptr && program->usesNotify()) {
    auto fd = receiveSeccompListener(sock[0]);
    if (fd) {
      auto n = SeccompNotifier::create(std::move(*fd), options);
      if (n) {
        notifier.emplace(std::move(*n));
      }
    }
  }
  close(sock[0]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool out_open = true;
  bool killed = false;
  for (;;) {
    pollfd fds[2] = {{out_open ? out[0] : -1, POLLIN, 0},
                     {notifier ? notifier->fd() : -1, POLLIN, 0}};
    poll(fds, 2, 20);
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP)) != 0) {
      char buf[4096];
      const ssize_t n = read(out[0], buf, sizeof(buf));
      if (n <= 0) {
        out_open = false;
      } else {
        r.output.append(buf, static_cast<size_t>(n));
      }
    }
    if (notifier && (fds[1].revents & POLLIN) != 0) {
      const auto t0 = std::chrono::steady_clock::now();
      (void)notifier->handleReady(r.sink);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      r.max_handle_ms = std::max(r.max_handle_ms, ms);
      if (notifier->killRequested() && !killed) {
        kill(pid, SIGKILL);
        killed = true;
      }
    }
    int status = 0;
    if (!out_open && waitpid(pid, &status, WNOHANG) == pid) {
      r.status = status;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &r.status, 0);
      r.output += "\n[harness: timeout]\n";
      break;
    }
  }
  close(out[0]);
  if (notifier) {
    r.total = notifier->total();
    r.suppressed = notifier->suppressed();
    r.kill_requested = notifier->killRequested();
  }
  return r;
}

}  // namespace agentbox::sandbox::testing
