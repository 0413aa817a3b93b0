// SPDX-License-Identifier: Apache-2.0
// File: fs_rules.cc
#include "policy/fs_rules.h"

#include <fmt/format.h>

namespace agentbox::policy {

namespace {

// Glob match by dynamic programming over (pattern index, text index): O(p*t), no
// exponential backtracking whatever the pattern. row[j] = pattern suffix i matches t[j..].
bool globMatch(std::string_view p, std::string_view t) {
  const size_t n = t.size();
  std::vector<std::vector<char>> rows(p.size() + 1, std::vector<char>(n + 1, 0));
  rows[p.size()][n] = 1;
  for (size_t i = p.size(); i-- > 0;) {
    std::vector<char>& row = rows[i];
    bool double_star = p[i] == '*' && i + 1 < p.size() && p[i + 1] == '*';
    bool second_of_double = p[i] == '*' && i > 0 && p[i - 1] == '*';
    for (size_t j = n + 1; j-- > 0;) {
      char m = 0;
      if (double_star) {
        size_t skip = i + 2 + ((i + 2 < p.size() && p[i + 2] == '/') ? 1 : 0);
        m = rows[skip][j] || (j < n && row[j + 1]);
      } else if (second_of_double) {
        m = rows[i + 1][j];  // only reached via the first '*'
      } else if (p[i] == '*') {
        m = rows[i + 1][j] || (j < n && t[j] != '/' && row[j + 1]);
      } else if (j < n && (p[i] == t[j] || (p[i] == '?' && t[j] != '/'))) {
        m = rows[i + 1][j + 1];
      }
      row[j] = m;
    }
  }
  return rows[0][0] != 0;
}

}  // namespace

std::optional<std::string> canonicalPath(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    size_t end = slash == std::string_view::npos ? path.size() : slash;
    std::string_view seg = path.substr(pos, end - pos);
    if (seg == "..") {
      if (!parts.empty()) {
        parts.pop_back();
      }
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    pos = end + 1;
  }
  std::string out;
  for (std::string_view seg : parts) {
    out += '/';
    out += seg;
  }
  return out.empty() ? "/" : out;
}

bool pathUnder(std::string_view path, std::string_view root) {
  if (root == "/") {
    return true;
  }
  return path.size() >= root.size() && path.compare(0, root.size(), root) == 0 &&
         (path.size() == root.size() || path[root.size()] == '/');
}

bool fsPatternMatches(std::string_view pattern, std::string_view path) {
  if (pattern.find('/') == std::string_view::npos) {
    size_t pos = 1;
    while (pos <= path.size()) {
      size_t slash = path.find('/', pos);
      size_t end = slash == std::string_view::npos ? path.size() : slash;
      if (end > pos && globMatch(pattern, path.substr(pos, end - pos))) {
        return true;
      }
      pos = end + 1;
    }
    return false;
  }
  // Anchored: try the path and each ancestor, so a directory match covers its subtree.
  std::string_view prefix = path;
  while (true) {
    if (globMatch(pattern, prefix)) {
      return true;
    }
    size_t slash = prefix.rfind('/');
    if (slash == 0 || slash == std::string_view::npos) {
      return false;
    }
    prefix = prefix.substr(0, slash);
  }
}

Result<FsRules> FsRules::build(const Filesystem& fs) {
  FsRules r;
  r.fs_ = fs;
  auto canon = [](const std::string& p, std::string_view key) -> Result<std::string> {
    std::optional<std::string> c = canonicalPath(p);
    if (!c) {
      return makeError(Errc::kInvalidInput, "{}: '{}' is not an absolute path", key, p);
    }
    return *c;
  };
  for (const std::string& h : fs.hidden) {
    AGENTBOX_ASSIGN_OR_RETURN(std::string c, canon(h, "filesystem.hidden"));
    r.hidden_.push_back(std::move(c));
  }
  for (std::string_view root : kSystemReadOnlyRoots) {
    r.readable_.emplace_back(root);
  }
  for (const char* root : {"/workspace", "/tmp", "/home/agent"}) {
    r.readable_.emplace_back(root);
  }
  r.writable_ = {"/tmp", "/home/agent"};
  if (fs.mode == WorkspaceMode::kWrite) {
    r.writable_.emplace_back(kWorkspaceDir);
  }
  for (const Bind& b : fs.read_only) {
    AGENTBOX_ASSIGN_OR_RETURN(std::string c, canon(b.sandbox_path, "filesystem.read_only"));
    r.readable_.push_back(std::move(c));
  }
  for (const Bind& b : fs.read_write) {
    AGENTBOX_ASSIGN_OR_RETURN(std::string c, canon(b.sandbox_path, "filesystem.read_write"));
    r.readable_.push_back(c);
    r.writable_.push_back(std::move(c));
  }
  return r;
}

FsDecision FsRules::decide(std::string_view sandbox_path, FsAccess access) const {
  std::optional<std::string> path = canonicalPath(sandbox_path);
  if (!path) {
    return {false, "path", "not an absolute path"};
  }
  for (const std::string& h : hidden_) {
    if (pathUnder(*path, h)) {
      return {false, "filesystem.hidden:" + h, "path is hidden by the policy"};
    }
  }
  for (const std::string& d : fs_.deny) {
    if (fsPatternMatches(d, *path)) {
      return {false, "filesystem.deny:" + d, "path matches a deny pattern"};
    }
  }
  const bool write = access == FsAccess::kWrite;
  if (write && !fs_.allow_git_write && pathUnder(*path, "/workspace/.git")) {
    return {false, "filesystem.allow_git_write", "writes to /workspace/.git are not allowed"};
  }
  const std::vector<std::string>& roots = write ? writable_ : readable_;
  // The longest matching root names the rule; any match allows.
  const std::string* best = nullptr;
  for (const std::string& root : roots) {
    if (pathUnder(*path, root) && (best == nullptr || root.size() > best->size())) {
      best = &root;
    }
  }
  if (best != nullptr) {
    return {true, "root:" + *best,
            write ? "path is under a writable root" : "path is under a readable root"};
  }
  if (write && pathUnder(*path, kWorkspaceDir)) {
    return {false, "filesystem.mode", "the workspace is mounted read-only"};
  }
  return {false, "default-deny",
          write ? "path is not under a writable root" : "path is not under a readable root"};
}

}  // namespace agentbox::policy
