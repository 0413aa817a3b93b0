/* SPDX-License-Identifier: Apache-2.0 */
/* File: escape_probe.c
 * The escape-probe suite (issue 14): every way out of the sandbox we know of, each tried by
 * name. Run twice by tests/integration/escape_test.cc:
 *
 *   escape_probe host    [options]   on the host, as the test user: the control. Each probe's
 *                                    host variant does the same operation against a target
 *                                    the test owns and never harms the host (a scratch dir,
 *                                    the current clock value, a sysctl's current value, a pty
 *                                    the probe opens, a throwaway user namespace for the
 *                                    operations that need privilege, nothing real loaded);
 *   escape_probe sandbox [options]   inside `agentbox run`, against the real targets.
 *   escape_probe list                one line per probe: name, the errnos that are the
 *                                    sandbox layer's own denial, the syscall whose seccomp
 *                                    violation record also proves the layer denied it.
 *
 * Each probe prints "probe NAME ok" when the operation succeeded (or reached the kernel's
 * argument checks past every permission check: "loaded nothing real") and
 * "probe NAME denied ERRNO [detail]" otherwise. The test classifies: sandbox ok = escaped;
 * host ok and sandbox denied = blocked; host denied = not applicable unless the sandbox's
 * errno is one of the layer's own denials that differs from the host's, or the run record
 * holds a seccomp violation for the probe's syscall.
 *
 * Static, no allocation-sensitive code: it runs from /workspace without host libraries. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif

/* Result codes above the errno range. */
enum {
  kAbsent = 250, /* the operation worked but what it looked for was not there */
  kKilled = 251, /* the probe's child was killed (OOM killer, a limit) */
  kLimit = 252,  /* a resource limit stopped it (detail has the count) */
  kCrashed = 253,
};

typedef struct {
  int host;                            /* 1 = host control */
  const char* ws;                      /* workspace: /workspace inside, the host path outside */
  const char* ctl;                     /* host: scratch dir owned by the test */
  long canary;                         /* pid of the canary process (host pid) */
  int tcp_port;                        /* loopback listener of the test */
  const char* abstract_name;           /* abstract unix socket of the test */
  int udp_port;                        /* UDP echo server of the test on loopback */
  const char* unix_path;               /* a unix socket the test listens on at a host path */
  int shm_key;                         /* SysV shared memory segment of the test */
  const char* shm_name;                /* /dev/shm file of the test */
  long pids, mem_mib, tmp_mib, nofile; /* the run's limits; probes go past them */
} Ctx;

static char g_detail[128];
static int g_startup_fds[16];
static int g_startup_fd_count;

static int errOf(long rc) {
  return rc < 0 ? errno : 0;
}
static int closeIfOk(long fd) {
  if (fd < 0)
    return errno;
  close((int)fd);
  return 0;
}
/* "Reached the kernel's argument checks": every permission check passed. */
static int reached(long rc, int arg_errno) {
  if (rc >= 0)
    return 0;
  return errno == arg_errno ? 0 : errno;
}

static int waitCode(pid_t pid) {
  int status = 0;
  if (pid < 0)
    return errno;
  if (waitpid(pid, &status, 0) != pid)
    return kCrashed;
  if (WIFSIGNALED(status))
    return WTERMSIG(status) == SIGKILL ? kKilled : kCrashed;
  return WEXITSTATUS(status);
}

/* Runs fn in a forked child; its return value comes back through the exit status. */
static int inChild(int (*fn)(const Ctx*), const Ctx* c) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0)
    _exit(fn(c) & 0xff);
  return waitCode(pid);
}

static int writeStr(const char* path, const char* s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  int e = write(fd, s, strlen(s)) < 0 ? errno : 0;
  close(fd);
  return e;
}

/* In a forked child: a throwaway user namespace (plus `extra` namespaces) in which the probe
 * is root. Host controls of privileged operations run here: they prove the operation works
 * and cannot touch the host. */
