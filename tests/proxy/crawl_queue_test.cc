// SPDX-License-Identifier: Apache-2.0
// File: crawl_queue_test.cc
#include "proxy/crawl_queue.h"

#include <gtest/gtest.h>

namespace agentbox::proxy {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(CrawlQueue, NoDelayNeverWaits) {
  CrawlQueue q(2);
  auto now = CrawlQueue::Clock::now();
  for (int i = 0; i < 10; ++i) {
    CrawlQueue::Ticket t = q.reserve("a.test", milliseconds(0), now);
    EXPECT_TRUE(t.admitted);
    EXPECT_EQ(t.wait, milliseconds(0));
  }
  EXPECT_EQ(q.waiting("a.test"), 0u);
}

TEST(CrawlQueue, RequestsAreSpacedByTheDelayInArrivalOrder) {
  CrawlQueue q(8);
  auto now = CrawlQueue::Clock::now();
  EXPECT_EQ(q.reserve("a.test", milliseconds(1500), now).wait, milliseconds(0));
  EXPECT_EQ(q.reserve("a.test", milliseconds(1500), now).wait, milliseconds(1500));
  EXPECT_EQ(q.reserve("a.test", milliseconds(1500), now + milliseconds(100)).wait,
            milliseconds(2900));
  EXPECT_EQ(q.waiting("a.test"), 2u);
  // Another host has its own spacing.
  EXPECT_EQ(q.reserve("b.test", milliseconds(1500), now).wait, milliseconds(0));
}

TEST(CrawlQueue, AfterTheDelayHasPassedTheNextRequestGoesAtOnce) {
  CrawlQueue q(8);
  auto now = CrawlQueue::Clock::now();
  EXPECT_EQ(q.reserve("a.test", milliseconds(1000), now).wait, milliseconds(0));
  EXPECT_EQ(q.reserve("a.test", milliseconds(1000), now + seconds(5)).wait, milliseconds(0));
}

TEST(CrawlQueue, AFullQueueRefusesWithRetryAfterAndReleaseMakesRoom) {
  CrawlQueue q(2);
  auto now = CrawlQueue::Clock::now();
  ASSERT_TRUE(q.reserve("a.test", milliseconds(1000), now).admitted);  // goes at once
  ASSERT_TRUE(q.reserve("a.test", milliseconds(1000), now).admitted);  // waits 1 s
  ASSERT_TRUE(q.reserve("a.test", milliseconds(1000), now).admitted);  // waits 2 s
  CrawlQueue::Ticket refused = q.reserve("a.test", milliseconds(1000), now);
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, seconds(3));
  q.release("a.test");
  CrawlQueue::Ticket again = q.reserve("a.test", milliseconds(1000), now);
  EXPECT_TRUE(again.admitted);
  EXPECT_EQ(again.wait, milliseconds(3000));
}

}  // namespace
}  // namespace agentbox::proxy
