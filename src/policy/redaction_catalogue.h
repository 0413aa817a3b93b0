// SPDX-License-Identifier: Apache-2.0
// File: redaction_catalogue.h
// What the policy loader needs to know about the redaction engine to check a [redaction]
// section: the built-in rule ids and a compile check for custom rules. policy/ never
// depends on redact/, so the app layer builds this (app::redactionCatalogue()) and hands it
// to the loader. Without one, the loader checks only what it can on its own (types,
// spellings, duplicate ids) and app::buildRedactionRules checks the rest when rules are built.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "policy/policy.h"

namespace agentbox::policy {

struct RedactionCatalogue {
  // The ids redaction.disable may name, in catalogue order. Listed on first use only: the
  // list comes from building every built-in rule (~0.1 ms), which a policy without a
  // [redaction] section never needs, and every run loads a policy.
  std::function<std::vector<std::string>()> list_builtin_ids;
  std::vector<std::string> reserved_ids;  // further ids custom rules may not take
  // "" when the rule compiles (regex, keywords); otherwise one line saying why not, without
  // the rule id (the caller adds it). Called only for rules whose fields are well-formed.
  std::function<std::string(const CustomRedactionRule&)> check_custom;

  // list_builtin_ids(), called once (thread-safe); empty without it.
  const std::vector<std::string>& builtinIds() const {
    std::call_once(listed_, [this] {
      if (list_builtin_ids) {
        builtin_ids_ = list_builtin_ids();
      }
    });
    return builtin_ids_;
  }

 private:
  mutable std::once_flag listed_;
  mutable std::vector<std::string> builtin_ids_;
};

}  // namespace agentbox::policy
