// SPDX-License-Identifier: Apache-2.0
// File: sys_harden.cc
// Raw syscalls for seccomp, landlock and capabilities. Async-signal-safe: plain syscalls and
// errno, nothing that allocates or locks.
#include "util/sys_harden.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

namespace agentbox::sys_harden {
namespace {

// Result of a call that returns -1/errno: 0 or the errno.
int errOf(long rc) {
  return rc < 0 ? errno : 0;
}

template <class F>
long retryEintr(F call) {
  long rc = 0;
  do {
    rc = call();
  } while (rc < 0 && errno == EINTR);
  return rc;
}

}  // namespace

int setNoNewPrivs() {
  return errOf(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
}

int getNoNewPrivs(int* out) {
  const int rc = ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  if (rc < 0) {
    return errno;
  }
  *out = rc;
  return 0;
}

int seccompSetModeFilter(unsigned int flags, const sock_fprog& prog, int* listener_fd) {
  *listener_fd = -1;
  const long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0) {
    return errno;
  }
  if ((flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0) {
    *listener_fd = static_cast<int>(rc);
  }
  return 0;
}

int seccompNotifSizes(seccomp_notif_sizes* sizes) {
  return errOf(::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, sizes));
}

int seccompNotifRecv(int listener_fd, void* notif_buf) {
  return errOf(
      retryEintr([&] { return long{::ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, notif_buf)}; }));
}

int seccompNotifSend(int listener_fd, const void* resp_buf) {
  return errOf(
      retryEintr([&] { return long{::ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_SEND, resp_buf)}; }));
}

int seccompNotifIdValid(int listener_fd, uint64_t id) {
  return errOf(::ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id));
}

int landlockAbi(int* abi) {
  const long rc =
      ::syscall(SYS_landlock_create_ruleset, nullptr, 0, landlock_uapi::kCreateRulesetVersion);
  if (rc < 0) {
    const int err = errno;
    *abi = 0;
    return (err == ENOSYS || err == EOPNOTSUPP) ? 0 : err;
  }
  *abi = static_cast<int>(rc);
  return 0;
}

int landlockCreateRuleset(const landlock_uapi::RulesetAttr& attr, unsigned long size,
                          int* ruleset_fd) {
  const long rc = ::syscall(SYS_landlock_create_ruleset, &attr, size, 0U);
  if (rc < 0) {
    return errno;
  }
  *ruleset_fd = static_cast<int>(rc);
  return 0;
}

int landlockAddPathRule(int ruleset_fd, const landlock_uapi::PathBeneathAttr& rule) {
  return errOf(
      ::syscall(SYS_landlock_add_rule, ruleset_fd, landlock_uapi::kRulePathBeneath, &rule, 0U));
}

int landlockAddNetRule(int ruleset_fd, const landlock_uapi::NetPortAttr& rule) {
  return errOf(
      ::syscall(SYS_landlock_add_rule, ruleset_fd, landlock_uapi::kRuleNetPort, &rule, 0U));
}

int landlockRestrictSelf(int ruleset_fd, uint32_t flags) {
  return errOf(::syscall(SYS_landlock_restrict_self, ruleset_fd, flags));
}

int capsetClearAll() {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  return errOf(::syscall(SYS_capset, &header, data));
}

int capgetSelf(CapSets* out) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) < 0) {
    return errno;
  }
  auto join = [](uint32_t lo, uint32_t hi) { return (uint64_t{hi} << 32) | lo; };
  out->effective = join(data[0].effective, data[1].effective);
  out->permitted = join(data[0].permitted, data[1].permitted);
  out->inheritable = join(data[0].inheritable, data[1].inheritable);
  return 0;
}

int capBsetDrop(int cap) {
  return errOf(::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0));
}

int capBsetRead(int cap, int* present) {
  const int rc = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
  if (rc < 0) {
    return errno;
  }
  *present = rc;
  return 0;
}

int ambientClearAll() {
  return errOf(::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
}

int ambientIsSet(int cap, int* present) {
  const int rc = ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
  if (rc < 0) {
    return errno;
  }
  *present = rc;
  return 0;
}

int setSecurebits(unsigned long bits) {
  return errOf(::prctl(PR_SET_SECUREBITS, bits, 0, 0, 0));
}

int getSecurebits(unsigned long* bits) {
  const int rc = ::prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  if (rc < 0) {
    return errno;
  }
  *bits = static_cast<unsigned long>(rc);
  return 0;
}

int openPath(const char* path, int* fd) {
  const long rc = retryEintr([&] { return long{::open(path, O_PATH | O_CLOEXEC)}; });
  if (rc < 0) {
    return errno;
  }
  *fd = static_cast<int>(rc);
  return 0;
}

int isDirectory(int fd, bool* is_dir) {
  struct stat st {};
  if (::fstat(fd, &st) < 0) {
    return errno;
  }
  *is_dir = S_ISDIR(st.st_mode);
  return 0;
}

void closeFd(int fd) {
  if (fd >= 0) {
    ::close(fd);
  }
}

int sendFd(int sock_fd, int fd) {
  char byte = 'F';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  return errOf(retryEintr([&] { return long{::sendmsg(sock_fd, &msg, MSG_NOSIGNAL)}; }));
}

int recvFd(int sock_fd, int* fd) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  const long rc = retryEintr([&] { return long{::recvmsg(sock_fd, &msg, MSG_CMSG_CLOEXEC)}; });
  if (rc < 0) {
    return errno;
  }
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (rc == 0 || cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS ||
      cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
    return EBADMSG;
  }
  std::memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
  return 0;
}

}  // namespace agentbox::sys_harden
