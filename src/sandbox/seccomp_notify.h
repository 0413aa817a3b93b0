// SPDX-License-Identifier: Apache-2.0
// File: seccomp_notify.h
// The supervisor's side of SECCOMP_RET_USER_NOTIF: `SeccompNotifier` owns the listener fd,
// turns each notification into a `SyscallViolation` for a `ViolationSink`, and answers
// EPERM (or, for on_violation = kill, leaves the caller frozen in the syscall and asks the
// supervisor to kill the sandbox).
//
// Use from the supervisor's event loop (single thread, never blocks):
//   AGENTBOX_ASSIGN_OR_RETURN(UniqueFd fd, receiveSeccompListener(sock));
//   AGENTBOX_ASSIGN_OR_RETURN(SeccompNotifier n, SeccompNotifier::create(std::move(fd), opts));
//   poll/epoll n.fd() for POLLIN (POLLHUP: every task using the filter is gone);
//   on POLLIN: AGENTBOX_TRY(n.handleReady(sink)); if (n.killRequested()) kill the sandbox;
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::sandbox {

enum class OnViolation : uint8_t {
  kDeny,  // answer EPERM; the run goes on (default)
  kKill,  // do not answer: the task stays stopped in the syscall until the supervisor kills
};

struct SyscallViolation {
  std::string syscall;  // "mount", or "syscall_<nr>"
  int nr = -1;
  uint32_t arch = 0;  // AUDIT_ARCH_*
  pid_t pid = 0;      // in the supervisor's pid namespace (0 if the kernel could not map it)
  std::array<uint64_t, 6> args{};
  uint64_t instruction_pointer = 0;
  std::string detail;  // describeSyscallArgs(): decoded integer arguments only
  std::chrono::system_clock::time_point time;
  bool answered_eperm = false;  // false under OnViolation::kKill
};

// Receives violations; called on the supervisor's thread from handleReady().
class ViolationSink {
 public:
  virtual ~ViolationSink() = default;
  virtual void onSyscallViolation(const SyscallViolation& violation) = 0;

 protected:
  ViolationSink() = default;
  ViolationSink(const ViolationSink&) = default;
  ViolationSink(ViolationSink&&) = default;
  ViolationSink& operator=(const ViolationSink&) = default;
  ViolationSink& operator=(ViolationSink&&) = default;
};

struct NotifierOptions {
  OnViolation on_violation = OnViolation::kDeny;
  // At most this many notifications per handleReady(), so a flood cannot starve the rest of
  // the event loop; the fd stays readable and the loop comes back.
  size_t max_per_call = 64;
  // Violations passed to the sink in total; later ones are still answered, only counted
  // (suppressed()), so a loop of denied calls cannot grow the run record without bound.
  size_t max_reported = 1000;
};

// Receives the listener fd that installSeccompAndSendListener() sent over `sock_fd`.
Result<UniqueFd> receiveSeccompListener(int sock_fd);

class SeccompNotifier {
 public:
  // Takes ownership of the listener and makes it non-blocking. Errors: kIo if the kernel
  // will not report notification sizes (no user-notification support).
  static Result<SeccompNotifier> create(UniqueFd listener, NotifierOptions options = {});

  SeccompNotifier(SeccompNotifier&&) noexcept = default;
  SeccompNotifier& operator=(SeccompNotifier&&) noexcept = default;
  SeccompNotifier(const SeccompNotifier&) = delete;
  SeccompNotifier& operator=(const SeccompNotifier&) = delete;
  ~SeccompNotifier();

  int fd() const { return listener_.get(); }

  // Handles the notifications that are ready now, up to options.max_per_call, and returns
  // without waiting for more: each receive is preceded by a zero-timeout poll(). A
  // notification whose task died meanwhile (ENOENT) is skipped. Errors: kIo on an
  // unexpected ioctl failure (the caller should treat the sandbox as compromised and kill).
  Status handleReady(ViolationSink& sink);

  // True once a violation arrived under OnViolation::kKill.
  bool killRequested() const { return kill_requested_; }
  uint64_t total() const { return total_; }            // violations seen
  uint64_t suppressed() const { return suppressed_; }  // seen but not passed to the sink

 private:
  SeccompNotifier(UniqueFd listener, NotifierOptions options, size_t notif_size, size_t resp_size);
  Result<bool> handleOne(ViolationSink& sink);  // false: nothing was ready

  UniqueFd listener_;
  NotifierOptions options_;
  // Kernel-sized buffers (SECCOMP_GET_NOTIF_SIZES), at least the UAPI struct sizes.
  std::unique_ptr<unsigned char[]> notif_buf_;
  std::unique_ptr<unsigned char[]> resp_buf_;
  size_t notif_size_ = 0;
  size_t resp_size_ = 0;
  bool kill_requested_ = false;
  uint64_t total_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace agentbox::sandbox