static int inUserNs(int extra, int (*fn)(const Ctx*), const Ctx* c) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | extra) != 0)
      _exit(errno);
    char map[64];
    snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
    if (writeStr("/proc/self/uid_map", map) != 0)
      _exit(kCrashed);
    if (writeStr("/proc/self/setgroups", "deny") != 0)
      _exit(kCrashed);
    snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
    if (writeStr("/proc/self/gid_map", map) != 0)
      _exit(kCrashed);
    if ((extra & CLONE_NEWNS) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
      _exit(kCrashed);
    }
    _exit(fn(c) & 0xff);
  }
  return waitCode(pid);
}
/* Host: in a throwaway user namespace; sandbox: directly (in a child). */
static int privileged(int extra, int (*fn)(const Ctx*), const Ctx* c) {
  return c->host ? inUserNs(extra, fn, c) : inChild(fn, c);
}

static void pathIn(char* out, size_t n, const char* dir, const char* name) {
  snprintf(out, n, "%s/%s", dir, name);
}

static int createFile(const char* path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno;
  close(fd);
  unlink(path);
  return 0;
}

/* Reads a file and looks for `needle` in it (NUL bytes allowed in the file). */
static int fileHas(const char* path, const char* needle) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  static char buf[1 << 16];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  int e = n < 0 ? errno : 0;
  close(fd);
  if (e)
    return e;
  return memmem(buf, (size_t)n, needle, strlen(needle)) ? 0 : kAbsent;
}

/* ---- filesystem ---------------------------------------------------------------------- */
static int writeAt(const Ctx* c, const char* sandbox_path, const char* ctl_name) {
  char p[512];
  if (c->host) {
    pathIn(p, sizeof p, c->ctl, ctl_name);
    return createFile(p);
  }
  return createFile(sandbox_path);
}
static int pWriteRoot(const Ctx* c) {
  return writeAt(c, "/agentbox-escape", "root-file");
}
static int pWriteEtc(const Ctx* c) {
  return writeAt(c, "/etc/agentbox-escape", "etc-file");
}
static int pWriteUsr(const Ctx* c) {
  return writeAt(c, "/usr/agentbox-escape", "usr-file");
}
static int pWriteWorkspaceRo(const Ctx* c) {
  char p[512];
  pathIn(p, sizeof p, c->ws, "agentbox-escape-ro");
  return createFile(p);
}
static int pReadShadow(const Ctx* c) {
  (void)c;
  int fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  char b;
  int e = read(fd, &b, 1) < 0 ? errno : 0;
  close(fd);
  return e;
}
static int pReadRootHome(const Ctx* c) {
  (void)c;
  DIR* d = opendir("/root");
  if (!d)
    return errno;
  errno = 0;
  int e = readdir(d) ? 0 : (errno ? errno : kAbsent);
  closedir(d);
  return e;
}
static int pHostSymlink(const Ctx* c) {
  char p[512];
  pathIn(p, sizeof p, c->ws, "hostlink");
  return fileHas(p, "AGENTBOX_HOST_FILE");
}

/* ---- /proc -------------------------------------------------------------------------- */
static int pHostEnviron(const Ctx* c) {
  char p[64];
  snprintf(p, sizeof p, "/proc/%ld/environ", c->canary);
  return fileHas(p, "AGENTBOX_ESCAPE_CANARY=");
}
/* Inside, pid 1 is agentbox's init, cloned from the supervisor: its environ must not show the
 * caller's environment. The host control reads the canary, which has that environment. */
static int pInitEnviron(const Ctx* c) {
  if (c->host)
    return pHostEnviron(c);
  return fileHas("/proc/1/environ", "AGENTBOX_ESCAPE_CANARY=");
}

