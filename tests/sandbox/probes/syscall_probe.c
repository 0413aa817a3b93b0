/* SPDX-License-Identifier: Apache-2.0 */
/* File: syscall_probe.c
 * Tries every syscall family that agentbox's built-in seccomp profile denies (issue 12) and
 * prints one line per family: "<family> <ERRNO-NAME> <errno> expect=<ERRNO-NAME>", then a
 * summary line. Exit status 0 if every family failed as the built-in profile specifies,
 * 1 otherwise. Arguments are chosen so that a call that is NOT filtered fails harmlessly
 * (bad fd, missing path, invalid flag), and calls that would change the probe's own state
 * (unshare, clone, ptrace, personality) run in a forked child. Linked statically so that it
 * runs from /workspace inside the sandbox without the host's libraries. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

static int errOf(long rc) {
  return rc < 0 ? errno : 0;
}

/* Runs fn in a forked child and returns the errno it reported (via the exit status). */
static int inChild(int (*fn)(void)) {
  pid_t pid = fork();
  if (pid < 0) {
    return errno;
  }
  if (pid == 0) {
    _exit(fn() & 0xff);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
    return 255;
  }
  return WEXITSTATUS(status);
}

static int closeIfOk(long fd) {
  if (fd < 0) {
    return errno;
  }
  close((int)fd);
  return 0;
}

static int doUnshare(void) {
  return errOf(unshare(CLONE_NEWUSER));
}
static int doCloneNewns(void) {
  long rc = syscall(SYS_clone, (long)(CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD), 0L, 0L, 0L, 0L);
  if (rc == 0) {
    _exit(0);
  }
  return errOf(rc);
}
static int doPtrace(void) {
  return errOf(syscall(SYS_ptrace, 0L /* PTRACE_TRACEME */, 0L, 0L, 0L));
}
static int doPersonality(void) {
  return errOf(syscall(SYS_personality, (long)ADDR_NO_RANDOMIZE));
}

static int devNull(void) {
  return open("/dev/null", O_RDWR | O_CLOEXEC);
}

