// SPDX-License-Identifier: Apache-2.0
// File: robots_pattern.cc
#include "policy/robots_pattern.h"

#include <array>
#include <cstdint>

#include "util/hex.h"

namespace agentbox::policy {

namespace {

// What normalization does with an octet, per side (robots_pattern.h): kPlain is kept as it is;
// kEncode becomes %XX; kPercent starts an escape; kDollar is kept only as a pattern's final
// octet. In a URL '*' and '$' are kEncode; in a pattern '*' is kPlain (the wildcard).
enum class Octet : uint8_t { kPlain, kEncode, kPercent, kDollar };
using OctetTable = std::array<Octet, 256>;

constexpr OctetTable makeOctetTable(RobotsSide side) {
  OctetTable t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = (c <= 0x20 || c >= 0x7F) ? Octet::kEncode : Octet::kPlain;
  }
  t['%'] = Octet::kPercent;
  t['*'] = side == RobotsSide::kPattern ? Octet::kPlain : Octet::kEncode;
  t['$'] = side == RobotsSide::kPattern ? Octet::kDollar : Octet::kEncode;
  return t;
}

constexpr OctetTable kPatternOctets = makeOctetTable(RobotsSide::kPattern);
constexpr OctetTable kUrlOctets = makeOctetTable(RobotsSide::kUrl);
constexpr char kHex[] = "0123456789ABCDEF";

const OctetTable& octets(RobotsSide side) {
  return side == RobotsSide::kPattern ? kPatternOctets : kUrlOctets;
}

bool isUnreserved(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Decoded value of the escape at in[i] ('%'), or -1 if it is not a complete %XX.
int escapeAt(std::string_view in, size_t i) {
  if (i + 2 >= in.size()) {
    return -1;
  }
  const int hi = hexDigitValue(in[i + 1]);
  const int lo = hexDigitValue(in[i + 2]);
  return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
}

bool isUpperHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

// True if in[i] is kept as it is: plain, or a pattern's final '$'.
bool keptAsIs(Octet o, size_t i, size_t n) {
  return o == Octet::kPlain || (o == Octet::kDollar && i + 1 == n);
}

char* putEscape(char* out, unsigned char c) {
  out[0] = '%';
  out[1] = kHex[c >> 4];
  out[2] = kHex[c & 0xF];
  return out + 3;
}

}  // namespace

std::string_view robotsPathAndQuery(std::string_view url) {
  size_t authority = 0;
  if (url.size() >= 2 && url[0] == '/' && url[1] == '/') {
    authority = 2;
  } else if (!url.empty() && url[0] == '/') {
    const size_t hash = url.find('#');
    return url.substr(0, hash);
  } else {
    const size_t early = url.find_first_of("/?#");
    const size_t scheme = url.find("://");
    if (scheme != std::string_view::npos && scheme < early) {
      authority = scheme + 3;
    }
  }
  const size_t start = url.find_first_of("/?#", authority);
  if (start == std::string_view::npos || url[start] == '#') {
    return {};
  }
  const size_t hash = url.find('#', start);
  return url.substr(start, hash == std::string_view::npos ? hash : hash - start);
}

size_t normalizedRobotsSize(std::string_view in, RobotsSide side, bool add_leading_slash) {
  const OctetTable& t = octets(side);
  const size_t n = in.size();
  size_t out = n + (add_leading_slash ? 1 : 0);
  for (size_t i = 0; i < n; ++i) {
    const Octet o = t[static_cast<unsigned char>(in[i])];
    if (keptAsIs(o, i, n)) {
      continue;
    }
    if (o == Octet::kPercent) {
      const int v = escapeAt(in, i);
      if (v >= 0) {
        out -= isUnreserved(v) ? 2 : 0;
        i += 2;
        continue;
      }
    }
    out += 2;
  }
  return out;
}

size_t normalizeRobotsTo(std::string_view in, RobotsSide side, bool add_leading_slash, char* out) {
  const OctetTable& t = octets(side);
  const size_t n = in.size();
  char* p = out;
  if (add_leading_slash) {
    *p++ = '/';
  }
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    const Octet o = t[c];
    if (keptAsIs(o, i, n)) {
      *p++ = static_cast<char>(c);
      continue;
    }
    if (o == Octet::kPercent) {
      const int v = escapeAt(in, i);
      if (v >= 0) {
        if (isUnreserved(v)) {
          *p++ = static_cast<char>(v);
        } else {
          p = putEscape(p, static_cast<unsigned char>(v));
        }
        i += 2;
        continue;
      }
    }
    p = putEscape(p, c);
  }
  return static_cast<size_t>(p - out);
}

bool robotsNeedsNormalizing(std::string_view in, RobotsSide side) {
  const OctetTable& t = octets(side);
  const size_t n = in.size();
  for (size_t i = 0; i < n; ++i) {
    const Octet o = t[static_cast<unsigned char>(in[i])];
    if (keptAsIs(o, i, n)) {
      continue;
    }
    if (o != Octet::kPercent) {
      return true;
    }
    const int v = escapeAt(in, i);
    if (v < 0 || isUnreserved(v) || !isUpperHex(in[i + 1]) || !isUpperHex(in[i + 2])) {
      return true;
    }
    i += 2;
  }
  return false;
}

std::string normalizeRobots(std::string_view in, RobotsSide side) {
  std::string out(normalizedRobotsSize(in, side, false), '\0');
  out.resize(normalizeRobotsTo(in, side, false, out.data()));
  return out;
}

bool robotsMatchAfterPrefix(std::string_view rest, std::string_view path, size_t pos,
                            bool anchored) {
  const size_t last_star = rest.rfind('*');
  const std::string_view last = rest.substr(last_star + 1);
  std::string_view middle = rest.substr(0, last_star);
  while (!middle.empty()) {
    const size_t star = middle.find('*');
    const std::string_view seg = middle.substr(0, star);
    middle = star == std::string_view::npos ? std::string_view() : middle.substr(star + 1);
    if (seg.empty()) {
      continue;
    }
    const size_t at = path.find(seg, pos);
    if (at == std::string_view::npos) {
      return false;
    }
    pos = at + seg.size();
  }
  if (anchored) {
    return path.size() - pos >= last.size() &&
           path.compare(path.size() - last.size(), last.size(), last) == 0;
  }
  return last.empty() || path.find(last, pos) != std::string_view::npos;
}

bool robotsPatternMatches(std::string_view pattern, std::string_view path) {
  const bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) {
    pattern.remove_suffix(1);
  }
  const size_t star = pattern.find('*');
  const std::string_view prefix = pattern.substr(0, star);
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) {
    return false;
  }
  if (star == std::string_view::npos) {
    return !anchored || path.size() == prefix.size();
  }
  return robotsMatchAfterPrefix(pattern.substr(star), path, prefix.size(), anchored);
}

std::string_view robotsProductToken(std::string_view user_agent) {
  size_t n = 0;
  while (n < user_agent.size()) {
    const char c = user_agent[n];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-')) {
      break;
    }
    ++n;
  }
  return user_agent.substr(0, n);
}

}  // namespace agentbox::policy
