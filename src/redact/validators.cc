// SPDX-License-Identifier: Apache-2.0
// File: validators.cc
// Checksums, entropy and placeholder recognition for rule matches.
#include "redact/validators.h"

#include <arpa/inet.h>

#include <array>
#include <cmath>
#include <cstring>
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

// Lengths the issuers use: Visa 13/16/19, Mastercard 16, Amex 15, Diners 14-19, the rest
// 16-19 (a 13-digit "Mastercard" is a constant in a table, not a card).
bool issuerLength(std::string_view d) {
  const size_t n = d.size();
  if (d[0] == '4') {
    return n == 13 || n == 16 || n == 19;
  }
  const int two = (d[0] - '0') * 10 + (d[1] - '0');
  if ((two >= 51 && two <= 55) || (two >= 22 && two <= 27)) {
    return n == 16;
  }
  if (two == 34 || two == 37) {
    return n == 15;
  }
  if (two == 30 || two == 36 || two == 38 || two == 39) {
    return n >= 14;
  }
  return n >= 16;
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

// Decodes base64 or base64url up to the first byte outside the alphabet (padding ends it).
std::string base64Decode(std::string_view in, size_t max_out = 4096) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = base64UrlValue(c);
    if (v < 0 || out.size() >= max_out) {
      break;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFFU);
    }
  }
  return out;
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
  if (digits.size() < 13 || digits.size() > 19 || !knownIssuer(digits) || !issuerLength(digits)) {
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
  // "sample" as in Node's `passphrase: 'sample'`; xyes/xno are autoconf's test idiom.
  static constexpr std::string_view kWords[] = {"password", "passwd", "secret", "token",     "null",
                                                "none",     "true",   "false",  "undefined", "pass",
                                                "changeit", "sample", "xyes",   "xno"};
  for (std::string_view w : kWords) {
    if (v.size() == w.size() && containsCaseless(v, w)) {
      return true;
    }
  }
  return false;
}

bool isJwtHeader(std::string_view token) {
  const size_t dot = token.find('.');
  const std::string header = base64Decode(token.substr(0, dot));
  if (header.empty() || header[0] != '{' || header.find("\"alg\"") == std::string::npos) {
    return false;
  }
  if (dot == std::string_view::npos) {
    return true;  // a header alone (callers that check whole tokens pass all segments)
  }
  std::string_view rest = token.substr(dot + 1);
  const std::string payload = base64Decode(rest.substr(0, rest.find('.')));
  size_t i = 0;
  while (i < payload.size() && (payload[i] == ' ' || payload[i] == '\n' || payload[i] == '\r')) {
    ++i;
  }
  return i < payload.size() && payload[i] == '{';
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

namespace {

int ibanLength(std::string_view cc) {
  static constexpr std::pair<std::string_view, int> kLengths[] = {
      {"AD", 24}, {"AE", 23}, {"AT", 20}, {"BE", 16}, {"BG", 22}, {"CH", 21}, {"CY", 28},
      {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FR", 27},
      {"GB", 22}, {"GI", 23}, {"GR", 27}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IS", 26},
      {"IT", 27}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MT", 31},
      {"NL", 18}, {"NO", 15}, {"PL", 28}, {"PT", 25}, {"RO", 24}, {"SE", 24}, {"SI", 19},
      {"SK", 24}, {"SM", 27}, {"TR", 26}};
  for (const auto& [code, len] : kLengths) {
    if (code == cc) {
      return len;
    }
  }
  return -1;
}

std::string digitsOf(std::string_view s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      d += c;
    }
  }
  return d;
}

}  // namespace

