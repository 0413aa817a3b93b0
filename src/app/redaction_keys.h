// SPDX-License-Identifier: Apache-2.0
// File: redaction_keys.h
// The per-state-dir HMAC key behind redaction fingerprints ([REDACTED:rule:fp]): the same
// secret gets the same fingerprint in every log of one state dir, and nobody without the key
// can test a guess against a fingerprint.
#pragma once

#include <string>

#include "util/result.h"

namespace agentbox::app {

inline constexpr size_t kRedactionKeyBytes = 32;

// Reads <state_dir>/keys/redact.key, creating it (32 random bytes, mode 0600, keys/ 0700) if
// absent. Creation is atomic and race-free: the key is written to a unique temporary file and
// hard-linked into place, so concurrent first runs agree on one key.
// Errors: kPermission when the key file is readable by group/others or not owned by the
// caller (with a chmod/chown hint), kInvalidInput when it has the wrong size or type, kIo.
Result<std::string> loadOrCreateRedactionKey(const std::string& state_dir);

}  // namespace agentbox::app
