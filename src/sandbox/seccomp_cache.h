// SPDX-License-Identifier: Apache-2.0
// File: seccomp_cache.h
// The compiled seccomp program kept between runs (util/blob_cache.h): libseccomp takes 2-5 ms
// for the built-in profile, on every run's critical path. The key names the rules exactly
// and everything libseccomp's output depends on here (its version, the kernel's seccomp API
// level, the kernel release and the machine), so a stored program is only used for exactly
// what it was compiled from.
#pragma once

#include <string>
#include <string_view>

#include "sandbox/seccomp_compile.h"
#include "util/blob_cache.h"

namespace agentbox::sandbox {

std::string seccompCacheKey(const SeccompRules& rules);

std::string serializeSeccompProgram(const SeccompProgram& program);
// Errors: kInvalidInput for anything but a whole program as serializeSeccompProgram writes
// it (wrong magic, truncated, trailing bytes, an empty or oversized filter).
Result<SeccompProgram> parseSeccompProgram(std::string_view bytes);

// compileSeccomp() through `cache` (may be null): a hit skips libseccomp; a miss, or stored
// bytes that do not parse, compiles and stores the result.
Result<SeccompProgram> compileSeccompCached(const SeccompRules& rules, const BlobCache* cache);

}  // namespace agentbox::sandbox