/* ---- mounts ------------------------------------------------------------------------- */
static int doMountTmpfs(const Ctx* c) {
  return errOf(mount("none", c->host ? c->ctl : "/tmp", "tmpfs", 0, "size=1m"));
}
static int pMountTmpfs(const Ctx* c) {
  return privileged(CLONE_NEWNS, doMountTmpfs, c);
}
static int doRemountRw(const Ctx* c) {
  const char* target = c->ws;
  if (c->host && mount(target, target, NULL, MS_BIND, NULL) != 0)
    return kCrashed;
  if (c->host && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) {
    return kCrashed;
  }
  return errOf(mount(NULL, target, NULL, MS_REMOUNT | MS_BIND, NULL));
}
static int pRemountWorkspaceRw(const Ctx* c) {
  return privileged(CLONE_NEWNS, doRemountRw, c);
}
static int doPivotRoot(const Ctx* c) {
  const char* dir = c->host ? c->ctl : "/tmp";
  if (c->host && mount("none", dir, "tmpfs", 0, "size=1m") != 0)
    return kCrashed;
  if (chdir(dir) != 0)
    return errno;
  return errOf(syscall(SYS_pivot_root, ".", "."));
}
static int pPivotRoot(const Ctx* c) {
  return privileged(CLONE_NEWNS, doPivotRoot, c);
}
static int doFsopen(const Ctx* c) {
  (void)c;
  return closeIfOk(syscall(SYS_fsopen, "tmpfs", 0L));
}
static int pFsopen(const Ctx* c) {
  return privileged(CLONE_NEWNS, doFsopen, c);
}
static int doOpenTree(const Ctx* c) {
  return closeIfOk(syscall(SYS_open_tree, (long)AT_FDCWD, c->ws, (long)OPEN_TREE_CLONE));
}
static int pOpenTree(const Ctx* c) {
  return privileged(CLONE_NEWNS, doOpenTree, c);
}

/* ---- namespaces, processes outside --------------------------------------------------- */
static int doUnshareUser(const Ctx* c) {
  (void)c;
  return errOf(unshare(CLONE_NEWUSER));
}
static int pNestedUserns(const Ctx* c) {
  return inChild(doUnshareUser, c);
}
/* The canary sits in a user+net namespace of its own that the test user owns: the host
 * control may join it; the sandbox must not even see it. */
static int doSetns(const Ctx* c) {
  char p[64];
  snprintf(p, sizeof p, "/proc/%ld/ns/user", c->canary);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  int e = errOf(setns(fd, CLONE_NEWUSER));
  close(fd);
  return e;
}
static int pSetns(const Ctx* c) {
  return inChild(doSetns, c);
}
static int pPtraceOutside(const Ctx* c) {
  if (!c->host)
    return errOf(ptrace(PTRACE_SEIZE, (pid_t)c->canary, NULL, NULL));
  /* Host: a child of our own (no Yama or uid question), then detach and kill it. */
  pid_t child = fork();
  if (child == 0) {
    for (;;)
      pause();
  }
  if (child < 0)
    return errno;
  int e = errOf(ptrace(PTRACE_SEIZE, child, NULL, NULL));
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  return e;
}
static int pKillOutside(const Ctx* c) {
  return errOf(kill((pid_t)c->canary, 0));
}

/* ---- network ------------------------------------------------------------------------ */
static int doRawSocket(const Ctx* c) {
  (void)c;
  return closeIfOk(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
}
static int pRawSocket(const Ctx* c) {
  return privileged(CLONE_NEWNET, doRawSocket, c);
}
static int doPacketSocket(const Ctx* c) {
  (void)c;
  return closeIfOk(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
}
static int pPacketSocket(const Ctx* c) {
  return privileged(CLONE_NEWNET, doPacketSocket, c);
}
static int pTcpHostLoopback(const Ctx* c) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errno;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)c->tcp_port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int e = errOf(connect(fd, (struct sockaddr*)&a, sizeof a));
  close(fd);
  return e;
}
/* A datagram to the test's UDP echo server on host loopback; escaped only if the echo comes
 * back (inside a network namespace the send itself "works" on the sandbox's own loopback). */
static int pUdpHostLoopback(const Ctx* c) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errno;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)c->udp_port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {0, 300000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int e = 0;
  char reply[16];
  if (sendto(fd, "agentbox", 8, 0, (struct sockaddr*)&a, sizeof a) != 8) {
    e = errno;
  } else if (recv(fd, reply, sizeof reply, 0) <= 0) {
    e = errno == EAGAIN || errno == EWOULDBLOCK ? kAbsent : errno;
  }
  close(fd);
  return e;
}
/* A unix socket at a host path (the docker.sock / D-Bus case). */
static int pUnixPathHost(const Ctx* c) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errno;
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", c->unix_path);
  int e = errOf(connect(fd, (struct sockaddr*)&a, sizeof a));
  close(fd);
  return e;
}
static int pAbstractUnix(const Ctx* c) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errno;
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  size_t n = strlen(c->abstract_name);
  memcpy(a.sun_path + 1, c->abstract_name, n);
  int e = errOf(connect(fd, (struct sockaddr*)&a, (socklen_t)(sizeof(sa_family_t) + 1 + n)));
  close(fd);
  return e;
}

