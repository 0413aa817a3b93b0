// SPDX-License-Identifier: Apache-2.0
// File: host.cc
#include "policy/host.h"

#include <arpa/inet.h>
#include <idn2.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "util/hex.h"

namespace agentbox::policy {

namespace {

char lowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// One WHATWG IPv4 number: 0x.. hex, 0.. octal, else decimal. False if not a number.
bool parseIpv4Number(std::string_view part, uint64_t& out) {
  int base = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
  } else if (part.size() >= 2 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  if (part.empty()) {
    out = 0;  // "0x" is zero in the WHATWG parser
    return base != 10;
  }
  uint64_t value = 0;
  for (char c : part) {
    int digit = 0;
    if (base == 16 && isHexDigit(c)) {
      digit = hexDigitValue(c);
    } else if (isDigit(c) && c - '0' < base) {
      digit = c - '0';
    } else {
      return false;
    }
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
    if (value > 0xffffffffULL) {
      value = 0x100000000ULL;  // saturate: already out of range, keep scanning digits
    }
  }
  out = value;
  return true;
}

// WHATWG "ends in a number": the last label is all digits or 0x followed by hex digits.
bool endsInNumber(std::string_view host) {
  size_t dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) {
    return false;
  }
  bool digits = true;
  for (char c : last) {
    digits = digits && isDigit(c);
  }
  if (digits) {
    return true;
  }
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
    for (char c : last.substr(2)) {
      if (!isHexDigit(c)) {
        return false;
      }
    }
    return true;
  }
  return false;
}

bool setText(std::string_view text, std::array<char, 254>& buf, uint16_t& len) {
  if (text.size() > 253) {
    return false;
  }
  std::memcpy(buf.data(), text.data(), text.size());
  len = static_cast<uint16_t>(text.size());
  return true;
}

}  // namespace

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(isV4() ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  a.family = Family::kV4;
  a.bytes[0] = static_cast<uint8_t>(host_order >> 24);
  a.bytes[1] = static_cast<uint8_t>(host_order >> 16);
  a.bytes[2] = static_cast<uint8_t>(host_order >> 8);
  a.bytes[3] = static_cast<uint8_t>(host_order);
  return a;
}

std::optional<IpAddress> parseIpv4Strict(std::string_view text) {
  char buf[INET_ADDRSTRLEN] = {};
  if (text.empty() || text.size() >= sizeof buf) {
    return std::nullopt;
  }
  std::memcpy(buf, text.data(), text.size());
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) {
    return std::nullopt;
  }
  return a;
}

std::optional<IpAddress> parseIpv6Strict(std::string_view text) {
  char buf[INET6_ADDRSTRLEN + 1] = {};
  if (text.empty() || text.size() >= sizeof buf) {
    return std::nullopt;
  }
  std::memcpy(buf, text.data(), text.size());
  IpAddress a;
  a.family = IpAddress::Family::kV6;
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) {
    return std::nullopt;
  }
  return a;
}

std::optional<IpAddress> parseIpStrict(std::string_view text) {
  if (auto v4 = parseIpv4Strict(text)) {
    return v4;
  }
  return parseIpv6Strict(text);
}

std::optional<IpAddress> embeddedIpv4(const IpAddress& a) {
  if (a.isV4()) {
    return std::nullopt;
  }
  const auto& b = a.bytes;
  auto tail = [&](size_t at) {
    return IpAddress::v4((uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) |
                         (uint32_t{b[at + 2]} << 8) | uint32_t{b[at + 3]});
  };
  bool zero80 = true;
  for (size_t i = 0; i < 10; ++i) {
    zero80 = zero80 && b[i] == 0;
  }
  if (zero80 && b[10] == 0xff && b[11] == 0xff) {
    return tail(12);  // ::ffff:a.b.c.d, mapped
  }
  if (zero80 && b[10] == 0 && b[11] == 0) {
    IpAddress v4 = tail(12);
    uint32_t n = (uint32_t{v4.bytes[0]} << 24) | (uint32_t{v4.bytes[1]} << 16) |
                 (uint32_t{v4.bytes[2]} << 8) | v4.bytes[3];
    if (n > 1) {
      return v4;  // ::a.b.c.d, compatible (deprecated); :: and ::1 are not
    }
    return std::nullopt;
  }
  static constexpr uint8_t kNat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b.data(), kNat64, sizeof kNat64) == 0) {
    return tail(12);
  }
  if (b[0] == 0x20 && b[1] == 0x02) {
    return tail(2);  // 6to4
  }
  return std::nullopt;
}

