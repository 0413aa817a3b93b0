// SPDX-License-Identifier: Apache-2.0
// File: redaction_setup.h
// Turns redaction settings (the future [redaction] policy section, OUTPUT_SANITIZATION,
// SECRET_REDACTION) and a run's environment into the immutable redact::RuleSet.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "redact/rule_set.h"
#include "util/result.h"

namespace agentbox::app {

// One custom rule as the policy will spell it (all names are strings so that the loader can
// hand them over unchecked; buildRedactionRules validates them).
struct CustomRedactionRule {
  std::string id;                     // unique, not a built-in id
  std::string regex;                  // RE2 syntax; group 1 (or the whole match) is redacted
  std::string rule_class = "custom";  // secret | credential | pii | path | custom
  std::string severity = "high";      // low | medium | high | critical
  std::vector<std::string> keywords;  // literal triggers (case-insensitive), at least one
  std::string validator = "none";     // none | luhn | github-checksum | jwt | email | ssn |
                                      // entropy (Shannon floor 3.5 bits/byte)
  std::string replacement;            // "" = "[REDACTED:{id}:{fp}]"
};

// Stand-in for policy::Redaction until the [redaction] section lands (see docs/redaction.md).
struct RedactionSettings {
  bool output_sanitization = true;   // OUTPUT_SANITIZATION=false: no output redactor at all
  bool secret_redaction = true;      // SECRET_REDACTION=false: secret + credential rules off
  bool pii = true;                   // pii rules (email, card, SSN)
  std::vector<std::string> disable;  // built-in rule ids switched off
  std::vector<CustomRedactionRule> custom;
};

struct RedactionInputs {
  RedactionSettings settings;
  std::vector<std::string> known_secrets;  // exact values (see knownSecretsFromEnv)
  std::string home_dir;                    // rewritten to "~"
  std::string hmac_key;                    // loadOrCreateRedactionKey(state_dir)
};

// nullptr when output_sanitization is off (callers then pass output through and the run
// record says so). Errors: kInvalidInput naming the bad custom rule or disabled id.
Result<std::shared_ptr<const redact::RuleSet>> buildRedactionRules(RedactionInputs inputs);

// Values of variables whose name contains KEY, TOKEN, SECRET, PASSWORD or CREDENTIAL (any
// letter case), plus those named in `secret_env` (--secret-env NAME). Empty values skipped.
std::vector<std::string> knownSecretsFromEnv(const std::vector<policy::EnvVar>& env,
                                             const std::vector<std::string>& secret_env);

}  // namespace agentbox::app