/* ---- kernel interfaces -------------------------------------------------------------- */
static int doAddKey(const Ctx* c) {
  (void)c; /* the process keyring dies with this child */
  return errOf(syscall(SYS_add_key, "user", "agentbox-escape", "x", 1L, -2L /* PROCESS */));
}
static int pKeyctl(const Ctx* c) {
  return inChild(doAddKey, c);
}
static int pBpf(const Ctx* c) {
  (void)c;
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  return closeIfOk(syscall(SYS_bpf, (long)BPF_MAP_CREATE, &attr, (long)sizeof attr));
}
static int pPerfEventOpen(const Ctx* c) {
  (void)c;
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_TASK_CLOCK;
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  return closeIfOk(syscall(SYS_perf_event_open, &attr, 0L, -1L, -1L, 0L));
}
/* Invalid flags: past CAP_SYS_BOOT the kernel answers EINVAL and loads nothing. */
static int pKexecLoad(const Ctx* c) {
  (void)c;
  return reached(syscall(SYS_kexec_load, 0L, 0L, NULL, 0xdead0000L), EINVAL);
}
/* A bad fd: past CAP_SYS_MODULE the kernel answers EBADF and loads nothing. */
static int pInitModule(const Ctx* c) {
  (void)c;
  return reached(syscall(SYS_finit_module, -1L, "", 0L), EBADF);
}
static int pMknod(const Ctx* c) {
  char p[512];
  pathIn(p, sizeof p, c->host ? c->ctl : "/tmp", "agentbox-null");
  int e = errOf(mknod(p, S_IFCHR | 0600, makedev(1, 3)));
  if (e == 0)
    unlink(p);
  return e;
}
static int pUserfaultfd(const Ctx* c) {
  (void)c;
  return closeIfOk(syscall(SYS_userfaultfd, (long)(O_CLOEXEC | UFFD_USER_MODE_ONLY)));
}
static int pIoUringSetup(const Ctx* c) {
  (void)c;
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  return closeIfOk(syscall(SYS_io_uring_setup, 1L, &p));
}
/* Sets the clock to the value it has. */
static int pClockSettime(const Ctx* c) {
  (void)c;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return errOf(clock_settime(CLOCK_REALTIME, &now));
}
static int pOpenByHandleAt(const Ctx* c) {
  struct {
    struct file_handle h;
    unsigned char bytes[MAX_HANDLE_SZ];
  } fh;
  fh.h.handle_bytes = MAX_HANDLE_SZ;
  int mount_id = 0;
  if (name_to_handle_at(AT_FDCWD, c->ws, &fh.h, &mount_id, 0) != 0)
    return errno;
  int mfd = open(c->ws, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mfd < 0)
    return errno;
  int e = closeIfOk(open_by_handle_at(mfd, &fh.h, O_RDONLY | O_CLOEXEC));
  close(mfd);
  return e;
}

/* ---- privilege --------------------------------------------------------------------- */
static int pSetuidBinary(const Ctx* c) {
  char p[512];
  pathIn(p, sizeof p, c->ws, "suid_probe");
  if (access(p, X_OK) != 0)
    return errno;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    if (c->host && getuid() == 0) {
      /* Become nobody first, so that euid 0 afterwards can only come from the setuid bit. */
      if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) {
        _exit(kCrashed);
      }
    }
    execl(p, p, "euid", (char*)NULL);
    _exit(errno);
  }
  return waitCode(pid);
}
static unsigned long long capEff(void) {
  FILE* f = fopen("/proc/self/status", "re");
  if (!f)
    return 0;
  char line[256];
  unsigned long long v = 0;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "CapEff: %llx", &v) == 1)
      break;
  }
  fclose(f);
  return v;
}
static int doCapEffective(const Ctx* c) {
  (void)c;
  return capEff() != 0 ? 0 : EPERM;
}
static int pCapEffective(const Ctx* c) {
  return privileged(0, doCapEffective, c);
}
/* Raise CAP_SYS_ADMIN into the permitted and effective sets. The host control first drops
 * it from its effective set (in its throwaway namespace, where it holds every capability). */
