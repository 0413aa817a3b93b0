// SPDX-License-Identifier: Apache-2.0
// File: rate_limiter.cc
#include "policy/rate_limiter.h"

#include <cmath>
#include <memory>

namespace agentbox::policy {

std::chrono::nanoseconds SteadyClock::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

Result<std::unique_ptr<RateLimiter>> RateLimiter::create(const std::vector<RateRule>& rules,
                                                         const MonotonicClock& clock) {
  std::unique_ptr<RateLimiter> r(new RateLimiter(clock));
  std::chrono::nanoseconds start = clock.now();
  for (size_t i = 0; i < rules.size(); ++i) {
    const RateRule& rule = rules[i];
    AGENTBOX_ASSIGN_OR_RETURN(HostPattern p, parseHostPattern(rule.pattern));
    if (rule.requests_per_minute == 0 || rule.burst == 0) {
      return makeError(Errc::kInvalidInput,
                       "network.rate '{}': requests_per_minute and burst must be at least 1",
                       rule.pattern);
    }
    Bucket b;
    b.burst = rule.burst;
    b.tokens = rule.burst;  // a full bucket at start
    b.last = start;
    b.per_ns = static_cast<double>(rule.requests_per_minute) / 60e9;
    b.name = "network.rate:" + rule.pattern;
    r->buckets_.push_back(std::move(b));
    r->index_.add(p, 0, static_cast<int32_t>(i));
  }
  r->index_.freeze();
  return r;
}

RateDecision RateLimiter::acquire(const NormalizedHost& host, uint16_t port) {
  const PatternIndex::Slot* slot = index_.find(host, port);
  if (slot == nullptr || slot->id[0] == PatternIndex::kNone) {
    return RateDecision{true, 0, {}};
  }
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = buckets_[static_cast<size_t>(slot->id[0])];
  std::chrono::nanoseconds now = clock_.now();
  if (now > b.last) {
    b.tokens = std::min(b.burst, b.tokens + static_cast<double>((now - b.last).count()) * b.per_ns);
    b.last = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return RateDecision{true, 0, b.name};
  }
  double wait_ns = (1.0 - b.tokens) / b.per_ns;
  auto wait_ms = static_cast<uint64_t>(std::ceil(wait_ns / 1e6));
  return RateDecision{false, wait_ms == 0 ? 1 : wait_ms, b.name};
}

RateDecision RateLimiter::acquireHost(std::string_view host, uint16_t port) {
  NormalizedHost n;
  if (!normalizeHostInto(host, n, nullptr)) {
    return RateDecision{true, 0, {}};
  }
  return acquire(n, port);
}

}  // namespace agentbox::policy
