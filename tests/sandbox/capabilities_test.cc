// SPDX-License-Identifier: Apache-2.0
// File: capabilities_test.cc
// dropCapabilities() in a forked child: every set empty, securebits locked, no_new_privs,
// and root gains nothing back at execve.
#include "sandbox/capabilities.h"

#include <gtest/gtest.h>
#include <linux/securebits.h>
#include <sched.h>
#include <sys/prctl.h>

#include "sandbox/seccomp_test_child.h"
#include "util/sys_harden.h"

namespace agentbox::sandbox {
namespace {

using testing::childPrintf;
using testing::runChild;

bool haveSetpcap() {
  sys_harden::CapSets s{};
  return sys_harden::capgetSelf(&s) == 0 && (s.effective & (uint64_t{1} << 8)) != 0;
}

TEST(Capabilities, DropEmptiesEverySetAndLocksSecurebits) {
  if (!haveSetpcap()) {
    GTEST_SKIP() << "needs CAP_SETPCAP (run as root or inside a user namespace)";
  }
  const auto r = runChild([](int out) {
    CapStep step = CapStep::kNone;
    if (int err = dropCapabilities(&step); err != 0) {
      childPrintf(out, "drop failed at %s errno=%d\n", capStepName(step), err);
      return 1;
    }
    CapabilityState s;
    if (readCapabilityState(&s) != 0) {
      return 2;
    }
    childPrintf(
        out, "eff=%llx prm=%llx inh=%llx bnd=%llx amb=%llx nnp=%d\n",
        static_cast<unsigned long long>(s.effective), static_cast<unsigned long long>(s.permitted),
        static_cast<unsigned long long>(s.inheritable), static_cast<unsigned long long>(s.bounding),
        static_cast<unsigned long long>(s.ambient), s.no_new_privs ? 1 : 0);
    childPrintf(out, "locked=%d\n",
                (s.securebits & lockedSecurebits()) == lockedSecurebits() ? 1 : 0);
    // Locked bits cannot be cleared, and a dropped cap cannot come back.
    childPrintf(out, "unlock=%d\n", sys_harden::setSecurebits(0));
    childPrintf(out, "ambient_raise=%d\n",
                prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 0, 0, 0) < 0 ? errno : 0);
    // A second call is harmless (the checklist may retry a step).
    childPrintf(out, "again=%d\n", dropCapabilities());
    return 0;
  });
  ASSERT_TRUE(r.exited(0)) << r.output;
  for (const char* line : {"eff=0 prm=0 inh=0 bnd=0 amb=0 nnp=1\n", "locked=1\n", "unlock=1\n",
                           "ambient_raise=1\n", "again=0\n"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " in\n" << r.output;
  }
}

TEST(Capabilities, DropWorksInsideAUserNamespace) {
  if (!haveSetpcap()) {
    GTEST_SKIP() << "needs CAP_SETPCAP to create the user namespace here";
  }
  const auto r = runChild(
      [](int out) {
        CapStep step = CapStep::kNone;
        const int err = dropCapabilities(&step);
        childPrintf(out, "drop=%d step=%s\n", err, capStepName(step));
        return err;
      },
      nullptr, {}, [] { return unshare(CLONE_NEWUSER) == 0 ? 0 : 1; });
  if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == 90) {
    GTEST_SKIP() << "unshare(CLONE_NEWUSER) refused on this host";
  }
  EXPECT_TRUE(r.exited(0)) << r.output;
  EXPECT_NE(r.output.find("drop=0 step=none"), std::string::npos) << r.output;
}

TEST(Capabilities, RootGainsNothingBackAtExecve) {
  if (!haveSetpcap() || getuid() != 0) {
    GTEST_SKIP() << "needs to run as uid 0 with CAP_SETPCAP";
  }
  const auto r = runChild([](int) {
    if (dropCapabilities() != 0) {
      return 1;
    }
    char grep[] = "/bin/grep";
    char e[] = "-E";
    char pat[] = "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):";
    char file[] = "/proc/self/status";
    char* argv[] = {grep, e, pat, file, nullptr};
    execv(grep, argv);
    return 127;
  });
  ASSERT_TRUE(r.exited(0)) << r.output;
  for (const char* line :
       {"CapInh:\t0000000000000000", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
        "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " in\n" << r.output;
  }
}

}  // namespace
}  // namespace agentbox::sandbox
