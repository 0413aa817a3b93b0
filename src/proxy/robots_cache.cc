// SPDX-License-Identifier: Apache-2.0
// File: robots_cache.cc
#include "proxy/robots_cache.h"

#include "policy/robots_fetch.h"

namespace agentbox::proxy {

void RobotsCache::lookup(const RobotsFetchEnv& env, const RobotsOrigin& origin, Callback cb) {
  std::string key = origin.url();
  auto now = std::chrono::steady_clock::now();
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    Entry& e = *it->second;
    if (e.fetching) {
      e.waiters.push_back(std::move(cb));
      return;
    }
    auto age = std::chrono::duration_cast<std::chrono::seconds>(now - e.fetched_at);
    if (policy::robotsCacheFresh(age, e.result.ttl)) {
      cb(e.result);
      return;
    }
  }
  auto entry = std::make_shared<Entry>();
  entry->waiters.push_back(std::move(cb));
  entries_[key] = entry;
  ++fetches_;
  fetchRobots(env, origin, [entry](RobotsResult r) {
    entry->fetching = false;
    entry->fetched_at = std::chrono::steady_clock::now();
    entry->result = std::move(r);
    std::vector<Callback> waiters = std::move(entry->waiters);
    entry->waiters.clear();
    for (Callback& w : waiters) {
      w(entry->result);
    }
  });
}

}  // namespace agentbox::proxy
