// SPDX-License-Identifier: Apache-2.0
// File: cidr.cc
#include "policy/cidr.h"

#include <charconv>

namespace agentbox::policy {

namespace {

bool prefixEqual(const IpAddress& a, const IpAddress& b, unsigned bits) {
  for (unsigned i = 0; i < bits / 8; ++i) {
    if (a.bytes[i] != b.bytes[i]) {
      return false;
    }
  }
  unsigned rest = bits % 8;
  if (rest == 0) {
    return true;
  }
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[bits / 8] & mask) == (b.bytes[bits / 8] & mask);
}

IpAddress masked(const IpAddress& a, unsigned bits) {
  IpAddress out = a;
  unsigned total = a.isV4() ? 32 : 128;
  for (unsigned bit = bits; bit < total; ++bit) {
    out.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  return out;
}

}  // namespace

bool CidrRange::contains(const IpAddress& a) const {
  return a.family == base.family && prefixEqual(a, base, prefix_len);
}

bool CidrRange::covers(const CidrRange& other) const {
  return other.base.family == base.family && other.prefix_len >= prefix_len &&
         prefixEqual(other.base, base, prefix_len);
}

Result<CidrRange> parseCidr(std::string_view text) {
  std::string_view addr = text;
  std::string_view len_text;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    len_text = text.substr(slash + 1);
  }
  std::optional<IpAddress> a = parseIpStrict(addr);
  if (!a) {
    return makeError(Errc::kInvalidInput,
                     "invalid address range '{}': expected an IPv4 or IPv6 address with an "
                     "optional /prefix (e.g. 10.0.0.0/8, fe80::/10)",
                     text);
  }
  unsigned max_len = a->isV4() ? 32 : 128;
  unsigned len = max_len;
  if (slash != std::string_view::npos) {
    auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (len_text.empty() || ec != std::errc() || ptr != len_text.data() + len_text.size() ||
        len > max_len || (len_text.size() > 1 && len_text[0] == '0')) {
      return makeError(Errc::kInvalidInput, "invalid prefix length in '{}': expected 0..{}", text,
                       max_len);
    }
  }
  IpAddress base = masked(*a, len);
  if (!(base == *a)) {
    return makeError(Errc::kInvalidInput,
                     "address range '{}' has host bits set; did you mean {}/{}", text,
                     base.toString(), len);
  }
  return CidrRange{base, static_cast<uint8_t>(len), std::string(text)};
}

Result<CidrSet> CidrSet::build(const std::vector<std::string>& ranges) {
  CidrSet set;
  for (const std::string& r : ranges) {
    AGENTBOX_ASSIGN_OR_RETURN(CidrRange range, parseCidr(r));
    set.ranges_.push_back(std::move(range));
  }
  return set;
}

const CidrRange* CidrSet::matchExact(const IpAddress& a) const {
  for (const CidrRange& r : ranges_) {
    if (r.contains(a)) {
      return &r;
    }
  }
  return nullptr;
}

const CidrRange* CidrSet::match(const IpAddress& a) const {
  if (const CidrRange* r = matchExact(a)) {
    return r;
  }
  if (std::optional<IpAddress> v4 = embeddedIpv4(a)) {
    return matchExact(*v4);
  }
  return nullptr;
}

}  // namespace agentbox::policy
