// SPDX-License-Identifier: Apache-2.0
// File: run_proxy.cc
#include "app/run_proxy.h"

#include "redact/stream_redactor.h"

namespace agentbox::app {

namespace {

proxy::RobotsOptions robotsOptions(const policy::Network& network) {
  return {.respect_robots = network.respect_robots,
          .honor_crawl_delay = network.honor_crawl_delay,
          .user_agent = network.user_agent};
}

}  // namespace

Result<std::unique_ptr<RunProxy>> RunProxy::start(
    const policy::Network& network, std::shared_ptr<const redact::RuleSet> redaction) {
  AGENTBOX_ASSIGN_OR_RETURN(policy::NetRules rules,
                            policy::NetRules::build(network).context("network policy"));
  std::unique_ptr<RunProxy> rp(new RunProxy(std::move(rules), std::move(redaction)));
  AGENTBOX_ASSIGN_OR_RETURN(
      rp->rate_, policy::RateLimiter::create(network.rate, rp->clock_).context("network.rate"));
  proxy::ProxyOptions options{
      .rules = rp->rules_,
      .rate = rp->rate_.get(),
      .max_connections = network.max_connections,
      .max_bytes = network.max_bytes,
      .connect_timeout = std::chrono::milliseconds(network.connect_timeout_ms),
      .header_timeout = std::chrono::milliseconds(network.header_timeout_ms),
      .idle_timeout = std::chrono::milliseconds(network.idle_timeout_ms),
      .limits = {},
      .robots = robotsOptions(network),
  };
  AGENTBOX_ASSIGN_OR_RETURN(rp->proxy_, proxy::EgressProxy::create(options, *rp));
  AGENTBOX_TRY(rp->proxy_->start());
  return rp;
}

RunProxy::~RunProxy() {
  stop();
}

void RunProxy::addListeners(std::vector<UniqueFd> listeners) {
  for (UniqueFd& fd : listeners) {
    if (Status s = proxy_->addListener(std::move(fd)); !s.has_value()) {
      std::lock_guard lock(mu_);
      notes_.push_back("egress proxy: " + s.error().oneLine());
    }
  }
}

Status RunProxy::update(const policy::Network& network) {
  AGENTBOX_ASSIGN_OR_RETURN(policy::NetRules rules,
                            policy::NetRules::build(network).context("network policy"));
  auto shared_rules = std::make_shared<const policy::NetRules>(std::move(rules));
  AGENTBOX_ASSIGN_OR_RETURN(
      std::unique_ptr<policy::RateLimiter> rate,
      policy::RateLimiter::create(network.rate, clock_).context("network.rate"));
  proxy_->updateNetwork({.rules = std::move(shared_rules),
                         .rate = std::shared_ptr<policy::RateLimiter>(std::move(rate)),
                         .robots = robotsOptions(network)});
  return ok();
}

void RunProxy::stop() {
  if (proxy_) {
    proxy_->stop();
  }
}

void RunProxy::onConnection(const proxy::ConnectionEvent& event) {
  proxy::ConnectionEvent e = event;
  if (redaction_ != nullptr) {
    // A path or query can carry a token: redact before keeping it anywhere.
    e.path = redact::redactString(redaction_, e.path).value_or("(withheld: redaction failed)");
    e.reason = redact::redactString(redaction_, e.reason).value_or("(withheld)");
  }
  std::lock_guard lock(mu_);
  events_.push_back(std::move(e));
}

proxy::ProxyStats RunProxy::stats() const {
  return proxy_->stats();
}

std::vector<proxy::ConnectionEvent> RunProxy::takeEvents() {
  std::lock_guard lock(mu_);
  return std::move(events_);
}

std::vector<std::string> RunProxy::takeNotes() {
  std::lock_guard lock(mu_);
  return std::move(notes_);
}

}  // namespace agentbox::app
