// SPDX-License-Identifier: Apache-2.0
// File: validators.h
// Pure checks that separate real secrets from look-alikes: checksums, entropy, placeholders.
// All functions are total (any input, no allocation failure paths) and thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "redact/email_address.h"
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

// The JWT header (up to the first '.') is base64url of a JSON object containing "alg", and
// the payload (the second segment) decodes to a JSON object.
bool isJwtHeader(std::string_view token);

// AAA-GG-SSSS with area 001-899 except 666, group 01-99, serial 0001-9999, not 987-65-432x.
bool isPlausibleSsn(std::string_view ssn);

// ISO 13616 IBAN (spaces ignored): a known country's length and mod-97 == 1.
bool isValidIban(std::string_view iban);

// NANP number "(NPA) NXX-XXXX" / "NPA-NXX-XXXX": NPA and NXX start 2-9, NPA is not N11,
// and 555-0100..0199 (reserved for fiction) is not redacted.
bool isPlausibleNanpPhone(std::string_view phone);

// 7-15 digits (8-15 after a leading '+'), not one repeated digit, and a '+' country code
// that does not start with 0.
bool isPlausiblePhone(std::string_view phone);

// Dotted quad, each octet 0-255 without a leading zero; 0.0.0.0/8, loopback, netmasks
// (255.x) and the documentation ranges (RFC 5737) are not redacted.
bool isRedactableIpv4(std::string_view ip);

// Valid IPv6 text (inet_pton), with "::" or all 8 groups; not ::, ::1, nor 2001:db8::/32
// (RFC 3849 documentation prefix).
bool isRedactableIpv6(std::string_view ip);

// Base64 that decodes to printable "user:password" with both sides non-empty.
bool isBasicAuthBlob(std::string_view b64);

// Base64 of a PEM header "-----BEGIN ...PRIVATE KEY" (not certificates or public keys).
bool isBase64PrivateKey(std::string_view b64);

// A value taken from source code rather than a secret: contains ( ) [ ] { }, is a dotted
// identifier chain (self.password, os.environ), a version (12.3.1), or names a credential
// (user_password, get_token) - an assignment of one variable to another.
bool looksLikeCode(std::string_view value);

// The host after the last '@' in a URL match is a documentation host (example.com/.org/.net,
// *.example, *.test, *.invalid, localhost).
bool hasDocumentationHost(std::string_view url_match);

// Applies `v` to a captured value; `match` is the whole confirm match (context for
// kUrlPassword), or the value itself.
bool passesValidator(Validator v, std::string_view value, std::string_view match = {});

// CRC32 (IEEE) as used by the token checksums; exposed for tests and tools.
uint32_t crc32(std::string_view data);

}  // namespace agentbox::redact
