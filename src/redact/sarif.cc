// SPDX-License-Identifier: Apache-2.0
// File: sarif.cc
// The nlohmann::json adapter for SARIF: dump() replaces invalid UTF-8 instead of throwing.
#include "redact/sarif.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

namespace agentbox::redact {

namespace {

using nlohmann::json;

// GitHub shows security alerts by this score (0-10): critical >= 9, high 7-8.9, ...
double securitySeverity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return 9.5;
    case Severity::kHigh:
      return 8.0;
    case Severity::kMedium:
      return 5.5;
    case Severity::kLow:
      return 3.0;
  }
  return 8.0;
}

std::string helpText(const Rule& r) {
  const std::string what = r.name.empty() ? r.id : r.name;
  if (r.rule_class == RuleClass::kPii) {
    return fmt::format(
        "{} found in output. agentbox replaced it with [REDACTED:{}:<fingerprint>]. Remove "
        "personal data from logs and fixtures, or switch the rule off with [redaction] "
        "disable.",
        what, r.id);
  }
  return fmt::format(
      "{} found in output. agentbox replaced it with [REDACTED:{}:<fingerprint>]. Treat it as "
      "leaked: revoke and rotate it, then remove it from the file or command that printed it.",
      what, r.id);
}

// A relative URI reference: percent-encode what RFC 3986 does not allow in a path.
std::string uriOf(const std::string& path) {
  if (path == "-") {
    return "stdin";
  }
  std::string out;
  for (unsigned char c : path) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        std::string_view("-._~/!$&'()*+,;=:@").find(static_cast<char>(c)) !=
            std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace

std::string_view sarifLevel(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
      return "note";
  }
  return "error";
}

std::string sarifLog(const RuleSet& rules, const std::vector<SarifFile>& files,
                     std::string_view tool_version) {
  json driver_rules = json::array();
  std::map<std::string, size_t, std::less<>> index;
  for (const CompiledRule& cr : rules.rules()) {
    const Rule& r = cr.rule;
    if (r.rule_class == RuleClass::kPath || index.count(r.id) != 0) {
      continue;  // home-dir rewrites are not findings
    }
    index[r.id] = driver_rules.size();
    const std::string name = r.name.empty() ? r.id : r.name;
    driver_rules.push_back(
        {{"id", r.id},
         {"name", name},
         {"shortDescription", {{"text", name}}},
         {"fullDescription",
          {{"text", fmt::format("{} ({} rule, {} severity)", name, ruleClassName(r.rule_class),
                                severityName(r.severity))}}},
         {"help", {{"text", helpText(r)}}},
         {"defaultConfiguration", {{"level", sarifLevel(r.severity)}}},
         {"properties",
          {{"tags", json::array({"security", std::string(ruleClassName(r.rule_class))})},
           {"precision", r.confidence >= 0.9 ? "high" : "medium"},
           {"security-severity", fmt::format("{:.1f}", securitySeverity(r.severity))}}}});
  }
  json results = json::array();
  json artifacts = json::array();
  for (const SarifFile& file : files) {
    const std::string uri = uriOf(file.path);
    artifacts.push_back({{"location", {{"uri", uri}}}});
    for (const Finding& f : file.findings) {
      auto it = index.find(f.rule_id);
      json region = {{"startLine", std::max<uint64_t>(f.line, 1)},
                     {"startColumn", std::max<uint64_t>(f.column, 1)},
                     {"byteOffset", f.start},
                     {"byteLength", f.end - f.start}};
      if (f.end_line >= f.line && f.end_line > 0 && f.end_column > 0) {
        region["endLine"] = f.end_line;
        region["endColumn"] = f.end_column;
      }
      json result = {
          {"ruleId", f.rule_id},
          {"level", sarifLevel(f.severity)},
          {"message",
           {{"text", fmt::format("{} redacted (fingerprint {})", f.rule_id, f.fingerprint)}}},
          {"locations",
           json::array({{{"physicalLocation",
                          {{"artifactLocation", {{"uri", uri}, {"index", artifacts.size() - 1}}},
                           {"region", region}}}}})},
          {"partialFingerprints", {{"agentboxSecretHash/v1", f.fingerprint}}}};
      if (it != index.end()) {
        result["ruleIndex"] = it->second;
      }
      results.push_back(std::move(result));
    }
  }
  json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool",
                                      {{"driver",
                                        {{"name", "agentbox-redact"},
                                         {"semanticVersion", std::string(tool_version)},
                                         {"rules", driver_rules}}}}},
                                     {"artifacts", artifacts},
                                     {"results", results}}})}};
  return log.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace agentbox::redact