Result<std::optional<IpAddress>> parseIpv4Literal(std::string_view host) {
  if (!endsInNumber(host)) {
    return std::optional<IpAddress>{};
  }
  uint64_t parts[4] = {};
  size_t n = 0;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view part =
        host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (n == 4 || !parseIpv4Number(part, parts[n])) {
      return makeError(Errc::kInvalidInput, "invalid IPv4 literal");
    }
    ++n;
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  for (size_t i = 0; i + 1 < n; ++i) {
    if (parts[i] > 255) {
      return makeError(Errc::kInvalidInput, "invalid IPv4 literal: part over 255");
    }
  }
  uint64_t limit = uint64_t{1} << (8 * (5 - n));
  if (parts[n - 1] >= limit) {
    return makeError(Errc::kInvalidInput, "invalid IPv4 literal: out of range");
  }
  uint64_t value = parts[n - 1];
  for (size_t i = 0; i + 1 < n; ++i) {
    value += parts[i] << (8 * (3 - i));
  }
  return std::optional<IpAddress>{IpAddress::v4(static_cast<uint32_t>(value))};
}

namespace {

bool fail(std::string_view* error, std::string_view why) {
  if (error != nullptr) {
    *error = why;
  }
  return false;
}

bool normalizeIpv6(std::string_view raw, NormalizedHost& out, std::array<char, 254>& buf,
                   uint16_t& len, std::array<char, 64>& zone, uint8_t& zone_len, IpAddress& address,
                   std::string_view* error) {
  std::string_view addr = raw;
  std::string_view zone_text;
  size_t pct = raw.find('%');
  if (pct != std::string_view::npos) {
    addr = raw.substr(0, pct);
    zone_text = raw.substr(pct + 1);
    if (zone_text.substr(0, 2) == "25") {
      zone_text.remove_prefix(2);  // URL form: %25 is the escaped '%'
    }
    if (zone_text.empty() || zone_text.size() >= zone.size()) {
      return fail(error, "invalid IPv6 zone id");
    }
    for (char c : zone_text) {
      bool ok = isDigit(c) || (lowerAscii(c) >= 'a' && lowerAscii(c) <= 'z') || c == '.' ||
                c == '-' || c == '_';
      if (!ok) {
        return fail(error, "invalid IPv6 zone id");
      }
    }
  }
  std::optional<IpAddress> a = parseIpv6Strict(addr);
  if (!a) {
    return fail(error, "invalid IPv6 literal");
  }
  address = *a;
  bool mapped = true;
  for (size_t i = 0; i < 10; ++i) {
    mapped = mapped && a->bytes[i] == 0;
  }
  mapped = mapped && a->bytes[10] == 0xff && a->bytes[11] == 0xff;
  if (mapped) {
    // One address, one spelling: ::ffff:127.0.0.1 is 127.0.0.1 to every rule.
    address = *embeddedIpv4(*a);
  }
  std::string text = address.toString();
  setText(text, buf, len);
  if (!zone_text.empty()) {  // memcpy from a null data() is UB even for 0 bytes
    std::memcpy(zone.data(), zone_text.data(), zone_text.size());
  }
  zone_len = static_cast<uint8_t>(zone_text.size());
  return true;
}

// One pass over an ASCII name: lower-cased into out.buf_, labels checked, and whether the
// last label looks numeric (then it must be an IPv4 literal, as in the WHATWG host parser).
struct AsciiPass {
  bool ascii = true;
  bool numeric_last = false;
  std::string_view problem;  // first problem found; empty when the name is valid
};

// Byte -> lower-case host character, '.' for the label separator, 0 for anything else.
constexpr std::array<char, 256> kHostChar = [] {
  std::array<char, 256> t{};
  for (size_t c = 'a'; c <= 'z'; ++c) {
    t[c] = static_cast<char>(c);
    t[c - 'a' + 'A'] = static_cast<char>(c);
  }
  for (size_t c = '0'; c <= '9'; ++c) {
    t[c] = static_cast<char>(c);
  }
  t['-'] = '-';
  t['_'] = '_';
  t['.'] = '.';
  return t;
}();

AsciiPass lowerAndCheck(std::string_view name, char* buf, uint16_t& len) {
  AsciiPass r;
  if (name.size() > NormalizedHost::kMaxLen) {
    for (char c : name) {
      r.ascii = r.ascii && static_cast<unsigned char>(c) < 0x80;
    }
    r.problem = "host name longer than 253 bytes";
    return r;
  }
  size_t label = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    auto byte = static_cast<unsigned char>(name[i]);
    char c = kHostChar[byte];
    buf[i] = c;
    if (c == '.') {
      if (label == 0 && r.problem.empty()) {
        r.problem = "empty label in host name";
      }
      label = 0;
      continue;
    }
    if (c == 0) {
      if (byte >= 0x80) {
        r.ascii = false;
        return r;
      }
      buf[i] = lowerAscii(name[i]);
      if (r.problem.empty()) {
        r.problem = "invalid character in host name";
      }
    }
    if (++label > 63 && r.problem.empty()) {
      r.problem = "label longer than 63 bytes in host name";
    }
  }
  if (label == 0 && r.problem.empty()) {
    r.problem = "empty label in host name";
  }
  len = static_cast<uint16_t>(name.size());
  r.numeric_last = endsInNumber(std::string_view(buf, name.size()));
  return r;
}

