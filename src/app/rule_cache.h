// SPDX-License-Identifier: Apache-2.0
// File: rule_cache.h
// The state dir's cache of compiled redaction databases (STATE/cache/rules-KEY.hsdb), so that
// a run does not spend ~10 ms compiling the same Vectorscan database every time. Only the
// rules' database is stored: known secrets are compiled per run into a database of their own
// and never written anywhere (redact::DatabaseCache).
#pragma once

#include <string>

#include "redact/rule_set.h"

namespace agentbox::app {

// At most this many databases are kept; storing one more removes the least recently used.
inline constexpr size_t kMaxCachedRuleDatabases = 8;

// A cache in `state_dir`/cache. Each file is a magic line, an HMAC-SHA-256 under `hmac_key`
// (the state dir's redaction key) of the cache key and the database, and the serialized
// database; a file that fails any check (foreign, truncated, written under another key, not
// owned by this user, readable by others) is a miss and is removed. Storing is best-effort: a
// cache that cannot be written costs the next run a compile, never its redaction.
redact::DatabaseCache stateDirRuleCache(const std::string& state_dir, std::string hmac_key);

}  // namespace agentbox::app
