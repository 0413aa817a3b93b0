// SPDX-License-Identifier: Apache-2.0
// File: rule_cache.cc
#include "app/rule_cache.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "util/sys.h"

namespace agentbox::app {

namespace {

constexpr std::string_view kMagic = "agentbox rule database 1\n";
constexpr size_t kTagBytes = 32;
constexpr size_t kMaxDatabaseBytes = size_t{256} * 1024 * 1024;

using Tag = std::array<unsigned char, kTagBytes>;

// HMAC-SHA-256 over the cache key, a separator and the database bytes.
bool tagOf(const std::string& hmac_key, const std::string& key, std::string_view db, Tag& out) {
  std::string msg = key;
  msg += '\n';
  msg.append(db);
  unsigned int len = 0;
  return HMAC(EVP_sha256(), hmac_key.data(), static_cast<int>(hmac_key.size()),
              reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out.data(),
              &len) != nullptr &&
         len == kTagBytes;
}

bool validKey(const std::string& key) {
  return key.size() == 64 && std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void removeQuietly(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

// Keeps the kMaxCachedRuleDatabases most recently used databases (a load touches its file).
void prune(const std::string& dir) {
  std::error_code ec;
  std::vector<std::pair<std::filesystem::file_time_type, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("rules-", 0) != 0 || !entry.is_regular_file(ec)) {
      continue;
    }
    files.emplace_back(entry.last_write_time(ec), entry.path().string());
  }
  if (files.size() <= kMaxCachedRuleDatabases) {
    return;
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a > b; });
  for (size_t i = kMaxCachedRuleDatabases; i < files.size(); ++i) {
    removeQuietly(files[i].second);
  }
}

std::optional<std::string> load(const std::string& dir, const std::string& hmac_key,
                                const std::string& key) {
  if (!validKey(key)) {
    return std::nullopt;
  }
  const std::string path = dir + "/rules-" + key + ".hsdb";
  Result<struct stat> st = sys::lstat(path);
  if (!st.has_value()) {
    return std::nullopt;
  }
  if (!S_ISREG(st->st_mode) || st->st_uid != ::geteuid() || (st->st_mode & 077) != 0) {
    removeQuietly(path);
    return std::nullopt;
  }
  Result<std::string> file = sys::readFile(path, kMagic.size() + kTagBytes + kMaxDatabaseBytes);
  if (!file.has_value() || file->size() <= kMagic.size() + kTagBytes ||
      file->compare(0, kMagic.size(), kMagic) != 0) {
    removeQuietly(path);
    return std::nullopt;
  }
  std::string db = file->substr(kMagic.size() + kTagBytes);
  Tag want{};
  if (!tagOf(hmac_key, key, db, want) ||
      CRYPTO_memcmp(want.data(), file->data() + kMagic.size(), kTagBytes) != 0) {
    removeQuietly(path);
    return std::nullopt;
  }
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // most recently used, for prune()
  return db;
}

void store(const std::string& dir, const std::string& hmac_key, const std::string& key,
           std::string_view db) {
  Tag tag{};
  if (!validKey(key) || db.size() > kMaxDatabaseBytes || !tagOf(hmac_key, key, db, tag) ||
      !sys::mkdirs(dir, 0700).has_value()) {
    return;
  }
  std::string file(kMagic);
  file.append(reinterpret_cast<const char*>(tag.data()), tag.size());
  file.append(db);
  // Atomic (a temporary file per process, then rename): concurrent runs may store the same
  // database at once, and a reader never sees half a file.
  if (!sys::writeFileAtomic(dir + "/rules-" + key + ".hsdb", file, 0600).has_value()) {
    return;
  }
  prune(dir);
}

}  // namespace

redact::DatabaseCache stateDirRuleCache(const std::string& state_dir, std::string hmac_key) {
  auto shared_key = std::make_shared<const std::string>(std::move(hmac_key));
  std::string dir = state_dir + "/cache";
  return redact::DatabaseCache{
      .load = [dir, shared_key](const std::string& key) { return load(dir, *shared_key, key); },
      .store = [dir, shared_key](const std::string& key,
                                 std::string_view db) { store(dir, *shared_key, key, db); },
  };
}

}  // namespace agentbox::app
