// SPDX-License-Identifier: Apache-2.0
// File: hardening_test.cc
// Capabilities, no_new_privs, seccomp (built-in and Docker JSON profiles, violations in the
// run record, on_violation = kill), landlock, .git protection, hidden paths, extra binds.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "harness.h"
#include "run_fixture.h"

namespace agentbox::testing {
namespace {

using nlohmann::json;

std::string syscallProbe() {
  const char* p = std::getenv("AGENTBOX_SYSCALL_PROBE");  // NOLINT(concurrency-mt-unsafe)
  return p != nullptr ? p : "";
}

class HardeningTest : public RunTest {
 protected:
  std::string policyFile(const std::string& toml) {
    std::string path = state_.file("policy.toml");
    writeFile(path, toml);
    return path;
  }
  json runWithReport(std::vector<std::string> cmd, std::vector<std::string> flags,
                     Captured* out = nullptr) {
    std::string path = state_.file("report.json");
    std::filesystem::remove(path);
    flags.insert(flags.end(), {"--report", path});
    Captured c = run(std::move(cmd), std::move(flags));
    if (out != nullptr) {
      *out = c;
    }
    std::string text = readFile(path);
    return text.empty() ? json() : json::parse(text);
  }
};

TEST_F(HardeningTest, EveryCapabilitySetIsEmptyWithNoNewPrivsAndSeccomp) {
  Captured c = sh("grep -E '^(Cap[A-Za-z]+|NoNewPrivs|Seccomp):' /proc/self/status");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out,
            "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
            "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n"
            "Seccomp:\t2\n");
}

TEST_F(HardeningTest, EveryDeniedSyscallFamilyFailsAndIsRecordedByName) {
  ASSERT_FALSE(syscallProbe().empty());
  std::filesystem::copy_file(syscallProbe(), ws_.file("syscall_probe"));
  ::chmod(ws_.file("syscall_probe").c_str(), 0755);
  Captured c;
  json r = runWithReport({"/workspace/syscall_probe"}, {}, &c);
  EXPECT_EQ(c.exit_code, 0) << c.out;  // the probe checks each errno (EPERM, clone3 ENOSYS)
  EXPECT_NE(c.out.find("as expected"), std::string::npos) << c.out;
  std::set<std::string> names;
  for (const json& v : r["violations"]) {
    EXPECT_EQ(v["kind"], "syscall");
    EXPECT_EQ(v["rule"], "seccomp:builtin");
    std::string subject = v["subject"].get<std::string>();
    names.insert(subject.substr(0, subject.find('(')));
  }
  for (const char* n : {"mount",
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
                        "ioctl",
                        "socket"}) {
    EXPECT_EQ(names.count(n), 1u) << n << " is missing from the violations";
  }
}

TEST_F(HardeningTest, OnViolationKillEndsTheRunWith159) {
  std::string policy = policyFile("[seccomp]\non_violation = \"kill\"\n");
  Captured c;
  json r =
      runWithReport({"/bin/sh", "-c", "unshare -U true; echo survived"}, {"--policy", policy}, &c);
  EXPECT_EQ(c.exit_code, 159) << c.err;
  EXPECT_EQ(r["outcome"], "violation");
  EXPECT_EQ(c.out.find("survived"), std::string::npos);
  ASSERT_FALSE(r["violations"].empty());
  EXPECT_EQ(r["violations"][0]["subject"].get<std::string>().substr(0, 7), "unshare");
}

TEST_F(HardeningTest, DockerProfileDenyingMkdirMakesMkdirFail) {
  std::string profile = state_.file("nomkdir.json");
  writeFile(profile, R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
    {"names": ["no_such_syscall_xyz"], "action": "SCMP_ACT_ERRNO"}]})");
  std::string policy = policyFile("[seccomp]\nprofile = \"" + profile + "\"\n");
  Captured c = sh("mkdir /tmp/d && echo made; touch /tmp/f && echo touched", {"--policy", policy});
  EXPECT_EQ(c.out, "touched\n") << c.err;
  EXPECT_NE(c.err.find("Operation not permitted"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("no_such_syscall_xyz"), std::string::npos) << "unknown name not warned";
  // Even an allow-everything profile keeps the high-signal families denied.
  Captured guard = sh("unshare -U true && echo escaped", {"--policy", policy});
  EXPECT_EQ(guard.out.find("escaped"), std::string::npos);
}

