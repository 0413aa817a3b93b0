// SPDX-License-Identifier: Apache-2.0
// File: record_redactor_test.cc
#include "app/record_redactor.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "app/redaction_setup.h"
#include "app/run_record.h"

namespace agentbox::app {
namespace {

constexpr std::string_view kGhp = "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";
constexpr std::string_view kAws = "AKIA6ZGEIW3XF4CCIFUF";

std::shared_ptr<const redact::RuleSet> builtinRuleSet() {
  RedactionInputs in;
  auto rules = buildRedactionRules(in);
  EXPECT_TRUE(rules.has_value());
  return rules.has_value() ? *rules : nullptr;
}

// Head and tail redacted apart give the record that redacting it whole gives: secrets in the
// head (argv) and in the tail (a warning) are both replaced.
TEST(RecordRedactor, PartsRedactedApartEqualTheWholeRecordRedacted) {
  auto rules = builtinRuleSet();
  ASSERT_NE(rules, nullptr);
  std::string id = "20261201T000000Z-00";
  std::vector<std::string> argv = {"curl", "-H", "Authorization: token " + std::string(kGhp)};
  std::string ws = "/w";
  policy::Policy policy;
  sandbox::RunResult result;
  result.outcome = sandbox::Outcome::kExited;
  result.layers = {{"namespaces", true, "user", ""}};
  std::vector<std::string> warnings = {"key " + std::string(kAws) + " seen"};
  std::map<std::string, uint64_t, std::less<>> none;
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1796083200));
  RunRecordInputs in{.id = id,
                     .argv = argv,
                     .workspace = ws,
                     .policy = policy,
                     .started = t,
                     .ended = t,
                     .result = result,
                     .warnings = warnings,
                     .redaction_by_rule = none,
                     .redaction_by_class = none};
  std::optional<RecordRedactor> r =
      RecordRedactor::start(rules, renderRunRecordHead(runRecordHead(in)));
  ASSERT_TRUE(r.has_value());
  std::optional<std::string> record = r->finish(renderRunRecordTail(in));
  ASSERT_TRUE(record.has_value());
  Result<std::string> whole =
      redact::redactString(rules, renderRunRecord(in), redact::InputFormat::kJsonLines);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*record, prettyRecord(*whole));
  EXPECT_EQ(record->find(kGhp), std::string::npos);
  EXPECT_EQ(record->find(kAws), std::string::npos);
  nlohmann::json j = nlohmann::json::parse(*record);
  EXPECT_EQ(j["argv"][0], "curl");
}

TEST(RecordRedactor, NoRulesMeansNoRedactor) {
  EXPECT_FALSE(RecordRedactor::start(nullptr, "{}").has_value());
}

}  // namespace
}  // namespace agentbox::app
