// SPDX-License-Identifier: Apache-2.0
// File: email_address.cc
// The e-mail validator: a top-level domain that exists, minus documentation domains and
// placeholders. Real addresses (maintainers in copyright files, authors in commits) are
// personal data and stay findings: see docs/redaction.md (E-mail addresses on real text).
#include "redact/email_address.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace agentbox::redact {

namespace {

// The generated list, for constant evaluation only: an array of string_views kept in the
// binary would be ~1,330 pointers that the loader relocates at every start (about six pages
// of .data.rel.ro written, and faulted in, by every agentbox process).
constexpr auto tldList() {
  return std::to_array<std::string_view>({
#include "redact/email_tlds.inc"
  });
}

static_assert(
    [] {
      constexpr auto kList = tldList();
      return std::is_sorted(kList.begin(), kList.end());
    }(),
    "binary search needs order");
constexpr size_t kTldCount = tldList().size();
constexpr size_t kTldChars = [] {
  size_t n = 0;
  for (std::string_view t : tldList()) {
    n += t.size();
  }
  return n;
}();

// The same sorted list packed without pointers (read-only data): tld i is
// chars[offsets[i], offsets[i + 1]).
struct PackedTlds {
  std::array<char, kTldChars> chars{};
  std::array<uint16_t, kTldCount + 1> offsets{};

  constexpr std::string_view at(size_t i) const {
    return {chars.data() + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }
};

static_assert(kTldChars <= UINT16_MAX, "the offsets are 16 bits");

constexpr PackedTlds kTlds = [] {
  PackedTlds p;
  size_t pos = 0;
  size_t i = 0;
  for (std::string_view t : tldList()) {
    p.offsets[i++] = static_cast<uint16_t>(pos);
    for (char c : t) {
      p.chars[pos++] = c;
    }
  }
  p.offsets[i] = static_cast<uint16_t>(pos);
  return p;
}();

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// `domain` is `suffix` or ends in "." + suffix.
bool isOrUnder(std::string_view domain, std::string_view suffix) {
  return domain == suffix || (domain.size() > suffix.size() && domain.ends_with(suffix) &&
                              domain[domain.size() - suffix.size() - 1] == '.');
}

bool isDelegatedTld(std::string_view tld) {
  size_t lo = 0;
  size_t hi = kTldCount;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    std::string_view m = kTlds.at(mid);
    if (m == tld) {
      return true;
    }
    if (m < tld) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

bool isPlaceholderLocalPart(std::string_view local) {
  static constexpr std::array<std::string_view, 12> kLocals = {
      "email", "e-mail",  "user",      "username",  "you",        "yourname",
      "name",  "someone", "your.name", "your_name", "first.last", "firstname.lastname"};
  return std::find(kLocals.begin(), kLocals.end(), local) != kLocals.end();
}

// An address whose letters spell a stand-in word once the dots and '@' go: "a@dd.re.ss"
// (git's release notes), "e@mail.com". Checked with and without the top-level domain.
bool spellsPlaceholder(std::string_view local, std::string_view domain) {
  static constexpr std::array<std::string_view, 10> kWords = {
      "address",   "emailaddress", "mailaddress", "youraddress", "email",
      "youremail", "myemail",      "yourname",    "someone",     "username"};
  std::string all(local);
  for (char c : domain) {
    if (c != '.') {
      all += c;
    }
  }
  const std::string without_tld =
      all.substr(0, all.size() - (domain.size() - domain.rfind('.') - 1));
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return all == w || without_tld == w; });
}

// The attacker's host of security tests and advisories ("trusted.com@evil.com" in a URL
// parser's tests): never a person's address.
bool isSecurityTestDomain(std::string_view domain) {
  static constexpr std::array<std::string_view, 6> kDomains = {
      "evil.com", "evil.org", "evil.net", "attacker.com", "attacker.org", "malicious.com"};
  return std::any_of(kDomains.begin(), kDomains.end(),
                     [&](std::string_view d) { return isOrUnder(domain, d); });
}

}  // namespace

bool isDocumentationDomain(std::string_view host) {
  const std::string domain = lowered(host);
  // RFC 2606 / 6761 second-level names, and the stand-ins of manuals and READMEs.
  static constexpr std::array<std::string_view, 19> kDomains = {
      "example.com", "example.org",    "example.net",   "domain.com",      "domain.org",
      "domain.net",  "yourdomain.com", "mydomain.com",  "yourcompany.com", "mycompany.com",
      "company.com", "server.com",     "host.com",      "foo.com",         "bar.com",
      "foobar.com",  "somewhere.com",  "someplace.com", "your-domain.com"};
  static constexpr std::array<std::string_view, 5> kReservedTlds = {"test", "invalid", "example",
                                                                    "localhost", "local"};
  const std::string_view tld = std::string_view(domain).substr(domain.rfind('.') + 1);
  return std::find(kReservedTlds.begin(), kReservedTlds.end(), tld) != kReservedTlds.end() ||
         std::any_of(kDomains.begin(), kDomains.end(),
                     [&](std::string_view d) { return isOrUnder(domain, d); });
}

bool isRedactableEmail(std::string_view email) {
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= email.size()) {
    return false;
  }
  const std::string local = lowered(email.substr(0, at));
  const std::string domain = lowered(email.substr(at + 1));
  if (local == "git") {
    return false;  // git@github.com: an SSH remote, not a person
  }
  const size_t dot = domain.rfind('.');
  if (dot == std::string::npos || !isDelegatedTld(std::string_view(domain).substr(dot + 1))) {
    return false;  // .test, .invalid, .local, .xx, getty@tty1.service, foo@.timer, company.tld
  }
  return !isDocumentationDomain(domain) && !isPlaceholderLocalPart(local) &&
         !spellsPlaceholder(local, domain) && !isSecurityTestDomain(domain);
}

}  // namespace agentbox::redact
