// SPDX-License-Identifier: Apache-2.0
// File: run_proxy.h
// The egress proxy of one `agentbox run` in network.mode = "proxy": builds the policy's
// NetRules and RateLimiter, runs the proxy on its loop thread, takes the listening sockets
// the supervisor receives from the sandbox, and collects the connection events for the run
// record (paths redacted on arrival, as everything of the record is again when it is
// written).
//
// Threading: start() and stop() on the run's thread; addListeners() on the supervising
// thread; update() on the policy watcher's thread; events arrive on the proxy's thread (guarded by
// mu_); takeEvents() after stop().
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "policy/net_rules.h"
#include "policy/policy.h"
#include "policy/rate_limiter.h"
#include "proxy/egress_proxy.h"
#include "redact/rule_set.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::app {

class RunProxy final : public proxy::EventSink {
 public:
  // `redaction` may be null (SECRET_REDACTION=false).
  static Result<std::unique_ptr<RunProxy>> start(const policy::Network& network,
                                                 std::shared_ptr<const redact::RuleSet> redaction);
  RunProxy(const RunProxy&) = delete;
  RunProxy& operator=(const RunProxy&) = delete;
  RunProxy(RunProxy&&) = delete;
  RunProxy& operator=(RunProxy&&) = delete;
  ~RunProxy() override;

  void addListeners(std::vector<UniqueFd> listeners);
  // A live policy update: the new [network] section's rules, rate limits and robots options
  // apply to requests and tunnels decided from now on (open tunnels are kept). Any thread.
  // Errors (kInvalidInput) leave the current rules in place.
  Status update(const policy::Network& network);
  void stop();
  proxy::ProxyStats stats() const;  // after stop()
  std::vector<proxy::ConnectionEvent> takeEvents();
  std::vector<std::string> takeNotes();

  void onConnection(const proxy::ConnectionEvent& event) override;

 private:
  RunProxy(policy::NetRules rules, std::shared_ptr<const redact::RuleSet> redaction)
      : rules_(std::move(rules)), redaction_(std::move(redaction)) {}

  policy::NetRules rules_;
  policy::SteadyClock clock_;
  std::unique_ptr<policy::RateLimiter> rate_;
  std::shared_ptr<const redact::RuleSet> redaction_;
  std::mutex mu_;
  std::vector<proxy::ConnectionEvent> events_;  // guarded by mu_
  std::vector<std::string> notes_;              // guarded by mu_
  // Last: destroyed first, while the sink state above still exists.
  std::unique_ptr<proxy::EgressProxy> proxy_;
};

}  // namespace agentbox::app
