// SPDX-License-Identifier: Apache-2.0
// File: clone_on_stack_test.cc
#include "util/clone_on_stack.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace agentbox::sys {
namespace {

constexpr size_t kStackBytes = size_t{64} << 10;

struct Shared {
  int seen_before = 0;    // what the child read from our memory
  void* frame = nullptr;  // where its frame was
  int exit_code = 0;
};

int childRuns(void* arg) {
  auto* s = static_cast<Shared*>(arg);
  int local = 0;
  s->frame = &local;
  s->seen_before = s->exit_code;
  s->exit_code = 42;  // visible to the parent only if the memory is shared
  return 7;
}

class Stack {
 public:
  Stack()
      : base_(::mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0)) {}
  ~Stack() {
    if (base_ != MAP_FAILED) {
      ::munmap(base_, kStackBytes);
    }
  }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  void* base() const { return base_; }
  // clone3 arguments that run the child on this stack.
  compat::CloneArgs args(uint64_t flags) const {
    compat::CloneArgs a{};
    a.flags = flags;
    a.exit_signal = SIGCHLD;
    a.stack = reinterpret_cast<uint64_t>(base_);
    a.stack_size = kStackBytes;
    return a;
  }
  bool holds(const void* p) const {
    auto* c = static_cast<const char*>(p);
    return c >= static_cast<const char*>(base_) &&
           c < static_cast<const char*>(base_) + kStackBytes;
  }

 private:
  void* base_;
};

// The child's exit status, or -1 if it was not reaped or did not exit normally.
int exitStatusOf(long pid) {
  int status = 0;
  if (::waitpid(static_cast<pid_t>(pid), &status, 0) != pid || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

TEST(CloneOnStack, AVforkChildRunsOnTheGivenStackInOurMemoryAndExitsWithItsResult) {
  if (!kCloneOnStackSupported) {
    GTEST_SKIP() << "x86-64 only";
  }
  Stack stack;
  ASSERT_NE(stack.base(), MAP_FAILED);
  Shared shared;
  shared.exit_code = 5;
  compat::CloneArgs args = stack.args(CLONE_VM | CLONE_VFORK);
  long pid = cloneOnStack(args, &childRuns, &shared);
  ASSERT_GT(pid, 0) << "clone3 failed: " << -pid;
  // CLONE_VFORK: the child has exited by now, and what it wrote is in our memory.
  EXPECT_EQ(shared.seen_before, 5);
  EXPECT_EQ(shared.exit_code, 42);
  EXPECT_TRUE(stack.holds(shared.frame)) << "the child's frame is not on the given stack";
  EXPECT_EQ(exitStatusOf(pid), 7);
}

TEST(CloneOnStack, WithoutCloneVmTheChildWritesItsOwnCopy) {
  if (!kCloneOnStackSupported) {
    GTEST_SKIP() << "x86-64 only";
  }
  Stack stack;
  ASSERT_NE(stack.base(), MAP_FAILED);
  Shared shared;
  compat::CloneArgs args = stack.args(0);
  long pid = cloneOnStack(args, &childRuns, &shared);
  ASSERT_GT(pid, 0) << "clone3 failed: " << -pid;
  EXPECT_EQ(exitStatusOf(pid), 7);
  EXPECT_EQ(shared.exit_code, 0);
}

TEST(CloneOnStack, RefusesAMissingStackOrFunction) {
  Shared shared;
  compat::CloneArgs args{};
  args.flags = CLONE_VM | CLONE_VFORK;
  args.exit_signal = SIGCHLD;
  long expected = kCloneOnStackSupported ? -EINVAL : -ENOSYS;
  EXPECT_EQ(cloneOnStack(args, &childRuns, &shared), expected);
  Stack stack;
  compat::CloneArgs with_stack = stack.args(CLONE_VM | CLONE_VFORK);
  EXPECT_EQ(cloneOnStack(with_stack, nullptr, &shared), expected);
}

TEST(CloneOnStack, AKernelRefusalComesBackAsMinusErrno) {
  if (!kCloneOnStackSupported) {
    GTEST_SKIP() << "x86-64 only";
  }
  Stack stack;
  Shared shared;
  compat::CloneArgs args = stack.args(CLONE_THREAD);  // without CLONE_SIGHAND, CLONE_VM: EINVAL
  args.exit_signal = 0;
  EXPECT_EQ(cloneOnStack(args, &childRuns, &shared), -EINVAL);
}

}  // namespace
}  // namespace agentbox::sys
