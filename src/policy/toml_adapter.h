// SPDX-License-Identifier: Apache-2.0
// File: toml_adapter.h
// The only door to toml++ (which throws): parses TOML text into a plain, exception-free tree
// that keeps the line and column of every key and value, for file:line:col diagnostics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace agentbox::policy {

struct TomlPos {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

struct TomlEntry;

struct TomlValue {
  enum class Type { kTable, kArray, kString, kInteger, kFloat, kBool, kDate, kTime, kDateTime };
  Type type = Type::kTable;
  TomlPos pos;
  std::string string_value;
  int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;
  std::vector<TomlValue> array;  // kArray
  std::vector<TomlEntry> table;  // kTable, in source order

  // "table", "array", "string", "integer", "float", "boolean", "date", "time", "date-time".
  std::string_view typeName() const;
};

struct TomlEntry {
  std::string key;
  TomlPos key_pos;
  TomlValue value;
};

struct TomlSyntaxError {
  TomlPos pos;
  std::string message;
};

// Parses a whole document; the root is a kTable. Never throws.
std::variant<TomlValue, TomlSyntaxError> parseToml(std::string_view text);

// A TOML basic string literal for `text` (quoted, escaped).
std::string tomlQuote(std::string_view text);
// A TOML key: bare if it only has A-Za-z0-9_-, quoted otherwise.
std::string tomlKey(std::string_view key);

}  // namespace agentbox::policy
