// SPDX-License-Identifier: Apache-2.0
// File: crawl_queue.cc
#include "proxy/crawl_queue.h"

#include <algorithm>

namespace agentbox::proxy {

CrawlQueue::Ticket CrawlQueue::reserve(std::string_view host, std::chrono::milliseconds delay,
                                       Clock::time_point now) {
  if (delay.count() <= 0) {
    return {};
  }
  HostState& h = hosts_[std::string(host)];
  Clock::time_point slot = std::max(now, h.next_free);
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(slot - now);
  if (wait.count() > 0 && h.waiting >= limit_) {
    return {.admitted = false,
            .wait = std::chrono::milliseconds(0),
            .retry_after = std::chrono::ceil<std::chrono::seconds>(slot - now)};
  }
  h.next_free = slot + delay;
  if (wait.count() > 0) {
    ++h.waiting;
  }
  return {.admitted = true, .wait = wait, .retry_after = std::chrono::seconds(0)};
}

void CrawlQueue::release(std::string_view host) {
  auto it = hosts_.find(std::string(host));
  if (it != hosts_.end() && it->second.waiting > 0) {
    --it->second.waiting;
  }
}

uint32_t CrawlQueue::waiting(std::string_view host) const {
  auto it = hosts_.find(std::string(host));
  return it == hosts_.end() ? 0 : it->second.waiting;
}

}  // namespace agentbox::proxy
