// SPDX-License-Identifier: Apache-2.0
// File: seccomp_builtin_test.cc
// The built-in profile, compiled and installed for real in forked children: denied
// families fail with the specified errno and are reported; real programs run unharmed.
#include "sandbox/seccomp_builtin.h"

#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sandbox/seccomp_compile.h"
#include "sandbox/seccomp_test_child.h"

namespace agentbox::sandbox {
namespace {

using testing::childPrintf;
using testing::ChildResult;
using testing::runChild;

const SeccompProgram& builtinProgram() {
  static const SeccompProgram program = [] {
    auto p = compileSeccomp(builtinSeccompRules());
    if (!p) {
      ADD_FAILURE() << p.error().oneLine();
      return SeccompProgram{};
    }
    return std::move(*p);
  }();
  return program;
}

long rawErrno(long rc) {
  return rc < 0 ? errno : 0;
}

TEST(SeccompBuiltin, CompilesWithoutWarningsAndWithinKernelLimits) {
  auto program = compileSeccomp(builtinSeccompRules());
  ASSERT_TRUE(program) << program.error().oneLine();
  EXPECT_TRUE(program->warnings.empty()) << program->warnings.front();
  EXPECT_GT(program->rule_count, 300U);
  EXPECT_LE(program->filter.size(), 4096U);
  EXPECT_TRUE(program->usesNotify());
  EXPECT_EQ(program->describe().rfind("profile=builtin rules=", 0), 0U) << program->describe();
  for (const char* name : {"mount", "unshare", "ptrace", "bpf", "clone", "socket", "ioctl",
                           "personality", "io_uring_setup", "open_by_handle_at"}) {
    EXPECT_NE(std::find(program->notify_syscalls.begin(), program->notify_syscalls.end(), name),
              program->notify_syscalls.end())
        << name;
  }
}

struct DeniedCase {
  const char* family;    // printed by the child
  const char* reported;  // syscall name expected in the violations ("" = none)
  int expected_errno;
  long (*call)();
};

const DeniedCase kDenied[] = {
    {"mount", "mount", EPERM,
     [] { return rawErrno(::mount("none", "/tmp", "tmpfs", 0, nullptr)); }},
    {"umount2", "umount2", EPERM, [] { return rawErrno(::umount2("/tmp", MNT_DETACH)); }},
    {"pivot_root", "pivot_root", EPERM, [] { return rawErrno(syscall(SYS_pivot_root, "/", "/")); }},
    {"fsopen", "fsopen", EPERM, [] { return rawErrno(syscall(SYS_fsopen, "tmpfs", 0)); }},
    {"open_tree", "open_tree", EPERM,
     [] { return rawErrno(syscall(SYS_open_tree, -100, "/", 0)); }},
    {"move_mount", "move_mount", EPERM,
     [] { return rawErrno(syscall(SYS_move_mount, -1, "", -1, "", 0)); }},
    {"mount_setattr", "mount_setattr", EPERM,
     [] { return rawErrno(syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0)); }},
    {"unshare", "unshare", EPERM, [] { return rawErrno(::unshare(CLONE_NEWUSER)); }},
    {"setns", "setns", EPERM, [] { return rawErrno(::setns(0, CLONE_NEWNET)); }},
    {"clone_newuser", "clone", EPERM,
     [] { return rawErrno(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)); }},
    {"clone_newns_high_bits", "clone", EPERM,
     [] {
       return rawErrno(syscall(SYS_clone, 0xff00000000ULL | CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0));
     }},
    {"ptrace", "ptrace", EPERM,
     [] { return rawErrno(::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr)); }},
    {"process_vm_readv", "process_vm_readv", EPERM,
     [] { return rawErrno(syscall(SYS_process_vm_readv, 1, nullptr, 0, nullptr, 0, 0)); }},
    {"kexec_load", "kexec_load", EPERM,
     [] { return rawErrno(syscall(SYS_kexec_load, 0, 0, 0, 0)); }},
    {"init_module", "init_module", EPERM,
     [] { return rawErrno(syscall(SYS_init_module, nullptr, 0, "")); }},
    {"finit_module", "finit_module", EPERM,
     [] { return rawErrno(syscall(SYS_finit_module, -1, "", 0)); }},
    {"delete_module", "delete_module", EPERM,
     [] { return rawErrno(syscall(SYS_delete_module, "x", 0)); }},
    {"bpf", "bpf", EPERM, [] { return rawErrno(syscall(SYS_bpf, 0, nullptr, 0)); }},
    {"perf_event_open", "perf_event_open", EPERM,
     [] { return rawErrno(syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0)); }},
    {"keyctl", "keyctl", EPERM, [] { return rawErrno(syscall(SYS_keyctl, 0, 0, 0, 0, 0)); }},
    {"add_key", "add_key", EPERM,
     [] { return rawErrno(syscall(SYS_add_key, "user", "x", "y", 1, 0)); }},
    {"request_key", "request_key", EPERM,
     [] { return rawErrno(syscall(SYS_request_key, "user", "x", nullptr, 0)); }},
    {"userfaultfd", "userfaultfd", EPERM, [] { return rawErrno(syscall(SYS_userfaultfd, 0)); }},
    {"open_by_handle_at", "open_by_handle_at", EPERM,
     [] { return rawErrno(syscall(SYS_open_by_handle_at, -1, nullptr, 0)); }},
    {"name_to_handle_at", "name_to_handle_at", EPERM,
     [] { return rawErrno(syscall(SYS_name_to_handle_at, -100, "/", nullptr, nullptr, 0)); }},
    {"clock_settime", "clock_settime", EPERM,
     [] {
       timespec ts{};
       return rawErrno(clock_settime(CLOCK_REALTIME, &ts));
     }},
    {"settimeofday", "settimeofday", EPERM,
     [] { return rawErrno(syscall(SYS_settimeofday, nullptr, nullptr)); }},
    {"adjtimex", "adjtimex", EPERM, [] { return rawErrno(syscall(SYS_adjtimex, nullptr)); }},
    {"clock_adjtime", "clock_adjtime", EPERM,
     [] { return rawErrno(syscall(SYS_clock_adjtime, 0, nullptr)); }},
    {"reboot", "reboot", EPERM, [] { return rawErrno(syscall(SYS_reboot, 0, 0, 0, nullptr)); }},
    {"swapon", "swapon", EPERM, [] { return rawErrno(syscall(SYS_swapon, "/x", 0)); }},
    {"swapoff", "swapoff", EPERM, [] { return rawErrno(syscall(SYS_swapoff, "/x")); }},
    {"acct", "acct", EPERM, [] { return rawErrno(syscall(SYS_acct, nullptr)); }},
    {"quotactl", "quotactl", EPERM,
     [] { return rawErrno(syscall(SYS_quotactl, 0, nullptr, 0, nullptr)); }},
    {"syslog", "syslog", EPERM, [] { return rawErrno(syscall(SYS_syslog, 3, nullptr, 0)); }},
    {"personality_no_aslr", "personality", EPERM,
     [] { return rawErrno(syscall(SYS_personality, ADDR_NO_RANDOMIZE)); }},
    {"personality_linux32_high_bits", "personality", EPERM,
     [] { return rawErrno(syscall(SYS_personality, 0x100000008ULL)); }},
    {"io_uring_setup", "io_uring_setup", EPERM,
     [] { return rawErrno(syscall(SYS_io_uring_setup, 1, nullptr)); }},
    {"io_uring_enter", "io_uring_enter", EPERM,
     [] { return rawErrno(syscall(SYS_io_uring_enter, -1, 0, 0, 0, nullptr, 0)); }},
    {"io_uring_register", "io_uring_register", EPERM,
     [] { return rawErrno(syscall(SYS_io_uring_register, -1, 0, nullptr, 0)); }},
    {"ioctl_tiocsti", "ioctl", EPERM,
     [] {
       char c = 'x';
       return rawErrno(syscall(SYS_ioctl, 0, TIOCSTI, &c));
     }},
    {"ioctl_tiocsti_high_bits", "ioctl", EPERM,
     [] {
       char c = 'x';
       return rawErrno(syscall(SYS_ioctl, 0, 0x100000000ULL | TIOCSTI, &c));
     }},
    {"ioctl_tioclinux", "ioctl", EPERM,
     [] {
       char c = 0;
       return rawErrno(syscall(SYS_ioctl, 0, TIOCLINUX, &c));
     }},
    {"socket_packet", "socket", EPERM, [] { return rawErrno(::socket(AF_PACKET, SOCK_RAW, 0)); }},
    {"socket_inet_raw", "socket", EPERM,
     [] { return rawErrno(::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)); }},
    {"socket_inet6_raw_cloexec", "socket", EPERM,
     [] { return rawErrno(::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6)); }},
    {"socket_inet_packet", "socket", EPERM,
     [] { return rawErrno(::socket(AF_INET, SOCK_PACKET, 0)); }},
    {"socket_netlink_audit", "socket", EPERM,
     [] { return rawErrno(::socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)); }},
    {"socket_vsock", "socket", EPERM, [] { return rawErrno(::socket(AF_VSOCK, SOCK_STREAM, 0)); }},
    {"socket_alg", "socket", EPERM, [] { return rawErrno(::socket(AF_ALG, SOCK_SEQPACKET, 0)); }},
    {"clone3", "", ENOSYS, [] { return rawErrno(syscall(SYS_clone3, nullptr, 0)); }},
    {"unlisted_vhangup", "", EPERM, [] { return rawErrno(syscall(SYS_vhangup)); }},
    {"unlisted_chroot", "", EPERM, [] { return rawErrno(syscall(SYS_chroot, "/")); }},
};

