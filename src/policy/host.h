// SPDX-License-Identifier: Apache-2.0
// File: host.h
// Host-name and IP-literal normalization: the one canonical spelling of a host that every
// network decision (and the proxy's connect) uses, so that `127.1`, `0x7f000001`,
// `[::ffff:127.0.0.1]` and `LOCALHOST.` cannot slip past a rule written another way.
// Pure functions; thread-safe; no DNS.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace agentbox::policy {

struct IpAddress {
  enum class Family : uint8_t { kV4, kV6 };
  Family family = Family::kV4;
  std::array<uint8_t, 16> bytes{};  // v4 uses bytes[0..3]

  bool isV4() const { return family == Family::kV4; }
  bool operator==(const IpAddress&) const = default;
  // Canonical text: dotted quad, or RFC 5952 IPv6 without brackets.
  std::string toString() const;
  static IpAddress v4(uint32_t host_order);
};

// Strict parsers for configuration values: dotted quad only / inet_pton IPv6 (no zone).
std::optional<IpAddress> parseIpv4Strict(std::string_view text);
std::optional<IpAddress> parseIpv6Strict(std::string_view text);
// Either of the above.
std::optional<IpAddress> parseIpStrict(std::string_view text);

// The IPv4 address embedded in an IPv6 one: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
// (::a.b.c.d, not :: or ::1), NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48).
std::optional<IpAddress> embeddedIpv4(const IpAddress& a);

// Result of normalizing a host as it appears in a URL, CONNECT authority or Host header.
// Holds its text inline so the hot path never allocates.
class NormalizedHost {
 public:
  enum class Kind : uint8_t { kName, kIpv4, kIpv6 };
  static constexpr size_t kMaxLen = 253;  // longest host name (RFC 1035)

  Kind kind() const { return kind_; }
  bool isIp() const { return kind_ != Kind::kName; }
  // Lower-case ASCII (punycode) name, or the canonical IP text (IPv4-mapped IPv6 becomes IPv4).
  std::string_view text() const { return {buf_.data(), len_}; }
  // Only for isIp().
  const IpAddress& address() const { return address_; }
  // IPv6 zone id ("eth0" of fe80::1%eth0), empty if none. Not part of text().
  std::string_view zone() const { return {zone_.data(), zone_len_}; }

 private:
  friend Result<NormalizedHost> normalizeHost(std::string_view raw);
  friend bool normalizeHostInto(std::string_view raw, NormalizedHost& out, std::string_view* error);
  // Not zero-initialized: a NormalizedHost is made per decision; only [0, len_) is read.
  std::array<char, kMaxLen + 1> buf_;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::array<char, 64> zone_;          // NOLINT(cppcoreguidelines-pro-type-member-init)
  uint16_t len_ = 0;
  uint8_t zone_len_ = 0;
  Kind kind_ = Kind::kName;
  IpAddress address_;
};

// Normalizes `raw`: lower case, one trailing dot removed, IDN (non-ASCII) names converted to
// punycode with libidn2 (UTS #46 non-transitional), IP literals in every notation the
// WHATWG URL standard and inet_aton accept (dotted, integer, octal, hex, 127.1 short forms),
// bracketed or bare IPv6 with an optional zone id (%eth0 or %25eth0), IPv4-mapped IPv6
// folded to IPv4. Anything that is neither a valid host name nor an IP literal is an error
// (kInvalidInput) naming the reason: empty labels, labels over 63 bytes, names over 253,
// characters outside [a-z0-9-_], numeric last labels that are not a valid IPv4 literal.
Result<NormalizedHost> normalizeHost(std::string_view raw);
// Allocation-free form for hot paths: false on error, with a static reason in *error.
bool normalizeHostInto(std::string_view raw, NormalizedHost& out, std::string_view* error);

// The WHATWG IPv4 parser on its own: nullopt when `text` is not an IPv4 literal at all,
// an error when it looks numeric but is invalid (e.g. 256.1.1.1.1, 0x1g).
Result<std::optional<IpAddress>> parseIpv4Literal(std::string_view host);

}  // namespace agentbox::policy
