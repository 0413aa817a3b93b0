// SPDX-License-Identifier: Apache-2.0
// File: units.h
// Strict parsing of sizes ("512m", "1GiB", "4096") and durations ("90s", "2m", "1500ms",
// "1m30s", bare seconds "600"). k/m/g and KiB/MiB/GiB are powers of 1024. Anything else,
// including empty input, signs, spaces, overflow and fractions of a byte, is an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace agentbox::policy {

Result<uint64_t> parseSize(std::string_view text);
// Bare numbers are seconds (fractions allowed: "2.5"); with units, each part is an integer.
Result<uint64_t> parseDurationMs(std::string_view text);

}  // namespace agentbox::policy

namespace agentbox::policy {

// Inverse of parseSize: the largest of g, m, k that divides `bytes` exactly ("512m", "1g",
// "1536k"), else the bare number of bytes ("1000").
std::string formatSize(uint64_t bytes);
// Inverse of parseDurationMs: units in decreasing order ("1h", "1m30s", "1500ms", "0s").
std::string formatDurationMs(uint64_t ms);

}  // namespace agentbox::policy