TEST(SeccompBuiltin, DeniedFamiliesFailAsSpecifiedAndAreReportedByName) {
  const ChildResult r = runChild(
      [](int out) {
        for (const DeniedCase& c : kDenied) {
          childPrintf(out, "%s %ld\n", c.family, c.call());
        }
        return 0;
      },
      &builtinProgram());
  ASSERT_TRUE(r.exited(0)) << r.output;
  for (const DeniedCase& c : kDenied) {
    const std::string line = std::string(c.family) + " " + std::to_string(c.expected_errno) + "\n";
    EXPECT_NE(r.output.find(line), std::string::npos) << "expected '" << line << "' in\n"
                                                      << r.output;
    if (*c.reported != 0) {
      EXPECT_TRUE(r.sink.has(c.reported)) << c.family;
    }
  }
  size_t expected_reports = 0;
  for (const DeniedCase& c : kDenied) {
    expected_reports += *c.reported != 0 ? 1 : 0;
  }
  // clone3 and unlisted calls are denied silently: exactly one report per reported case.
  EXPECT_EQ(r.sink.violations.size(), expected_reports);
}

TEST(SeccompBuiltin, ViolationCarriesPidAndDecodedArguments) {
  pid_t child_pid = 0;
  const ChildResult r = runChild(
      [](int out) {
        childPrintf(out, "pid %d\n", getpid());
        (void)::unshare(CLONE_NEWUSER | CLONE_NEWNS);
        (void)::socket(AF_PACKET, SOCK_RAW, 0);
        return 0;
      },
      &builtinProgram());
  ASSERT_TRUE(r.exited(0)) << r.output;
  ASSERT_EQ(sscanf(r.output.c_str(), "pid %d", &child_pid), 1);
  ASSERT_EQ(r.sink.violations.size(), 2U);
  const SyscallViolation& v = r.sink.violations[0];
  EXPECT_EQ(v.syscall, "unshare");
  EXPECT_EQ(v.pid, child_pid);
  EXPECT_EQ(v.args[0], static_cast<uint64_t>(CLONE_NEWUSER | CLONE_NEWNS));
  EXPECT_NE(v.detail.find("CLONE_NEWUSER"), std::string::npos) << v.detail;
  EXPECT_TRUE(v.answered_eperm);
  EXPECT_EQ(r.sink.violations[1].detail, "family=AF_PACKET type=SOCK_RAW protocol=0");
}

