// SPDX-License-Identifier: Apache-2.0
// File: seccomp_docker_test.cc
// Docker/OCI JSON profiles: the whole format, errors with byte offsets, and real profiles
// (containers-common's seccomp.json, a mkdir-denying one) installed in forked children.
#include "sandbox/seccomp_docker.h"

#include <gtest/gtest.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "sandbox/seccomp_builtin.h"
#include "sandbox/seccomp_compile.h"
#include "sandbox/seccomp_test_child.h"

namespace agentbox::sandbox {
namespace {

using testing::childPrintf;
using testing::runChild;

constexpr const char* kContainersCommon = "/usr/share/containers/seccomp.json";

DockerProfileContext ctx() {
  DockerProfileContext c;
  c.arch = "amd64";
  c.kernel = {6, 1};
  return c;
}

DockerProfileContext unguarded() {
  DockerProfileContext c = ctx();
  c.mandatory_guard = false;
  return c;
}

Result<SeccompRules> parse(std::string_view json, DockerProfileContext c = ctx()) {
  return parseDockerProfile(json, "p.json", c);
}

size_t countRules(const SeccompRules& r, const std::string& name) {
  return static_cast<size_t>(std::count_if(
      r.rules.begin(), r.rules.end(), [&](const SeccompRule& x) { return x.syscall == name; }));
}

TEST(DockerProfile, ParsesActionsErrnoAndArgs) {
  auto r = parse(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "io"},
      {"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
      {"names": ["kill"], "action": "SCMP_ACT_ERRNO"},
      {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                {"index": 1, "value": 15, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}]},
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
                {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}
    ]})",
                 unguarded());
  ASSERT_TRUE(r) << r.error().oneLine();
  EXPECT_EQ(r->default_action, errnoAction(38));
  EXPECT_EQ(countRules(*r, "read"), 1U);
  EXPECT_EQ(countRules(*r, "write"), 1U);
  const auto find = [&](const std::string& n) {
    return *std::find_if(r->rules.begin(), r->rules.end(),
                         [&](const SeccompRule& x) { return x.syscall == n; });
  };
  EXPECT_EQ(find("mkdir").action, errnoAction(13));
  EXPECT_EQ(find("kill").action, errnoAction(1));  // ERRNO without errnoRet is EPERM
  const SeccompRule sock = find("socket");
  ASSERT_EQ(sock.args.size(), 2U);  // different indexes: one AND-ed rule
  EXPECT_EQ(sock.args[1], (ArgCmp{1, ArgOp::kMaskedEq, 15, 1}));
  // Same index twice cannot be AND-ed by libseccomp: split into OR-ed rules, as runc does.
  EXPECT_EQ(countRules(*r, "personality"), 2U);
}

TEST(DockerProfile, IncludesAndExcludesFollowCapsArchesAndKernel) {
  const char* json = R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["bpf"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["bpf"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"]}},
      {"names": ["s390_runtime_instr"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["s390x"]}},
      {"names": ["futex_waitv"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.16"}},
      {"names": ["newer"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "99.0"}},
      {"names": ["old_only"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "4.0"}},
      {"names": ["not_on_amd64"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}}
    ]})";
  DockerProfileContext no_caps = ctx();
  no_caps.mandatory_guard = false;
  auto r = parse(json, no_caps);
  ASSERT_TRUE(r) << r.error().oneLine();
  ASSERT_EQ(countRules(*r, "bpf"), 1U);
  EXPECT_EQ(std::find_if(r->rules.begin(), r->rules.end(),
                         [](const SeccompRule& x) { return x.syscall == "bpf"; })
                ->action.kind,
            SeccompActionKind::kErrno);  // the empty cap set takes the excludes branch
  EXPECT_EQ(countRules(*r, "arch_prctl"), 1U);
  EXPECT_EQ(countRules(*r, "s390_runtime_instr"), 0U);
  EXPECT_EQ(countRules(*r, "futex_waitv"), 1U);
  EXPECT_EQ(countRules(*r, "newer"), 0U);
  EXPECT_EQ(countRules(*r, "old_only"), 0U);
  EXPECT_EQ(countRules(*r, "not_on_amd64"), 0U);

  DockerProfileContext admin = no_caps;
  admin.caps = {"CAP_SYS_ADMIN"};
  auto a = parse(json, admin);
  ASSERT_TRUE(a);
  ASSERT_EQ(countRules(*a, "bpf"), 1U);
  EXPECT_EQ(std::find_if(a->rules.begin(), a->rules.end(),
                         [](const SeccompRule& x) { return x.syscall == "bpf"; })
                ->action.kind,
            SeccompActionKind::kAllow);
}

TEST(DockerProfile, ArchMapTakesTheNativeEntryAndItsSubArchitectures) {
  auto r = parse(R"({"defaultAction": "SCMP_ACT_ERRNO", "archMap": [
      {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]},
      {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}
    ], "syscalls": []})");
  ASSERT_TRUE(r) << r.error().oneLine();
  EXPECT_EQ(r->arches, (std::vector<uint32_t>{SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32}));
  auto a = parse(
      R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_NOPE"]})");
  ASSERT_TRUE(a) << a.error().oneLine();
  EXPECT_EQ(a->arches, (std::vector<uint32_t>{SCMP_ARCH_X86_64}));
  ASSERT_EQ(a->warnings.size(), 1U);
  EXPECT_NE(a->warnings[0].find("SCMP_ARCH_NOPE"), std::string::npos);
}