static int doCapset(const Ctx* c) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  if (syscall(SYS_capget, &h, d) != 0)
    return kCrashed;
  const unsigned bit = 1u << CAP_SYS_ADMIN;
  if (c->host) {
    d[0].effective &= ~bit;
    if (syscall(SYS_capset, &h, d) != 0)
      return kCrashed;
  }
  d[0].effective |= bit;
  d[0].permitted |= bit;
  return errOf(syscall(SYS_capset, &h, d));
}
static int pCapset(const Ctx* c) {
  return privileged(0, doCapset, c);
}
static int doAmbient(const Ctx* c) {
  (void)c;
  if (c->host) {
    /* Ambient raise needs the cap in permitted and inheritable. */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capget, &h, d) != 0)
      return kCrashed;
    d[0].inheritable |= 1u << CAP_NET_RAW;
    if (syscall(SYS_capset, &h, d) != 0)
      return kCrashed;
  }
  return errOf(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0));
}
static int pAmbientRaise(const Ctx* c) {
  return privileged(0, doAmbient, c);
}

/* ---- terminals --------------------------------------------------------------------- */
/* TIOCSTI on a pty this probe opens and makes its controlling terminal (the host control's
 * only target); inside also on fds 0-2, which are the caller's terminal in interactive use. */
static int doTiocstiOwnPty(const Ctx* c) {
  (void)c;
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0)
    return errno;
  if (grantpt(m) != 0 || unlockpt(m) != 0)
    return errno;
  const char* name = ptsname(m);
  signal(SIGHUP, SIG_IGN); /* closing our controlling terminal hangs us up */
  if (!name || setsid() < 0)
    return kCrashed;
  int s = open(name, O_RDWR | O_CLOEXEC);
  if (s < 0)
    return errno;
  char ch = '\n';
  int e = errOf(ioctl(s, TIOCSTI, &ch));
  close(s);
  close(m);
  return e;
}
static int pTiocsti(const Ctx* c) {
  if (!c->host) {
    char ch = '\n';
    for (int fd = 0; fd <= 2; fd++) {
      if (isatty(fd) && ioctl(fd, TIOCSTI, &ch) == 0)
        return 0;
    }
  }
  return inChild(doTiocstiOwnPty, c);
}

/* ---- /proc/sys, /sys, devices ------------------------------------------------------ */
/* Writes a file's current value back to it. */
static int writeBack(const char* path) {
  char buf[256];
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return errno;
  ssize_t n = read(fd, buf, sizeof buf);
  int e = 0;
  if (n <= 0) {
    e = n < 0 ? errno : kAbsent;
  } else if (lseek(fd, 0, SEEK_SET) != 0 || write(fd, buf, (size_t)n) != n) {
    e = errno;
  }
  close(fd);
  return e;
}
static int pProcSysWrite(const Ctx* c) {
  (void)c;
  return writeBack("/proc/sys/vm/swappiness");
}
static int pSysfsWrite(const Ctx* c) {
  (void)c;
  return writeBack("/sys/kernel/mm/ksm/pages_to_scan");
}
static int openRead(const char* path) {
  return closeIfOk(open(path, O_RDONLY | O_CLOEXEC));
}
static int pDevMem(const Ctx* c) {
  (void)c;
  return openRead("/dev/mem");
}
static int pDevKmsg(const Ctx* c) {
  (void)c;
  return openRead("/dev/kmsg");
}

