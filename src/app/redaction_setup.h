// SPDX-License-Identifier: Apache-2.0
// File: redaction_setup.h
// Turns the policy's [redaction] section (policy::Redaction; OUTPUT_SANITIZATION and
// SECRET_REDACTION land there) and a run's environment into the immutable redact::RuleSet,
// and gives the policy loader the catalogue it checks [redaction] against.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "policy/redaction_catalogue.h"
#include "redact/rule_set.h"
#include "util/result.h"

namespace agentbox::app {

// The filter's and the run's redaction settings are the policy's [redaction] section.
using RedactionSettings = policy::Redaction;

struct RedactionInputs {
  policy::Redaction settings;              // the policy's [redaction] section
  std::vector<std::string> known_secrets;  // exact values (see knownSecretsFromEnv)
  std::string home_dir;                    // rewritten to "~"
  std::string hmac_key;                    // loadOrCreateRedactionKey(state_dir)
  // Where the compiled rules' database is kept between runs (stateDirRuleCache); empty: none.
  std::string state_dir;
};

// nullptr when settings.enabled is false (callers then pass output through and the run
// record says so). Errors: kInvalidInput naming the bad custom rule or disabled id (the
// loader reports these with file:line first when it was given redactionCatalogue()).
Result<std::shared_ptr<const redact::RuleSet>> buildRedactionRules(RedactionInputs inputs);

// The built-in rules the settings keep, in catalogue order: not in `disable`, class switched
// on (secrets: secret and credential; pii), and ids starting with "ip-" only with
// ip_addresses. Custom rules are not filtered by id.
std::vector<redact::Rule> selectBuiltinRules(std::vector<redact::Rule> builtin,
                                             const policy::Redaction& settings);

// The built-in ids and a custom-rule compile check (RE2 and Vectorscan, as RuleSet::build
// does), for policy::LoadRequest::redaction_catalogue and `policy check`.
std::shared_ptr<const policy::RedactionCatalogue> redactionCatalogue();

// Values of variables whose name contains KEY, TOKEN, SECRET, PASSWORD or CREDENTIAL (any
// letter case), plus those named in `secret_env` (--secret-env NAME). Empty values skipped.
std::vector<std::string> knownSecretsFromEnv(const std::vector<policy::EnvVar>& env,
                                             const std::vector<std::string>& secret_env);

}  // namespace agentbox::app
