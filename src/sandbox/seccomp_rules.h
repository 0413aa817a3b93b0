// SPDX-License-Identifier: Apache-2.0
// File: seccomp_rules.h
// `SeccompRules`: a seccomp profile as plain data, before compilation. Both the built-in
// profile (seccomp_builtin.h) and Docker/OCI JSON profiles (seccomp_docker.h) produce one;
// seccomp_compile.h turns it into a BPF program with libseccomp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace agentbox::sandbox {

enum class SeccompActionKind : uint8_t {
  kAllow,
  kErrno,   // fail with `errno_value`
  kNotify,  // SECCOMP_RET_USER_NOTIF: the supervisor records a violation and answers
  kKillProcess,
  kKillThread,
  kTrap,   // SIGSYS
  kTrace,  // ptracer decides; without one the call fails with ENOSYS
  kLog,    // allowed and logged by the kernel
};

struct SeccompAction {
  SeccompActionKind kind = SeccompActionKind::kAllow;
  uint32_t errno_value = 0;  // for kErrno (and the trace message for kTrace)

  friend bool operator==(const SeccompAction&, const SeccompAction&) = default;
};

inline SeccompAction allowAction() {
  return {SeccompActionKind::kAllow, 0};
}
inline SeccompAction errnoAction(uint32_t err) {
  return {SeccompActionKind::kErrno, err};
}
inline SeccompAction notifyAction() {
  return {SeccompActionKind::kNotify, 0};
}

// "SCMP_ACT_ERRNO(1)" style, for logs and the run record.
std::string seccompActionName(const SeccompAction& action);

// libseccomp comparison operators (SCMP_CMP_*).
enum class ArgOp : uint8_t { kNe, kLt, kLe, kEq, kGe, kGt, kMaskedEq };

// One comparison on syscall argument `index` (0..5). For kMaskedEq: (arg & value) == value_two.
struct ArgCmp {
  unsigned index = 0;
  ArgOp op = ArgOp::kEq;
  uint64_t value = 0;
  uint64_t value_two = 0;

  friend bool operator==(const ArgCmp&, const ArgCmp&) = default;
};

// One rule: `action` for `syscall` when every comparison in `args` holds (AND). Several
// rules for one syscall are OR'ed by libseccomp. At most one comparison per argument index.
struct SeccompRule {
  std::string syscall;   // name as libseccomp knows it ("mount")
  int nr_fallback = -1;  // native syscall number to use if libseccomp does not know `syscall`
  SeccompAction action;
  std::vector<ArgCmp> args;
};

struct SeccompRules {
  std::string name;                               // "builtin" or the profile's file name
  SeccompAction default_action = errnoAction(1);  // for syscalls no rule names
  // Action for a syscall from an architecture not listed in `arches`.
  SeccompAction bad_arch_action = {SeccompActionKind::kKillProcess, 0};
  std::vector<uint32_t> arches;  // libseccomp SCMP_ARCH_* tokens; empty = native only
  std::vector<SeccompRule> rules;
  std::vector<std::string> warnings;  // produced while building (unknown names, ...)
};

// Splits the closed range [lo, hi] of the low `width_bits` bits of an argument into aligned
// blocks, each one (arg & mask) == value with the mask limited to those bits, so that upper
// bits the kernel ignores (an `int` or `unsigned int` parameter) cannot slip past a rule.
// Used to express "anything except these values" without SCMP_CMP_NE, whose false branch
// in libseccomp's decision tree cuts off the other rules of the same syscall.
struct MaskedBlock {
  uint64_t mask;
  uint64_t value;
};
std::vector<MaskedBlock> maskedBlocksForRange(uint64_t lo, uint64_t hi, unsigned width_bits);

// The complement of `values` within the low `width_bits` bits, as masked blocks.
std::vector<MaskedBlock> maskedBlocksExcept(std::vector<uint64_t> values, unsigned width_bits);

}  // namespace agentbox::sandbox
