// SPDX-License-Identifier: Apache-2.0
// File: validators.h
// Pure checks that separate real secrets from look-alikes: checksums, entropy, placeholders.
// All functions are total (any input, no allocation failure paths) and thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "redact/rule.h"

namespace agentbox::redact {

// Luhn mod-10 over the digits of `number` (spaces and dashes ignored); 13-19 digits and a
// known issuer prefix (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay) required.
bool isPlausibleCardNumber(std::string_view number);

// GitHub classic tokens (ghp_, gho_, ghu_, ghs_, ghr_) and npm tokens: `prefix_` + 30 random
// base62 characters + 6-character base62 CRC32 of those 30, left-padded with '0'.
bool hasValidTokenChecksum(std::string_view token);

// Shannon entropy in bits per byte (0..8).
double shannonEntropy(std::string_view value);

// Documented placeholders and template syntax: AKIAIOSFODNN7EXAMPLE-style "EXAMPLE" values,
// runs of x/X/*, ${VAR}, {{ var }}, <your-key>, %s, a single repeated character.
bool isPlaceholder(std::string_view value);

// The JWT header (up to the first '.') is base64url of a JSON object containing "alg".
bool isJwtHeader(std::string_view token);

// Leaves reserved documentation domains (RFC 2606/6761) and SSH remotes ("git@host") alone.
bool isRedactableEmail(std::string_view email);

// AAA-GG-SSSS with area 001-899 except 666, group 01-99, serial 0001-9999, not 987-65-432x.
bool isPlausibleSsn(std::string_view ssn);

// Applies `v` to a captured value.
bool passesValidator(Validator v, std::string_view value);

// CRC32 (IEEE) as used by the token checksums; exposed for tests and tools.
uint32_t crc32(std::string_view data);

}  // namespace agentbox::redact
