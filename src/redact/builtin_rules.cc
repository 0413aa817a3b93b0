// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules.cc
// The built-in catalogue, assembled from one file per family (builtin_rules_*.cc), and the
// rule constructors those files share. Formats and false-positive guards follow the fact
// sheet summarised in docs/redaction.md.
#include "redact/builtin_rules.h"

#include <algorithm>
#include <utility>

#include "redact/rule_builders.h"

namespace agentbox::redact {

namespace detail {

Rule token(TokenSpec spec) {
  Rule r;
  r.id = spec.id;
  r.rule_class = spec.rule_class;
  r.severity = spec.severity;
  r.confidence = spec.confidence;
  r.keywords = std::move(spec.keywords);
  r.regex = spec.regex;
  r.after_bytes = spec.after_bytes;
  r.continue_chars = spec.continue_chars;
  r.hold = HoldFrom::kMatchStart;
  r.redact_truncated = true;
  return r;
}

Rule assignment(TokenSpec spec) {
  Rule r = token(std::move(spec));
  r.keywords_caseless = true;
  r.hold = HoldFrom::kKeywordEnd;
  r.redact_truncated = false;
  return r;
}

Rule prefixed(const PrefixSpec& spec) {
  const std::string boundary = std::string("A-Za-z0-9_") + spec.chars;
  Rule r;
  r.id = spec.id;
  r.name = spec.name;
  r.rule_class = spec.rule_class;
  r.severity = spec.severity;
  r.confidence = spec.confidence;
  r.keywords = spec.keywords;
  // Before the token: not an identifier byte ('=' or '/' may precede a token that contains
  // them). A distinctive prefix (5+ bytes) may also follow the 'n' of a JSON-escaped "\n".
  size_t shortest = 64;
  for (const std::string& k : spec.keywords) {
    shortest = std::min(shortest, k.size());
  }
  const std::string lead = shortest >= 5 ? "(?:[^A-Za-z0-9_]|[nrt])" : "[^A-Za-z0-9_]";
  r.regex = lead + "(" + spec.body + ")[^" + boundary + "]";
  r.after_bytes = spec.after_bytes;
  r.continue_chars = spec.chars;
  r.hold = HoldFrom::kMatchStart;
  r.redact_truncated = true;
  return r;
}

Rule contextual(const ContextSpec& spec) {
  Rule r;
  r.id = spec.id;
  r.name = spec.name;
  r.rule_class = spec.rule_class;
  r.severity = spec.severity;
  r.confidence = spec.confidence;
  r.keywords = spec.keywords;
  r.keywords_caseless = true;
  r.regex = std::string("(?i:") + spec.name_re +
            R"re()[A-Za-z0-9_.-]{0,20}\\?["']?\s{0,5}(?:=|:=|=>|:)\s{0,5}\\?["']?()re" +
            spec.value + ")[^" + spec.value_chars + "]";
  r.after_bytes = 160;
  r.continue_chars = kAnyButNewline;
  r.hold = HoldFrom::kKeywordEnd;
  r.redact_truncated = false;
  return r;
}

}  // namespace detail

std::vector<Rule> builtinRules() {
  // Room for the whole catalogue (145 rules) up front: growing by doubling moved every rule
  // up to eight times into fresh memory, ~40 page faults of every run's start.
  constexpr size_t kCatalogueCapacity = 160;
  std::vector<Rule> rules;
  rules.reserve(kCatalogueCapacity);
  detail::addCloudRules(rules);
  detail::addAiRules(rules);
  detail::addDevRules(rules);
  detail::addSaasRules(rules);
  detail::addKeyRules(rules);
  detail::addCredentialRules(rules);
  detail::addPiiRules(rules);
  for (Rule& r : rules) {
    if (r.name.empty()) {
      r.name = r.id;
    }
    r.lazy_confirm = true;
  }
  return rules;
}

}  // namespace agentbox::redact
