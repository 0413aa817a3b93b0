// SPDX-License-Identifier: Apache-2.0
// File: redact_test_util.h
// Helpers shared by the redact tests: a collecting sink and chunked runs of a StreamRedactor.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redact/builtin_rules.h"
#include "redact/rule_set.h"
#include "redact/stream_redactor.h"

namespace agentbox::redact::testing {

class StringSink final : public Sink {
 public:
  Status write(std::span<const std::byte> bytes) override {
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return ok();
  }
  void onFinding(const Finding& f) override { findings.push_back(f); }
  std::string out;
  std::vector<Finding> findings;
};

inline constexpr std::string_view kTestKey = "test-hmac-key-0123456789abcdef";

inline std::shared_ptr<const RuleSet> buildRules(std::vector<std::string> known = {},
                                                 std::string home = {}) {
  RuleSetConfig config;
  config.rules = builtinRules();
  config.known_secrets = std::move(known);
  config.home_dir = std::move(home);
  config.hmac_key = std::string(kTestKey);
  auto rules = RuleSet::build(std::move(config));
  EXPECT_TRUE(rules.has_value()) << (rules.has_value() ? "" : rules.error().oneLine());
  return rules.has_value() ? *rules : nullptr;
}

inline const std::shared_ptr<const RuleSet>& builtinSet() {
  static const std::shared_ptr<const RuleSet> set = buildRules();
  return set;
}

struct RunResult {
  std::string out;
  std::vector<Finding> findings;
};

// Feeds `chunks` in order to a fresh redactor, then finish().
inline RunResult runChunks(const std::shared_ptr<const RuleSet>& rules,
                           const std::vector<std::string_view>& chunks,
                           InputFormat format = InputFormat::kText) {
  StreamOptions opts;
  opts.format = format;
  auto r = StreamRedactor::open(rules, opts);
  EXPECT_TRUE(r.has_value());
  StringSink sink;
  for (std::string_view c : chunks) {
    EXPECT_TRUE(r->write(c, sink).has_value());
  }
  EXPECT_TRUE(r->finish(sink).has_value());
  return {sink.out, sink.findings};
}

inline RunResult runOnce(const std::shared_ptr<const RuleSet>& rules, std::string_view text,
                         InputFormat format = InputFormat::kText) {
  return runChunks(rules, {text}, format);
}

inline RunResult runBytewise(const std::shared_ptr<const RuleSet>& rules, std::string_view text,
                             InputFormat format = InputFormat::kText) {
  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < text.size(); ++i) {
    chunks.push_back(text.substr(i, 1));
  }
  return runChunks(rules, chunks, format);
}

}  // namespace agentbox::redact::testing
