// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules.h
// The built-in rule catalogue (secrets, credentials, PII). Pure data; the app layer filters it
// by the policy (disabled ids, class switches) and appends custom rules before RuleSet::build.
#pragma once

#include <vector>

#include "redact/rule.h"

namespace agentbox::redact {

// Every built-in rule, in a stable order. Ids are unique; tests/redact/rules_test.cc holds a
// positive and a negative example for each.
std::vector<Rule> builtinRules();

}  // namespace agentbox::redact
