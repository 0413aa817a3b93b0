// SPDX-License-Identifier: Apache-2.0
// File: clone_on_stack.h
// clone3(2) whose child runs a function on a stack of the caller's choosing: what a
// CLONE_VM | CLONE_VFORK spawn needs (as glibc's posix_spawn does internally), since a C++
// function cannot return into a child that shares its memory. No glibc wrapper, no fork
// handlers. x86-64 only; elsewhere kCloneOnStackSupported is false and callers fork instead.
#pragma once

#include "util/linux_compat.h"

namespace agentbox::sys {

#if defined(__x86_64__)
inline constexpr bool kCloneOnStackSupported = true;
#else
inline constexpr bool kCloneOnStackSupported = false;
#endif

// The child runs fn(arg) on [args.stack, args.stack + args.stack_size) and exits (the thread,
// SYS_exit) with its return value; fn must be async-signal-safe, and with CLONE_VM it must not
// touch the heap, locks or stdio (it shares the parent's memory and errno). Returns the child's
// pid in the parent, or -errno; -ENOSYS where kCloneOnStackSupported is false.
long cloneOnStack(compat::CloneArgs& args, int (*fn)(void*), void* arg);

}  // namespace agentbox::sys
