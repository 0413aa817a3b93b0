// SPDX-License-Identifier: Apache-2.0
// File: rule_builders.h
// Internal to redact/: compact constructors for the built-in catalogue (builtin_rules_*.cc).
// Regexes run over [context byte][window][terminator byte], so boundaries are explicit
// classes instead of look-behind (neither Vectorscan nor RE2 has it).
#pragma once

#include <string>
#include <vector>

#include "redact/rule.h"

namespace agentbox::redact::detail {

inline constexpr const char* kB62 = "A-Za-z0-9";
inline constexpr const char* kB64Url = "A-Za-z0-9_\\-";
inline constexpr const char* kAnyButNewline = "^\r\n";

struct TokenSpec {
  const char* id;
  RuleClass rule_class;
  Severity severity;
  double confidence;
  std::vector<std::string> keywords;
  const char* regex;
  uint32_t after_bytes;
  const char* continue_chars;
};

// A token whose keyword is its own prefix (ghp_, xoxb-): the whole match is redacted.
Rule token(TokenSpec spec);

// A value found by the keyword before it (password=...): only the value is redacted.
Rule assignment(TokenSpec spec);

// The common shape of a vendor token with a literal prefix.
struct PrefixSpec {
  const char* id;
  const char* name;                   // "GitHub personal access token (classic)"
  std::vector<std::string> keywords;  // the literal prefixes (case-sensitive)
  const char* body;                   // RE2 for the whole token, prefix included
  uint32_t after_bytes;               // longest token length after its prefix
  const char* chars;                  // CharSet spec of the bytes a token is made of
  Severity severity = Severity::kHigh;
  RuleClass rule_class = RuleClass::kSecret;
  double confidence = 0.95;
};

// `[^B](body)[^B]` where B is the token's bytes plus [A-Za-z0-9_], so the token is not a
// piece of a longer identifier; truncated tokens at end of stream are redacted.
Rule prefixed(const PrefixSpec& spec);

// A formatless value named by its context: `<keyword ...> = value`. `value` is the RE2 of the
// value (captured); `name_re` the RE2 of the identifier, which must contain the keyword.
struct ContextSpec {
  const char* id;
  const char* name;
  std::vector<std::string> keywords;  // caseless literals inside the identifier
  const char* name_re;                // e.g. "twilio[A-Za-z0-9_.-]{0,20}(?:token|secret)"
  const char* value;                  // e.g. "[0-9a-f]{32}"
  const char* value_chars;            // CharSet spec of the value's bytes (its terminator)
  Severity severity = Severity::kHigh;
  RuleClass rule_class = RuleClass::kSecret;
  double confidence = 0.85;
};

// `(?i:name_re)` then optional quote, `=`, `:`, `:=` or `=>`, optional quote, the value, and a
// byte outside value_chars.
Rule contextual(const ContextSpec& spec);

void addCloudRules(std::vector<Rule>& rules);
void addAiRules(std::vector<Rule>& rules);
void addDevRules(std::vector<Rule>& rules);
void addSaasRules(std::vector<Rule>& rules);
void addKeyRules(std::vector<Rule>& rules);
void addCredentialRules(std::vector<Rule>& rules);
void addPiiRules(std::vector<Rule>& rules);

}  // namespace agentbox::redact::detail
