// SPDX-License-Identifier: Apache-2.0
#include "policy/fs_rules.h"

#include <gtest/gtest.h>

namespace agentbox::policy {
namespace {

TEST(CanonicalPath, CollapsesDotsAndSlashes) {
  struct Case {
    const char* in;
    const char* out;  // nullptr: refused
  };
  const Case cases[] = {
      {"/workspace/./a//b/", "/workspace/a/b"},
      {"/workspace/a/../../etc", "/etc"},
      {"/../../..", "/"},
      {"//", "/"},
      {"/a/.../b", "/a/.../b"},
      {"relative/path", nullptr},
      {"", nullptr},
  };
  for (const Case& c : cases) {
    std::optional<std::string> p = canonicalPath(c.in);
    if (c.out == nullptr) {
      EXPECT_FALSE(p.has_value()) << c.in;
    } else {
      ASSERT_TRUE(p.has_value()) << c.in;
      EXPECT_EQ(*p, c.out) << c.in;
    }
  }
}

TEST(FsPattern, GlobsMatchComponentsOrAnchoredPaths) {
  struct Case {
    const char* pattern;
    const char* path;
    bool match;
  };
  const Case cases[] = {
      {".env", "/workspace/.env", true},
      {".env", "/workspace/app/.env", true},
      {".env", "/workspace/.env/inner", true},  // a directory match covers its subtree
      {".env", "/workspace/.envrc", false},
      {"*.pem", "/workspace/certs/server.pem", true},
      {"*.pem", "/workspace/pem", false},
      {"id_?sa", "/home/agent/.ssh/id_rsa", true},
      {"/workspace/secrets/**", "/workspace/secrets/a/b/c", true},
      {"/workspace/secrets/**", "/workspace/secretsx", false},
      {"/workspace/*/config", "/workspace/app/config", true},
      {"/workspace/*/config", "/workspace/a/b/config", false},
      {"/workspace/**/config", "/workspace/a/b/config", true},
      {"/workspace/**/config", "/workspace/config", true},
      {"/workspace/**/*.key", "/workspace/deep/er/x.key", true},
      {"/workspace/**/a/*/b", "/workspace/x/a/y/z/a/q/b", true},
      {"/etc", "/etc/shadow", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(fsPatternMatches(c.pattern, c.path), c.match) << c.pattern << " vs " << c.path;
  }
}

TEST(FsRules, DenyAndHiddenWinOverAllow) {
  Filesystem fs;
  fs.mode = WorkspaceMode::kWrite;
  fs.hidden = {"/workspace/private"};
  fs.deny = {".env", "/workspace/keys/**"};
  fs.read_write = {Bind{"/host/cache", "/cache"}};
  fs.read_only = {Bind{"/opt/tools", "/opt/tools"}};
  Result<FsRules> rules = FsRules::build(fs);
  ASSERT_TRUE(rules.has_value()) << rules.error().oneLine();
  struct Case {
    const char* path;
    FsAccess access;
    bool allowed;
    const char* rule;
  };
  const FsAccess R = FsAccess::kRead;
  const FsAccess W = FsAccess::kWrite;
  const Case cases[] = {
      {"/workspace/src/main.cc", W, true, "root:/workspace"},
      {"/workspace/private/x", R, false, "filesystem.hidden:/workspace/private"},
      {"/workspace/src/../private/x", R, false, "filesystem.hidden:/workspace/private"},
      {"/workspace//private", R, false, "filesystem.hidden:/workspace/private"},
      {"/workspace/app/.env", R, false, "filesystem.deny:.env"},
      {"/workspace/keys/a/b", R, false, "filesystem.deny:/workspace/keys/**"},
      {"/workspace/.git/config", R, true, "root:/workspace"},
      {"/workspace/.git/hooks/pre-commit", W, false, "filesystem.allow_git_write"},
      {"/workspace/x/../.git/HEAD", W, false, "filesystem.allow_git_write"},
      {"/cache/obj", W, true, "root:/cache"},
      {"/opt/tools/bin/x", R, true, "root:/opt/tools"},
      {"/opt/tools/bin/x", W, false, "default-deny"},
      {"/usr/bin/make", R, true, "root:/usr"},
      {"/usr/bin/make", W, false, "default-deny"},
      {"/tmp/a", W, true, "root:/tmp"},
      {"/root/.ssh/id_rsa", R, false, "default-deny"},
      {"/tmp/../root", R, false, "default-deny"},
  };
  for (const Case& c : cases) {
    FsDecision d = rules->decide(c.path, c.access);
    EXPECT_EQ(d.allowed, c.allowed) << c.path << " rule=" << d.rule;
    EXPECT_EQ(d.rule, c.rule) << c.path;
  }
}

TEST(FsRules, ReadOnlyWorkspaceRefusesWrites) {
  Result<FsRules> rules = FsRules::build(Filesystem{});
  ASSERT_TRUE(rules.has_value());
  FsDecision d = rules->decide("/workspace/a", FsAccess::kWrite);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, "filesystem.mode");
  EXPECT_TRUE(rules->decide("/workspace/a", FsAccess::kRead).allowed);
}

TEST(FsRules, GitWriteNeedsTheFlag) {
  Filesystem fs;
  fs.mode = WorkspaceMode::kWrite;
  fs.allow_git_write = true;
  Result<FsRules> rules = FsRules::build(fs);
  ASSERT_TRUE(rules.has_value());
  EXPECT_TRUE(rules->decide("/workspace/.git/HEAD", FsAccess::kWrite).allowed);
}

}  // namespace
}  // namespace agentbox::policy
