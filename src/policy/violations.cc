// SPDX-License-Identifier: Apache-2.0
// File: violations.cc
#include "policy/violations.h"

#include <fmt/format.h>

#include <ctime>

namespace agentbox::policy {

std::string_view violationKindName(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::kSyscall:
      return "syscall";
    case ViolationKind::kNetwork:
      return "network";
    case ViolationKind::kFilesystem:
      return "filesystem";
  }
  return "syscall";
}

std::string formatRfc3339(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long frac = static_cast<long>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);  // gmtime_r, not gmtime: thread-safe
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

void ViolationTracker::record(Violation v) {
  std::lock_guard<std::mutex> lock(mu_);
  ++total_;
  ++by_kind_[static_cast<size_t>(v.kind)];
  if (kept_.size() < max_kept_) {
    kept_.push_back(std::move(v));
  }
}

void ViolationTracker::record(ViolationKind kind, std::string subject, std::string rule) {
  record(Violation{kind, std::move(subject), std::move(rule), std::chrono::system_clock::now()});
}

std::vector<Violation> ViolationTracker::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return kept_;
}

size_t ViolationTracker::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

size_t ViolationTracker::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_ - kept_.size();
}

size_t ViolationTracker::count(ViolationKind kind) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_kind_[static_cast<size_t>(kind)];
}

}  // namespace agentbox::policy
