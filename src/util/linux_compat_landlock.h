// SPDX-License-Identifier: Apache-2.0
// File: linux_compat_landlock.h
// Landlock UAPI for ABI 1..7. Debian 12's linux-libc-dev stops at ABI 2 (and its
// `struct landlock_ruleset_attr` has only `handled_access_fs`), so agentbox carries its own
// definitions under its own names: they never clash with a newer <linux/landlock.h>.
#pragma once

#include <cstdint>

namespace agentbox::landlock_uapi {

// landlock_create_ruleset() flags.
inline constexpr uint32_t kCreateRulesetVersion = 1U << 0;  // ABI 1+: return the ABI version
inline constexpr uint32_t kCreateRulesetErrata = 1U << 1;   // ABI 7 kernels: errata bitmask

// Rule types for landlock_add_rule().
inline constexpr int kRulePathBeneath = 1;  // ABI 1+
inline constexpr int kRuleNetPort = 2;      // ABI 4+

// Filesystem access rights.
inline constexpr uint64_t kFsExecute = 1ULL << 0;
inline constexpr uint64_t kFsWriteFile = 1ULL << 1;
inline constexpr uint64_t kFsReadFile = 1ULL << 2;
inline constexpr uint64_t kFsReadDir = 1ULL << 3;
inline constexpr uint64_t kFsRemoveDir = 1ULL << 4;
inline constexpr uint64_t kFsRemoveFile = 1ULL << 5;
inline constexpr uint64_t kFsMakeChar = 1ULL << 6;
inline constexpr uint64_t kFsMakeDir = 1ULL << 7;
inline constexpr uint64_t kFsMakeReg = 1ULL << 8;
inline constexpr uint64_t kFsMakeSock = 1ULL << 9;
inline constexpr uint64_t kFsMakeFifo = 1ULL << 10;
inline constexpr uint64_t kFsMakeBlock = 1ULL << 11;
inline constexpr uint64_t kFsMakeSym = 1ULL << 12;
inline constexpr uint64_t kFsRefer = 1ULL << 13;     // ABI 2: link/rename across directories
inline constexpr uint64_t kFsTruncate = 1ULL << 14;  // ABI 3: truncate(2), O_TRUNC
inline constexpr uint64_t kFsIoctlDev = 1ULL << 15;  // ABI 5: ioctl(2) on char/block devices

// Network access rights (ABI 4).
inline constexpr uint64_t kNetBindTcp = 1ULL << 0;
inline constexpr uint64_t kNetConnectTcp = 1ULL << 1;

// Scopes (ABI 6): IPC that may not leave the Landlock domain.
inline constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;
inline constexpr uint64_t kScopeSignal = 1ULL << 1;

// landlock_restrict_self() flags (ABI 7): audit logging of denials.
inline constexpr uint32_t kRestrictSelfLogSameExecOff = 1U << 0;
inline constexpr uint32_t kRestrictSelfLogNewExecOn = 1U << 1;
inline constexpr uint32_t kRestrictSelfLogSubdomainsOff = 1U << 2;

// The ruleset attribute as of ABI 6. Older kernels accept the larger struct only when the
// trailing fields are zero, so callers pass `rulesetAttrSize(abi)` instead of sizeof.
struct RulesetAttr {
  uint64_t handled_access_fs;   // ABI 1+
  uint64_t handled_access_net;  // ABI 4+
  uint64_t scoped;              // ABI 6+
};

struct PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

struct NetPortAttr {
  uint64_t allowed_access;
  uint64_t port;  // host byte order
} __attribute__((packed));

static_assert(sizeof(PathBeneathAttr) == 12, "UAPI layout");
static_assert(sizeof(NetPortAttr) == 16, "UAPI layout");

// Size of RulesetAttr the kernel of `abi` knows.
constexpr unsigned long rulesetAttrSize(int abi) {
  return abi >= 6 ? 24 : (abi >= 4 ? 16 : 8);
}

// All filesystem rights a kernel of `abi` handles.
constexpr uint64_t fsRightsForAbi(int abi) {
  if (abi <= 0) {
    return 0;
  }
  uint64_t rights = (kFsMakeSym << 1) - 1;  // ABI 1: bits 0..12
  if (abi >= 2) {
    rights |= kFsRefer;
  }
  if (abi >= 3) {
    rights |= kFsTruncate;
  }
  if (abi >= 5) {
    rights |= kFsIoctlDev;
  }
  return rights;
}

constexpr uint64_t netRightsForAbi(int abi) {
  return abi >= 4 ? (kNetBindTcp | kNetConnectTcp) : 0;
}
constexpr uint64_t scopesForAbi(int abi) {
  return abi >= 6 ? (kScopeAbstractUnixSocket | kScopeSignal) : 0;
}

// The newest ABI this code knows; a newer kernel is used at this level.
inline constexpr int kNewestKnownAbi = 7;

}  // namespace agentbox::landlock_uapi