TEST(DockerProfile, UnknownSyscallNamesAreSkippedWithOneWarning) {
  auto r = parse(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["read", "no_such_call", "write", "another_fake"], "action": "SCMP_ACT_ALLOW"}]})");
  ASSERT_TRUE(r) << r.error().oneLine();
  auto program = compileSeccomp(*r);
  ASSERT_TRUE(program) << program.error().oneLine();
  ASSERT_EQ(program->warnings.size(), 1U);
  EXPECT_NE(program->warnings[0].find("2 syscall name(s)"), std::string::npos)
      << program->warnings[0];
  EXPECT_NE(program->warnings[0].find("no_such_call, another_fake"), std::string::npos)
      << program->warnings[0];
}

struct MalformedCase {
  const char* name;
  const char* json;
  const char* expected;  // substring of the error
};

class DockerProfileMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(DockerProfileMalformed, IsRefusedWithOffsetAndExpectation) {
  auto r = parse(GetParam().json);
  ASSERT_FALSE(r) << GetParam().name;
  EXPECT_EQ(r.error().code(), Errc::kInvalidInput);
  EXPECT_NE(r.error().oneLine().find(GetParam().expected), std::string::npos)
      << r.error().oneLine();
}

INSTANTIATE_TEST_SUITE_P(
    Table, DockerProfileMalformed,
    ::testing::Values(
        MalformedCase{"truncated", R"({"defaultAction": "SCMP_ACT_ERRNO", )",
                      "byte 36 (line 1, column 37): syntax error while parsing object key - "
                      "unexpected end of input; expected string literal"},
        MalformedCase{
            "bad_literal", R"({"defaultAction": nope})",
            "byte 19 (line 1, column 20): syntax error while parsing value - invalid literal"},
        MalformedCase{"not_object", R"([1, 2])",
                      "byte 0 (line 1, column 1): (top level): expected an object"},
        MalformedCase{"no_default", R"({"syscalls": []})", "a member \"defaultAction\""},
        MalformedCase{
            "bad_action",
            "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [{\"names\": [\"read\"], "
            "\"action\": \"SCMP_ACT_NOPE\"}]}",
            "byte 80 (line 2, column 45): syscalls[0].action: expected one of SCMP_ACT_ALLOW"},
        MalformedCase{
            "names_not_array",
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]})",
            "syscalls[0].names: expected an array of strings, got \"read\""},
        MalformedCase{
            "arg_index",
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]})",
            "syscalls[0].args[0].index: expected an unsigned integer <= 5, got 6"},
        MalformedCase{
            "arg_op",
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_LIKE"}]}]})",
            "syscalls[0].args[0].op: expected one of SCMP_CMP_NE"},
        MalformedCase{
            "negative_value",
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]}]})",
            "value: expected an unsigned integer"},
        MalformedCase{"errno_range",
                      R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000})",
                      "defaultErrnoRet: expected an unsigned integer <= 4095, got 70000"},
        MalformedCase{
            "min_kernel",
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "new"}}]})",
            "includes.minKernel: expected a kernel version"}),
    [](const ::testing::TestParamInfo<MalformedCase>& info) {
      return std::string(info.param.name);
    });

