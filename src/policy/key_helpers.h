// SPDX-License-Identifier: Apache-2.0
// File: key_helpers.h
// Small helpers shared by the key builders (key_kinds.cc, key_lists.cc). Internal.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "policy/host_pattern.h"
#include "policy/keys.h"
#include "policy/toml_adapter.h"

namespace agentbox::policy::kinds::helpers {

using Type = TomlValue::Type;

// Combines per-element answers: any looser element makes the whole looser.
inline Order subsetOrder(bool all_covered, bool same) {
  if (!all_covered) {
    return Order::kLooser;
  }
  return same ? Order::kEqual : Order::kTighter;
}

inline std::string renderStrings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ", ") + tomlQuote(items[i]);
  }
  return out + "]";
}

// Reads an array of strings, reporting non-strings; `each` validates and may rewrite.
template <class F>
std::vector<std::string> readStrings(const TomlValue& v, KeyReader& r, F each) {
  std::vector<std::string> out;
  if (v.type != Type::kArray) {
    r.error(v.pos, "expected an array of strings, found {}", v.typeName());
    return out;
  }
  for (const TomlValue& item : v.array) {
    if (item.type != Type::kString) {
      r.error(item.pos, "expected a string, found {}", item.typeName());
      continue;
    }
    std::string value = item.string_value;
    std::string problem = each(value);
    if (!problem.empty()) {
      r.error(item.pos, "{}", problem);
      continue;
    }
    out.push_back(std::move(value));
  }
  return out;
}

inline std::string checkPattern(std::string& text) {
  Result<HostPattern> p = parseHostPattern(text);
  return p.has_value() ? std::string() : p.error().message();
}

inline bool coveredByAny(const HostPattern& p, const std::vector<HostPattern>& outer) {
  return std::any_of(outer.begin(), outer.end(),
                     [&](const HostPattern& o) { return p.coveredBy(o); });
}

inline std::vector<HostPattern> patterns(const std::vector<std::string>& texts) {
  std::vector<HostPattern> out;
  for (const std::string& t : texts) {
    if (Result<HostPattern> p = parseHostPattern(t)) {
      out.push_back(*p);
    }
  }
  return out;
}

// Frozen comparison for values with no order.
template <class T>
Order frozen(const T& bound, const T& cand) {
  return bound == cand ? Order::kEqual : Order::kLooser;
}

}  // namespace agentbox::policy::kinds::helpers
