// SPDX-License-Identifier: Apache-2.0
// File: keys.h
// The table of policy-file keys: for each dotted key ("resources.memory") how to read it
// from TOML and from an environment/flag string, how to render it back as TOML, and how two
// values compare for the layering rule (tighter / equal / looser; keys with no order are
// frozen, so any change is looser). The loader, `explain`, `defaults` and docs/policy.md
// all follow this one table. Immutable; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/policy.h"
#include "policy/redaction_catalogue.h"
#include "policy/toml_adapter.h"
#include "util/result.h"

namespace agentbox::policy {

enum class Order : uint8_t { kEqual, kTighter, kLooser };

// Collects the errors of one TOML value being read. `catalogue` (may be null) lets the
// [redaction] keys check rule ids and compile custom rules.
class KeyReader {
 public:
  KeyReader(std::string_view file, std::vector<Diagnostic>& out,
            const RedactionCatalogue* catalogue = nullptr)
      : file_(file), out_(out), catalogue_(catalogue) {}
  template <class... Args>
  void error(TomlPos pos, fmt::format_string<Args...> f, Args&&... args) {
    out_.push_back(Diagnostic{std::string(file_), pos.line, pos.column,
                              fmt::format(f, std::forward<Args>(args)...)});
  }
  size_t errorCount() const { return out_.size(); }
  [[nodiscard]] const RedactionCatalogue* catalogue() const { return catalogue_; }

 private:
  std::string_view file_;
  std::vector<Diagnostic>& out_;
  const RedactionCatalogue* catalogue_;
};

struct KeySpec {
  std::string_view path;  // dotted key, e.g. "resources.memory"
  std::string_view doc;   // one line: meaning, unit, range
  // Reads `value` into `p`; reports every problem through `r`.
  std::function<void(const TomlValue& value, Policy& p, KeyReader& r)> from_toml;
  // Reads the string form used by environment variables and flags; empty when the key has
  // none. Errors name the expected syntax; the caller prefixes the variable or flag.
  std::function<Status(std::string_view text, Policy& p)> from_string;
  // How `candidate` compares with `bound` on this key only.
  std::function<Order(const Policy& bound, const Policy& candidate)> compare;
  // The value as a TOML value (inline arrays and tables); empty when the key is absent.
  std::function<std::string(const Policy& p)> render;

  std::string_view section() const;  // "resources" of "resources.memory"; "" at top level
  std::string_view name() const;     // "memory"
};

const std::vector<KeySpec>& keySpecs();
const KeySpec* findKey(std::string_view path);
// Tables that hold keys ("resources", "network.ports", ...), in rendering order.
const std::vector<std::string_view>& keySections();
// Top-level sections of features not built yet; rejected with "not supported yet".
const std::vector<std::string_view>& unsupportedSections();
// Older spellings a policy file may still use: "flags.output_sanitization" is read as
// "redaction.enabled", "flags.secret_redaction" as "redaction.secrets".
struct RenamedKey {
  std::string_view old_path;
  std::string_view path;
};
const std::vector<RenamedKey>& renamedKeys();
// The current name of an older spelling; "" when `path` is not one.
std::string_view renamedKey(std::string_view path);

// "did you mean 'X'?" helper: the closest of `candidates` within a small edit distance.
std::string_view closestName(std::string_view name,
                             const std::vector<std::string_view>& candidates);

// Strict boolean for environment variables: true/false, 1/0, yes/no, on/off, any case.
Result<bool> parseEnvBool(std::string_view text);

}  // namespace agentbox::policy
