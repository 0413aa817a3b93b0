// SPDX-License-Identifier: Apache-2.0
// File: rule_cache_test.cc
// The state dir's cache of compiled rule databases: a file is used only if it is this
// user's, private, intact and written under this state dir's key; anything else is a miss
// and is removed; at most kMaxCachedRuleDatabases files are kept.
#include "app/rule_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace agentbox::app {
namespace {

class RuleCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/agentbox-rule-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string file(const std::string& key) const { return dir_ + "/cache/rules-" + key + ".hsdb"; }
  static std::string keyOf(char c) { return std::string(64, c); }
  static std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  std::string dir_;
};

TEST_F(RuleCacheTest, RoundTripsIntoAPrivateFile) {
  redact::DatabaseCache c = stateDirRuleCache(dir_, "key-one");
  EXPECT_FALSE(c.load(keyOf('a')).has_value());
  c.store(keyOf('a'), "database bytes");
  std::optional<std::string> got = c.load(keyOf('a'));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "database bytes");
  struct stat st {};
  ASSERT_EQ(::stat(file(keyOf('a')).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  ASSERT_EQ(::stat((dir_ + "/cache").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
}

TEST_F(RuleCacheTest, TamperedTruncatedOrForeignFilesAreMissesAndRemoved) {
  redact::DatabaseCache c = stateDirRuleCache(dir_, "key-one");
  c.store(keyOf('a'), "database bytes");
  std::string good = slurp(file(keyOf('a')));
  ASSERT_FALSE(good.empty());
  auto put = [&](const std::string& content, mode_t mode) {
    {
      std::ofstream out(file(keyOf('a')), std::ios::binary | std::ios::trunc);
      out << content;
    }
    ::chmod(file(keyOf('a')).c_str(), mode);
  };
  std::string flipped = good;
  flipped.back() ^= 1;
  put(flipped, 0600);  // one bit of the database changed
  EXPECT_FALSE(c.load(keyOf('a')).has_value());
  EXPECT_FALSE(std::filesystem::exists(file(keyOf('a'))));
  put(good.substr(0, good.size() - 3), 0600);  // truncated
  EXPECT_FALSE(c.load(keyOf('a')).has_value());
  put(good, 0644);  // readable by others: not trusted
  EXPECT_FALSE(c.load(keyOf('a')).has_value());
  put(good, 0600);
  EXPECT_FALSE(stateDirRuleCache(dir_, "key-two").load(keyOf('a')).has_value());  // other key
  put(good, 0600);
  // The same bytes under another cache key: the tag covers the key too.
  std::filesystem::copy_file(file(keyOf('a')), file(keyOf('b')));
  EXPECT_FALSE(c.load(keyOf('b')).has_value());
  EXPECT_TRUE(c.load(keyOf('a')).has_value());
  // Keys are 64 lowercase hex digits: nothing else names a file.
  EXPECT_FALSE(c.load("../../etc/passwd").has_value());
  c.store("../escape", "x");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/escape.hsdb"));
}

TEST_F(RuleCacheTest, KeepsTheMostRecentlyUsedDatabases) {
  redact::DatabaseCache c = stateDirRuleCache(dir_, "key-one");
  const std::string hex = "0123456789abcdef";
  for (size_t i = 0; i < kMaxCachedRuleDatabases + 3; ++i) {
    c.store(keyOf(hex[i]), "db" + std::to_string(i));
    // Distinct modification times, oldest first.
    auto t = std::filesystem::file_time_type::clock::now() - std::chrono::hours(100 - i);
    std::filesystem::last_write_time(file(keyOf(hex[i])), t);
  }
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_ + "/cache")) {
    files += e.path().filename().string().rfind("rules-", 0) == 0 ? 1 : 0;
  }
  EXPECT_LE(files, kMaxCachedRuleDatabases + 1);  // the last store pruned before its mtime was set
  EXPECT_TRUE(c.load(keyOf(hex[kMaxCachedRuleDatabases + 2])).has_value());
  EXPECT_FALSE(c.load(keyOf(hex[0])).has_value());
}

}  // namespace
}  // namespace agentbox::app
