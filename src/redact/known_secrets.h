// SPDX-License-Identifier: Apache-2.0
// File: known_secrets.h
// The literal forms under which a known secret value (from --env / --secret-env) may appear
// in output: raw, JSON-escaped, URL-encoded, hex, and base64 / base64url at each of the three
// byte alignments (so the value is found inside a longer encoded blob such as user:pass).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace agentbox::redact {

// Shorter values are not matched (every "1" in the output would be redacted);
// RuleSet::build reports them as warnings.
inline constexpr size_t kMinKnownSecretBytes = 6;
// Longer values are matched piecewise in slices of this size (each slice, and each line of a
// multi-line value, is its own literal) to bound the holdback window.
inline constexpr size_t kKnownSecretPieceBytes = 256;

struct KnownForm {
  std::string literal;        // what to look for
  bool caseless = false;      // hex and percent-encoding may use either letter case
  bool base64_edges = false;  // extend the redaction over partial base64 characters and '='
};

// All distinct forms of one value (no piece splitting; see knownSecretPieces).
std::vector<KnownForm> knownSecretForms(std::string_view value);

// Splits a long or multi-line value into the pieces that are matched.
std::vector<std::string> knownSecretPieces(std::string_view value);

}  // namespace agentbox::redact
