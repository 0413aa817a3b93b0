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
  bool holds(const void* p) const {
    auto* c = static_cast<const char*>(p);
    return c >= static_cast<const char*>(base_) &&
           c < static_cast<const char*>(base_) + kStackBytes;
  }

 private:
  void* base_;
};

TEST(CloneOnStack, AVforkChildRunsOnTheGivenStackInOurMemoryAndExitsWithItsResult) {
  if (!kCloneOnStackSupported) {
    GTEST_SKIP() << "x86-64 only";
  }
  Stack stack;
  ASSERT_NE(stack.base(), MAP_FAILED);
  Shared shared;
  shared.exit_code = 5;
  compat::CloneArgs args{};
  args.flags = CLONE_VM | CLONE_VFORK;
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<uint64_t>(stack.base());
  args.stack_size = kStackBytes;
  long pid = cloneOnStack(args, &childRuns, &shared);
  ASSERT_GT(pid, 0) << "clone3 failed: " << -pid;
  // CLONE_VFORK: the child has exited by now, and what it wrote is in our memory.
  EXPECT_EQ(shared.seen_before, 5);
  EXPECT_EQ(shared.exit_code, 42);
  EXPECT_TRUE(stack.holds(shared.frame)) << "the child's frame is not on the given stack";
  int status = 0;
  ASSERT_EQ(::waitpid(static_cast<pid_t>(pid), &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

TEST(CloneOnStack, WithoutCloneVmTheChildWritesItsOwnCopy) {
  if (!kCloneOnStackSupported) {
    GTEST_SKIP() << "x86-64 only";
  }
  Stack stack;
  ASSERT_NE(stack.base(), MAP_FAILED);
  Shared shared;
  compat::CloneArgs args{};
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<uint64_t>(stack.base());
  args.stack_size = kStackBytes;
  long pid = cloneOnStack(args, &childRuns, &shared);
  ASSERT_GT(pid, 0) << "clone3 failed: " << -pid;
  int status = 0;
  ASSERT_EQ(::waitpid(static_cast<pid_t>(pid), &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
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
  args.stack = reinterpret_cast<uint64_t>(stack.base());
  args.stack_size = kStackBytes;
  EXPECT_EQ(cloneOnStack(args, nullptr, &shared), expected);
}

TEST(CloneOnStack, AKernelRefusalComesBackAsMinusErrno) {
  if (!kCloneOnStackSupported) {
    GTEST_SKIP() << "x86-64 only";
  }
  Stack stack;
  Shared shared;
  compat::CloneArgs args{};
  args.flags = CLONE_THREAD;  // without CLONE_SIGHAND and CLONE_VM: EINVAL
  args.stack = reinterpret_cast<uint64_t>(stack.base());
  args.stack_size = kStackBytes;
  EXPECT_EQ(cloneOnStack(args, &childRuns, &shared), -EINVAL);
}

}  // namespace
}  // namespace agentbox::sys