static int probe(const char* family) {
  struct timex tx;
  memset(&tx, 0, sizeof(tx));
  char c = 0;
  if (!strcmp(family, "mount"))
    return errOf(syscall(SYS_mount, "none", "/nonexistent-agentbox", "tmpfs", 0L, NULL));
  if (!strcmp(family, "umount2"))
    return errOf(syscall(SYS_umount2, "/nonexistent-agentbox", 0L));
  if (!strcmp(family, "pivot_root"))
    return errOf(syscall(SYS_pivot_root, "/nonexistent-agentbox", "/nonexistent-agentbox"));
  if (!strcmp(family, "fsopen"))
    return closeIfOk(syscall(SYS_fsopen, "agentbox_nofs", 0L));
  if (!strcmp(family, "fsconfig"))
    return errOf(syscall(SYS_fsconfig, -1L, 0L, NULL, NULL, 0L));
  if (!strcmp(family, "fsmount"))
    return closeIfOk(syscall(SYS_fsmount, -1L, 0L, 0L));
  if (!strcmp(family, "fspick"))
    return closeIfOk(syscall(SYS_fspick, -1L, "/nonexistent-agentbox", 0L));
  if (!strcmp(family, "move_mount"))
    return errOf(syscall(SYS_move_mount, -1L, "", -1L, "", 0L));
  if (!strcmp(family, "open_tree"))
    return closeIfOk(syscall(SYS_open_tree, (long)AT_FDCWD, "/nonexistent-agentbox", 0L));
  if (!strcmp(family, "mount_setattr"))
    return errOf(syscall(SYS_mount_setattr, -1L, "", 0L, NULL, 0L));
  if (!strcmp(family, "unshare"))
    return inChild(doUnshare);
  if (!strcmp(family, "setns"))
    return errOf(syscall(SYS_setns, -1L, 0L));
  if (!strcmp(family, "clone_namespace"))
    return inChild(doCloneNewns);
  if (!strcmp(family, "clone3"))
    return errOf(syscall(SYS_clone3, NULL, 0L));
  if (!strcmp(family, "ptrace"))
    return inChild(doPtrace);
  if (!strcmp(family, "process_vm_readv"))
    return errOf(syscall(SYS_process_vm_readv, (long)getpid(), NULL, 0L, NULL, 0L, 0L));
  if (!strcmp(family, "process_vm_writev"))
    return errOf(syscall(SYS_process_vm_writev, (long)getpid(), NULL, 0L, NULL, 0L, 0L));
  if (!strcmp(family, "kexec_load"))
    return errOf(syscall(SYS_kexec_load, 0L, 0L, NULL, 0xdead0000L));
  if (!strcmp(family, "kexec_file_load"))
    return errOf(syscall(SYS_kexec_file_load, -1L, -1L, 0L, "", 0xdead0000L));
  if (!strcmp(family, "init_module"))
    return errOf(syscall(SYS_init_module, NULL, 0L, ""));
  if (!strcmp(family, "finit_module"))
    return errOf(syscall(SYS_finit_module, -1L, "", 0L));
  if (!strcmp(family, "delete_module"))
    return errOf(syscall(SYS_delete_module, "agentbox_no_such_module", 0L));
  if (!strcmp(family, "bpf"))
    return errOf(syscall(SYS_bpf, 9999L, NULL, 0L));
  if (!strcmp(family, "perf_event_open"))
    return closeIfOk(syscall(SYS_perf_event_open, NULL, 0L, -1L, -1L, 0L));
  if (!strcmp(family, "keyctl"))
    return errOf(syscall(SYS_keyctl, 9999L, 0L, 0L, 0L, 0L));
  if (!strcmp(family, "add_key"))
    return errOf(syscall(SYS_add_key, "agentbox_nokeytype", "d", "x", 1L, -1L));
  if (!strcmp(family, "request_key"))
    return errOf(syscall(SYS_request_key, "agentbox_nokeytype", "d", NULL, 0L));
  if (!strcmp(family, "userfaultfd"))
    return closeIfOk(syscall(SYS_userfaultfd, (long)O_CLOEXEC));
  if (!strcmp(family, "open_by_handle_at"))
    return closeIfOk(syscall(SYS_open_by_handle_at, -1L, NULL, 0L));
  if (!strcmp(family, "name_to_handle_at"))
    return errOf(syscall(SYS_name_to_handle_at, (long)AT_FDCWD, "/", NULL, NULL, 0L));
  if (!strcmp(family, "clock_settime"))
    return errOf(syscall(SYS_clock_settime, -1L, NULL));
  if (!strcmp(family, "settimeofday"))
    return errOf(syscall(SYS_settimeofday, NULL, NULL));
  if (!strcmp(family, "adjtimex"))
    return errOf(syscall(SYS_adjtimex, &tx));
  if (!strcmp(family, "clock_adjtime"))
    return errOf(syscall(SYS_clock_adjtime, (long)CLOCK_REALTIME, &tx));
  if (!strcmp(family, "reboot"))
    return errOf(syscall(SYS_reboot, 0L, 0L, 0L, NULL));
  if (!strcmp(family, "swapon"))
    return errOf(syscall(SYS_swapon, "/nonexistent-agentbox", 0L));
  if (!strcmp(family, "swapoff"))
    return errOf(syscall(SYS_swapoff, "/nonexistent-agentbox"));
  if (!strcmp(family, "acct"))
    return errOf(syscall(SYS_acct, "/nonexistent-agentbox/acct"));
  if (!strcmp(family, "quotactl"))
    return errOf(syscall(SYS_quotactl, 0L, NULL, 0L, NULL));
  if (!strcmp(family, "syslog"))
    return errOf(syscall(SYS_syslog, 10L /* SIZE_BUFFER */, NULL, 0L));
  if (!strcmp(family, "personality"))
    return inChild(doPersonality);
  if (!strcmp(family, "io_uring_setup"))
    return closeIfOk(syscall(SYS_io_uring_setup, 0L, NULL));
  if (!strcmp(family, "io_uring_enter"))
    return errOf(syscall(SYS_io_uring_enter, -1L, 0L, 0L, 0L, NULL, 0L));
  if (!strcmp(family, "io_uring_register"))
    return errOf(syscall(SYS_io_uring_register, -1L, 0L, NULL, 0L));
  if (!strcmp(family, "ioctl_tiocsti")) {
    int fd = devNull();
    int e = errOf(ioctl(fd, TIOCSTI, &c));
    close(fd);
    return e;
  }
  if (!strcmp(family, "ioctl_tioclinux")) {
    int fd = devNull();
    int e = errOf(ioctl(fd, TIOCLINUX, &c));
    close(fd);
    return e;
  }
  if (!strcmp(family, "socket_packet"))
    return closeIfOk(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!strcmp(family, "socket_inet_raw"))
    return closeIfOk(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
  if (!strcmp(family, "socket_inet6_raw"))
    return closeIfOk(socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  if (!strcmp(family, "socket_inet_packet"))
    return closeIfOk(socket(AF_INET, SOCK_PACKET | SOCK_CLOEXEC, 0));
  if (!strcmp(family, "socket_netlink_audit"))
    return closeIfOk(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT));
  if (!strcmp(family, "socket_vsock"))
    return closeIfOk(socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
  /* allowed: these must keep working */
  if (!strcmp(family, "allowed_getpid"))
    return errOf(getpid());
  if (!strcmp(family, "allowed_socket_unix"))
    return closeIfOk(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!strcmp(family, "allowed_socket_inet"))
    return closeIfOk(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!strcmp(family, "allowed_netlink_route"))
    return closeIfOk(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!strcmp(family, "allowed_personality_query"))
    return errOf(syscall(SYS_personality, 0xffffffffL));
  return -1;
}

struct Family {
  const char* name;
  int expect;
};

static const struct Family kFamilies[] = {
    {"mount", EPERM},
    {"umount2", EPERM},
    {"pivot_root", EPERM},
    {"fsopen", EPERM},
    {"fsconfig", EPERM},
    {"fsmount", EPERM},
    {"fspick", EPERM},
    {"move_mount", EPERM},
    {"open_tree", EPERM},
    {"mount_setattr", EPERM},
    {"unshare", EPERM},
    {"setns", EPERM},
    {"clone_namespace", EPERM},
    {"clone3", ENOSYS},
    {"ptrace", EPERM},
    {"process_vm_readv", EPERM},
    {"process_vm_writev", EPERM},
    {"kexec_load", EPERM},
    {"kexec_file_load", EPERM},
    {"init_module", EPERM},
    {"finit_module", EPERM},
    {"delete_module", EPERM},
    {"bpf", EPERM},
    {"perf_event_open", EPERM},
    {"keyctl", EPERM},
    {"add_key", EPERM},
    {"request_key", EPERM},
    {"userfaultfd", EPERM},
    {"open_by_handle_at", EPERM},
    {"name_to_handle_at", EPERM},
    {"clock_settime", EPERM},
    {"settimeofday", EPERM},
    {"adjtimex", EPERM},
    {"clock_adjtime", EPERM},
    {"reboot", EPERM},
    {"swapon", EPERM},
    {"swapoff", EPERM},
    {"acct", EPERM},
    {"quotactl", EPERM},
    {"syslog", EPERM},
    {"personality", EPERM},
    {"io_uring_setup", EPERM},
    {"io_uring_enter", EPERM},
    {"io_uring_register", EPERM},
    {"ioctl_tiocsti", EPERM},
    {"ioctl_tioclinux", EPERM},
    {"socket_packet", EPERM},
    {"socket_inet_raw", EPERM},
    {"socket_inet6_raw", EPERM},
    {"socket_inet_packet", EPERM},
    {"socket_netlink_audit", EPERM},
    {"socket_vsock", EPERM},
    {"allowed_getpid", 0},
    {"allowed_socket_unix", 0},
    {"allowed_socket_inet", 0},
    {"allowed_netlink_route", 0},
    {"allowed_personality_query", 0},
};

static const char* errName(int e) {
  switch (e) {
    case 0:
      return "OK";
    case EPERM:
      return "EPERM";
    case ENOENT:
      return "ENOENT";
    case EBADF:
      return "EBADF";
    case EFAULT:
      return "EFAULT";
    case EINVAL:
      return "EINVAL";
    case ENOSYS:
      return "ENOSYS";
    case EACCES:
      return "EACCES";
    case ENOTTY:
      return "ENOTTY";
    case ENODEV:
      return "ENODEV";
    case EOPNOTSUPP:
      return "EOPNOTSUPP";
    case EAFNOSUPPORT:
      return "EAFNOSUPPORT";
    case EPROTONOSUPPORT:
      return "EPROTONOSUPPORT";
    case ENOKEY:
      return "ENOKEY";
    default:
      return "E?";
  }
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  size_t n = sizeof(kFamilies) / sizeof(kFamilies[0]);
  size_t as_expected = 0;
  size_t tried = 0;
  for (size_t i = 0; i < n; ++i) {
    /* Optional arguments select families by name. */
    int selected = argc <= 1;
    for (int a = 1; a < argc; ++a) {
      selected |= strcmp(argv[a], kFamilies[i].name) == 0;
    }
    if (!selected) {
      continue;
    }
    ++tried;
    int e = probe(kFamilies[i].name);
    printf("%s %s %d expect=%s\n", kFamilies[i].name, errName(e), e, errName(kFamilies[i].expect));
    as_expected += e == kFamilies[i].expect;
  }
  printf("probe: %zu families, %zu as expected\n", tried, as_expected);
  return as_expected == tried ? 0 : 1;
}
