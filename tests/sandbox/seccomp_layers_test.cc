// SPDX-License-Identifier: Apache-2.0
// File: seccomp_layers_test.cc
// All three hardening layers in the child's order (landlock, capabilities + no_new_privs,
// seccomp last), then real programs: they must run, and attacks must fail.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>

#include "sandbox/capabilities.h"
#include "sandbox/landlock_rules.h"
#include "sandbox/seccomp_builtin.h"
#include "sandbox/seccomp_compile.h"
#include "sandbox/seccomp_test_child.h"

namespace agentbox::sandbox {
namespace {

using testing::childPrintf;
using testing::runChild;

struct Layers {
  SeccompProgram program;
  LandlockPlan plan;
};

const Layers& layers() {
  static const Layers l = [] {
    Layers out;
    auto p = compileSeccomp(builtinSeccompRules());
    if (p) {
      out.program = std::move(*p);
    }
    auto abi = detectLandlockAbi();
    out.plan = planLandlock(sandboxLandlockRequest(false), abi ? *abi : 0);
    return out;
  }();
  return l;
}

// The child's checklist order; the seccomp step is done by runChild after this setup.
int applyLandlockAndCaps() {
  if (applyLandlock(layers().plan) != 0) {
    return 1;
  }
  return dropCapabilities() == 0 ? 0 : 1;
}

struct ProgramCase {
  const char* name;
  const char* script;
};

class AllLayers : public ::testing::TestWithParam<ProgramCase> {};

TEST_P(AllLayers, RealProgramsRunUnderEveryLayer) {
  const ProgramCase& c = GetParam();
  const auto r = runChild(
      [&](int) {
        char sh[] = "/bin/sh";
        char dash_c[] = "-c";
        char* argv[] = {sh, dash_c, const_cast<char*>(c.script), nullptr};
        char path_env[] = "PATH=/usr/local/bin:/usr/bin:/bin";
        char home_env[] = "HOME=/tmp";
        char* envp[] = {path_env, home_env, nullptr};
        execve(sh, argv, envp);
        return 127;
      },
      &layers().program, {}, applyLandlockAndCaps);
  EXPECT_TRUE(r.exited(0)) << c.name << ":\n" << r.output;
  for (const auto& v : r.sink.violations) {
    ADD_FAILURE() << c.name << " hit " << v.syscall << " " << v.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Programs, AllLayers,
    ::testing::Values(
        ProgramCase{"shell_and_coreutils",
                    "d=$(mktemp -d) && cd $d && echo x > a && cp a b && mv b c && ls -l >/dev/null"
                    " && sort a | uniq | wc -l >/dev/null && cd / && rm -r $d"},
        ProgramCase{"git",
                    "d=$(mktemp -d) && cd $d && git init -q && git -c user.email=a@b -c "
                    "user.name=a commit -q --allow-empty -m m && git log --oneline | grep -q"
                    " m && cd / && rm -rf $d"},
        ProgramCase{"python3",
                    "/usr/bin/python3 -c 'import tempfile, subprocess, threading; "
                    "tempfile.NamedTemporaryFile(); subprocess.run([\"true\"], "
                    "check=True)'"},
        ProgramCase{"node",
                    "/usr/bin/node -e 'require(\"fs\").writeFileSync(\"/tmp/ab-node-\"+"
                    "process.pid, \"x\"); require(\"child_process\").execSync(\"true\")'"},
        ProgramCase{"gcc_make",
                    "d=$(mktemp -d) && printf 'int main(){return 0;}\\n' > $d/m.c && "
                    "printf 'all:\\n\\tgcc -o m m.c && ./m\\n' > $d/Makefile && make -s "
                    "-C $d && rm -rf $d"}),
    [](const ::testing::TestParamInfo<ProgramCase>& info) { return std::string(info.param.name); });

TEST(AllLayers, AttacksFailWithSpecificEvidence) {
  const auto r = runChild(
      [](int out) {
        auto e = [](long rc) { return rc < 0 ? errno : 0; };
        childPrintf(out, "mount=%d\n", e(::mount("none", "/tmp", "tmpfs", 0, nullptr)));
        childPrintf(out, "unshare=%d\n", e(::unshare(CLONE_NEWUSER)));
        const int fd = ::open("/etc/agentbox-layers-test", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        childPrintf(out, "write_etc=%d\n", fd < 0 ? errno : 0);
        CapabilityState s;
        childPrintf(
            out, "caps=%d\n",
            readCapabilityState(&s) == 0 && s.effective == 0 && s.permitted == 0 && s.bounding == 0
                ? 0
                : 1);
        return 0;
      },
      &layers().program, {}, applyLandlockAndCaps);
  ASSERT_TRUE(r.exited(0)) << r.output;
  const bool landlock = layers().plan.enabled;
  for (const char* line : {"mount=1\n", "unshare=1\n", "caps=0\n"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " in\n" << r.output;
  }
  if (landlock) {
    EXPECT_NE(r.output.find("write_etc=13\n"), std::string::npos) << r.output;
  }
  EXPECT_EQ(access("/etc/agentbox-layers-test", F_OK), -1);
  EXPECT_TRUE(r.sink.has("mount"));
  EXPECT_TRUE(r.sink.has("unshare"));
}

}  // namespace
}  // namespace agentbox::sandbox
