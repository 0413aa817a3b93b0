// SPDX-License-Identifier: Apache-2.0
// File: redaction_catalogue.h
// What the policy loader needs to know about the redaction engine to check a [redaction]
// section: the built-in rule ids and a compile check for custom rules. policy/ never
// depends on redact/, so the app layer builds this (app::redactionCatalogue()) and hands it
// to the loader. Without one, the loader checks only what it can on its own (types,
// spellings, duplicate ids) and app::buildRedactionRules checks the rest when rules are built.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "policy/policy.h"

namespace agentbox::policy {

struct RedactionCatalogue {
  std::vector<std::string> builtin_ids;   // ids redaction.disable may name, in catalogue order
  std::vector<std::string> reserved_ids;  // further ids custom rules may not take
  // "" when the rule compiles (regex, keywords); otherwise one line saying why not, without
  // the rule id (the caller adds it). Called only for rules whose fields are well-formed.
  std::function<std::string(const CustomRedactionRule&)> check_custom;
};

}  // namespace agentbox::policy
