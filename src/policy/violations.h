// SPDX-License-Identifier: Apache-2.0
// File: violations.h
// Collects policy violations for the run record's `violations` list (DESIGN.md): kind,
// subject, rule, time. Thread-safe (the supervisor, the proxy and the seccomp notifier all
// record); bounded, so a looping agent cannot grow the record without limit.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace agentbox::policy {

enum class ViolationKind : uint8_t { kSyscall, kNetwork, kFilesystem };
// "syscall", "network", "filesystem".
std::string_view violationKindName(ViolationKind kind);

struct Violation {
  ViolationKind kind = ViolationKind::kSyscall;
  std::string subject;  // what was attempted: "connect evil.com:443", "openat /etc/shadow"
  std::string rule;     // the rule that denied it: "network.deny:evil.com", "seccomp:ptrace"
  std::chrono::system_clock::time_point time;
};

// RFC 3339 UTC with milliseconds: "2026-12-01T21:34:07.123Z".
std::string formatRfc3339(std::chrono::system_clock::time_point t);

class ViolationTracker {
 public:
  static constexpr size_t kDefaultMax = 1000;
  explicit ViolationTracker(size_t max_kept = kDefaultMax) : max_kept_(max_kept) {}

  // Keeps the first `max_kept` violations; later ones are only counted.
  void record(Violation v);
  void record(ViolationKind kind, std::string subject, std::string rule);

  std::vector<Violation> snapshot() const;
  size_t total() const;    // recorded, kept or not
  size_t dropped() const;  // total() - kept
  size_t count(ViolationKind kind) const;

 private:
  const size_t max_kept_;
  mutable std::mutex mu_;
  std::vector<Violation> kept_;  // guarded by mu_
  size_t total_ = 0;             // guarded by mu_
  size_t by_kind_[3] = {};       // guarded by mu_
};

}  // namespace agentbox::policy
