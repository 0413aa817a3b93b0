// SPDX-License-Identifier: Apache-2.0
// File: redaction_keys_test.cc
#include "app/redaction_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace agentbox::app {
namespace {

class RedactionKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/agentbox-keys-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    state_ = dir_ + "/state";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  std::string state_;
};

TEST_F(RedactionKeyTest, CreatesA32ByteOwnerOnlyKeyOnceAndReusesIt) {
  auto k1 = loadOrCreateRedactionKey(state_);
  ASSERT_TRUE(k1.has_value()) << k1.error().oneLine();
  EXPECT_EQ(k1->size(), kRedactionKeyBytes);
  struct stat st {};
  ASSERT_EQ(::stat((state_ + "/keys/redact.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  ASSERT_EQ(::stat((state_ + "/keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
  auto k2 = loadOrCreateRedactionKey(state_);
  ASSERT_TRUE(k2.has_value());
  EXPECT_EQ(*k1, *k2);
  // No temporary files are left beside the key.
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(state_ + "/keys")) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1U);
}

TEST_F(RedactionKeyTest, ConcurrentFirstUsesAgreeOnOneKey) {
  std::vector<std::string> keys(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < keys.size(); ++i) {
    threads.emplace_back([&, i] {
      auto k = loadOrCreateRedactionKey(state_);
      keys[i] = k.has_value() ? *k : std::string("error: ") + k.error().oneLine();
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const std::string& k : keys) {
    EXPECT_EQ(k, keys[0]);
  }
  EXPECT_EQ(keys[0].size(), kRedactionKeyBytes);
}

TEST_F(RedactionKeyTest, RefusesAKeyOthersCanRead) {
  ASSERT_TRUE(loadOrCreateRedactionKey(state_).has_value());
  ASSERT_EQ(::chmod((state_ + "/keys/redact.key").c_str(), 0644), 0);
  auto k = loadOrCreateRedactionKey(state_);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().code(), Errc::kPermission);
  EXPECT_NE(k.error().oneLine().find("chmod 600"), std::string::npos);
}

TEST_F(RedactionKeyTest, RefusesAKeyOfTheWrongSize) {
  std::filesystem::create_directories(state_ + "/keys");
  {
    std::ofstream f(state_ + "/keys/redact.key");
    f << "short";
  }
  ASSERT_EQ(::chmod((state_ + "/keys/redact.key").c_str(), 0600), 0);
  auto k = loadOrCreateRedactionKey(state_);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().code(), Errc::kInvalidInput);
}

}  // namespace
}  // namespace agentbox::app
