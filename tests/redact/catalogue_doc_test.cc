// SPDX-License-Identifier: Apache-2.0
// File: catalogue_doc_test.cc
// docs/redaction.md lists every built-in rule (id, class, severity, source, example shape).
// The table cannot drift: a rule missing from it, a row for a rule that does not exist, or a
// wrong class or severity fails here, and the message prints the rows to paste.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "redact/builtin_rules.h"

namespace agentbox::redact {
namespace {

constexpr std::string_view kSection = "\n### Built-in rules";

struct DocRow {
  std::string rule_class;
  std::string severity;
  int count = 0;
};

std::string trim(std::string_view s) {
  const size_t b = s.find_first_not_of(' ');
  const size_t e = s.find_last_not_of(' ');
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> cells(std::string_view line) {
  std::vector<std::string> out;
  size_t pos = 1;  // after the leading '|'
  while (pos < line.size()) {
    size_t bar = line.find('|', pos);
    // "\|" inside a cell is an escaped bar, not a separator.
    while (bar != std::string_view::npos && bar > 0 && line[bar - 1] == '\\') {
      bar = line.find('|', bar + 1);
    }
    if (bar == std::string_view::npos) {
      break;
    }
    out.push_back(trim(line.substr(pos, bar - pos)));
    pos = bar + 1;
  }
  return out;
}

// Rows of the first table after the "### Built-in rules" heading, keyed by id.
std::map<std::string, DocRow> catalogueRows(const std::string& doc) {
  std::map<std::string, DocRow> rows;
  size_t pos = doc.find(kSection);
  if (pos == std::string::npos) {
    return rows;
  }
  pos = doc.find("\n| id |", pos);
  if (pos == std::string::npos) {
    return rows;
  }
  std::istringstream in(doc.substr(pos + 1));
  std::string line;
  while (std::getline(in, line) && line.rfind('|', 0) == 0) {
    std::vector<std::string> c = cells(line);
    if (c.size() < 5 || c[0].size() < 3 || c[0].front() != '`' || c[0].back() != '`') {
      continue;  // the header and the separator row
    }
    DocRow& row = rows[c[0].substr(1, c[0].size() - 2)];
    row.rule_class = c[1];
    row.severity = c[2];
    ++row.count;
  }
  return rows;
}

std::string readDoc() {
  const std::string here = __FILE__;
  std::ifstream in(here.substr(0, here.rfind("/tests/")) + "/docs/redaction.md");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The row to paste for a rule the table lacks.
std::string skeletonRow(const Rule& r) {
  std::string row = "| `";
  row.append(r.id).append("` | ").append(ruleClassName(r.rule_class)).append(" | ");
  row.append(severityName(r.severity)).append(" | SOURCE | SHAPE |\n");
  return row;
}

TEST(RuleCatalogueDoc, ListsEveryBuiltinRuleOnceWithItsClassAndSeverity) {
  const std::string doc = readDoc();
  if (doc.empty()) {
    GTEST_SKIP() << "source tree not available";
  }
  std::map<std::string, DocRow> rows = catalogueRows(doc);
  std::string to_add;
  for (const Rule& r : builtinRules()) {
    auto it = rows.find(r.id);
    if (it == rows.end()) {
      to_add += skeletonRow(r);
      continue;
    }
    EXPECT_EQ(it->second.count, 1) << r.id << " is listed more than once";
    EXPECT_EQ(it->second.rule_class, ruleClassName(r.rule_class)) << r.id;
    EXPECT_EQ(it->second.severity, severityName(r.severity)) << r.id;
    rows.erase(it);
  }
  EXPECT_TRUE(to_add.empty()) << "docs/redaction.md lacks these rules:\n" << to_add;
  for (const auto& [id, row] : rows) {
    ADD_FAILURE() << "docs/redaction.md lists `" << id << "`, which is not a built-in rule";
  }
}

TEST(RuleCatalogueDoc, HeadingCountsTheRules) {
  const std::string doc = readDoc();
  if (doc.empty()) {
    GTEST_SKIP() << "source tree not available";
  }
  const std::string heading =
      std::string(kSection) + " (" + std::to_string(builtinRules().size()) + ", ";
  EXPECT_NE(doc.find(heading), std::string::npos) << "expected a heading starting " << heading;
}

}  // namespace
}  // namespace agentbox::redact
