// SPDX-License-Identifier: Apache-2.0
// File: explain.cc
#include "policy/explain.h"

#include "policy/keys.h"
#include "policy/toml_adapter.h"

namespace agentbox::policy {

namespace {

// Variable values given on the command line are often secrets: show names only.
std::string renderValue(const KeySpec& k, const Policy& p) {
  if (k.path != "sandbox.env") {
    return k.render(p);
  }
  std::string out = "[";
  for (size_t i = 0; i < p.sandbox.env.size(); ++i) {
    out += (i == 0 ? "" : ", ") + tomlQuote(p.sandbox.env[i].name + "=***");
  }
  return out + "]";
}

template <class Line>
std::string renderSections(Line line) {
  std::string out;
  std::string_view current = "-";
  for (const KeySpec& k : keySpecs()) {
    if (k.section() != current) {
      current = k.section();
      out += fmt::format("\n[{}]\n", current);
    }
    out += line(k);
  }
  return out;
}

}  // namespace

std::string renderExplain(const LoadedPolicy& loaded) {
  const Policy& p = loaded.policy;
  std::string out =
      "# agentbox effective policy: defaults < /etc/agentbox/policy.toml < --policy FILE <\n"
      "# environment < flags. Each value is followed by the layer it came from.\n";
  if (loaded.files.empty()) {
    out += "# policy files read: none\n";
  } else {
    for (const std::string& f : loaded.files) {
      out += fmt::format("# policy file read: {}\n", f);
    }
  }
  const Policy kDefaults;
  out += renderSections([&](const KeySpec& k) {
    std::string value = renderValue(k, p);
    std::string origin = loaded.originOf(k.path).describe();
    // A reviewer's marker: this value opens up more than agentbox does out of the box (in
    // the layering's order), e.g. redaction turned off or rules disabled.
    std::string looser;
    if (k.compare(kDefaults, p) == Order::kLooser) {
      std::string was = renderValue(k, kDefaults);
      looser =
          fmt::format("# looser than the built-in default {}\n", was.empty() ? "(absent)" : was);
    }
    if (value.empty()) {
      return looser + fmt::format("# {} is absent: unrestricted  # {}\n", k.name(), origin);
    }
    return looser + fmt::format("{} = {}  # {}\n", k.name(), value, origin);
  });
  out += "\n# Host side, from the environment only (not policy-file keys):\n";
  out += fmt::format("# state_dir = {}  # {}\n", tomlQuote(p.runtime.state_dir),
                     loaded.originOf("runtime.state_dir").describe());
  out += fmt::format("# cgroup_root = {}  # {}\n", tomlQuote(p.runtime.cgroup_root),
                     loaded.originOf("runtime.cgroup_root").describe());
  return out;
}

std::string renderDefaults() {
  Policy p;
  std::string out =
      "# The built-in agentbox policy (agentbox policy defaults): default-deny.\n"
      "# Network none, read-only workspace, the built-in resource limits.\n"
      "# Copy to /etc/agentbox/policy.toml or pass with --policy FILE, and edit.\n"
      "# Keys a policy file sets may only be tightened by later layers unless it says:\n"
      "allow_loosening = false\n";
  out += renderSections([&](const KeySpec& k) {
    std::string value = k.render(p);
    std::string doc = fmt::format("# {}\n", k.doc);
    if (value.empty()) {
      return doc + fmt::format("# {} = [ ... ]  (absent by default: unrestricted)\n", k.name());
    }
    return doc + fmt::format("{} = {}\n", k.name(), value);
  });
  return out;
}

}  // namespace agentbox::policy
