// SPDX-License-Identifier: Apache-2.0
// File: policy_loader_fuzz.cc
// libFuzzer target for the policy loader (TOML adapter, key table, validation, explain).
// Properties beyond "no crash": `policy check` and load agree on validity; a valid policy's
// `explain` output loads back to the same values; every decision object builds from it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/explain.h"
#include "policy/fs_rules.h"
#include "policy/keys.h"
#include "policy/loader.h"
#include "policy/net_rules.h"
#include "policy/rate_limiter.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "policy_loader_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace agentbox::policy;  // NOLINT(google-build-using-namespace): fuzz harness
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Diagnostic> diags = checkPolicyText(text, "fuzz.toml");
  agentbox::Result<LoadedPolicy> loaded = loadText(text, "fuzz.toml");
  if (loaded.has_value() != diags.empty()) {
    fail("check and load disagree",
         loaded.has_value() ? diags.front().toString() : loaded.error().oneLine());
  }
  if (!loaded.has_value()) {
    return 0;
  }
  const Policy& p = loaded->policy;
  std::string explained = renderExplain(*loaded);
  agentbox::Result<LoadedPolicy> again = loadText(explained, "explained.toml");
  if (!again.has_value()) {
    fail("explain output does not load", again.error().oneLine() + "\n" + explained);
  }
  for (const KeySpec& k : keySpecs()) {
    if (k.path != "sandbox.env" && k.render(p) != k.render(again->policy)) {
      fail("explain round trip changed a value", std::string(k.path) + "\n" + explained);
    }
  }
  if (!NetRules::build(p.network).has_value()) {
    fail("NetRules rejected a validated policy", explained);
  }
  if (!FsRules::build(p.filesystem).has_value()) {
    fail("FsRules rejected a validated policy", explained);
  }
  SteadyClock clock;
  if (!RateLimiter::create(p.network.rate, clock).has_value()) {
    fail("RateLimiter rejected a validated policy", explained);
  }
  return 0;
}
