// SPDX-License-Identifier: Apache-2.0
// File: sha256.h
// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) for cache names, cache integrity and
// secret fingerprints. Thin wrappers over OpenSSL's SHA-256 core: OpenSSL 3's EVP interface
// activates its provider on the first digest of a process, ~0.7-1 ms of every run's start
// (docs/performance.md), for one algorithm we always know in advance. Pure, thread-safe.
#pragma once

#include <array>
#include <initializer_list>
#include <string>
#include <string_view>

namespace agentbox {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);
// The digest of the concatenation of `parts`, without building it.
Sha256Digest sha256(std::initializer_list<std::string_view> parts);
Sha256Digest hmacSha256(std::string_view key, std::string_view message);
// The HMAC of the concatenation of `parts`, without building it (a cached blob is hashed in
// place, not copied into one message first).
Sha256Digest hmacSha256(std::string_view key, std::initializer_list<std::string_view> parts);
// Lower-case hex of all 32 bytes.
std::string hexOf(const Sha256Digest& digest);

}  // namespace agentbox
