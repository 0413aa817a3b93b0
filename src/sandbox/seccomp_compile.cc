// SPDX-License-Identifier: Apache-2.0
// File: seccomp_compile.cc
// libseccomp adapter: builds a filter context from SeccompRules and exports the BPF.
#include "sandbox/seccomp_compile.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "util/sys_harden.h"
#include "util/unique_fd.h"

namespace agentbox::sandbox {
namespace {

struct CtxFree {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using SeccompCtx = std::unique_ptr<void, CtxFree>;

uint32_t toScmpAction(const SeccompAction& a) {
  switch (a.kind) {
    case SeccompActionKind::kAllow:
      return SCMP_ACT_ALLOW;
    case SeccompActionKind::kErrno:
      return SCMP_ACT_ERRNO(a.errno_value & 0xffff);
    case SeccompActionKind::kNotify:
      return SCMP_ACT_NOTIFY;
    case SeccompActionKind::kKillProcess:
      return SCMP_ACT_KILL_PROCESS;
    case SeccompActionKind::kKillThread:
      return SCMP_ACT_KILL_THREAD;
    case SeccompActionKind::kTrap:
      return SCMP_ACT_TRAP;
    case SeccompActionKind::kTrace:
      return SCMP_ACT_TRACE(a.errno_value & 0xffff);
    case SeccompActionKind::kLog:
      return SCMP_ACT_LOG;
  }
  return SCMP_ACT_KILL_PROCESS;
}

scmp_compare toScmpOp(ArgOp op) {
  switch (op) {
    case ArgOp::kNe:
      return SCMP_CMP_NE;
    case ArgOp::kLt:
      return SCMP_CMP_LT;
    case ArgOp::kLe:
      return SCMP_CMP_LE;
    case ArgOp::kEq:
      return SCMP_CMP_EQ;
    case ArgOp::kGe:
      return SCMP_CMP_GE;
    case ArgOp::kGt:
      return SCMP_CMP_GT;
    case ArgOp::kMaskedEq:
      return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

Result<SeccompCtx> newContext(const SeccompRules& rules) {
  SeccompCtx ctx(seccomp_init(toScmpAction(rules.default_action)));
  if (!ctx) {
    return makeError(Errc::kUnsupported, "seccomp_init({}) failed",
                     seccompActionName(rules.default_action));
  }
  // NNP is set by the child itself; the program is exported, never loaded by libseccomp.
  const std::pair<scmp_filter_attr, uint32_t> attrs[] = {
      {SCMP_FLTATR_ACT_BADARCH, toScmpAction(rules.bad_arch_action)},
      {SCMP_FLTATR_CTL_NNP, 0},
      {SCMP_FLTATR_CTL_OPTIMIZE, 2},  // binary search over syscall numbers
  };
  for (const auto& [attr, value] : attrs) {
    if (int rc = seccomp_attr_set(ctx.get(), attr, value); rc < 0) {
      return Error::sys(-rc, fmt::format("seccomp_attr_set({})", static_cast<int>(attr)));
    }
  }
  for (uint32_t arch : rules.arches) {
    if (arch == seccomp_arch_native()) {
      continue;
    }
    if (int rc = seccomp_arch_add(ctx.get(), arch); rc < 0 && rc != -EEXIST) {
      return Error::sys(-rc, fmt::format("seccomp_arch_add({:#x})", arch));
    }
  }
  return ctx;
}

Result<std::vector<sock_filter>> exportBpf(void* ctx) {
  UniqueFd mem(::memfd_create("agentbox-seccomp", MFD_CLOEXEC));
  if (!mem) {
    return Error::sys(errno, "memfd_create(agentbox-seccomp)");
  }
  if (int rc = seccomp_export_bpf(ctx, mem.get()); rc < 0) {
    return Error::sys(-rc, "seccomp_export_bpf");
  }
  const off_t size = ::lseek(mem.get(), 0, SEEK_END);
  if (size < 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0) {
    return makeError(Errc::kInternal, "seccomp_export_bpf wrote {} bytes", size);
  }
  std::vector<sock_filter> out(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(mem.get(), out.data(), static_cast<size_t>(size), 0) != size) {
    return Error::sys(errno, "pread(seccomp bpf)");
  }
  if (out.empty() || out.size() > BPF_MAXINSNS) {
    return makeError(Errc::kInvalidInput,
                     "seccomp program has {} instructions (the kernel accepts 1..{})", out.size(),
                     BPF_MAXINSNS);
  }
  return out;
}

// Adds one rule; returns false (and fills `unknown`) if libseccomp does not know the name.
Result<bool> addRule(void* ctx, const SeccompRule& rule, const SeccompAction& default_action) {
  if (rule.action == default_action) {
    return true;  // libseccomp refuses a rule that repeats the default: it is a no-op anyway
  }
  int nr = seccomp_syscall_resolve_name(rule.syscall.c_str());
  if (nr == __NR_SCMP_ERROR) {
    if (rule.nr_fallback < 0) {
      return false;
    }
    nr = rule.nr_fallback;
  }
  std::vector<scmp_arg_cmp> cmps;
  cmps.reserve(rule.args.size());
  for (const ArgCmp& a : rule.args) {
    cmps.push_back({a.index, toScmpOp(a.op), a.value, a.value_two});
  }
  const int rc = seccomp_rule_add_array(ctx, toScmpAction(rule.action), nr,
                                        static_cast<unsigned>(cmps.size()), cmps.data());
  if (rc < 0) {
    return Error(Errc::kInvalidInput,
                 fmt::format("seccomp rule {} {} with {} argument check(s): {}", rule.syscall,
                             seccompActionName(rule.action), rule.args.size(),
                             std::strerror(-rc)));  // NOLINT(concurrency-mt-unsafe)
  }
  return true;
}

}  // namespace

Result<SeccompProgram> compileSeccomp(const SeccompRules& rules) {
  AGENTBOX_ASSIGN_OR_RETURN(SeccompCtx ctx, newContext(rules));
  SeccompProgram program;
  program.profile_name = rules.name;
  program.warnings = rules.warnings;
  std::vector<std::string> unknown;
  for (const SeccompRule& rule : rules.rules) {
    AGENTBOX_ASSIGN_OR_RETURN(
        bool known,
        addRule(ctx.get(), rule, rules.default_action).context("profile {}", rules.name));
    if (!known) {
      if (std::find(unknown.begin(), unknown.end(), rule.syscall) == unknown.end()) {
        unknown.push_back(rule.syscall);
      }
      continue;
    }
    ++program.rule_count;
    if (rule.action.kind == SeccompActionKind::kNotify &&
        std::find(program.notify_syscalls.begin(), program.notify_syscalls.end(), rule.syscall) ==
            program.notify_syscalls.end()) {
      program.notify_syscalls.push_back(rule.syscall);
    }
  }
  if (rules.default_action.kind == SeccompActionKind::kNotify) {
    program.notify_syscalls.emplace_back("*");  // every unlisted syscall
  }
  if (!unknown.empty()) {
    const scmp_version* v = seccomp_version();
    program.warnings.push_back(fmt::format(
        "seccomp profile {}: skipped {} syscall name(s) this libseccomp ({}.{}.{}) does not "
        "know: {}",
        rules.name, unknown.size(), v->major, v->minor, v->micro, fmt::join(unknown, ", ")));
  }
  AGENTBOX_ASSIGN_OR_RETURN(program.filter, exportBpf(ctx.get()));
  return program;
}

std::string SeccompProgram::describe() const {
  return fmt::format("profile={} rules={} bpf_insns={} notify={}", profile_name, rule_count,
                     filter.size(), notify_syscalls.size());
}

int installSeccomp(const SeccompProgram& program, int* listener_fd) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(program.filter.size());
  prog.filter = const_cast<sock_filter*>(program.filter.data());  // the kernel only reads it
  if (!program.usesNotify()) {
    return sys_harden::seccompSetModeFilter(0, prog, listener_fd);
  }
  const unsigned int flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
  int err = sys_harden::seccompSetModeFilter(flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, prog,
                                             listener_fd);
  if (err == EINVAL) {  // kernels before 5.19 lack WAIT_KILLABLE_RECV
    err = sys_harden::seccompSetModeFilter(flags, prog, listener_fd);
  }
  return err;
}

int installSeccompAndSendListener(const SeccompProgram& program, int sock_fd) {
  int listener = -1;
  if (int err = installSeccomp(program, &listener); err != 0) {
    return err;
  }
  if (listener < 0) {
    return 0;
  }
  const int err = sys_harden::sendFd(sock_fd, listener);
  sys_harden::closeFd(listener);
  return err;
}

}  // namespace agentbox::sandbox