/* ---- what the run may have inherited ------------------------------------------------ */
static int pInheritedFd(const Ctx* c) {
  (void)c;
  if (g_startup_fd_count == 0)
    return EBADF;
  snprintf(g_detail, sizeof g_detail, "fd=%d", g_startup_fds[0]);
  return 0;
}
static int pEnvCanary(const Ctx* c) {
  (void)c;
  return getenv("AGENTBOX_ESCAPE_CANARY") ? 0 : kAbsent;
}
static int pSysvShm(const Ctx* c) {
  return errOf(shmget((key_t)c->shm_key, 0, 0));
}
static int pDevShm(const Ctx* c) {
  char p[256];
  snprintf(p, sizeof p, "/dev/shm/%s", c->shm_name);
  return openRead(p);
}

/* ---- .git in write mode -------------------------------------------------------------- */
static int pGitConfigWrite(const Ctx* c) {
  char p[512];
  pathIn(p, sizeof p, c->ws, ".git/config");
  return closeIfOk(open(p, O_WRONLY | O_APPEND | O_CLOEXEC));
}
static int pGitHookCreate(const Ctx* c) {
  char p[512];
  pathIn(p, sizeof p, c->ws, ".git/hooks/post-checkout");
  return createFile(p);
}

/* ---- resources: each goes past the run's limit; the host control shows it can --------- */
static int doForkBomb(const Ctx* c) {
  long target = c->pids + 16;
  pid_t* kids = calloc((size_t)target, sizeof(pid_t));
  if (!kids)
    return ENOMEM;
  long made = 0;
  int e = 0;
  for (; made < target; made++) {
    pid_t p = fork();
    if (p == 0) {
      for (;;)
        pause();
    }
    if (p < 0) {
      e = errno;
      break;
    }
    kids[made] = p;
  }
  for (long i = 0; i < made; i++)
    kill(kids[i], SIGKILL);
  for (long i = 0; i < made; i++)
    waitpid(kids[i], NULL, 0);
  free(kids);
  printf("# fork-bomb made %ld of %ld\n", made, target);
  return e;
}
static int pForkBomb(const Ctx* c) {
  return inChild(doForkBomb, c);
}
static int doMemoryHog(const Ctx* c) {
  size_t mib = (size_t)(c->mem_mib + 64);
  for (size_t i = 0; i < mib; i++) {
    char* p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      return ENOMEM;
    memset(p, 0x5a, 1 << 20);
  }
  return 0;
}
static int pMemoryHog(const Ctx* c) {
  return inChild(doMemoryHog, c);
}
static int pFillTmp(const Ctx* c) {
  char p[512];
  /* Inside: where programs put temporary files ($TMPDIR if set, else /tmp). */
  const char* tmpdir = getenv("TMPDIR");
  pathIn(p, sizeof p, c->host ? c->ctl : (tmpdir && *tmpdir ? tmpdir : "/tmp"), "agentbox-fill");
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno;
  static char chunk[1 << 20];
  memset(chunk, 'x', sizeof chunk);
  int e = 0;
  for (long i = 0; i < c->tmp_mib + 16 && !e; i++) {
    if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk)
      e = errno ? errno : ENOSPC;
  }
  close(fd);
  unlink(p);
  return e;
}
static int pFdExhaustion(const Ctx* c) {
  long target = c->nofile + 16;
  int* fds = calloc((size_t)target, sizeof(int));
  if (!fds)
    return ENOMEM;
  long n = 0;
  int e = 0;
  for (; n < target; n++) {
    fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fds[n] < 0) {
      e = errno;
      break;
    }
  }
  for (long i = 0; i < n; i++)
    close(fds[i]);
  free(fds);
  return e;
}

typedef struct {
  const char* name;
  int (*fn)(const Ctx*);
  const char* layer_errnos; /* comma-separated: what only the sandbox layer answers */
  const char* syscall;      /* a seccomp violation for it proves the layer denied it */
} Probe;

