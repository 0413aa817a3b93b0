// SPDX-License-Identifier: Apache-2.0
#include "policy/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace agentbox::policy {
namespace {

class FakeClock final : public MonotonicClock {
 public:
  std::chrono::nanoseconds now() const override { return std::chrono::nanoseconds(now_ns_.load()); }
  void advance(std::chrono::milliseconds ms) {
    now_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(ms).count();
  }

 private:
  std::atomic<int64_t> now_ns_{1'000'000'000};
};

TEST(RateLimiter, BurstThenRefillAtTheRateWithRetryAfter) {
  FakeClock clock;
  auto limiter = RateLimiter::create({RateRule{"api.example.com", 60, 3}}, clock);
  ASSERT_TRUE(limiter.has_value()) << limiter.error().oneLine();
  RateLimiter& r = **limiter;
  for (int i = 0; i < 3; ++i) {
    RateDecision d = r.acquireHost("api.example.com");
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.rule, "network.rate:api.example.com");
  }
  RateDecision denied = r.acquireHost("api.example.com");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_ms, 1000u);  // 60/min: one token per second
  clock.advance(std::chrono::milliseconds(400));
  EXPECT_EQ(r.acquireHost("api.example.com").retry_after_ms, 600u);
  clock.advance(std::chrono::milliseconds(600));
  EXPECT_TRUE(r.acquireHost("api.example.com").allowed);
  EXPECT_FALSE(r.acquireHost("api.example.com").allowed);
  // A long pause refills only up to the burst.
  clock.advance(std::chrono::minutes(10));
  int allowed = 0;
  while (r.acquireHost("api.example.com").allowed) {
    ++allowed;
  }
  EXPECT_EQ(allowed, 3);
}

TEST(RateLimiter, MostSpecificRuleWinsAndWildcardsShareOneBucket) {
  FakeClock clock;
  auto limiter = RateLimiter::create(
      {RateRule{"*", 600, 100}, RateRule{"*.example.com", 60, 2}, RateRule{"a.example.com", 6, 1}},
      clock);
  ASSERT_TRUE(limiter.has_value());
  RateLimiter& r = **limiter;
  EXPECT_EQ(r.acquireHost("a.example.com").rule, "network.rate:a.example.com");
  EXPECT_FALSE(r.acquireHost("A.EXAMPLE.COM.").allowed);  // normalized: same bucket
  EXPECT_EQ(r.acquireHost("a.example.com").retry_after_ms, 10000u);
  // b and c share the *.example.com bucket of 2: inventing names does not add budget.
  EXPECT_TRUE(r.acquireHost("b.example.com").allowed);
  EXPECT_TRUE(r.acquireHost("c.example.com").allowed);
  EXPECT_FALSE(r.acquireHost("d.example.com").allowed);
  EXPECT_EQ(r.acquireHost("other.org").rule, "network.rate:*");
}

TEST(RateLimiter, HostsWithoutARuleAreNotLimited) {
  FakeClock clock;
  auto limiter = RateLimiter::create({RateRule{"api.example.com", 1, 1}}, clock);
  ASSERT_TRUE(limiter.has_value());
  for (int i = 0; i < 100; ++i) {
    RateDecision d = (*limiter)->acquireHost("other.example.com");
    EXPECT_TRUE(d.allowed);
    EXPECT_TRUE(d.rule.empty());
  }
}

TEST(RateLimiter, RejectsZeroRatesAndBadPatterns) {
  FakeClock clock;
  EXPECT_FALSE(RateLimiter::create({RateRule{"a.com", 0, 1}}, clock).has_value());
  EXPECT_FALSE(RateLimiter::create({RateRule{"a.com", 1, 0}}, clock).has_value());
  EXPECT_FALSE(RateLimiter::create({RateRule{"a*.com", 1, 1}}, clock).has_value());
}

TEST(RateLimiter, ConcurrentAcquiresNeverExceedTheBurst) {
  FakeClock clock;  // time stands still: exactly `burst` tokens exist
  auto limiter = RateLimiter::create({RateRule{"*", 60, 500}}, clock);
  ASSERT_TRUE(limiter.has_value());
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if ((*limiter)->acquireHost("x.org").allowed) {
          ++allowed;
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(allowed.load(), 500);
}

}  // namespace
}  // namespace agentbox::policy