TEST(DockerProfile, MandatoryGuardReplacesWhatContainersCommonWouldAllow) {
  if (access(kContainersCommon, R_OK) != 0) {
    GTEST_SKIP() << kContainersCommon << " missing (package golang-github-containers-common)";
  }
  DockerProfileContext c = ctx();
  c.mandatory_guard = false;
  auto plain = loadDockerProfile(kContainersCommon, c);
  ASSERT_TRUE(plain) << plain.error().oneLine();
  SeccompRules guarded = *plain;
  const auto replaced = applyMandatoryGuard(guarded);
  // containers-common allows these outright and relies on capabilities; agentbox does not.
  for (const char* name : {"mount", "unshare", "ptrace", "setns", "clone", "clone3", "keyctl"}) {
    EXPECT_NE(std::find(replaced.begin(), replaced.end(), name), replaced.end()) << name;
  }
  // bpf is guarded by includes.caps = [CAP_SYS_ADMIN]: with an empty cap set the profile
  // itself denies it, so the guard leaves it alone.
  EXPECT_EQ(std::find(replaced.begin(), replaced.end(), "bpf"), replaced.end());
}

TEST(DockerProfile, ContainersCommonLoadsCompilesAndKeepsTheDangerousFamiliesDenied) {
  if (access(kContainersCommon, R_OK) != 0) {
    GTEST_SKIP() << kContainersCommon << " missing (package golang-github-containers-common)";
  }
  auto host = hostDockerProfileContext();
  ASSERT_TRUE(host) << host.error().oneLine();
  auto rules = loadDockerProfile(kContainersCommon, *host);
  ASSERT_TRUE(rules) << rules.error().oneLine();
  auto program = compileSeccomp(*rules);
  ASSERT_TRUE(program) << program.error().oneLine();
  EXPECT_GT(program->rule_count, 300U);
  const auto r = runChild(
      [](int out) {
        auto e = [](long rc) { return rc < 0 ? errno : 0; };
        childPrintf(out, "mount %d\n", e(::mount("none", "/tmp", "tmpfs", 0, nullptr)));
        childPrintf(out, "unshare %d\n", e(::unshare(CLONE_NEWUSER)));
        childPrintf(out, "bpf %d\n", e(syscall(SYS_bpf, 0, nullptr, 0)));
        childPrintf(out, "ptrace %d\n", e(::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr)));
        childPrintf(out, "getpid %d\n", e(getpid()));
        const pid_t p = fork();
        if (p == 0) {
          char sh[] = "/bin/sh";
          char c[] = "-c";
          char cmd[] = "true";
          char* argv[] = {sh, c, cmd, nullptr};
          execv(sh, argv);
          _exit(127);
        }
        int st = 0;
        waitpid(p, &st, 0);
        childPrintf(out, "sh %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128);
        return 0;
      },
      &*program);
  ASSERT_TRUE(r.exited(0)) << r.output;
  for (const char* line :
       {"mount 1\n", "unshare 1\n", "bpf 1\n", "ptrace 1\n", "getpid 0\n", "sh 0\n"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " in\n" << r.output;
  }
  EXPECT_TRUE(r.sink.has("mount"));
  EXPECT_TRUE(r.sink.has("unshare"));
  EXPECT_TRUE(r.sink.has("ptrace"));
}

TEST(DockerProfile, AProfileDenyingMkdirMakesMkdirFail) {
  auto rules = parse(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
       "comment": "no new directories"}]})");
  ASSERT_TRUE(rules) << rules.error().oneLine();
  auto program = compileSeccomp(*rules);
  ASSERT_TRUE(program) << program.error().oneLine();
  char dir[] = "/tmp/agentbox-mkdir-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string sub = std::string(dir) + "/sub";
  const auto r = runChild(
      [&](int out) {
        const int rc = ::mkdir(sub.c_str(), 0700);
        childPrintf(out, "mkdir rc=%d errno=%d\n", rc, rc < 0 ? errno : 0);
        const int fd =
            ::open((std::string(dir) + "/file").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        childPrintf(out, "open rc=%d\n", fd >= 0 ? 0 : -1);
        return 0;
      },
      &*program);
  ASSERT_TRUE(r.exited(0)) << r.output;
  EXPECT_NE(r.output.find("mkdir rc=-1 errno=13"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("open rc=0"), std::string::npos) << r.output;
  struct stat st {};
  EXPECT_NE(::stat(sub.c_str(), &st), 0);
  unlink((std::string(dir) + "/file").c_str());
  rmdir(dir);
}

TEST(KernelVersion, ParsesReleaseStrings) {
  EXPECT_EQ(parseKernelVersion("6.18.44-fc-v857"), (KernelVersion{6, 18}));
  EXPECT_EQ(parseKernelVersion("4.8"), (KernelVersion{4, 8}));
  EXPECT_EQ(parseKernelVersion("x"), (KernelVersion{0, 0}));
  EXPECT_EQ(parseKernelVersion("5"), (KernelVersion{0, 0}));
}

}  // namespace
}  // namespace agentbox::sandbox
