// SPDX-License-Identifier: Apache-2.0
// File: redaction_setup.cc
#include "app/redaction_setup.h"

#include <algorithm>
#include <optional>
#include <set>

#include "app/state_cache.h"
#include "policy/keys.h"
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

Result<redact::Rule> customRule(const policy::CustomRedactionRule& c) {
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

bool classEnabled(const policy::Redaction& s, redact::RuleClass c) {
  using redact::RuleClass;
  if (c == RuleClass::kPii) {
    return s.pii;
  }
  if (c == RuleClass::kSecret || c == RuleClass::kCredential) {
    return s.secrets;
  }
  return true;
}

// The engine's own ids: `home-dir` (the caller's home, rewritten to ~) may be disabled,
// `known-secret` (values the run was given) may not; custom rules may take neither.
constexpr std::string_view kHomeDirId = "home-dir";
constexpr std::string_view kKnownSecretId = "known-secret";

std::vector<std::string> disableableIds(const std::vector<redact::Rule>& builtin) {
  std::vector<std::string> ids;
  ids.reserve(builtin.size() + 1);
  for (const redact::Rule& r : builtin) {
    ids.push_back(r.id);
  }
  ids.emplace_back(kHomeDirId);
  return ids;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The loader checks these with file positions when it has the catalogue; a Policy built in
// code (or loaded without one) is checked here, so nothing unchecked reaches the engine.
Status checkIds(const policy::Redaction& s, const std::vector<std::string>& builtin) {
  for (const std::string& d : s.disable) {
    if (!contains(builtin, d)) {
      std::vector<std::string_view> names(builtin.begin(), builtin.end());
      std::string_view near = policy::closestName(d, names);
      return makeError(Errc::kInvalidInput, "redaction.disable: no built-in rule \"{}\"{}", d,
                       near.empty() ? std::string("; the ids are listed in docs/redaction.md")
                                    : fmt::format("; did you mean \"{}\"?", near));
    }
  }
  std::set<std::string> seen;
  for (const policy::CustomRedactionRule& c : s.custom) {
    if (c.id.empty() || !seen.insert(c.id).second) {
      return makeError(Errc::kInvalidInput,
                       "redaction.custom \"{}\": empty or duplicate id; give each rule its own id",
                       c.id);
    }
    if (contains(builtin, c.id) || c.id == kKnownSecretId) {
      return makeError(Errc::kInvalidInput,
                       "redaction.custom \"{}\": the id is a built-in rule's; name your rule "
                       "differently",
                       c.id);
    }
  }
  return ok();
}

}  // namespace

std::vector<redact::Rule> selectBuiltinRules(std::vector<redact::Rule> builtin,
                                             const policy::Redaction& s) {
  // In place: the catalogue's vector is reused, not moved rule by rule into a second one.
  std::erase_if(builtin, [&s](const redact::Rule& r) {
    bool ip_rule = r.id.rfind("ip-", 0) == 0;
    return contains(s.disable, r.id) || !classEnabled(s, r.rule_class) ||
           (ip_rule && !s.ip_addresses);
  });
  return builtin;
}

Result<std::shared_ptr<const redact::RuleSet>> buildRedactionRules(RedactionInputs in) {
  const policy::Redaction& s = in.settings;
  if (!s.enabled) {
    return std::shared_ptr<const redact::RuleSet>();
  }
  std::vector<redact::Rule> builtin = redact::builtinRules();  // ~0.1 ms: once per run
  if (!s.disable.empty() || !s.custom.empty()) {               // nothing to check otherwise
    AGENTBOX_TRY(checkIds(s, disableableIds(builtin)));
  }
  redact::RuleSetConfig config;
  config.rules = selectBuiltinRules(std::move(builtin), s);
  for (const policy::CustomRedactionRule& c : s.custom) {
    AGENTBOX_ASSIGN_OR_RETURN(redact::Rule r, customRule(c));
    if (classEnabled(s, r.rule_class)) {
      config.rules.push_back(std::move(r));
    }
  }
  config.known_secrets = std::move(in.known_secrets);
  if (!contains(s.disable, kHomeDirId)) {
    config.home_dir = std::move(in.home_dir);
  }
  std::optional<redact::DatabaseCache> cache;
  if (!in.state_dir.empty()) {
    cache = stateDirCache(in.state_dir, "rules", in.hmac_key);
    config.cache = &*cache;
  }
  config.hmac_key = std::move(in.hmac_key);
  return redact::RuleSet::build(std::move(config));
}

std::shared_ptr<const policy::RedactionCatalogue> redactionCatalogue() {
  auto cat = std::make_shared<policy::RedactionCatalogue>();
  cat->list_builtin_ids = [] { return disableableIds(redact::builtinRules()); };
  cat->reserved_ids = {std::string(kKnownSecretId)};
  cat->check_custom = [](const policy::CustomRedactionRule& c) -> std::string {
    Result<redact::Rule> rule = customRule(c);
    Result<std::shared_ptr<const redact::RuleSet>> set =
        rule.has_value() ? redact::RuleSet::build({.rules = {*rule}})
                         : Result<std::shared_ptr<const redact::RuleSet>>(rule.error());
    if (set.has_value()) {
      return {};
    }
    // RuleSet's messages start "redaction rule ID: "; the loader names the rule itself.
    std::string msg = set.error().message();
    std::string prefix = "redaction rule " + c.id + ": ";
    return msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg;
  };
  return cat;
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
