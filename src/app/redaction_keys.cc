// SPDX-License-Identifier: Apache-2.0
// File: redaction_keys.cc
#include "app/redaction_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "util/sys.h"

namespace agentbox::app {

namespace {

Result<std::string> readKey(const std::string& path) {
  AGENTBOX_ASSIGN_OR_RETURN(struct stat st, sys::lstat(path));
  if (!S_ISREG(st.st_mode)) {
    return makeError(Errc::kInvalidInput, "redaction key {}: not a regular file", path);
  }
  if (st.st_uid != ::geteuid()) {
    return Error(Errc::kPermission,
                 fmt::format("redaction key {}: owned by uid {}", path, st.st_uid))
        .withHint("chown it to the user running agentbox");
  }
  if ((st.st_mode & 077) != 0) {
    return Error(Errc::kPermission, fmt::format("redaction key {}: mode {:o} lets others read it",
                                                path, st.st_mode & 0777))
        .withHint(fmt::format("run 'chmod 600 {}'", path));
  }
  AGENTBOX_ASSIGN_OR_RETURN(std::string key, sys::readFile(path, 4096));
  if (key.size() != kRedactionKeyBytes) {
    return makeError(Errc::kInvalidInput, "redaction key {}: {} bytes, expected {}", path,
                     key.size(), kRedactionKeyBytes);
  }
  return key;
}

Status ensureDir(const std::string& path) {
  auto st = sys::stat(path);
  if (st.has_value()) {
    return S_ISDIR(st->st_mode) ? ok()
                                : makeError(Errc::kInvalidInput, "{}: not a directory", path);
  }
  return sys::mkdirs(path, 0700);
}

}  // namespace

Result<std::string> loadOrCreateRedactionKey(const std::string& state_dir) {
  const std::string keys = state_dir + "/keys";
  const std::string path = keys + "/redact.key";
  AGENTBOX_TRY(ensureDir(state_dir).context("state dir"));
  AGENTBOX_TRY(ensureDir(keys).context("state dir"));
  if (auto st = sys::lstat(path); st.has_value()) {
    return readKey(path);
  }
  AGENTBOX_ASSIGN_OR_RETURN(std::string key,
                            sys::randomBytes(kRedactionKeyBytes).context("redaction key"));
  AGENTBOX_ASSIGN_OR_RETURN(std::string tag, sys::randomBytes(4).context("redaction key"));
  const std::string tmp =
      fmt::format("{}/.redact.key.{}.{:02x}{:02x}{:02x}{:02x}", keys, ::getpid(),
                  static_cast<unsigned char>(tag[0]), static_cast<unsigned char>(tag[1]),
                  static_cast<unsigned char>(tag[2]), static_cast<unsigned char>(tag[3]));
  AGENTBOX_TRY(
      sys::writeFileAtomic(tmp, key, 0600, sys::Durability::kFsync).context("redaction key"));
  std::error_code ec;
  // link(2) fails with EEXIST if another process created the key first: then use theirs.
  std::filesystem::create_hard_link(tmp, path, ec);
  std::error_code ignored;
  std::filesystem::remove(tmp, ignored);
  if (ec && ec != std::errc::file_exists) {
    return Error::sys(ec.value(), fmt::format("link({}, {})", tmp, path));
  }
  return readKey(path);
}

}  // namespace agentbox::app
