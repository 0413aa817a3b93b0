// SPDX-License-Identifier: Apache-2.0
#include "util/result.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace agentbox {
namespace {

Result<int> half(int v) {
  if (v % 2 != 0) {
    return makeError(Errc::kInvalidInput, "{} is odd", v);
  }
  return v / 2;
}

Result<int> quarter(int v) {
  AGENTBOX_ASSIGN_OR_RETURN(int h, half(v).context("first half"));
  AGENTBOX_ASSIGN_OR_RETURN(int q, half(h).context("second half of {}", h));
  return q;
}

Status mustBeEven(int v) {
  AGENTBOX_TRY(half(v));
  return ok();
}

TEST(Result, AssignOrReturnPropagatesValueAndError) {
  ASSERT_TRUE(quarter(8).has_value());
  EXPECT_EQ(*quarter(8), 2);
  Result<int> r = quarter(6);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Errc::kInvalidInput);
  EXPECT_EQ(r.error().oneLine(), "second half of 3: 3 is odd");
}

TEST(Result, TryPropagatesStatus) {
  EXPECT_TRUE(mustBeEven(4).has_value());
  Status s = mustBeEven(5);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message(), "5 is odd");
}

TEST(Error, SysErrorNamesCallErrnoAndHint) {
  Error e = Error::sys(EPERM, "mount(overlay, /run/ab/1/root)");
  e.addContext("cannot mount overlay on /workspace").withHint("run 'agentbox doctor'");
  EXPECT_EQ(e.code(), Errc::kPermission);
  EXPECT_EQ(e.sysErrno(), EPERM);
  EXPECT_EQ(e.oneLine(),
            "cannot mount overlay on /workspace: mount(overlay, /run/ab/1/root): EPERM "
            "(Operation not permitted); run 'agentbox doctor'");
}

TEST(Error, ErrnoMapsToCodes) {
  EXPECT_EQ(Error::sys(ENOENT, "x").code(), Errc::kNotFound);
  EXPECT_EQ(Error::sys(ENOSYS, "x").code(), Errc::kUnsupported);
  EXPECT_EQ(Error::sys(EMFILE, "x").code(), Errc::kResource);
  EXPECT_EQ(Error::sys(EIO, "x").code(), Errc::kIo);
}

}  // namespace
}  // namespace agentbox
