// SPDX-License-Identifier: Apache-2.0
// File: policy_reload.h
// Live policy updates of a running `agentbox run` in proxy mode: when the --policy file
// changes, the layers are loaded again exactly as at start (same system file, environment,
// flags and workspace / state-dir checks, so a file that moved into the workspace is
// refused). The live keys of [network] go to the egress proxy for new requests and new
// tunnels (open tunnels are kept); every other change cannot apply to a sandbox that
// already exists and is reported and ignored; an invalid file is rejected and the policy in
// force stays. Each outcome is one line, logged and kept for the run record.
//
// Threading: reload() is called on the policy watcher's thread; takeNotes() on the run's
// thread after the watcher is gone (guarded by mu_ either way).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "app/run_proxy.h"
#include "policy/loader.h"
#include "util/result.h"

namespace agentbox::app {

// Keys ("network.allow", "resources.memory", "network.ports.connect") whose effective value
// differs between two loaded policies, in rendering order.
std::vector<std::string> changedPolicyKeys(const policy::LoadedPolicy& before,
                                           const policy::LoadedPolicy& after);
// True for the keys a reload applies: network allow, deny, http, resolve, cidr_deny, rate,
// mode, respect_robots, user_agent, honor_crawl_delay.
bool isLiveNetworkKey(std::string_view key);

class PolicyReloader {
 public:
  using Loader = std::function<Result<policy::LoadedPolicy>()>;
  using Log = std::function<void(const std::string&)>;

  // `proxy` must outlive the reloader.
  PolicyReloader(std::string file, std::shared_ptr<const policy::LoadedPolicy> current, Loader load,
                 RunProxy& proxy, Log log);

  void reload();
  std::vector<std::string> takeNotes();

 private:
  void note(std::string line);

  std::string file_;
  Loader load_;
  RunProxy& proxy_;
  Log log_;
  std::mutex mu_;
  std::shared_ptr<const policy::LoadedPolicy> current_;  // guarded by mu_
  std::vector<std::string> notes_;                       // guarded by mu_
};

}  // namespace agentbox::app
