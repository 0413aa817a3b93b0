// SPDX-License-Identifier: Apache-2.0
// File: sys_harden.h
// Raw system-call wrappers for the hardening layers (seccomp, landlock, capabilities).
// Every function here is async-signal-safe and safe between fork/clone and execve: no
// allocation, no locks, no errno left behind for the caller to read late. Each returns 0 on
// success or a positive errno value (EINTR is retried where the call can be restarted).
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/types.h>

#include <cstdint>

#include "util/linux_compat_landlock.h"

namespace agentbox::sys_harden {

// prctl(PR_SET_NO_NEW_PRIVS, 1): required before an unprivileged seccomp filter, and makes
// setuid/file-capability binaries gain nothing at execve.
int setNoNewPrivs();
// prctl(PR_GET_NO_NEW_PRIVS) into *out (0 or 1).
int getNoNewPrivs(int* out);

// seccomp(SECCOMP_SET_MODE_FILTER, flags, prog). With SECCOMP_FILTER_FLAG_NEW_LISTENER the
// new listener fd (O_CLOEXEC) is stored in *listener_fd; otherwise *listener_fd is -1.
int seccompSetModeFilter(unsigned int flags, const sock_fprog& prog, int* listener_fd);
// seccomp(SECCOMP_GET_NOTIF_SIZES).
int seccompNotifSizes(seccomp_notif_sizes* sizes);
// SECCOMP_IOCTL_NOTIF_RECV into a zeroed buffer of at least sizes.seccomp_notif bytes.
int seccompNotifRecv(int listener_fd, void* notif_buf);
// SECCOMP_IOCTL_NOTIF_SEND.
int seccompNotifSend(int listener_fd, const void* resp_buf);
// SECCOMP_IOCTL_NOTIF_ID_VALID: 0 while the notifying task still waits, ENOENT otherwise.
int seccompNotifIdValid(int listener_fd, uint64_t id);

// landlock_create_ruleset(NULL, 0, VERSION): the ABI in *abi, 0 if Landlock is compiled
// out or disabled at boot (ENOSYS / EOPNOTSUPP are mapped to abi 0 and return 0).
int landlockAbi(int* abi);
int landlockCreateRuleset(const landlock_uapi::RulesetAttr& attr, unsigned long size,
                          int* ruleset_fd);
int landlockAddPathRule(int ruleset_fd, const landlock_uapi::PathBeneathAttr& rule);
int landlockAddNetRule(int ruleset_fd, const landlock_uapi::NetPortAttr& rule);
int landlockRestrictSelf(int ruleset_fd, uint32_t flags);

// Capabilities. capset() with version 3 and all-zero effective/permitted/inheritable.
int capsetClearAll();
// capget(): each set as a 64-bit mask.
struct CapSets {
  uint64_t effective;
  uint64_t permitted;
  uint64_t inheritable;
};
int capgetSelf(CapSets* out);
// prctl(PR_CAPBSET_DROP, cap); EINVAL means the kernel has no such cap.
int capBsetDrop(int cap);
// prctl(PR_CAPBSET_READ, cap) into *present (0/1).
int capBsetRead(int cap, int* present);
// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL).
int ambientClearAll();
// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap) into *present.
int ambientIsSet(int cap, int* present);
int setSecurebits(unsigned long bits);
int getSecurebits(unsigned long* bits);

// open(path, O_PATH|O_CLOEXEC[|O_NOFOLLOW if nofollow]) into *fd.
int openPath(const char* path, int* fd);
// fstat() and report whether fd is a directory.
int isDirectory(int fd, bool* is_dir);
// close() once, never retried.
void closeFd(int fd);

// Sends one fd over a connected AF_UNIX socket with SCM_RIGHTS (one data byte 'F').
int sendFd(int sock_fd, int fd);
// Receives one fd sent by sendFd into *fd (made O_CLOEXEC). EBADMSG if none came.
int recvFd(int sock_fd, int* fd);

}  // namespace agentbox::sys_harden
