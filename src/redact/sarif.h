// SPDX-License-Identifier: Apache-2.0
// File: sarif.h
// SARIF 2.1.0 output of `agentbox redact --format sarif`: one run, rule metadata for every
// rule of the set, one result per finding with file, byte offsets, line and column. Shaped
// for GitHub code scanning uploads (docs/redaction.md, "SARIF"). Never contains a secret.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "redact/rule_set.h"
#include "redact/stream_redactor.h"

namespace agentbox::redact {

struct SarifFile {
  std::string path;  // as given on the command line; "-" (stdin) is written as "stdin"
  std::vector<Finding> findings;
};

// The whole log as JSON text (followed by '\n'). Rules are the set's distinct ids in order.
std::string sarifLog(const RuleSet& rules, const std::vector<SarifFile>& files,
                     std::string_view tool_version);

// "error" (critical, high), "warning" (medium), "note" (low).
std::string_view sarifLevel(Severity s);

}  // namespace agentbox::redact
