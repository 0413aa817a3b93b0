// SPDX-License-Identifier: Apache-2.0
// File: crawl_queue.h
// Crawl-delay spacing (internal to the proxy layer): requests and new tunnels to one host
// get start times at least the host's delay apart, in arrival order. A request whose start
// time is in the future waits (it is queued, not refused) unless `limit` requests of that
// host already wait; then it is refused with the time after which it could be admitted.
// Pure bookkeeping: time is passed in, waiting is the caller's. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace agentbox::proxy {

class CrawlQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CrawlQueue(uint32_t limit) : limit_(limit) {}

  struct Ticket {
    bool admitted = true;
    std::chrono::milliseconds wait{0};    // admitted: how long to wait before starting
    std::chrono::seconds retry_after{0};  // refused: Retry-After, rounded up
  };
  // A start slot for one request to `host`. Admitted with a wait > 0 counts as waiting
  // until release() is called for it.
  Ticket reserve(std::string_view host, std::chrono::milliseconds delay, Clock::time_point now);
  // One request admitted with a wait > 0 stopped waiting (started or gone).
  void release(std::string_view host);
  uint32_t waiting(std::string_view host) const;
  uint32_t limit() const { return limit_; }

 private:
  struct HostState {
    Clock::time_point next_free{};
    uint32_t waiting = 0;
  };
  uint32_t limit_;
  std::unordered_map<std::string, HostState> hosts_;
};

}  // namespace agentbox::proxy