bool isValidIban(std::string_view iban) {
  std::string s;
  for (char c : iban) {
    if (c != ' ') {
      s += c;
    }
  }
  if (s.size() < 15 || ibanLength(s.substr(0, 2)) != static_cast<int>(s.size())) {
    return false;
  }
  const std::string moved = s.substr(4) + s.substr(0, 4);
  uint32_t rem = 0;
  for (char c : moved) {
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + static_cast<uint32_t>(c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      rem = (rem * 100 + static_cast<uint32_t>(c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

bool isPlausibleNanpPhone(std::string_view phone) {
  const std::string d = digitsOf(phone);
  if (d.size() != 10 || d[0] < '2' || d[3] < '2') {
    return false;
  }
  if (d[1] == '1' && d[2] == '1') {
    return false;  // N11 service codes (411, 911) are not area codes
  }
  return !(d.substr(3, 3) == "555" && d.substr(6, 2) == "01");
}

bool isPlausiblePhone(std::string_view phone) {
  const std::string d = digitsOf(phone);
  const bool plus = !phone.empty() && phone[0] == '+';
  if (d.size() > 15 || d.size() < (plus ? 8U : 7U)) {
    return false;
  }
  if (plus && d[0] == '0') {
    return false;
  }
  return d.find_first_not_of(d[0]) != std::string::npos;
}

bool isRedactableIpv4(std::string_view ip) {
  int octets[4] = {0, 0, 0, 0};
  int n = 0;
  size_t i = 0;
  while (n < 4 && i < ip.size()) {
    size_t j = i;
    while (j < ip.size() && ip[j] >= '0' && ip[j] <= '9') {
      ++j;
    }
    const int v = digitsValue(ip.substr(i, j - i));
    if (j == i || j - i > 3 || (j - i > 1 && ip[i] == '0') || v > 255) {
      return false;
    }
    octets[n++] = v;
    i = j + 1;
    if (j < ip.size() && ip[j] != '.') {
      return false;
    }
  }
  if (n != 4 || i != ip.size() + 1) {
    return false;  // fewer than four octets, or bytes after the fourth
  }
  const int a = octets[0];
  const int b = octets[1];
  const int c = octets[2];
  if (a == 0 || a == 127 || a == 255 || (a == 192 && b == 0 && c == 2) ||
      (a == 198 && b == 51 && c == 100) || (a == 203 && b == 0 && c == 113)) {
    return false;
  }
  return true;
}

bool isRedactableIpv6(std::string_view ip) {
  if (ip.size() < 2 || ip.size() > 45) {
    return false;
  }
  const std::string text(ip);
  in6_addr addr{};
  if (inet_pton(AF_INET6, text.c_str(), &addr) != 1) {
    return false;
  }
  static const in6_addr kZero{};
  if (memcmp(&addr, &kZero, sizeof addr) == 0 || IN6_IS_ADDR_LOOPBACK(&addr)) {
    return false;
  }
  const auto* b = reinterpret_cast<const unsigned char*>(&addr);
  return !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
}

bool isBasicAuthBlob(std::string_view b64) {
  const std::string s = base64Decode(b64, 512);
  const size_t colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= s.size()) {
    return false;
  }
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
      return false;
    }
  }
  return true;
}

bool isBase64PrivateKey(std::string_view b64) {
  const std::string s = base64Decode(b64.substr(0, 80));
  return s.rfind("-----BEGIN ", 0) == 0 && s.find("PRIVATE KEY") != std::string::npos;
}

bool looksLikeCode(std::string_view v) {
  // Brackets are calls and subscripts; a backtick is a shell command substitution
  // (ac_pwd=`pwd`).
  if (v.find_first_of("()[]{}`") != std::string_view::npos) {
    return true;
  }
  // An upper-case constant with an underscore (SEC_ERROR_BAD_PASSWORD = SEC_ERROR_BASE + 14).
  if (v.find('_') != std::string_view::npos &&
      v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string_view::npos &&
      v.front() >= 'A' && v.front() <= 'Z') {
    return true;
  }
  bool version = !v.empty();
  for (char c : v) {
    version = version && ((c >= '0' && c <= '9') || c == '.');
  }
  if (version && v.find('.') != std::string_view::npos) {
    return true;
  }
  // identifier(.identifier)+ : attribute access, not a secret
  size_t parts = 0;
  bool ident = true;
  for (size_t i = 0; i < v.size() && ident;) {
    size_t j = i;
    if (!((v[j] >= 'A' && v[j] <= 'Z') || (v[j] >= 'a' && v[j] <= 'z') || v[j] == '_')) {
      ident = false;
      break;
    }
    while (j < v.size() && v[j] != '.') {
      const char c = v[j];
      // Letters and '_' only: a password such as s3cr3t.Pa55 has digits, code rarely does.
      ident = ident && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_');
      ++j;
    }
    ++parts;
    i = j + 1;
    if (j + 1 == v.size()) {
      ident = false;  // trailing dot
    }
  }
  if (ident && parts >= 2) {
    return true;
  }
  // Type annotations and callbacks in signatures ("password: bytes", "Password : String").
  static constexpr std::string_view kTypeWords[] = {
      "bytes",  "str", "string", "int",      "bool",     "boolean", "char",  "void",
      "object", "any", "none",   "function", "callback", "number",  "buffer"};
  for (std::string_view w : kTypeWords) {
    if (v.size() == w.size() && containsCaseless(v, w)) {
      return true;
    }
  }
  if (v.size() < 6 && v.find_first_not_of("0123456789") == std::string_view::npos) {
    return true;  // a constant such as 1216, not a password
  }
  static constexpr std::string_view kNames[] = {"password", "passwd", "secret",    "token",
                                                "_key",     "apikey", "credential"};
  for (std::string_view n : kNames) {
    if (containsCaseless(v, n)) {
      return true;
    }
  }
  return false;
}

bool hasDocumentationHost(std::string_view m) {
  const size_t at = m.rfind('@');
  if (at == std::string_view::npos) {
    return false;
  }
  std::string_view host = m.substr(at + 1);
  host = host.substr(0, host.find_first_of(":/?#\"'<> \t\r\n"));
  while (!host.empty() && (host.back() == '.' || host.back() == '-')) {
    host.remove_suffix(1);
  }
  if (host.empty()) {
    return false;  // the match ends at '@' + one host byte: judged by what follows
  }
  return isDocumentationDomain(host) || endsWithCaseless(host, "localhost");
}

bool passesValidator(Validator v, std::string_view value, std::string_view match) {
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
    case Validator::kIban:
      return isValidIban(value);
    case Validator::kNanpPhone:
      return isPlausibleNanpPhone(value);
    case Validator::kE164Phone:
      return isPlausiblePhone(value);
    case Validator::kIpv4:
      return isRedactableIpv4(value);
    case Validator::kIpv6:
      return isRedactableIpv6(value);
    case Validator::kBasicAuth:
      return isBasicAuthBlob(value);
    case Validator::kBase64PrivateKey:
      return isBase64PrivateKey(value);
    case Validator::kNotCode:
      return !looksLikeCode(value);
    case Validator::kGenericSecret:
      return !looksLikeCode(value) && value.find_first_of("0123456789") != std::string_view::npos &&
             value.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
                 std::string_view::npos;
    case Validator::kUrlPassword:
      return !looksLikeCode(value) && !hasDocumentationHost(match.empty() ? value : match);
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
