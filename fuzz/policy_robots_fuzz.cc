// SPDX-License-Identifier: Apache-2.0
// File: policy_robots_fuzz.cc
// libFuzzer target over the robots.txt parser and matcher. Beyond "no crash" it asserts:
//  - the compiled index gives the same verdict (and deciding line) as a plain scan of every
//    rule, for URLs taken from the input and a fixed list;
//  - robotsPatternMatches agrees with an independent dynamic-programming matcher;
//  - normalization is idempotent and its size / needs-normalizing helpers are consistent;
//  - the block-scanning RobotsLexer gives the same records as a plain per-line scan.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "policy/robots.h"
#include "policy/robots_parse.h"
#include "policy/robots_pattern.h"

namespace {

using agentbox::policy::normalizedRobotsSize;
using agentbox::policy::normalizeRobots;
using agentbox::policy::Robots;
using agentbox::policy::robotsNeedsNormalizing;
using agentbox::policy::robotsPatternMatches;
using agentbox::policy::RobotsSide;
using agentbox::policy::RobotsVerdict;

void require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

// Textbook glob matching by dynamic programming: '*' any run, final '$' anchors, pattern
// anchored at the start; without '$' any suffix of the path may follow.
bool dpMatches(std::string_view pattern, std::string_view path) {
  const bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) {
    pattern.remove_suffix(1);
  }
  // reach[j]: pattern[0, i) can match path[0, j).
  std::vector<char> reach(path.size() + 1, 0);
  reach[0] = 1;
  for (char pc : pattern) {
    std::vector<char> next(path.size() + 1, 0);
    if (pc == '*') {
      char any = 0;
      for (size_t j = 0; j <= path.size(); ++j) {
        any = static_cast<char>(any | reach[j]);
        next[j] = any;
      }
    } else {
      for (size_t j = 0; j < path.size(); ++j) {
        if (reach[j] != 0 && path[j] == pc) {
          next[j + 1] = 1;
        }
      }
    }
    reach.swap(next);
  }
  if (anchored) {
    return reach[path.size()] != 0;
  }
  for (char r : reach) {
    if (r != 0) {
      return true;
    }
  }
  return false;
}

void checkNormalization(std::string_view s, RobotsSide side) {
  const std::string once = normalizeRobots(s, side);
  require(normalizedRobotsSize(s, side, false) == once.size());
  require(robotsNeedsNormalizing(s, side) == (once != s));
  require(normalizeRobots(once, side) == once);
}

void checkAgrees(const Robots& robots, std::string_view url) {
  const RobotsVerdict a = robots.check(url);
  const RobotsVerdict b = robots.checkByScanForTest(url);
  require(a.allowed == b.allowed);
  require(a.line == b.line);
  require(a.reason == b.reason);
}

void checkLexer(std::string_view input, agentbox::policy::RobotsLexer::Classifier classifier) {
  const std::vector<agentbox::policy::RobotsRecord> plain =
      agentbox::policy::robotsRecordsByScanForTest(input);
  agentbox::policy::RobotsLexer lex(input, classifier);
  agentbox::policy::RobotsRecord rec;
  size_t i = 0;
  while (lex.next(rec)) {
    require(i < plain.size());
    const agentbox::policy::RobotsRecord& p = plain[i++];
    require(rec.line == p.line && rec.key == p.key && rec.literal == p.literal);
    require(rec.name.data() == p.name.data() && rec.name.size() == p.name.size());
    require(rec.value.data() == p.value.data() && rec.value.size() == p.value.size());
  }
  require(i == plain.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  checkLexer(input, agentbox::policy::RobotsLexer::Classifier::kWidest);
  checkLexer(input, agentbox::policy::RobotsLexer::Classifier::kBaseline);
  for (const char* agent : {"agentbox", "*", "Googlebot/2.1"}) {
    const Robots robots = Robots::compile(input, agent);
    for (const char* url : {"/", "/a", "/a/b?c=d", "http://h/%41*$", "/robots.txt", ""}) {
      checkAgrees(robots, url);
    }
    size_t start = 0;
    for (int n = 0; n < 16 && start <= input.size(); ++n) {
      const size_t end = input.find('\n', start);
      const std::string_view line =
          input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      checkAgrees(robots, line);
      // Values as written in the file are likely URLs that hit rules.
      const size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        checkAgrees(robots, line.substr(colon + 1));
      }
      if (end == std::string_view::npos) {
        break;
      }
      start = end + 1;
    }
  }
  // First line: a pattern; the rest: a path.
  const size_t nl = input.find('\n');
  const std::string_view raw_pattern = input.substr(0, nl);
  const std::string_view raw_path =
      nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  checkNormalization(raw_pattern, RobotsSide::kPattern);
  checkNormalization(raw_path, RobotsSide::kUrl);
  if (raw_pattern.size() <= 256 && raw_path.size() <= 1024) {
    const std::string pattern = normalizeRobots(raw_pattern, RobotsSide::kPattern);
    const std::string path = normalizeRobots(raw_path, RobotsSide::kUrl);
    require(robotsPatternMatches(pattern, path) == dpMatches(pattern, path));
  }
  return 0;
}
