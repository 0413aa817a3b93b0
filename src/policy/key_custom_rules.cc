// SPDX-License-Identifier: Apache-2.0
// File: key_custom_rules.cc
// The [[redaction.custom]] array of tables: a team's own redaction rules. Each field is
// checked here with its position; ids are checked against the built-in catalogue and the
// regex compiled when the loader was handed a RedactionCatalogue.
#include <algorithm>
#include <array>

#include "policy/key_helpers.h"
#include "policy/key_kinds.h"

namespace agentbox::policy::kinds {

using namespace helpers;  // NOLINT(google-build-using-namespace): this library's own helpers

namespace {

using Names = std::array<std::string_view, 7>;  // padded with "" where a list is shorter
constexpr Names kFields = {"id",       "regex",     "class",      "severity",
                           "keywords", "validator", "replacement"};
constexpr Names kClasses = {"secret", "credential", "pii", "path", "custom"};
constexpr Names kSeverities = {"low", "medium", "high", "critical"};
constexpr Names kValidators = {"none", "luhn", "github-checksum", "jwt", "email", "ssn", "entropy"};

std::string oneOf(const Names& names) {
  std::string out;
  for (std::string_view n : names) {
    if (!n.empty()) {
      out += (out.empty() ? "\"" : ", \"") + std::string(n) + "\"";
    }
  }
  return out;
}

bool isOneOf(const Names& names, std::string_view value) {
  return !value.empty() && std::find(names.begin(), names.end(), value) != names.end();
}

// The rule's name in messages: its id once known, else its position in the array.
std::string ruleName(const CustomRedactionRule& rule, size_t index) {
  return rule.id.empty() ? fmt::format("redaction.custom rule #{}", index + 1)
                         : fmt::format("redaction.custom \"{}\"", rule.id);
}

// Reads one field; false when it had an error (already reported).
bool readField(const TomlEntry& f, CustomRedactionRule& rule, const std::string& name,
               KeyReader& r) {
  if (f.key == "keywords") {
    size_t before = r.errorCount();
    rule.keywords = readStrings(f.value, r, [](std::string& kw) -> std::string {
      return kw.empty() ? "a keyword must not be empty" : std::string();
    });
    return r.errorCount() == before;
  }
  if (f.value.type != Type::kString) {
    r.error(f.value.pos, "{}: {} must be a string, found {}", name, f.key, f.value.typeName());
    return false;
  }
  const std::string& text = f.value.string_value;
  std::string problem;
  if (f.key == "id") {
    problem = validRuleId(text);
    rule.id = text;
  } else if (f.key == "regex") {
    problem = text.empty() ? "regex must not be empty" : "";
    rule.regex = text;
  } else if (f.key == "class") {
    problem = isOneOf(kClasses, text) ? "" : "class must be one of " + oneOf(kClasses);
    rule.rule_class = text;
  } else if (f.key == "severity") {
    problem = isOneOf(kSeverities, text) ? "" : "severity must be one of " + oneOf(kSeverities);
    rule.severity = text;
  } else if (f.key == "validator") {
    problem = isOneOf(kValidators, text) ? "" : "validator must be one of " + oneOf(kValidators);
    rule.validator = text;
  } else {
    rule.replacement = text;
  }
  if (!problem.empty()) {
    r.error(f.value.pos, "{}: {}, found \"{}\"", name, problem, text);
    return false;
  }
  return true;
}

struct SeenId {
  std::string id;
  TomlPos pos;
};

// What a rule table held, for the checks after its fields are read.
struct RuleFields {
  const TomlValue* id = nullptr;     // a string id
  const TomlValue* regex = nullptr;  // the regex value, if present
  bool keywords = false;             // a keywords key, if present
};

// Reads every field of a rule table; false when any had an error (already reported).
bool readFields(const TomlValue& item, const std::string& name, CustomRedactionRule& rule,
                RuleFields& seen, KeyReader& r) {
  bool ok = true;
  for (const TomlEntry& f : item.table) {
    if (!isOneOf(kFields, f.key)) {
      std::string_view near =
          closestName(f.key, std::vector<std::string_view>(kFields.begin(), kFields.end()));
      r.error(f.key_pos, "unknown key '{}' in {}{}", f.key, name,
              near.empty() ? fmt::format("; expected one of {}", oneOf(kFields))
                           : fmt::format("; did you mean '{}'?", near));
      ok = false;
      continue;
    }
    ok = readField(f, rule, name, r) && ok;
    seen.regex = f.key == "regex" ? &f.value : seen.regex;
    seen.keywords = seen.keywords || f.key == "keywords";
  }
  return ok;
}

// id, regex and keywords are required; false when one is missing.
bool checkRequired(const TomlValue& item, const std::string& name, const CustomRedactionRule& rule,
                   const RuleFields& seen, KeyReader& r) {
  bool ok = true;
  for (const auto& [field, present] : {std::pair<std::string_view, bool>{"id", seen.id != nullptr},
                                       {"regex", seen.regex != nullptr},
                                       {"keywords", seen.keywords && !rule.keywords.empty()}}) {
    if (!present) {
      r.error(item.pos, "{} needs {}{}", name, field,
              field == "keywords" ? " (at least one literal every match contains)" : "");
      ok = false;
    }
  }
  return ok;
}

// Ids are unique in the list and never a built-in's (the catalogue knows those).
bool checkId(const CustomRedactionRule& rule, const TomlValue& id, const std::string& name,
             std::vector<SeenId>& seen, KeyReader& r) {
  auto dup =
      std::find_if(seen.begin(), seen.end(), [&](const SeenId& s) { return s.id == rule.id; });
  if (dup != seen.end()) {
    r.error(id.pos, "{}: the id is already used by the rule at line {}; ids must be unique", name,
            dup->pos.line);
    return false;
  }
  seen.push_back(SeenId{rule.id, id.pos});
  const RedactionCatalogue* cat = r.catalogue();
  auto taken = [&](const std::vector<std::string>& ids) {
    return std::find(ids.begin(), ids.end(), rule.id) != ids.end();
  };
  if (cat != nullptr && (taken(cat->builtinIds()) || taken(cat->reserved_ids))) {
    r.error(id.pos,
            "{}: the id is a built-in rule's; name your rule differently (to turn the built-in "
            "off, add it to redaction.disable)",
            name);
    return false;
  }
  return true;
}

// Reads one rule table; false when anything about it was wrong.
bool readRule(const TomlValue& item, size_t index, CustomRedactionRule& rule,
              std::vector<SeenId>& ids, KeyReader& r) {
  RuleFields seen;
  // The id first, so that every other message can name the rule.
  for (const TomlEntry& f : item.table) {
    if (f.key == "id" && f.value.type == Type::kString) {
      rule.id = f.value.string_value;
      seen.id = &f.value;
    }
  }
  std::string name = ruleName(rule, index);
  // A missing field is reported only when the fields present were fine: a misspelled or
  // mistyped field already has its own message.
  bool ok = readFields(item, name, rule, seen, r);
  ok = ok && checkRequired(item, name, rule, seen, r);
  if (seen.id == nullptr || !checkId(rule, *seen.id, name, ids, r)) {
    return false;
  }
  const RedactionCatalogue* cat = r.catalogue();
  if (ok && cat != nullptr && cat->check_custom) {
    if (std::string problem = cat->check_custom(rule); !problem.empty()) {
      r.error(seen.regex->pos, "{}: {}", name, problem);
      return false;
    }
  }
  return ok;
}

std::string renderRule(const CustomRedactionRule& c) {
  return fmt::format(
      "{{ id = {}, regex = {}, class = {}, severity = {}, keywords = {}, validator = {}, "
      "replacement = {} }}",
      tomlQuote(c.id), tomlQuote(c.regex), tomlQuote(c.rule_class), tomlQuote(c.severity),
      renderStrings(c.keywords), tomlQuote(c.validator), tomlQuote(c.replacement));
}

}  // namespace

KeySpec customRulesKey() {
  KeySpec k;
  k.path = "redaction.custom";
  k.doc =
      "custom rules ([[redaction.custom]]): id, regex (RE2, group 1 redacted), keywords, "
      "class, severity, validator, replacement";
  k.from_toml = [](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kArray) {
      r.error(v.pos, "expected an array of tables ([[redaction.custom]]), found {}", v.typeName());
      return;
    }
    std::vector<CustomRedactionRule> rules;
    std::vector<SeenId> seen;
    for (size_t i = 0; i < v.array.size(); ++i) {
      const TomlValue& item = v.array[i];
      if (item.type != Type::kTable) {
        r.error(item.pos,
                "expected a rule table {{ id = ..., regex = ..., keywords = [...] }}, "
                "found {}",
                item.typeName());
        continue;
      }
      CustomRedactionRule rule;
      if (readRule(item, i, rule, seen, r)) {
        rules.push_back(std::move(rule));
      }
    }
    p.redaction.custom = std::move(rules);
  };
  // More rules redact more: tighter while every rule of the bound is kept unchanged.
  k.compare = [](const Policy& b, const Policy& c) {
    const auto& bound = b.redaction.custom;
    const auto& cand = c.redaction.custom;
    auto contains = [](const std::vector<CustomRedactionRule>& in, const CustomRedactionRule& x) {
      return std::find(in.begin(), in.end(), x) != in.end();
    };
    bool all = std::all_of(bound.begin(), bound.end(),
                           [&](const CustomRedactionRule& x) { return contains(cand, x); });
    bool back = std::all_of(cand.begin(), cand.end(),
                            [&](const CustomRedactionRule& x) { return contains(bound, x); });
    return subsetOrder(all, back);
  };
  k.render = [](const Policy& p) {
    std::string out = "[";
    for (size_t i = 0; i < p.redaction.custom.size(); ++i) {
      out += (i == 0 ? "" : ", ") + renderRule(p.redaction.custom[i]);
    }
    return out + "]";
  };
  return k;
}

}  // namespace agentbox::policy::kinds
