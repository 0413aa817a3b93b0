// SPDX-License-Identifier: Apache-2.0
// File: state_cache.h
// The state dir's cache of derived data (STATE/cache/KIND-SHA256.bin): the compiled Vectorscan
// database of the redaction rules ("rules") and the compiled seccomp program ("seccomp"), so
// that a run does not spend milliseconds compiling the same thing every time. Known secrets
// never reach it: they are compiled per run into a database of their own
// (redact::RuleSetConfig::cache).
#pragma once

#include <string>

#include "util/blob_cache.h"

namespace agentbox::app {

// At most this many files of one kind are kept; storing one more removes the least recently
// used.
inline constexpr size_t kMaxCachedBlobsPerKind = 8;

// A cache in `state_dir`/cache for one `kind` (lowercase letters). A file is named by SHA-256
// of the kind and the key, and holds a magic line, an HMAC-SHA-256 under `hmac_key` (the state
// dir's redaction key) of the kind, the key and the bytes, then the bytes. A file that fails
// any check (foreign, truncated, written under another key or for another key, not owned by
// this user, readable by others) is a miss and is removed. Storing is best-effort: a cache
// that cannot be written costs the next run a compile, never a layer.
BlobCache stateDirCache(const std::string& state_dir, const std::string& kind,
                        std::string hmac_key);

}  // namespace agentbox::app
