// SPDX-License-Identifier: Apache-2.0
// File: rule_cache_test.cc
// RuleSet with a DatabaseCache: the rules' database is stored once and loaded after, with the
// same findings; bytes the cache returns that Vectorscan does not accept are a miss; known
// secrets are never handed to the cache, and do not change its key.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "redact/known_secrets.h"
#include "redact/redact_test_util.h"

namespace agentbox::redact::testing {
namespace {

struct MemoryCache {
  std::map<std::string, std::string> files;
  int loads = 0;
  int stores = 0;
  DatabaseCache cache() {
    return {.load = [this](std::string_view key) -> std::optional<std::string> {
              ++loads;
              auto it = files.find(std::string(key));
              return it == files.end() ? std::nullopt : std::optional(it->second);
            },
            .store =
                [this](std::string_view key, std::string_view bytes) {
                  ++stores;
                  files[std::string(key)] = std::string(bytes);
                }};
  }
};

std::shared_ptr<const RuleSet> build(const DatabaseCache* cache, std::vector<std::string> known) {
  RuleSetConfig config;
  config.rules = builtinRules();
  config.known_secrets = std::move(known);
  config.home_dir = "/home/alice";
  config.hmac_key = std::string(kTestKey);
  config.cache = cache;
  auto rules = RuleSet::build(std::move(config));
  EXPECT_TRUE(rules.has_value()) << (rules.has_value() ? "" : rules.error().oneLine());
  return rules.has_value() ? *rules : nullptr;
}

constexpr std::string_view kSecret = "s3cr3t-Value-Of-The-Run-9f8e7d6c";

std::string sample() {
  return "token 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 at /home/alice/x and " +
         std::string(kSecret) + " mail bob@example.com\n";
}

TEST(RuleDatabaseCache, StoresOnceThenLoadsWithTheSameFindings) {
  MemoryCache mem;
  DatabaseCache cache = mem.cache();
  auto compiled = build(&cache, {std::string(kSecret)});
  ASSERT_NE(compiled, nullptr);
  EXPECT_FALSE(compiled->databaseFromCache());
  EXPECT_EQ(mem.stores, 1);
  ASSERT_EQ(mem.files.size(), 1U);
  const std::string& key = mem.files.begin()->first;
  EXPECT_NE(key.find(hs_version()), std::string::npos) << key;  // another Vectorscan: another key
  EXPECT_NE(key.find("\\x2f\\x68\\x6f\\x6d\\x65"), std::string::npos);  // "/home" of the home dir

  auto loaded = build(&cache, {std::string(kSecret)});
  ASSERT_NE(loaded, nullptr);
  EXPECT_TRUE(loaded->databaseFromCache());
  EXPECT_EQ(mem.stores, 1);
  ASSERT_NE(loaded->secretDatabase(), nullptr);

  auto uncached = build(nullptr, {std::string(kSecret)});
  const std::string text = sample();
  RunResult a = runChunks(uncached, {text});
  RunResult b = runChunks(loaded, {text});
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.findings.size(), b.findings.size());
  EXPECT_EQ(b.out.find(kSecret), std::string::npos) << b.out;
  EXPECT_EQ(b.out.find("ghp_Ky9P"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("~/x"), std::string::npos) << b.out;
  // Byte at a time too: the two streams (rules, known secrets) carry state across writes.
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < text.size(); ++i) {
    bytes.push_back(std::string_view(text).substr(i, 1));
  }
  EXPECT_EQ(runChunks(loaded, bytes).out, a.out);
}

TEST(RuleDatabaseCache, KnownSecretsNeverReachTheCacheNorChangeItsKey) {
  MemoryCache mem;
  DatabaseCache cache = mem.cache();
  build(&cache, {std::string(kSecret)});
  build(&cache, {"another-secret-value-123456789"});
  build(&cache, {});
  EXPECT_EQ(mem.files.size(), 1U);  // one key for all three runs
  EXPECT_EQ(mem.stores, 1);
  const auto& [key, stored] = *mem.files.begin();
  for (const std::string& piece : knownSecretPieces(kSecret)) {
    for (const KnownForm& form : knownSecretForms(piece)) {
      EXPECT_EQ(stored.find(form.literal), std::string::npos) << form.literal;
      // The key is stored too (in the file's HMAC input and, hashed, its name): it names
      // expressions as Vectorscan source, every byte escaped.
      std::string escaped;
      for (unsigned char c : form.literal) {
        escaped += fmt::format("\\x{:02x}", c);
      }
      EXPECT_EQ(key.find(escaped), std::string::npos) << form.literal;
      EXPECT_EQ(key.find(form.literal), std::string::npos) << form.literal;
    }
  }
}

TEST(RuleDatabaseCache, BytesVectorscanRejectsAreAMissAndRecompiled) {
  MemoryCache mem;
  DatabaseCache cache = mem.cache();
  build(&cache, {});
  ASSERT_EQ(mem.files.size(), 1U);
  std::string& blob = mem.files.begin()->second;
  blob.resize(blob.size() / 2);  // truncated
  auto rules = build(&cache, {});
  ASSERT_NE(rules, nullptr);
  EXPECT_FALSE(rules->databaseFromCache());
  EXPECT_EQ(mem.stores, 2);  // the good copy is stored again
  RunResult r = runChunks(rules, {sample()});
  EXPECT_EQ(r.out.find("ghp_Ky9P"), std::string::npos) << r.out;
  mem.files.begin()->second = "not a database";
  rules = build(&cache, {});
  ASSERT_NE(rules, nullptr);
  EXPECT_FALSE(rules->databaseFromCache());
}

TEST(RuleDatabaseCache, OtherRulesGetOtherKeys) {
  MemoryCache mem;
  DatabaseCache cache = mem.cache();
  build(&cache, {});
  RuleSetConfig config;
  config.rules = builtinRules();
  config.rules.pop_back();
  config.cache = &cache;
  ASSERT_TRUE(RuleSet::build(std::move(config)).has_value());
  EXPECT_EQ(mem.files.size(), 2U);
}

}  // namespace
}  // namespace agentbox::redact::testing
