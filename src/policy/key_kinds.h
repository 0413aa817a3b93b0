// SPDX-License-Identifier: Apache-2.0
// File: key_kinds.h
// Builders for the entries of the key table (keys.cc), one per kind of value. Internal to
// the policy library; tests reach them through keySpecs().
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/keys.h"

namespace agentbox::policy::kinds {

template <class T>
using Getter = T& (*)(Policy&);

template <class T>
const T& cget(Getter<T> g, const Policy& p) {
  // The getters only select a field; reading through them never writes.
  return g(const_cast<Policy&>(p));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

// Value validators for frozen strings: return an error message, or "" when valid.
using StringCheck = std::string (*)(std::string_view);
std::string validToken(std::string_view text);
std::string validProfile(std::string_view text);
std::string validHostname(std::string_view text);

KeySpec sizeKey(std::string_view path, std::string_view doc, Getter<uint64_t> get, uint64_t min,
                uint64_t max);
KeySpec durationKey(std::string_view path, std::string_view doc, Getter<uint64_t> get);
KeySpec countKey(std::string_view path, std::string_view doc, Getter<uint32_t> get, uint32_t min,
                 uint32_t max);
KeySpec cpusKey(std::string_view path, std::string_view doc, Getter<double> get);
// `tight` is the value that is tighter (autofix off: false; respect robots: true).
KeySpec boolKey(std::string_view path, std::string_view doc, Getter<bool> get, bool tight);
KeySpec frozenStringKey(std::string_view path, std::string_view doc, Getter<std::string> get,
                        StringCheck check);
KeySpec bindsKey(std::string_view path, std::string_view doc, Getter<std::vector<Bind>> get);
KeySpec pathSetKey(std::string_view path, std::string_view doc,
                   Getter<std::vector<std::string>> get);
KeySpec globSetKey(std::string_view path, std::string_view doc,
                   Getter<std::vector<std::string>> get);
KeySpec portsKey(std::string_view path, std::string_view doc,
                 Getter<std::optional<std::vector<uint16_t>>> get);
KeySpec allowListKey();
KeySpec denyListKey();
KeySpec httpKey();
KeySpec resolveKey();
KeySpec cidrKey();
KeySpec rateKey();
KeySpec envKey();
// [redaction]: `disable` (built-in ids, fewer is tighter) and `custom` (array of tables,
// dropping a rule is a loosening). Ids are checked against the reader's catalogue, if any.
KeySpec disabledRulesKey();
KeySpec customRulesKey();
// A rule id: 1..64 of [a-z0-9-], starting with a letter or digit. "" when valid.
std::string validRuleId(std::string_view id);

// Enum keys: `names` lists the spellings from tightest to loosest.
template <class E>
KeySpec enumKey(std::string_view path, std::string_view doc, Getter<E> get,
                std::vector<std::pair<std::string_view, E>> names) {
  auto rank = [names](E e) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].second == e) {
        return i;
      }
    }
    return names.size();
  };
  auto spellings = [names] {
    std::string s;
    for (const auto& n : names) {
      s += (s.empty() ? "\"" : ", \"") + std::string(n.first) + "\"";
    }
    return s;
  };
  auto parse = [names, spellings, path](std::string_view text, E& out) -> Status {
    for (const auto& n : names) {
      if (n.first == text) {
        out = n.second;
        return ok();
      }
    }
    return makeError(Errc::kInvalidInput, "invalid {} '{}': expected one of {}", path, text,
                     spellings());
  };
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get, parse](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != TomlValue::Type::kString) {
      r.error(v.pos, "expected a string, found {}", v.typeName());
      return;
    }
    Status s = parse(v.string_value, get(p));
    if (!s) {
      r.error(v.pos, "{}", s.error().message());
    }
  };
  k.from_string = [get, parse](std::string_view text, Policy& p) { return parse(text, get(p)); };
  k.compare = [get, rank](const Policy& bound, const Policy& cand) {
    size_t a = rank(cget(get, bound));
    size_t b = rank(cget(get, cand));
    return a == b ? Order::kEqual : (b < a ? Order::kTighter : Order::kLooser);
  };
  k.render = [get, names](const Policy& p) {
    for (const auto& n : names) {
      if (n.second == cget(get, p)) {
        return "\"" + std::string(n.first) + "\"";
      }
    }
    return std::string("\"?\"");
  };
  return k;
}

}  // namespace agentbox::policy::kinds
