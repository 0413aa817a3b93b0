// SPDX-License-Identifier: Apache-2.0
// File: state_cache.cc
#include "app/state_cache.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include "util/sha256.h"
#include "util/sys.h"

namespace agentbox::app {

namespace {

constexpr std::string_view kMagic = "agentbox state cache 1\n";
constexpr size_t kTagBytes = 32;
constexpr size_t kMaxBlobBytes = size_t{256} * 1024 * 1024;

static_assert(std::tuple_size_v<Sha256Digest> == kTagBytes);

// Length-prefixed fields, so that no two (kind, key, bytes) triples read the same: the MAC
// covers "<len>:kind<len>:key<len>:bytes", hashed in place (the bytes are not copied).
class Framed {
 public:
  Framed(std::string_view kind, std::string_view key, std::string_view bytes)
      : kind_(kind),
        key_(key),
        bytes_(bytes),
        kind_len_(fmt::format("{}:", kind.size())),
        key_len_(fmt::format("{}:", key.size())),
        bytes_len_(fmt::format("{}:", bytes.size())) {}
  Sha256Digest hmac(std::string_view hmac_key) const {
    return hmacSha256(hmac_key, {kind_len_, kind_, key_len_, key_, bytes_len_, bytes_});
  }
  Sha256Digest digest() const {
    return sha256({kind_len_, kind_, key_len_, key_, bytes_len_, bytes_});
  }

 private:
  std::string_view kind_;
  std::string_view key_;
  std::string_view bytes_;
  std::string kind_len_;
  std::string key_len_;
  std::string bytes_len_;
};

std::string fileName(std::string_view kind, std::string_view key) {
  std::string name(kind);
  name += '-';
  name += hexOf(Framed(kind, key, "").digest());
  return name + ".bin";
}

void removeQuietly(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

// Keeps the kMaxCachedBlobsPerKind most recently used files of `kind` (a load touches its
// file).
void prune(const std::string& dir, const std::string& kind) {
  std::error_code ec;
  std::vector<std::pair<std::filesystem::file_time_type, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kind + "-", 0) != 0 || !entry.is_regular_file(ec)) {
      continue;
    }
    files.emplace_back(entry.last_write_time(ec), entry.path().string());
  }
  if (files.size() <= kMaxCachedBlobsPerKind) {
    return;
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a > b; });
  for (size_t i = kMaxCachedBlobsPerKind; i < files.size(); ++i) {
    removeQuietly(files[i].second);
  }
}

struct Store {
  std::string dir;
  std::string kind;
  std::string hmac_key;

  std::optional<std::string> load(std::string_view key) const {
    std::string path = dir + "/" + fileName(kind, key);
    Result<struct stat> st = sys::lstat(path);
    if (!st.has_value()) {
      return std::nullopt;
    }
    if (!S_ISREG(st->st_mode) || st->st_uid != ::geteuid() || (st->st_mode & 077) != 0) {
      removeQuietly(path);
      return std::nullopt;
    }
    Result<std::string> file = sys::readFile(path, kMagic.size() + kTagBytes + kMaxBlobBytes);
    if (!file.has_value() || file->size() < kMagic.size() + kTagBytes ||
        file->compare(0, kMagic.size(), kMagic) != 0) {
      removeQuietly(path);
      return std::nullopt;
    }
    constexpr size_t kHeaderBytes = kMagic.size() + kTagBytes;
    std::string_view bytes = std::string_view(*file).substr(kHeaderBytes);
    Sha256Digest want = Framed(kind, key, bytes).hmac(hmac_key);
    if (CRYPTO_memcmp(want.data(), file->data() + kMagic.size(), kTagBytes) != 0) {
      removeQuietly(path);
      return std::nullopt;
    }
    ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // most recently used, for prune()
    file->erase(0, kHeaderBytes);  // in place: no second buffer of the blob's size
    return std::move(*file);
  }

  void store(std::string_view key, std::string_view bytes) const {
    if (bytes.size() > kMaxBlobBytes || !sys::mkdirs(dir, 0700).has_value()) {
      return;
    }
    Sha256Digest tag = Framed(kind, key, bytes).hmac(hmac_key);
    std::string file(kMagic);
    file.append(reinterpret_cast<const char*>(tag.data()), tag.size());
    file.append(bytes);
    // Atomic (a temporary file per process, then rename): concurrent runs may store the same
    // blob at once, and a reader never sees half a file.
    if (sys::writeFileAtomic(dir + "/" + fileName(kind, key), file, 0600).has_value()) {
      prune(dir, kind);
    }
  }
};

}  // namespace

BlobCache stateDirCache(const std::string& state_dir, const std::string& kind,
                        std::string hmac_key) {
  auto s = std::make_shared<const Store>(
      Store{.dir = state_dir + "/cache", .kind = kind, .hmac_key = std::move(hmac_key)});
  return BlobCache{
      .load = [s](std::string_view key) { return s->load(key); },
      .store = [s](std::string_view key, std::string_view bytes) { s->store(key, bytes); },
  };
}

}  // namespace agentbox::app