TEST_F(HardeningTest, ContainersCommonProfileLoadsAndRuns) {
  const char* path = "/usr/share/containers/seccomp.json";
  if (::access(path, R_OK) != 0) {
    GTEST_SKIP() << path << " not installed (golang-github-containers-common)";
  }
  std::string policy = policyFile(std::string("[seccomp]\nprofile = \"") + path + "\"\n");
  Captured c =
      sh("true && echo fine; unshare -U true || echo unshare-denied", {"--policy", policy});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "fine\nunshare-denied\n") << c.err;
}

TEST_F(HardeningTest, MalformedProfileIsRefusedWithItsOffset) {
  std::string profile = state_.file("bad.json");
  writeFile(profile, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ {\"names\": 3} ]}");
  std::string policy = policyFile("[seccomp]\nprofile = \"" + profile + "\"\n");
  Captured c = sh("true", {"--policy", policy});
  EXPECT_EQ(c.exit_code, 125);
  EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
  EXPECT_NE(c.err.find("byte"), std::string::npos) << c.err;
}

TEST_F(HardeningTest, LandlockBlocksWritesAMountWouldAllowAndSignalsOutside) {
  // /proc is mounted read-write, so only landlock stops a write to /proc/self/comm; pid 1
  // (agentbox's init) is outside the command's landlock domain.
  Captured c = sh("echo x > /proc/self/comm; kill -USR1 1; echo ok > /tmp/ok && cat /tmp/ok");
  EXPECT_NE(c.err.find("/proc/self/comm: Permission denied"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("kill: Operation not permitted"), std::string::npos) << c.err;
  EXPECT_EQ(c.out, "ok\n");
}

TEST_F(HardeningTest, LandlockPortRuleBlocksConnectToOtherPorts) {
  std::string policy = policyFile("[network.ports]\nconnect = [4444]\n");
  Captured allowed = run({"/workspace/probe", "tcp", "127.0.0.1", "4444"}, {"--policy", policy});
  EXPECT_EQ(allowed.out, "errno ECONNREFUSED\n") << allowed.err;  // allowed; nobody listens
  Captured denied = run({"/workspace/probe", "tcp", "127.0.0.1", "4445"}, {"--policy", policy});
  EXPECT_EQ(denied.out, "errno EACCES\n") << denied.err;
}

TEST_F(HardeningTest, GitDirectoryStaysReadOnlyInWriteMode) {
  std::filesystem::create_directories(ws_.file(".git/hooks"));
  writeFile(ws_.file(".git/config"), "[core]\n");
  std::string attacks =
      "echo evil > .git/hooks/pre-commit; echo '[core] fsmonitor=evil' >> .git/config; "
      "mv .git .git-old; rm -rf .git; echo 'gitdir: /tmp/evil' > .git; "
      "echo done > /workspace/normal";
  Captured c = sh(attacks, {"--mode", "write"});
  EXPECT_NE(c.err.find("Read-only file system"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("busy"), std::string::npos) << c.err;
  EXPECT_FALSE(std::filesystem::exists(ws_.file(".git/hooks/pre-commit")));
  EXPECT_EQ(readFile(ws_.file(".git/config")), "[core]\n");
  EXPECT_TRUE(std::filesystem::is_directory(ws_.file(".git")));
  EXPECT_EQ(readFile(ws_.file("normal")), "done\n");  // the rest of the workspace is writable
  Captured open = sh("echo hook > .git/hooks/pre-commit", {"--mode", "write", "--allow-git-write"});
  EXPECT_EQ(open.exit_code, 0) << open.err;
  EXPECT_EQ(readFile(ws_.file(".git/hooks/pre-commit")), "hook\n");
}

TEST_F(HardeningTest, HiddenPathsAreEmptyAndExtraBindsAppear) {
  writeFile(ws_.file(".env"), "API_KEY=1\n");
  std::filesystem::create_directories(ws_.file("secrets"));
  writeFile(ws_.file("secrets/k"), "k\n");
  std::filesystem::create_directories(state_.file("extra"));
  writeFile(state_.file("extra/data.txt"), "extra\n");
  std::string policy = policyFile(
      "[filesystem]\nhidden = [\"/workspace/.env\", \"/workspace/secrets\"]\nread_only = [{ host "
      "= \"" +
      state_.file("extra") + "\", sandbox = \"/data\" }]\n");
  Captured c =
      sh("cat /workspace/.env; echo size=$(wc -c < /workspace/.env); ls /workspace/secrets "
         "2>&1 | head -1; cat /data/data.txt; echo x > /data/new",
         {"--policy", policy});
  EXPECT_NE(c.out.find("size=0"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("API_KEY"), std::string::npos);
  EXPECT_EQ(c.out.find("\nk\n"), std::string::npos);
  EXPECT_NE(c.out.find("Permission denied"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("extra\n"), std::string::npos) << c.out << c.err;
  EXPECT_NE(c.err.find("Read-only file system"), std::string::npos) << c.err;
}

TEST_F(HardeningTest, SetuidBinaryOwnedByAMappedUidGainsNothing) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "unprivileged: the only uid mapped into the sandbox is the caller itself "
                    "(1001 inside), so no setuid binary with another mapped owner can exist";
  }
  // As root the sandbox maps 0..65535 to 100000..165535: a binary owned by host uid 100000 is
  // owned by root *inside*. nosuid on every bind and no_new_privs must both hold.
  std::string dir = state_.file("suid");
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(probeBin(), dir + "/probe");
  ASSERT_EQ(::chown((dir + "/probe").c_str(), 100000, 100000), 0);
  ASSERT_EQ(::chmod((dir + "/probe").c_str(), 04755), 0);
  std::string policy =
      policyFile("[filesystem]\nread_only = [{ host = \"" + dir + "\", sandbox = \"/suid\" }]\n");
  Captured owner = run({"/usr/bin/stat", "-c", "%u %A", "/suid/probe"}, {"--policy", policy});
  EXPECT_EQ(owner.out, "0 -rwsr-xr-x\n") << owner.err;  // mapped: root inside, setuid bit set
  Captured c = run({"/suid/probe", "ids"}, {"--policy", policy});
  EXPECT_EQ(c.out, "ruid=1001 euid=1001 suid=1001\n") << c.err;
}

TEST_F(HardeningTest, AFloodOfViolationsIsCappedAndTheRunGoesOn) {
  Captured c;
  json r = runWithReport({"/workspace/probe", "flood", "5000"}, {}, &c);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "denied=5000\n");
  EXPECT_EQ(r["violations"].size(), 1000u);
  EXPECT_EQ(r["violations_suppressed"].get<uint64_t>(), 4000u);
}

TEST_F(HardeningTest, UnenforcedDenyPatternsAreRefusedNotIgnored) {
  std::string policy = policyFile("[filesystem]\ndeny = [\"*.pem\"]\n");
  Captured strict = sh("true", {"--policy", policy});
  EXPECT_EQ(strict.exit_code, 125);
  EXPECT_NE(strict.err.find("filesystem.deny is not enforced"), std::string::npos) << strict.err;
  Captured lax = sh("true", {"--policy", policy, "--best-effort"});
  EXPECT_EQ(lax.exit_code, 0) << lax.err;
  EXPECT_NE(lax.err.find("filesystem.deny patterns are not enforced"), std::string::npos);
}

}  // namespace
}  // namespace agentbox::testing
