// SPDX-License-Identifier: Apache-2.0
// File: sha256.h
// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) for cache names, cache integrity and
// secret fingerprints. Thin wrappers over OpenSSL's SHA-256 core: OpenSSL 3's EVP interface
// activates its provider on the first digest of a process, ~0.7-1 ms of every run's start
// (docs/performance.md), for one algorithm we always know in advance. Pure, thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace agentbox {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);
Sha256Digest hmacSha256(std::string_view key, std::string_view message);
// Lower-case hex of all 32 bytes.
std::string hexOf(const Sha256Digest& digest);

}  // namespace agentbox