struct IdnFree {
  void operator()(char* p) const { idn2_free(p); }
};

// Converts a non-ASCII name with libidn2, then runs the ASCII pass on the result.
bool idnPass(std::string_view raw, char* buf, uint16_t& len, AsciiPass& pass) {
  std::string input(raw);
  char* converted = nullptr;
  int rc = idn2_to_ascii_8z(input.c_str(), &converted, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, IdnFree> idn(converted);
  if (rc != IDN2_OK || converted == nullptr) {
    return false;
  }
  std::string_view ascii_name = converted;
  if (!ascii_name.empty() && ascii_name.back() == '.') {
    ascii_name.remove_suffix(1);
  }
  pass = lowerAndCheck(ascii_name, buf, len);
  return pass.ascii && !ascii_name.empty();
}

}  // namespace

bool normalizeHostInto(std::string_view raw, NormalizedHost& out, std::string_view* error) {
  out.zone_len_ = 0;
  out.kind_ = NormalizedHost::Kind::kName;
  bool bracketed = raw.size() >= 2 && raw.front() == '[';
  if (bracketed || raw.find(':') != std::string_view::npos) {
    if (bracketed && raw.back() != ']') {
      return fail(error, "unterminated '[' in IPv6 host");
    }
    std::string_view inner = bracketed ? raw.substr(1, raw.size() - 2) : raw;
    if (!normalizeIpv6(inner, out, out.buf_, out.len_, out.zone_, out.zone_len_, out.address_,
                       error)) {
      return false;
    }
    out.kind_ = out.address_.isV4() ? NormalizedHost::Kind::kIpv4 : NormalizedHost::Kind::kIpv6;
    return true;
  }
  if (!raw.empty() && raw.back() == '.') {
    raw.remove_suffix(1);  // one trailing dot: the root label
  }
  if (raw.empty()) {
    return fail(error, "empty host");
  }
  AsciiPass pass = lowerAndCheck(raw, out.buf_.data(), out.len_);
  if (!pass.ascii && !idnPass(raw, out.buf_.data(), out.len_, pass)) {
    return fail(error, "invalid internationalized host name");
  }
  if (pass.numeric_last) {
    Result<std::optional<IpAddress>> v4 = parseIpv4Literal(out.text());
    if (!v4.has_value() || !v4->has_value()) {
      return fail(error, "invalid IPv4 literal");
    }
    out.kind_ = NormalizedHost::Kind::kIpv4;
    out.address_ = **v4;
    std::string text = out.address_.toString();
    setText(text, out.buf_, out.len_);
    return true;
  }
  if (!pass.problem.empty()) {
    return fail(error, pass.problem);
  }
  return true;
}

Result<NormalizedHost> normalizeHost(std::string_view raw) {
  NormalizedHost out;
  std::string_view why;
  if (!normalizeHostInto(raw, out, &why)) {
    return makeError(Errc::kInvalidInput, "invalid host '{}': {}", raw, why);
  }
  return out;
}

}  // namespace agentbox::policy
