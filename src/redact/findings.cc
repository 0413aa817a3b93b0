// SPDX-License-Identifier: Apache-2.0
// File: findings.cc
#include "redact/findings.h"

#include <fmt/format.h>

#include "redact/json_lines.h"

namespace agentbox::redact {

std::string findingJsonLine(const Finding& f, std::string_view file) {
  return fmt::format(
      "{{\"file\":\"{}\",\"start\":{},\"end\":{},\"line\":{},\"column\":{},\"rule\":\"{}\","
      "\"class\":\"{}\",\"severity\":\"{}\",\"fingerprint\":\"{}\"}}\n",
      jsonEscape(file), f.start, f.end, f.line, f.column, jsonEscape(f.rule_id),
      ruleClassName(f.rule_class), severityName(f.severity), f.fingerprint);
}

}  // namespace agentbox::redact