static const Probe kProbes[] = {
    {"fs.write_root", pWriteRoot, "EROFS", NULL},
    {"fs.write_etc", pWriteEtc, "EROFS", NULL},
    {"fs.write_usr", pWriteUsr, "EROFS", NULL},
    {"fs.write_workspace_readonly", pWriteWorkspaceRo, "EROFS", NULL},
    {"fs.read_etc_shadow", pReadShadow, "ENOENT", NULL},
    {"fs.read_root_home", pReadRootHome, "ENOENT", NULL},
    {"fs.workspace_symlink_to_host", pHostSymlink, "ENOENT", NULL},
    {"proc.host_process_environ", pHostEnviron, "ENOENT", NULL},
    {"proc.init_environ", pInitEnviron, "", NULL},
    {"mount.tmpfs", pMountTmpfs, "", "mount"},
    {"mount.remount_workspace_rw", pRemountWorkspaceRw, "", "mount"},
    {"mount.pivot_root", pPivotRoot, "", "pivot_root"},
    {"mount.fsopen", pFsopen, "", "fsopen"},
    {"mount.open_tree", pOpenTree, "", "open_tree"},
    {"ns.nested_user_namespace", pNestedUserns, "", "unshare"},
    {"ns.setns_outside", pSetns, "ENOENT", "setns"},
    {"proc.ptrace_outside", pPtraceOutside, "ESRCH", "ptrace"},
    {"proc.kill_outside", pKillOutside, "ESRCH", NULL},
    {"net.raw_socket", pRawSocket, "", "socket"},
    {"net.packet_socket", pPacketSocket, "", "socket"},
    {"net.tcp_host_loopback", pTcpHostLoopback, "ECONNREFUSED", NULL},
    {"net.abstract_unix_host", pAbstractUnix, "ECONNREFUSED,EPERM", NULL},
    {"net.udp_host_loopback", pUdpHostLoopback, "ABSENT,EPERM", NULL},
    {"net.unix_socket_host_path", pUnixPathHost, "ENOENT,EPERM", NULL},
    {"kernel.keyctl", pKeyctl, "", "add_key"},
    {"kernel.bpf", pBpf, "", "bpf"},
    {"kernel.perf_event_open", pPerfEventOpen, "", "perf_event_open"},
    {"kernel.kexec_load", pKexecLoad, "", "kexec_load"},
    {"kernel.init_module", pInitModule, "", "finit_module"},
    {"kernel.userfaultfd", pUserfaultfd, "", "userfaultfd"},
    {"kernel.io_uring_setup", pIoUringSetup, "", "io_uring_setup"},
    {"kernel.clock_settime", pClockSettime, "", "clock_settime"},
    {"kernel.open_by_handle_at", pOpenByHandleAt, "", "name_to_handle_at"},
    {"dev.mknod", pMknod, "", NULL},
    {"dev.mem", pDevMem, "", NULL},
    {"dev.kmsg", pDevKmsg, "ENOENT", NULL},
    {"priv.setuid_binary", pSetuidBinary, "", NULL},
    {"priv.effective_capabilities", pCapEffective, "", NULL},
    {"priv.capset_raise", pCapset, "", NULL},
    {"priv.ambient_raise", pAmbientRaise, "", NULL},
    {"tty.tiocsti", pTiocsti, "", "ioctl"},
    {"sys.write_proc_sys", pProcSysWrite, "EROFS", NULL},
    {"sys.write_sysfs", pSysfsWrite, "ENOENT", NULL},
    {"leak.inherited_fd", pInheritedFd, "", NULL},
    {"leak.environment_canary", pEnvCanary, "", NULL},
    {"ipc.host_sysv_shm", pSysvShm, "ENOENT", NULL},
    {"ipc.host_dev_shm", pDevShm, "ENOENT", NULL},
    {"git.config_write", pGitConfigWrite, "EROFS", NULL},
    {"git.hook_create", pGitHookCreate, "EROFS", NULL},
    {"limit.fork_bomb", pForkBomb, "EAGAIN", NULL},
    {"limit.memory_hog", pMemoryHog, "KILLED,ENOMEM", NULL},
    {"limit.fill_tmp", pFillTmp, "ENOSPC", NULL},
    {"limit.fd_exhaustion", pFdExhaustion, "EMFILE", NULL},
};

static const char* codeName(int code) {
  switch (code) {
    case kAbsent:
      return "ABSENT";
    case kKilled:
      return "KILLED";
    case kLimit:
      return "LIMIT";
    case kCrashed:
      return "CRASHED";
    default:
      break;
  }
  const char* n = strerrorname_np(code);
  return n ? n : "EUNKNOWN";
}

