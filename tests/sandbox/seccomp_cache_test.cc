// SPDX-License-Identifier: Apache-2.0
// File: seccomp_cache_test.cc
// The seccomp program cache: a stored program reads back identical, anything else (a byte
// short, a byte more, another magic, an empty filter) is refused; the key changes with every
// input; compileSeccompCached stores once, then loads, and recompiles over bad stored bytes.
#include "sandbox/seccomp_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "sandbox/seccomp_builtin.h"

namespace agentbox::sandbox {
namespace {

bool sameProgram(const SeccompProgram& a, const SeccompProgram& b) {
  if (a.filter.size() != b.filter.size()) {
    return false;
  }
  for (size_t i = 0; i < a.filter.size(); ++i) {
    const sock_filter& x = a.filter[i];
    const sock_filter& y = b.filter[i];
    if (x.code != y.code || x.jt != y.jt || x.jf != y.jf || x.k != y.k) {
      return false;
    }
  }
  return a.profile_name == b.profile_name && a.notify_syscalls == b.notify_syscalls &&
         a.rule_count == b.rule_count && a.warnings == b.warnings;
}

TEST(SeccompCache, AStoredProgramReadsBackIdentical) {
  auto compiled = compileSeccomp(builtinSeccompRules());
  ASSERT_TRUE(compiled.has_value()) << compiled.error().oneLine();
  compiled->warnings.push_back("a warning with\nnewlines and \0 bytes");
  const std::string bytes = serializeSeccompProgram(*compiled);
  auto parsed = parseSeccompProgram(bytes);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().oneLine();
  EXPECT_TRUE(sameProgram(*compiled, *parsed));
}

TEST(SeccompCache, EverythingButAWholeProgramIsRefused) {
  auto compiled = compileSeccomp(builtinSeccompRules());
  ASSERT_TRUE(compiled.has_value());
  const std::string bytes = serializeSeccompProgram(*compiled);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(parseSeccompProgram(std::string_view(bytes).substr(0, n)).has_value()) << n;
  }
  EXPECT_FALSE(parseSeccompProgram(bytes + "x").has_value());
  std::string other = bytes;
  other[0] = 'A';
  EXPECT_FALSE(parseSeccompProgram(other).has_value());
  SeccompProgram empty = *compiled;
  empty.filter.clear();
  EXPECT_FALSE(parseSeccompProgram(serializeSeccompProgram(empty)).has_value());
  SeccompProgram huge = *compiled;
  huge.filter.resize(BPF_MAXINSNS + 1);
  EXPECT_FALSE(parseSeccompProgram(serializeSeccompProgram(huge)).has_value());
}

TEST(SeccompCache, TheKeyNamesEveryInput) {
  const SeccompRules base = builtinSeccompRules();
  const std::string key = seccompCacheKey(base);
  EXPECT_EQ(seccompCacheKey(builtinSeccompRules()), key);
  std::vector<SeccompRules> variants(6, base);
  variants[0].name += "x";
  variants[1].default_action = errnoAction(38);
  variants[2].arches.push_back(1);
  ASSERT_FALSE(variants[3].rules.empty());
  variants[3].rules.back().action = allowAction();
  variants[4].rules.pop_back();
  variants[5].rules.front().args.push_back({.index = 1, .op = ArgOp::kEq, .value = 7});
  for (size_t i = 0; i < variants.size(); ++i) {
    EXPECT_NE(seccompCacheKey(variants[i]), key) << i;
  }
}

TEST(SeccompCache, CompilesOnceThenLoadsAndRecompilesOverBadBytes) {
  std::map<std::string, std::string> files;
  int stores = 0;
  BlobCache cache{.load = [&](std::string_view key) -> std::optional<std::string> {
                    auto it = files.find(std::string(key));
                    return it == files.end() ? std::nullopt : std::optional(it->second);
                  },
                  .store =
                      [&](std::string_view key, std::string_view bytes) {
                        ++stores;
                        files[std::string(key)] = std::string(bytes);
                      }};
  const SeccompRules rules = builtinSeccompRules();
  auto first = compileSeccompCached(rules, &cache);
  ASSERT_TRUE(first.has_value()) << first.error().oneLine();
  EXPECT_EQ(stores, 1);
  auto second = compileSeccompCached(rules, &cache);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(stores, 1);
  EXPECT_TRUE(sameProgram(*first, *second));
  files.begin()->second.resize(files.begin()->second.size() - 1);
  auto third = compileSeccompCached(rules, &cache);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(stores, 2);
  EXPECT_TRUE(sameProgram(*first, *third));
}

}  // namespace
}  // namespace agentbox::sandbox
