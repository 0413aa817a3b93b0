// SPDX-License-Identifier: Apache-2.0
// File: redaction_setup.cc
#include "app/redaction_setup.h"

#include <algorithm>
#include <set>

#include "redact/builtin_rules.h"

namespace agentbox::app {

namespace {

Result<redact::RuleClass> parseClass(const std::string& id, const std::string& s) {
  using redact::RuleClass;
  if (s == "secret") {
    return RuleClass::kSecret;
  }
  if (s == "credential") {
    return RuleClass::kCredential;
  }
  if (s == "pii") {
    return RuleClass::kPii;
  }
  if (s == "path") {
    return RuleClass::kPath;
  }
  if (s == "custom") {
    return RuleClass::kCustom;
  }
  return makeError(Errc::kInvalidInput,
                   "redaction rule {}: class \"{}\" is not secret, credential, pii, path or custom",
                   id, s);
}

Result<redact::Severity> parseSeverity(const std::string& id, const std::string& s) {
  using redact::Severity;
  if (s == "low") {
    return Severity::kLow;
  }
  if (s == "medium") {
    return Severity::kMedium;
  }
  if (s == "high") {
    return Severity::kHigh;
  }
  if (s == "critical") {
    return Severity::kCritical;
  }
  return makeError(Errc::kInvalidInput,
                   "redaction rule {}: severity \"{}\" is not low, medium, high or critical", id,
                   s);
}

Status applyValidator(redact::Rule& rule, const std::string& v) {
  using redact::Validator;
  static const std::pair<const char*, Validator> kNames[] = {
      {"none", Validator::kNone},
      {"luhn", Validator::kLuhn},
      {"github-checksum", Validator::kGithubChecksum},
      {"jwt", Validator::kJwt},
      {"email", Validator::kEmail},
      {"ssn", Validator::kSsn}};
  if (v == "entropy") {
    rule.min_entropy = 3.5;
    return ok();
  }
  for (const auto& [name, value] : kNames) {
    if (v == name) {
      rule.validator = value;
      return ok();
    }
  }
  return makeError(Errc::kInvalidInput, "redaction rule {}: unknown validator \"{}\"", rule.id, v);
}

Result<redact::Rule> customRule(const CustomRedactionRule& c) {
  redact::Rule r;
  r.id = c.id;
  AGENTBOX_ASSIGN_OR_RETURN(r.rule_class, parseClass(c.id, c.rule_class));
  AGENTBOX_ASSIGN_OR_RETURN(r.severity, parseSeverity(c.id, c.severity));
  AGENTBOX_TRY(applyValidator(r, c.validator));
  r.keywords = c.keywords;
  r.keywords_caseless = true;
  r.regex = c.regex;
  r.replacement = c.replacement;
  r.confidence = 0.8;
  // The regex may start up to 128 bytes before a keyword and reach 512 bytes past it; a
  // match ends at a newline.
  r.before_bytes = 128;
  r.lead_chars = "^\r\n";
  r.after_bytes = 512;
  return r;
}

bool classEnabled(const RedactionSettings& s, redact::RuleClass c) {
  using redact::RuleClass;
  if (c == RuleClass::kPii) {
    return s.pii;
  }
  if (c == RuleClass::kSecret || c == RuleClass::kCredential) {
    return s.secret_redaction;
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<const redact::RuleSet>> buildRedactionRules(RedactionInputs in) {
  const RedactionSettings& s = in.settings;
  if (!s.output_sanitization) {
    return std::shared_ptr<const redact::RuleSet>();
  }
  redact::RuleSetConfig config;
  std::set<std::string> ids;
  for (redact::Rule& r : redact::builtinRules()) {
    ids.insert(r.id);
    const bool disabled = std::find(s.disable.begin(), s.disable.end(), r.id) != s.disable.end();
    if (!disabled && classEnabled(s, r.rule_class)) {
      config.rules.push_back(std::move(r));
    }
  }
  for (const std::string& d : s.disable) {
    if (ids.count(d) == 0) {
      return makeError(Errc::kInvalidInput, "redaction disable: no built-in rule \"{}\"", d);
    }
  }
  for (const CustomRedactionRule& c : s.custom) {
    if (c.id.empty() || !ids.insert(c.id).second) {
      return makeError(Errc::kInvalidInput, "redaction rule \"{}\": empty or duplicate id", c.id);
    }
    AGENTBOX_ASSIGN_OR_RETURN(redact::Rule r, customRule(c));
    if (classEnabled(s, r.rule_class)) {
      config.rules.push_back(std::move(r));
    }
  }
  config.known_secrets = std::move(in.known_secrets);
  config.home_dir = std::move(in.home_dir);
  config.hmac_key = std::move(in.hmac_key);
  return redact::RuleSet::build(std::move(config));
}

std::vector<std::string> knownSecretsFromEnv(const std::vector<policy::EnvVar>& env,
                                             const std::vector<std::string>& secret_env) {
  static constexpr std::string_view kMarkers[] = {"KEY", "TOKEN", "SECRET", "PASSWORD",
                                                  "CREDENTIAL"};
  std::vector<std::string> out;
  for (const policy::EnvVar& v : env) {
    std::string upper = v.name;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    bool secret = std::find(secret_env.begin(), secret_env.end(), v.name) != secret_env.end();
    for (std::string_view m : kMarkers) {
      secret = secret || upper.find(m) != std::string::npos;
    }
    if (secret && !v.value.empty() && std::find(out.begin(), out.end(), v.value) == out.end()) {
      out.push_back(v.value);
    }
  }
  return out;
}

}  // namespace agentbox::app
