// SPDX-License-Identifier: Apache-2.0
// File: toml_adapter.cc
// toml++ throws toml::parse_error; this file catches it and copies the parsed tree into
// TomlValue, so no other file includes toml++ or sees an exception.
#include "policy/toml_adapter.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <exception>

namespace agentbox::policy {

namespace {

TomlPos posOf(const toml::source_region& region) {
  return TomlPos{static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

bool before(const TomlPos& a, const TomlPos& b) {
  return a.line != b.line ? a.line < b.line : a.column < b.column;
}

TomlValue convert(const toml::node& node) {
  TomlValue out;
  out.pos = posOf(node.source());
  switch (node.type()) {
    case toml::node_type::table: {
      out.type = TomlValue::Type::kTable;
      for (const auto& [key, child] : *node.as_table()) {
        TomlEntry entry{std::string(key.str()), posOf(key.source()), convert(child)};
        out.table.push_back(std::move(entry));
      }
      // toml++ keeps keys sorted by name; diagnostics read better in source order.
      std::stable_sort(
          out.table.begin(), out.table.end(),
          [](const TomlEntry& a, const TomlEntry& b) { return before(a.key_pos, b.key_pos); });
      break;
    }
    case toml::node_type::array:
      out.type = TomlValue::Type::kArray;
      for (const toml::node& child : *node.as_array()) {
        out.array.push_back(convert(child));
      }
      break;
    case toml::node_type::string:
      out.type = TomlValue::Type::kString;
      out.string_value = node.as_string()->get();
      break;
    case toml::node_type::integer:
      out.type = TomlValue::Type::kInteger;
      out.int_value = node.as_integer()->get();
      break;
    case toml::node_type::floating_point:
      out.type = TomlValue::Type::kFloat;
      out.float_value = node.as_floating_point()->get();
      break;
    case toml::node_type::boolean:
      out.type = TomlValue::Type::kBool;
      out.bool_value = node.as_boolean()->get();
      break;
    case toml::node_type::date:
      out.type = TomlValue::Type::kDate;
      break;
    case toml::node_type::time:
      out.type = TomlValue::Type::kTime;
      break;
    default:
      out.type = TomlValue::Type::kDateTime;
      break;
  }
  return out;
}

}  // namespace

std::string_view TomlValue::typeName() const {
  switch (type) {
    case Type::kTable:
      return "table";
    case Type::kArray:
      return "array";
    case Type::kString:
      return "string";
    case Type::kInteger:
      return "integer";
    case Type::kFloat:
      return "float";
    case Type::kBool:
      return "boolean";
    case Type::kDate:
      return "date";
    case Type::kTime:
      return "time";
    case Type::kDateTime:
      return "date-time";
  }
  return "value";
}

std::variant<TomlValue, TomlSyntaxError> parseToml(std::string_view text) {
  try {
    toml::table root = toml::parse(text);
    TomlValue out = convert(root);
    out.pos = TomlPos{1, 1};
    return out;
  } catch (const toml::parse_error& e) {
    std::string message(e.description());
    return TomlSyntaxError{posOf(e.source()), message};
  } catch (const std::exception& e) {
    return TomlSyntaxError{TomlPos{1, 1}, fmt::format("cannot parse TOML: {}", e.what())};
  }
}

std::string tomlQuote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", c);
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string tomlKey(std::string_view key) {
  bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(key) : tomlQuote(key);
}

}  // namespace agentbox::policy
