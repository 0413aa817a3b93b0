// SPDX-License-Identifier: Apache-2.0
// File: seccomp_notify.cc
// Non-blocking handling of seccomp user notifications.
#include "sandbox/seccomp_notify.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sandbox/seccomp_names.h"
#include "util/sys_harden.h"

namespace agentbox::sandbox {

Result<UniqueFd> receiveSeccompListener(int sock_fd) {
  int fd = -1;
  if (int err = sys_harden::recvFd(sock_fd, &fd); err != 0) {
    return Error::sys(err, "recvmsg(seccomp listener)");
  }
  return UniqueFd(fd);
}

Result<SeccompNotifier> SeccompNotifier::create(UniqueFd listener, NotifierOptions options) {
  seccomp_notif_sizes sizes{};
  if (int err = sys_harden::seccompNotifSizes(&sizes); err != 0) {
    return Error::sys(err, "seccomp(SECCOMP_GET_NOTIF_SIZES)");
  }
  const int flags = ::fcntl(listener.get(), F_GETFL);
  if (flags < 0 || ::fcntl(listener.get(), F_SETFL, flags | O_NONBLOCK) < 0) {
    return Error::sys(errno, "fcntl(seccomp listener, O_NONBLOCK)");
  }
  // The kernel may know larger structs than these headers; it writes/reads its own size.
  const size_t notif_size = std::max<size_t>(sizes.seccomp_notif, sizeof(seccomp_notif));
  const size_t resp_size = std::max<size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp));
  return SeccompNotifier(std::move(listener), options, notif_size, resp_size);
}

SeccompNotifier::SeccompNotifier(UniqueFd listener, NotifierOptions options, size_t notif_size,
                                 size_t resp_size)
    : listener_(std::move(listener)),
      options_(options),
      notif_buf_(new unsigned char[notif_size]),
      resp_buf_(new unsigned char[resp_size]),
      notif_size_(notif_size),
      resp_size_(resp_size) {}

SeccompNotifier::~SeccompNotifier() = default;

Status SeccompNotifier::handleReady(ViolationSink& sink) {
  for (size_t i = 0; i < options_.max_per_call; ++i) {
    AGENTBOX_ASSIGN_OR_RETURN(bool handled, handleOne(sink));
    if (!handled) {
      break;
    }
  }
  return ok();
}

Result<bool> SeccompNotifier::handleOne(ViolationSink& sink) {
  // SECCOMP_IOCTL_NOTIF_RECV ignores O_NONBLOCK and sleeps until a notification exists, so
  // ask poll() first. With a single reader, POLLIN means the receive cannot block: the
  // kernel's pending count only ever over-counts (a task killed while waiting leaves it
  // raised, and the receive then fails with ENOENT instead of sleeping).
  pollfd pfd{listener_.get(), POLLIN, 0};
  int prc = 0;
  do {
    prc = ::poll(&pfd, 1, 0);
  } while (prc < 0 && errno == EINTR);
  if (prc < 0) {
    return Error::sys(errno, "poll(seccomp listener)");
  }
  if (prc == 0 || (pfd.revents & POLLIN) == 0) {
    return false;
  }
  std::memset(notif_buf_.get(), 0, notif_size_);  // the kernel requires a zeroed buffer
  if (int err = sys_harden::seccompNotifRecv(listener_.get(), notif_buf_.get()); err != 0) {
    if (err == ENOENT) {
      return true;  // the task died before we got to it
    }
    return Error::sys(err, "ioctl(SECCOMP_IOCTL_NOTIF_RECV)");
  }
  seccomp_notif req{};
  std::memcpy(&req, notif_buf_.get(), sizeof(req));

  SyscallViolation v;
  v.nr = req.data.nr;
  v.arch = req.data.arch;
  v.pid = static_cast<pid_t>(req.pid);
  v.instruction_pointer = req.data.instruction_pointer;
  std::copy(std::begin(req.data.args), std::end(req.data.args), v.args.begin());
  v.syscall = syscallName(v.arch, v.nr);
  v.detail = describeSyscallArgs(v.syscall, v.args);
  v.time = std::chrono::system_clock::now();
  ++total_;

  if (options_.on_violation == OnViolation::kKill) {
    // No answer: the task cannot run another instruction until the supervisor kills it.
    kill_requested_ = true;
  } else {
    std::memset(resp_buf_.get(), 0, resp_size_);
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.error = -EPERM;
    resp.val = 0;
    resp.flags = 0;
    std::memcpy(resp_buf_.get(), &resp, sizeof(resp));
    const int err = sys_harden::seccompNotifSend(listener_.get(), resp_buf_.get());
    if (err != 0 && err != ENOENT) {  // ENOENT: the task died or was interrupted meanwhile
      return Error::sys(err, "ioctl(SECCOMP_IOCTL_NOTIF_SEND)");
    }
    v.answered_eperm = err == 0;
  }
  if (total_ <= options_.max_reported) {
    sink.onSyscallViolation(v);
  } else {
    ++suppressed_;
  }
  return true;
}

}  // namespace agentbox::sandbox