void* threadBody(void*) {
  return nullptr;
}

TEST(SeccompBuiltin, EverydayCallsStillWork) {
  const ChildResult r = runChild(
      [](int out) {
        int fails = 0;
        auto check = [&](const char* what, bool okay) {
          if (!okay) {
            childPrintf(out, "FAIL %s errno=%d\n", what, errno);
            ++fails;
          }
        };
        const int u = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        check("socket(AF_UNIX)", u >= 0);
        const int t = ::socket(AF_INET, SOCK_STREAM, 0);
        check("socket(AF_INET, STREAM)", t >= 0);
        const int d = ::socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        check("socket(AF_INET6, DGRAM)", d >= 0);
        const int nl = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        check("socket(AF_NETLINK, NETLINK_ROUTE)", nl >= 0);
        check("personality(query)", syscall(SYS_personality, 0xffffffffUL) >= 0);
        check("personality(PER_LINUX)", syscall(SYS_personality, 0) >= 0);
        termios tio{};
        errno = 0;
        check("ioctl(TCGETS) reaches the kernel", ::ioctl(u, TCGETS, &tio) < 0 && errno == ENOTTY);
        pthread_t th;
        check("pthread_create (clone3 -> clone fallback)",
              pthread_create(&th, nullptr, threadBody, nullptr) == 0 &&
                  pthread_join(th, nullptr) == 0);
        const pid_t p = fork();
        if (p == 0) {
          _exit(7);
        }
        int st = 0;
        check("fork+wait",
              p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 7);
        char dir[] = "/tmp/agentbox-seccomp-XXXXXX";
        check("mkdtemp", mkdtemp(dir) != nullptr);
        check("rmdir", rmdir(dir) == 0);
        return fails;
      },
      &builtinProgram());
  EXPECT_TRUE(r.exited(0)) << r.output;
  EXPECT_TRUE(r.sink.violations.empty()) << r.sink.violations.front().syscall;
}

