// SPDX-License-Identifier: Apache-2.0
// File: seccomp_rules.cc
// Action names and the masked-block decomposition used to write complement rules.
#include "sandbox/seccomp_rules.h"

#include <fmt/format.h>

#include <algorithm>

namespace agentbox::sandbox {

std::string seccompActionName(const SeccompAction& action) {
  switch (action.kind) {
    case SeccompActionKind::kAllow:
      return "SCMP_ACT_ALLOW";
    case SeccompActionKind::kErrno:
      return fmt::format("SCMP_ACT_ERRNO({})", action.errno_value);
    case SeccompActionKind::kNotify:
      return "SCMP_ACT_NOTIFY";
    case SeccompActionKind::kKillProcess:
      return "SCMP_ACT_KILL_PROCESS";
    case SeccompActionKind::kKillThread:
      return "SCMP_ACT_KILL_THREAD";
    case SeccompActionKind::kTrap:
      return "SCMP_ACT_TRAP";
    case SeccompActionKind::kTrace:
      return fmt::format("SCMP_ACT_TRACE({})", action.errno_value);
    case SeccompActionKind::kLog:
      return "SCMP_ACT_LOG";
  }
  return "SCMP_ACT_UNKNOWN";
}

std::vector<MaskedBlock> maskedBlocksForRange(uint64_t lo, uint64_t hi, unsigned width_bits) {
  const uint64_t width_mask = width_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << width_bits) - 1;
  std::vector<MaskedBlock> out;
  if (lo > hi || hi > width_mask) {
    return out;
  }
  for (;;) {
    // Largest aligned block starting at lo that stays within [lo, hi].
    unsigned k = 0;
    while (k < width_bits) {
      const uint64_t size = uint64_t{1} << (k + 1);
      if ((lo & (size - 1)) != 0 || size - 1 > hi - lo) {
        break;
      }
      ++k;
    }
    const uint64_t span = k >= 64 ? ~uint64_t{0} : (uint64_t{1} << k) - 1;  // block size - 1
    out.push_back({width_mask & ~span, lo});
    if (hi - lo == span) {
      return out;
    }
    lo += span + 1;
  }
}

std::vector<MaskedBlock> maskedBlocksExcept(std::vector<uint64_t> values, unsigned width_bits) {
  const uint64_t width_mask = width_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << width_bits) - 1;
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::vector<MaskedBlock> out;
  uint64_t next = 0;  // first value not yet covered
  bool done = false;
  for (uint64_t v : values) {
    if (v > width_mask) {
      break;
    }
    if (v > next) {
      auto blocks = maskedBlocksForRange(next, v - 1, width_bits);
      out.insert(out.end(), blocks.begin(), blocks.end());
    }
    if (v == width_mask) {
      done = true;
      break;
    }
    next = v + 1;
  }
  if (!done) {
    auto blocks = maskedBlocksForRange(next, width_mask, width_bits);
    out.insert(out.end(), blocks.begin(), blocks.end());
  }
  return out;
}

}  // namespace agentbox::sandbox