static const char* optArg(int argc, char** argv, const char* name, const char* dflt) {
  size_t n = strlen(name);
  for (int i = 2; i < argc; i++) {
    if (!strncmp(argv[i], name, n) && argv[i][n] == '=')
      return argv[i] + n + 1;
  }
  return dflt;
}

/* "--only=a,b": comma-separated probe names. */
static int selected(const char* only, const char* name) {
  if (!only)
    return 1;
  size_t n = strlen(name);
  for (const char* p = only; *p;) {
    const char* end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && !strncmp(p, name, n))
      return 1;
    if (!end)
      break;
    p = end + 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  /* Before anything opens a file: which fds beyond 0-2 came with us? */
  for (int fd = 3; fd < 1024 && g_startup_fd_count < 16; fd++) {
    if (fcntl(fd, F_GETFD) >= 0)
      g_startup_fds[g_startup_fd_count++] = fd;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* Run from a setuid-root file: 0 only if the exec raised a non-root caller to euid 0. */
  if (argc >= 2 && !strcmp(argv[1], "euid"))
    return geteuid() == 0 && getuid() != 0 ? 0 : EPERM;
  if (argc >= 2 && !strcmp(argv[1], "canary")) {
    /* Own user and network namespace, then wait to be killed. */
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
      return errno;
    printf("canary ready\n");
    for (;;)
      pause();
  }
  if (argc >= 2 && !strcmp(argv[1], "list")) {
    for (size_t i = 0; i < sizeof kProbes / sizeof kProbes[0]; i++) {
      printf("%s layer=%s syscall=%s\n", kProbes[i].name,
             kProbes[i].layer_errnos[0] ? kProbes[i].layer_errnos : "-",
             kProbes[i].syscall ? kProbes[i].syscall : "-");
    }
    return 0;
  }
  if (argc < 2 || (strcmp(argv[1], "host") && strcmp(argv[1], "sandbox"))) {
    fprintf(stderr, "usage: escape_probe host|sandbox|list|canary [--name=value ...]\n");
    return 2;
  }
  Ctx c;
  memset(&c, 0, sizeof c);
  c.host = !strcmp(argv[1], "host");
  c.ws = optArg(argc, argv, "--workspace", "/workspace");
  c.ctl = optArg(argc, argv, "--ctl", "/nonexistent");
  c.canary = atol(optArg(argc, argv, "--canary", "0"));
  c.tcp_port = atoi(optArg(argc, argv, "--tcp-port", "0"));
  c.abstract_name = optArg(argc, argv, "--abstract", "agentbox-escape-none");
  c.udp_port = atoi(optArg(argc, argv, "--udp-port", "0"));
  c.unix_path = optArg(argc, argv, "--unix-path", "/nonexistent/agentbox.sock");
  c.shm_key = atoi(optArg(argc, argv, "--shm-key", "0"));
  c.shm_name = optArg(argc, argv, "--shm-name", "agentbox-escape-none");
  c.pids = atol(optArg(argc, argv, "--pids", "32"));
  c.mem_mib = atol(optArg(argc, argv, "--mem-mib", "128"));
  c.tmp_mib = atol(optArg(argc, argv, "--tmp-mib", "16"));
  c.nofile = atol(optArg(argc, argv, "--nofile", "256"));
  const char* only = optArg(argc, argv, "--only", NULL);
  int escaped = 0;
  for (size_t i = 0; i < sizeof kProbes / sizeof kProbes[0]; i++) {
    if (!selected(only, kProbes[i].name))
      continue;
    g_detail[0] = 0;
    int code = kProbes[i].fn(&c);
    if (code == 0) {
      escaped++;
      printf("probe %s ok%s%s\n", kProbes[i].name, g_detail[0] ? " " : "", g_detail);
    } else {
      printf("probe %s denied %s%s%s\n", kProbes[i].name, codeName(code), g_detail[0] ? " " : "",
             g_detail);
    }
  }
  printf("done %s ok=%d\n", argv[1], escaped);
  return 0;
}
