// SPDX-License-Identifier: Apache-2.0
// File: validators.cc
// Checksums, entropy and placeholder recognition for rule matches.
#include "redact/validators.h"

#include <array>
#include <cmath>
#include <string>

namespace agentbox::redact {

namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

constexpr std::array<uint32_t, 256> makeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) {
      c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    }
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kCrcTable = makeCrcTable();

// Decimal value of an all-digit string, -1 otherwise (std::stoi would throw).
int digitsValue(std::string_view s) {
  if (s.empty()) {
    return -1;
  }
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return -1;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

bool startsWithAny(std::string_view digits, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (digits.substr(0, p.size()) == p) {
      return true;
    }
  }
  return false;
}

bool knownIssuer(std::string_view d) {
  if (d.empty()) {
    return false;
  }
  int two = d.size() >= 2 ? (d[0] - '0') * 10 + (d[1] - '0') : -1;
  int four = d.size() >= 4 ? digitsValue(d.substr(0, 4)) : -1;
  int three = d.size() >= 3 ? digitsValue(d.substr(0, 3)) : -1;
  if (d[0] == '4') {
    return true;  // Visa
  }
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) {
    return true;  // Mastercard
  }
  if ((two == 34 || two == 37) && d.size() == 15) {
    return true;  // Amex
  }
  if (startsWithAny(d, {"6011", "65"}) || (three >= 644 && three <= 649)) {
    return true;  // Discover
  }
  if (four >= 3528 && four <= 3589) {
    return true;  // JCB
  }
  if ((three >= 300 && three <= 305) || two == 36 || two == 38 || two == 39) {
    return true;  // Diners
  }
  return two == 62;  // UnionPay
}

int base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '-' || c == '+') {
    return 62;
  }
  if (c == '_' || c == '/') {
    return 63;
  }
  return -1;
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool containsCaseless(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) {
    return false;
  }
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == needle[k]) {
      ++k;
    }
    if (k == needle.size()) {
      return true;
    }
  }
  return false;
}

bool endsWithCaseless(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && containsCaseless(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace

uint32_t crc32(std::string_view data) {
  uint32_t c = 0xFFFFFFFFU;
  for (char ch : data) {
    c = kCrcTable[(c ^ static_cast<unsigned char>(ch)) & 0xFFU] ^ (c >> 8);
  }
  return c ^ 0xFFFFFFFFU;
}

bool isPlausibleCardNumber(std::string_view number) {
  std::string digits;
  for (char c : number) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-') {
      return false;
    }
  }
  if (digits.size() < 13 || digits.size() > 19 || !knownIssuer(digits)) {
    return false;
  }
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int v = *it - '0';
    if (twice) {
      v *= 2;
      if (v > 9) {
        v -= 9;
      }
    }
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool hasValidTokenChecksum(std::string_view token) {
  size_t us = token.find('_');
  if (us == std::string_view::npos) {
    return false;
  }
  std::string_view body = token.substr(us + 1);
  if (body.size() != 36) {
    return false;
  }
  uint32_t crc = crc32(body.substr(0, 30));
  std::string enc(6, '0');
  for (int i = 5; i >= 0 && crc != 0; --i) {
    enc[static_cast<size_t>(i)] = kBase62[crc % 62];
    crc /= 62;
  }
  return body.substr(30) == enc;
}

double shannonEntropy(std::string_view value) {
  if (value.empty()) {
    return 0;
  }
  std::array<uint32_t, 256> counts{};
  for (char c : value) {
    ++counts[static_cast<unsigned char>(c)];
  }
  double h = 0;
  const double n = static_cast<double>(value.size());
  for (uint32_t k : counts) {
    if (k != 0) {
      double p = k / n;
      h -= p * std::log2(p);
    }
  }
  return h;
}

bool isPlaceholder(std::string_view v) {
  if (v.empty()) {
    return true;
  }
  bool all_same = true;
  for (char c : v) {
    all_same = all_same && c == v[0];
  }
  if (all_same) {
    return true;
  }
  static constexpr std::string_view kMarkers[] = {
      "example",  "xxxxxx", "******",  "<your",      "your_",       "your-",
      "${",       "{{",     "$(",      "%s",         "placeholder", "redacted",
      "changeme", "dummy",  "<token>", "<password>", "0000000000"};
  for (std::string_view m : kMarkers) {
    if (containsCaseless(v, m)) {
      return true;
    }
  }
  // Variable references that a shell or CI system substitutes later.
  if (v[0] == '$' || (v.front() == '%' && v.back() == '%') ||
      (v.front() == '@' && v.back() == '@')) {
    return true;
  }
  static constexpr std::string_view kWords[] = {"password",  "passwd", "secret",  "token",
                                                "null",      "none",   "true",    "false",
                                                "undefined", "pass",   "changeit"};
  for (std::string_view w : kWords) {
    if (v.size() == w.size() && containsCaseless(v, w)) {
      return true;
    }
  }
  return false;
}

bool isJwtHeader(std::string_view token) {
  std::string_view seg = token.substr(0, token.find('.'));
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : seg) {
    int v = base64UrlValue(c);
    if (v < 0) {
      break;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFFU);
    }
  }
  return !out.empty() && out[0] == '{' && out.find("\"alg\"") != std::string::npos;
}

bool isRedactableEmail(std::string_view email) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) {
    return false;
  }
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  if (local == "git") {
    return false;  // git@github.com: an SSH remote, not a person
  }
  static constexpr std::string_view kReserved[] = {"example.com", "example.org", "example.net"};
  for (std::string_view r : kReserved) {
    if (endsWithCaseless(domain, r) &&
        (domain.size() == r.size() || domain[domain.size() - r.size() - 1] == '.')) {
      return false;
    }
  }
  static constexpr std::string_view kReservedTlds[] = {".test", ".invalid", ".example",
                                                       ".localhost", ".local"};
  for (std::string_view t : kReservedTlds) {
    if (endsWithCaseless(domain, t)) {
      return false;
    }
  }
  return true;
}

bool isPlausibleSsn(std::string_view s) {
  if (s.size() != 11 || s[3] != '-' || s[6] != '-') {
    return false;
  }
  int area = digitsValue(s.substr(0, 3));
  int group = digitsValue(s.substr(4, 2));
  int serial = digitsValue(s.substr(7, 4));
  if (area <= 0 || group <= 0 || serial <= 0) {
    return false;
  }
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) {
    return false;
  }
  if (s.substr(0, 10) == "987-65-432" || s == "078-05-1120") {
    return false;
  }
  return true;
}

bool passesValidator(Validator v, std::string_view value) {
  switch (v) {
    case Validator::kNone:
      return true;
    case Validator::kLuhn:
      return isPlausibleCardNumber(value);
    case Validator::kGithubChecksum:
      return hasValidTokenChecksum(value);
    case Validator::kJwt:
      return isJwtHeader(value);
    case Validator::kEmail:
      return isRedactableEmail(value);
    case Validator::kSsn:
      return isPlausibleSsn(value);
  }
  return false;
}

std::string_view ruleClassName(RuleClass c) {
  switch (c) {
    case RuleClass::kSecret:
      return "secret";
    case RuleClass::kCredential:
      return "credential";
    case RuleClass::kPii:
      return "pii";
    case RuleClass::kPath:
      return "path";
    case RuleClass::kCustom:
      return "custom";
  }
  return "custom";
}

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "high";
}

}  // namespace agentbox::redact
