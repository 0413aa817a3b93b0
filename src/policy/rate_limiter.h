// SPDX-License-Identifier: Apache-2.0
// File: rate_limiter.h
// Token buckets for network.rate: one bucket per rate pattern (so "*.example.com" is one
// budget shared by all its subdomains, and an agent cannot multiply it by inventing names),
// found by the same most-specific match as NetRules. Thread-safe: acquire() may be called
// from any thread; the buckets are guarded by `mu_`. Time comes from an injectable
// monotonic clock so tests step it by hand.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "policy/host_pattern.h"
#include "policy/policy.h"
#include "util/result.h"

namespace agentbox::policy {

class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  virtual std::chrono::nanoseconds now() const = 0;
};

// std::chrono::steady_clock.
class SteadyClock final : public MonotonicClock {
 public:
  std::chrono::nanoseconds now() const override;
};

struct RateDecision {
  bool allowed = true;
  uint64_t retry_after_ms = 0;  // when denied: wait this long for one token (>= 1)
  std::string_view rule;        // "network.rate:PATTERN", empty when no rule applies
};

class RateLimiter {
 public:
  // `clock` must outlive the limiter. Errors name an invalid pattern or a zero rate.
  static Result<std::unique_ptr<RateLimiter>> create(const std::vector<RateRule>& rules,
                                                     const MonotonicClock& clock);

  // Takes one token from the bucket of the most specific rule matching `host`.
  RateDecision acquire(const NormalizedHost& host, uint16_t port = 0);
  // Normalizes first; an invalid host is not limited here (NetRules denies it).
  RateDecision acquireHost(std::string_view host, uint16_t port = 0);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::nanoseconds last{0};
    double per_ns = 0;  // refill rate
    double burst = 0;
    std::string name;
  };
  RateLimiter(const MonotonicClock& clock)
      : clock_(clock) {}  // NOLINT(google-explicit-constructor)

  const MonotonicClock& clock_;
  PatternIndex index_;
  std::mutex mu_;
  std::vector<Bucket> buckets_;  // guarded by mu_ (the names are immutable after create)
};

}  // namespace agentbox::policy