// tests/sandbox/probes/syscall_probe (target syscall_probe) under the built-in filter: every
// family fails as specified and is reported. The binary's path comes from the environment
// so this unit suite does not depend on the probe target.
TEST(SeccompBuiltin, SyscallProbeSeesEveryFamilyDenied) {
  const char* probe = std::getenv("AGENTBOX_SYSCALL_PROBE");
  if (probe == nullptr || access(probe, X_OK) != 0) {
    GTEST_SKIP() << "set AGENTBOX_SYSCALL_PROBE to the built syscall_probe binary";
  }
  const ChildResult r = runChild(
      [&](int) {
        char* argv[] = {const_cast<char*>(probe), nullptr};
        char* envp[] = {nullptr};
        execve(probe, argv, envp);
        return 127;
      },
      &builtinProgram());
  EXPECT_TRUE(r.exited(0)) << r.output;
  for (const char* name : {"mount",
                           "umount2",
                           "pivot_root",
                           "fsopen",
                           "fsconfig",
                           "fsmount",
                           "fspick",
                           "move_mount",
                           "open_tree",
                           "mount_setattr",
                           "unshare",
                           "setns",
                           "clone",
                           "ptrace",
                           "process_vm_readv",
                           "process_vm_writev",
                           "kexec_load",
                           "kexec_file_load",
                           "init_module",
                           "finit_module",
                           "delete_module",
                           "bpf",
                           "perf_event_open",
                           "keyctl",
                           "add_key",
                           "request_key",
                           "userfaultfd",
                           "open_by_handle_at",
                           "name_to_handle_at",
                           "clock_settime",
                           "settimeofday",
                           "adjtimex",
                           "clock_adjtime",
                           "reboot",
                           "swapon",
                           "swapoff",
                           "acct",
                           "quotactl",
                           "syslog",
                           "personality",
                           "io_uring_setup",
                           "io_uring_enter",
                           "io_uring_register",
                           "ioctl",
                           "socket"}) {
    EXPECT_TRUE(r.sink.has(name)) << name << " not reported";
  }
}

