// SPDX-License-Identifier: Apache-2.0
// File: state_cache_test.cc
// The state dir's cache of derived data: a file is used only if it is this user's, private,
// intact and written under this state dir's key for this kind and key; anything else is a
// miss and is removed; at most kMaxCachedBlobsPerKind files of a kind are kept.
#include "app/state_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace agentbox::app {
namespace {

class StateCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/agentbox-state-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // The cache's files, sorted by name.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/cache", ec)) {
      out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static void put(const std::string& path, const std::string& content, mode_t mode) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << content;
    }
    ::chmod(path.c_str(), mode);
  }
  std::string dir_;
};

TEST_F(StateCacheTest, RoundTripsIntoAPrivateFileNamedByAHash) {
  BlobCache c = stateDirCache(dir_, "rules", "key-one");
  EXPECT_FALSE(c.load("inputs a").has_value());
  c.store("inputs a", "database bytes");
  std::optional<std::string> got = c.load("inputs a");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "database bytes");
  EXPECT_FALSE(c.load("inputs b").has_value());
  c.store("inputs b", "");  // empty is a value too
  ASSERT_TRUE(c.load("inputs b").has_value());
  EXPECT_EQ(*c.load("inputs b"), "");
  ASSERT_EQ(files().size(), 2U);
  const std::string name = std::filesystem::path(files()[0]).filename().string();
  EXPECT_EQ(name.rfind("rules-", 0), 0U) << name;
  EXPECT_EQ(name.size(), std::string("rules-").size() + 64 + std::string(".bin").size()) << name;
  struct stat st {};
  ASSERT_EQ(::stat(files()[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  ASSERT_EQ(::stat((dir_ + "/cache").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
  // Another kind with the same key is another file.
  BlobCache other = stateDirCache(dir_, "seccomp", "key-one");
  EXPECT_FALSE(other.load("inputs a").has_value());
}

TEST_F(StateCacheTest, TamperedTruncatedOrForeignFilesAreMissesAndRemoved) {
  BlobCache c = stateDirCache(dir_, "rules", "key-one");
  c.store("inputs", "database bytes");
  ASSERT_EQ(files().size(), 1U);
  const std::string path = files()[0];
  const std::string good = slurp(path);
  std::string flipped = good;
  flipped.back() ^= 1;
  put(path, flipped, 0600);  // one bit of the data changed
  EXPECT_FALSE(c.load("inputs").has_value());
  EXPECT_FALSE(std::filesystem::exists(path));
  put(path, good.substr(0, good.size() - 3), 0600);  // truncated
  EXPECT_FALSE(c.load("inputs").has_value());
  put(path, good, 0644);  // readable by others: not trusted
  EXPECT_FALSE(c.load("inputs").has_value());
  put(path, good, 0600);
  EXPECT_FALSE(stateDirCache(dir_, "rules", "key-two").load("inputs").has_value());
  put(path, good, 0600);
  EXPECT_TRUE(c.load("inputs").has_value());
  // The same file under the name of another key: the tag covers the key too.
  c.store("other inputs", "x");
  std::string other_path;
  for (const std::string& f : files()) {
    other_path = f != path ? f : other_path;
  }
  ASSERT_FALSE(other_path.empty());
  put(other_path, good, 0600);
  EXPECT_FALSE(c.load("other inputs").has_value());
}

TEST_F(StateCacheTest, KeepsTheMostRecentlyUsedFilesOfAKind) {
  BlobCache c = stateDirCache(dir_, "rules", "key-one");
  BlobCache s = stateDirCache(dir_, "seccomp", "key-one");
  s.store("program", "bpf");
  const size_t n = kMaxCachedBlobsPerKind + 3;
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::string> before = files();
    c.store("inputs " + std::to_string(i), "db");
    // The new file gets a distinct modification time, older files older ones.
    for (const std::string& f : files()) {
      if (std::find(before.begin(), before.end(), f) == before.end()) {
        std::filesystem::last_write_time(
            f, std::filesystem::file_time_type::clock::now() - std::chrono::hours(100 - i));
      }
    }
  }
  size_t rules_files = 0;
  for (const std::string& f : files()) {
    rules_files += std::filesystem::path(f).filename().string().rfind("rules-", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(rules_files, kMaxCachedBlobsPerKind);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(c.load("inputs " + std::to_string(i)).has_value(), i >= n - kMaxCachedBlobsPerKind)
        << i;
  }
  EXPECT_TRUE(s.load("program").has_value());  // other kinds are not pruned with it
}

}  // namespace
}  // namespace agentbox::app
