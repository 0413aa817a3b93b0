// SPDX-License-Identifier: Apache-2.0
// File: policy_reload.cc
#include "app/policy_reload.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <sstream>

#include "policy/explain.h"

namespace agentbox::app {

namespace {

// "section.key" -> value, from the explain rendering (comments naming each value's source
// are dropped: only values count).
std::vector<std::pair<std::string, std::string>> flatten(const policy::LoadedPolicy& loaded) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(policy::renderExplain(loaded));
  std::string section;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (line.front() == '[') {
      section = line.substr(1, line.find(']') - 1);
      continue;
    }
    size_t eq = line.find(" = ");
    if (eq == std::string::npos) {
      continue;
    }
    std::string value = line.substr(eq + 3);
    if (size_t c = value.rfind("  # "); c != std::string::npos) {
      value.erase(c);
    }
    out.emplace_back(section + "." + line.substr(0, eq), value);
  }
  return out;
}

std::string joinKeys(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) {
    out += (out.empty() ? "" : ", ") + k;
  }
  return out;
}

}  // namespace

std::vector<std::string> changedPolicyKeys(const policy::LoadedPolicy& before,
                                           const policy::LoadedPolicy& after) {
  auto a = flatten(before);
  auto b = flatten(after);
  std::map<std::string, std::string> old(a.begin(), a.end());
  std::vector<std::string> changed;
  for (const auto& [key, value] : b) {
    auto it = old.find(key);
    if (it == old.end() || it->second != value) {
      changed.push_back(key);
    }
    if (it != old.end()) {
      old.erase(it);
    }
  }
  for (const auto& [key, value] : old) {
    changed.push_back(key);  // present before, gone now (a key absent from both never shows)
  }
  return changed;
}

bool isLiveNetworkKey(std::string_view key) {
  static constexpr std::array<std::string_view, 10> kLive = {
      "network.mode",           "network.allow",
      "network.deny",           "network.http",
      "network.resolve",        "network.cidr_deny",
      "network.rate",           "network.user_agent",
      "network.respect_robots", "network.honor_crawl_delay"};
  if (key.rfind("network.http.", 0) == 0 || key.rfind("network.resolve.", 0) == 0 ||
      key.rfind("network.rate.", 0) == 0) {
    return true;
  }
  return std::find(kLive.begin(), kLive.end(), key) != kLive.end();
}

PolicyReloader::PolicyReloader(std::string file,
                               std::shared_ptr<const policy::LoadedPolicy> current, Loader load,
                               RunProxy& proxy, Log log)
    : file_(std::move(file)),
      load_(std::move(load)),
      proxy_(proxy),
      log_(std::move(log)),
      current_(std::move(current)) {}

void PolicyReloader::reload() {
  Result<policy::LoadedPolicy> loaded = load_();
  if (!loaded.has_value()) {
    note(fmt::format("policy reload of {} rejected: {}; the policy in force stays", file_,
                     loaded.error().oneLine()));
    return;
  }
  auto next = std::make_shared<const policy::LoadedPolicy>(std::move(*loaded));
  std::shared_ptr<const policy::LoadedPolicy> current;
  {
    std::lock_guard lock(mu_);
    current = current_;
  }
  std::vector<std::string> live;
  std::vector<std::string> ignored;
  for (std::string& k : changedPolicyKeys(*current, *next)) {
    (isLiveNetworkKey(k) ? live : ignored).push_back(std::move(k));
  }
  if (!ignored.empty()) {
    note(fmt::format("policy reload of {}: {} cannot change during a run; ignored", file_,
                     joinKeys(ignored)));
  }
  if (live.empty()) {
    return;
  }
  if (Status s = proxy_.update(next->policy.network); !s.has_value()) {
    note(fmt::format("policy reload of {} rejected: {}; the policy in force stays", file_,
                     s.error().oneLine()));
    return;
  }
  {
    std::lock_guard lock(mu_);
    current_ = next;
  }
  note(
      fmt::format("policy reload of {}: {} applied to new requests and tunnels; open tunnels "
                  "are kept",
                  file_, joinKeys(live)));
}

void PolicyReloader::note(std::string line) {
  log_(line);
  std::lock_guard lock(mu_);
  notes_.push_back(std::move(line));
}

std::vector<std::string> PolicyReloader::takeNotes() {
  std::lock_guard lock(mu_);
  return std::move(notes_);
}

}  // namespace agentbox::app
