// SPDX-License-Identifier: Apache-2.0
// File: clone_on_stack.cc
#include "util/clone_on_stack.h"

#include <sys/syscall.h>

#include <cerrno>

#if defined(__x86_64__)
// long agentbox_clone3_on_stack(clone_args* args, size_t size, int (*fn)(void*), void* arg)
// The kernel keeps every register but rax, rcx and r11 across `syscall`, and the child starts
// with the parent's registers on the new stack (rsp = stack + stack_size, 16-byte aligned as
// the caller's mapping is), so fn and arg ride in r8 and r9. The child clears the frame
// pointer (the unwinder's end), calls fn and exits; it never returns into the caller's frame.
asm(R"(
    .text
    .globl agentbox_clone3_on_stack
    .hidden agentbox_clone3_on_stack
    .type agentbox_clone3_on_stack, @function
agentbox_clone3_on_stack:
    .cfi_startproc
    movq %rdx, %r8
    movq %rcx, %r9
    movl $435, %eax
    syscall
    testq %rax, %rax
    jnz 1f
    .cfi_undefined %rip
    xorl %ebp, %ebp
    movq %r9, %rdi
    callq *%r8
    movl %eax, %edi
    movl $60, %eax
    syscall
    hlt
1:
    ret
    .cfi_endproc
    .size agentbox_clone3_on_stack, .-agentbox_clone3_on_stack
)");
static_assert(SYS_clone3 == 435 && SYS_exit == 60, "x86-64 system call numbers");
// NOLINTNEXTLINE(readability-identifier-naming): the assembly symbol above
extern "C" long agentbox_clone3_on_stack(void* args, unsigned long size, int (*fn)(void*),
                                         void* arg);
#endif

namespace agentbox::sys {

long cloneOnStack(compat::CloneArgs& args, int (*fn)(void*), void* arg) {
#if defined(__x86_64__)
  if (args.stack == 0 || args.stack_size == 0 || fn == nullptr) {
    return -EINVAL;
  }
  return agentbox_clone3_on_stack(&args, sizeof(args), fn, arg);
#else
  (void)args;
  (void)fn;
  (void)arg;
  return -ENOSYS;
#endif
}

}  // namespace agentbox::sys