struct ProgramCase {
  const char* name;
  std::vector<const char*> argv;
};

class SeccompBuiltinPrograms : public ::testing::TestWithParam<ProgramCase> {};

TEST_P(SeccompBuiltinPrograms, RunsWithoutViolations) {
  const ProgramCase& c = GetParam();
  if (access(c.argv[0], X_OK) != 0) {
    GTEST_SKIP() << c.argv[0] << " is not installed";
  }
  const ChildResult r = runChild(
      [&](int) {
        std::vector<char*> argv;
        for (const char* a : c.argv) {
          argv.push_back(const_cast<char*>(a));
        }
        argv.push_back(nullptr);
        char path_env[] = "PATH=/usr/local/bin:/usr/bin:/bin";
        char home_env[] = "HOME=/tmp";
        char* envp[] = {path_env, home_env, nullptr};
        execve(argv[0], argv.data(), envp);
        return 127;
      },
      &builtinProgram());
  EXPECT_TRUE(r.exited(0)) << c.name << " output:\n" << r.output;
  for (const auto& v : r.sink.violations) {
    ADD_FAILURE() << c.name << " hit " << v.syscall << " " << v.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(
    RealPrograms, SeccompBuiltinPrograms,
    ::testing::Values(
        ProgramCase{"sh", {"/bin/sh", "-c", "echo hi | cat >/dev/null && ls / >/dev/null"}},
        ProgramCase{"bash",
                    {"/bin/bash", "-c",
                     "x=$(seq 3 | sort -r); [ \"$x\" = \"3\n2\n1\" ] || exit 3; cp /etc/hostname "
                     "/tmp/ab-sc-h && rm /tmp/ab-sc-h"}},
        ProgramCase{"coreutils",
                    {"/bin/sh", "-c",
                     "d=$(mktemp -d) && touch $d/a && mv $d/a $d/b && ln -s b $d/c && stat $d/c "
                     ">/dev/null && chmod 600 $d/b && du -s $d >/dev/null && rm -r $d && date "
                     ">/dev/null && id >/dev/null && uname -a >/dev/null"}},
        ProgramCase{"git",
                    {"/bin/sh", "-c",
                     "d=$(mktemp -d) && cd $d && git init -q && git config user.email a@b && git "
                     "config user.name a && echo x >f && git add f && git commit -qm m && git log "
                     "--oneline | grep -q m && cd / && rm -rf $d"}},
        ProgramCase{
            "python3",
            {"/usr/bin/python3", "-c",
             "import os, socket, subprocess, threading, tempfile, json, ssl, multiprocessing as m; "
             "t=threading.Thread(target=print); t.start(); t.join(); "
             "socket.getaddrinfo('localhost', 80); print(subprocess.run(['true']).returncode); "
             "p=m.Pool(2); print(p.map(abs,[-1,-2])); p.close()"}},
        ProgramCase{"node",
                    {"/usr/bin/node", "-e",
                     "const fs=require('fs'); fs.promises.readFile('/etc/hostname').then(()=>{ "
                     "require('child_process').execSync('true'); const w=new "
                     "(require('worker_threads').Worker)('1',{eval:true}); "
                     "w.on('exit',()=>console.log('ok')); })"}},
        ProgramCase{"make",
                    {"/bin/sh", "-c",
                     "d=$(mktemp -d) && printf 'all:\\n\\techo made > out\\n' > $d/Makefile && "
                     "make -s -C $d && grep -q made $d/out && rm -rf $d"}},
        ProgramCase{
            "gcc",
            {"/bin/sh", "-c",
             "d=$(mktemp -d) && printf '#include <stdio.h>\\nint main(){puts(\"hi\");return "
             "0;}\\n' > $d/h.c && gcc -O1 -o $d/h $d/h.c && $d/h | grep -q hi && rm -rf $d"}}),
    [](const ::testing::TestParamInfo<ProgramCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace agentbox::sandbox
