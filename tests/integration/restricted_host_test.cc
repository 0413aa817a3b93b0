// SPDX-License-Identifier: Apache-2.0
// File: restricted_host_test.cc
// A host that cannot give a required layer, simulated for real: inside a test-made user
// namespace, `echo 0 > /proc/sys/user/max_user_namespaces` makes every nested one fail, and
// agentbox run in there must refuse with one line naming the layer and the fix.
#include <gtest/gtest.h>
#include <unistd.h>

#include "harness.h"
#include "run_fixture.h"

namespace agentbox::testing {
namespace {

TEST_F(RunTest, StrictRefusesWhenUserNamespacesAreDisabled) {
  if (::access("/usr/bin/unshare", X_OK) != 0) {
    GTEST_SKIP() << "util-linux unshare is not installed";
  }
  std::string script =
      "echo 0 > /proc/sys/user/max_user_namespaces || exit 99; AGENTBOX_STATE_DIR=" + stateDir() +
      " '" + agentboxBin() + "' run --workspace " + ws_.path() + " -- true; echo run=$?; '" +
      agentboxBin() + "' doctor >/dev/null; echo doctor=$?";
  SpawnOptions o;
  o.args = {"--user", "--map-root-user", "/bin/sh", "-c", script};
  Captured c = runProcess("/usr/bin/unshare", o);
  ASSERT_NE(c.exit_code, 99) << "cannot lower max_user_namespaces here: " << c.err;
  EXPECT_NE(c.out.find("run=125"), std::string::npos) << c.out << c.err;
  EXPECT_NE(c.out.find("doctor=1"), std::string::npos) << c.out;
  EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
  EXPECT_NE(c.err.find("cannot create the sandbox's namespaces"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("max_user_namespaces"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("agentbox doctor"), std::string::npos) << c.err;
}

}  // namespace
}  // namespace agentbox::testing
