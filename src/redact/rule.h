// SPDX-License-Identifier: Apache-2.0
// File: rule.h
// A redaction rule as plain data. Built-in rules (builtin_rules.h) and custom rules from the
// policy (built by the app layer) share this shape; RuleSet::build compiles them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentbox::redact {

// What a finding is; the run record counts findings by class.
enum class RuleClass : uint8_t {
  kSecret,      // API keys, tokens, private keys: usable on their own
  kCredential,  // passwords and auth headers found by context
  kPii,         // personal data: e-mail, card numbers, SSNs
  kPath,        // host paths that identify the caller (home directory)
  kCustom,      // rules from the policy's [redaction] custom table
};

enum class Severity : uint8_t { kLow, kMedium, kHigh, kCritical };

// Structural check run on the value a rule's regex captured. A value that fails is not
// redacted (it is a look-alike, not a secret).
enum class Validator : uint8_t {
  kNone,
  kLuhn,              // card number: Luhn mod 10, known issuer prefix, 13-19 digits
  kGithubChecksum,    // GitHub classic / npm token: base62 CRC32 of the 30 random characters
  kJwt,               // the first segment base64url-decodes to a JSON object naming "alg"
  kEmail,             // not a reserved domain (example.com, .test, ...) nor an SSH remote (git@)
  kSsn,               // US SSN area/group/serial ranges, not the advertising block
  kIban,              // ISO 13616: known country length, mod-97 check digits
  kNanpPhone,         // NANP: area code and exchange start 2-9, area not N11, not 555-01xx
  kE164Phone,         // E.164: 8-15 digits after '+', country code does not start with 0
  kIpv4,              // four octets 0-255 without leading zeros, not 0.0.0.0
  kIpv6,              // a syntactically valid IPv6 address (inet_pton rules), not :: or ::1
  kBasicAuth,         // base64 of "user:password" (printable, one ':', both sides non-empty)
  kBase64PrivateKey,  // base64 of a PEM "-----BEGIN ... PRIVATE KEY" header
  kNotCode,           // not a code expression: no (), [], {}, dotted identifier chain,
                      // version number, or name containing password/secret/token/key
  kGenericSecret,     // kNotCode, and random-looking: at least one digit and one letter
  kUrlPassword,       // kNotCode, and the URL's host is not a documentation domain
};

// A built-in trigger for digit shapes, run instead of a Vectorscan expression: digit classes
// give Vectorscan no literal to prefilter on, and such a pattern alone halves its speed.
enum class DigitShape : uint8_t {
  kNone,
  kCardNumber,  // a digit that ends >= 13 digits within the last 23 bytes of a [0-9 -] run
  kSsn,         // a digit that ends DDD-DD-DDDD
  kNanpPhone,   // a digit that ends NXX-XXXX or NXX XXXX (the last 8 bytes of a phone number)
  kIpv4,        // the third '.' of a dotted quad (digits{1,3} '.' x3); scanned only when used
  kIpv6,        // the third ':' of a run of 1-4 hex digit groups; scanned only when used
};

// Where held-back output may start for a candidate of this rule.
enum class HoldFrom : uint8_t {
  kMatchStart,  // the keyword is part of the secret (ghp_...): hold from the window start
  kKeywordEnd,  // the keyword is context (password=...): only what follows it can be redacted
};

struct Rule {
  std::string id;                              // stable id: "github-pat"; appears in output
  std::string name;                            // human name for SARIF and docs ("" = id)
  RuleClass rule_class = RuleClass::kSecret;   // class for counters and policy switches
  Severity severity = Severity::kHigh;         // reported in findings
  double confidence = 0.9;                     // 0..1, how rarely a match is a false positive
  std::vector<std::string> keywords;           // literal triggers; any one wakes the rule
  bool keywords_caseless = false;              // keywords match in any letter case
  DigitShape digit_shape = DigitShape::kNone;  // instead of keywords: the digit scanner
  std::string regex;                           // RE2 confirm; group 1 (else whole) is redacted
  uint32_t before_bytes = 0;                   // extra bytes before the trigger the match may
                                               // start at (digit triggers: their max length)
  uint32_t after_bytes = 256;                  // bytes past the trigger the match may reach
  std::string continue_chars;                  // CharSet spec; a byte outside it ends the
                                               // candidate. Empty: any byte except newline
  std::string lead_chars;                      // CharSet spec of bytes that may precede the
                                               // trigger's end in a match (for idle holds)
  HoldFrom hold = HoldFrom::kMatchStart;       // see HoldFrom
  Validator validator = Validator::kNone;      // structural check on the captured value
  double min_entropy = 0;                      // Shannon bits/byte floor; 0 = no floor
  bool skip_placeholders = true;               // leave EXAMPLE / xxxx / ${VAR} values alone
  std::vector<std::string> allow;              // exact values never redacted
  std::string replacement;                     // "" = "[REDACTED:{id}:{fp}]"; {id} {fp} {class}
  bool redact_truncated = false;               // at end of stream, a token cut off after its
                                               // keyword (>= 8 more bytes) is redacted
  std::string end_marker;                      // if seen, the candidate completes at the next
                                               // "-----" after it (PEM blocks)
  bool opt_in = false;                         // off unless the policy asks for it by id
                                               // (ip-*: [redaction] ip_addresses)
  bool lazy_confirm = false;                   // compile the RE2 on the rule's first
                                               // candidate, not when the set is built: for
                                               // built-ins, whose regexes a unit test
                                               // compiles (all of them together cost ~65 ms,
                                               // most of a cold start); custom rules are
                                               // compiled up front so a bad one is refused
};

std::string_view ruleClassName(RuleClass c);  // "secret", "credential", ...
std::string_view severityName(Severity s);    // "low", "medium", "high", "critical"

}  // namespace agentbox::redact
