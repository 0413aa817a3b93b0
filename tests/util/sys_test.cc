// SPDX-License-Identifier: Apache-2.0
// File: sys_test.cc
#include "util/sys.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

namespace agentbox::sys {
namespace {

class ReadFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/agentbox-sys-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf " + dir_;
    ASSERT_EQ(::system(cmd.c_str()), 0);
  }
  std::string write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(writeFileAtomic(path, content, 0600).has_value());
    return path;
  }
  std::string dir_;
};

TEST_F(ReadFileTest, ReadsRegularFilesWhole) {
  std::string big;
  for (int i = 0; big.size() < 200000; ++i) {
    big += std::to_string(i) + ",";
  }
  for (const std::string& content :
       {std::string(), std::string("x"), std::string(16384, 'a'), std::string(16385, 'b'), big}) {
    Result<std::string> got = readFile(write("f", content));
    ASSERT_TRUE(got.has_value()) << got.error().oneLine();
    EXPECT_EQ(*got, content);
  }
}

TEST_F(ReadFileTest, ReadsFilesThatReportNoSize) {
  // /proc files have st_size 0 but content; this one is larger than the first 16 KiB chunk.
  Result<std::string> maps = readFile("/proc/self/maps");
  ASSERT_TRUE(maps.has_value()) << maps.error().oneLine();
  EXPECT_NE(maps->find("[stack]"), std::string::npos);
  Result<std::string> status = readFile("/proc/self/status");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->rfind("Name:", 0), 0U);
}

TEST_F(ReadFileTest, RefusesFilesLargerThanTheLimit) {
  std::string path = write("f", std::string(100, 'z'));
  EXPECT_TRUE(readFile(path, 100).has_value());
  Result<std::string> over = readFile(path, 99);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code(), Errc::kResource);
  EXPECT_FALSE(readFile("/proc/self/maps", 10).has_value());
  EXPECT_FALSE(readFile(dir_ + "/missing").has_value());
}

}  // namespace
}  // namespace agentbox::sys
