// SPDX-License-Identifier: Apache-2.0
// File: robots_cache.h
// robots.txt results per origin for one proxy (internal to the proxy layer): a result is
// reused until its TTL passes (at most 24 hours, policy/robots_fetch.h), and concurrent
// requests to an origin whose file is being fetched wait for that one fetch instead of
// starting their own. Loop thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/robots_fetcher.h"

namespace agentbox::proxy {

class RobotsCache {
 public:
  using Callback = std::function<void(const RobotsResult&)>;

  // Calls `cb` with the origin's result: at once (on this stack) when a fresh one is cached,
  // else when the fetch in flight (started now if none) ends.
  void lookup(const RobotsFetchEnv& env, const RobotsOrigin& origin, Callback cb);
  // Forgets every result (a reload may change user_agent or the rules fetches go through).
  // Fetches in flight still answer the requests waiting for them.
  void clear() { entries_.clear(); }
  uint64_t fetches() const { return fetches_; }

 private:
  struct Entry {
    bool fetching = true;
    RobotsResult result;
    std::chrono::steady_clock::time_point fetched_at;
    std::vector<Callback> waiters;
  };
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
  uint64_t fetches_ = 0;
};

}  // namespace agentbox::proxy
