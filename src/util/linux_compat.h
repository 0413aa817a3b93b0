// SPDX-License-Identifier: Apache-2.0
// File: linux_compat.h
// Kernel constants and structs that Debian 12's glibc/kernel headers lack or hide.
// The new mount API (open_tree, move_mount, mount_setattr, struct mount_attr) comes from
// glibc 2.36's <sys/mount.h>; never include <linux/mount.h> beside it (they conflict).
#pragma once

#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>  // before P_PIDFD below: glibc declares it as an enumerator

#include <cstdint>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC 02000000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace agentbox::compat {

// struct clone_args as of Linux 5.7 (CLONE_INTO_CGROUP needs the `cgroup` field).
struct CloneArgs {
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
  uint64_t set_tid;
  uint64_t set_tid_size;
  uint64_t cgroup;
};

}  // namespace agentbox::compat
