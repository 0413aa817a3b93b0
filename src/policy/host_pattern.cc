// SPDX-License-Identifier: Apache-2.0
// File: host_pattern.cc
#include "policy/host_pattern.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace agentbox::policy {

namespace {

constexpr uint64_t kSeed = 0xcbf29ce484222325ULL;
constexpr uint64_t kPrime = 0x100000001b3ULL;

// FNV-1a over the bytes from the right, so one pass over a host yields the hash of every
// dot-suffix: "a.b.com" gives "com", "b.com" and "a.b.com" on the way.
inline uint64_t step(uint64_t h, char c) {
  return (h ^ static_cast<unsigned char>(c)) * kPrime;
}

inline uint64_t mix(uint64_t h, HostPattern::Kind kind) {
  h ^= static_cast<uint64_t>(kind) + 0x9e3779b97f4a7c15ULL;
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 29;
  return h;
}

Result<uint16_t> parsePort(std::string_view text, std::string_view pattern) {
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || port == 0 ||
      port > 65535) {
    return makeError(Errc::kInvalidInput, "invalid port in host pattern '{}': expected 1..65535",
                     pattern);
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

uint64_t hostSuffixHash(std::string_view suffix) {
  uint64_t h = kSeed;
  for (size_t i = suffix.size(); i > 0; --i) {
    h = step(h, suffix[i - 1]);
  }
  return h;
}

std::string HostPattern::canonical() const {
  std::string out;
  if (kind == Kind::kAny) {
    out = "*";
  } else if (kind == Kind::kWildcard) {
    out = "*." + host;
  } else if (is_ip && host.find(':') != std::string::npos) {
    out = "[" + host + "]";
  } else {
    out = host;
  }
  if (port) {
    out += fmt::format(":{}", *port);
  }
  return out;
}

bool HostPattern::coveredBy(const HostPattern& outer) const {
  if (outer.port && outer.port != port) {
    return false;
  }
  switch (outer.kind) {
    case Kind::kAny:
      return true;
    case Kind::kExact:
      return kind == Kind::kExact && host == outer.host;
    case Kind::kWildcard: {
      if (kind == Kind::kAny || is_ip) {
        return false;
      }
      std::string dotted = "." + outer.host;
      bool below = host.size() > dotted.size() &&
                   host.compare(host.size() - dotted.size(), dotted.size(), dotted) == 0;
      return below || (kind == Kind::kWildcard && host == outer.host);
    }
  }
  return false;
}

bool HostPattern::matches(const NormalizedHost& h, uint16_t p) const {
  if (port && *port != p) {
    return false;
  }
  std::string_view text = h.text();
  switch (kind) {
    case Kind::kAny:
      return true;
    case Kind::kExact:
      return text == host;
    case Kind::kWildcard:
      return !h.isIp() && text.size() > host.size() + 1 &&
             text.substr(text.size() - host.size()) == host &&
             text[text.size() - host.size() - 1] == '.';
  }
  return false;
}

uint32_t HostPattern::specificity() const {
  uint32_t host_rank = 0;
  if (kind == Kind::kExact) {
    host_rank = 1000;
  } else if (kind == Kind::kWildcard) {
    host_rank = 1 + static_cast<uint32_t>(std::count(host.begin(), host.end(), '.'));
  }
  return host_rank * 2 + (port ? 1 : 0);
}

Result<HostPattern> parseHostPattern(std::string_view text) {
  HostPattern p;
  std::string_view host = text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return makeError(Errc::kInvalidInput, "invalid host pattern '{}': missing ']'", text);
    }
    host = text.substr(0, close + 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return makeError(Errc::kInvalidInput, "invalid host pattern '{}'", text);
      }
      AGENTBOX_ASSIGN_OR_RETURN(uint16_t port, parsePort(rest.substr(1), text));
      p.port = port;
    }
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon) {
      return makeError(Errc::kInvalidInput,
                       "invalid host pattern '{}': write IPv6 addresses in brackets, "
                       "e.g. [2001:db8::1]:443",
                       text);
    }
    host = text.substr(0, colon);
    AGENTBOX_ASSIGN_OR_RETURN(uint16_t port, parsePort(text.substr(colon + 1), text));
    p.port = port;
  }
  if (host == "*") {
    p.kind = HostPattern::Kind::kAny;
    return p;
  }
  if (host.substr(0, 2) == "*.") {
    p.kind = HostPattern::Kind::kWildcard;
    host.remove_prefix(2);
  }
  if (host.find('*') != std::string_view::npos) {
    return makeError(Errc::kInvalidInput,
                     "invalid host pattern '{}': '*' is only allowed as the whole first label "
                     "('*.example.com') or alone ('*')",
                     text);
  }
  Result<NormalizedHost> n = normalizeHost(host);
  if (!n.has_value()) {
    return makeError(Errc::kInvalidInput, "invalid host pattern '{}': {}", text,
                     n.error().message());
  }
  if (n->isIp() && p.kind == HostPattern::Kind::kWildcard) {
    return makeError(Errc::kInvalidInput,
                     "invalid host pattern '{}': wildcards apply to names, not IP addresses "
                     "(use network.cidr_deny for address ranges)",
                     text);
  }
  p.is_ip = n->isIp();
  p.host = std::string(n->text());
  return p;
}

PatternIndex::Entry& PatternIndex::entryFor(const HostPattern& pattern) {
  std::string key = pattern.kind == HostPattern::Kind::kAny ? std::string() : pattern.host;
  std::string lookup_key = std::to_string(static_cast<int>(pattern.kind)) + key;
  auto [it, inserted] = by_key_.emplace(lookup_key, entries_.size());
  if (!inserted) {
    return entries_[it->second];
  }
  Entry e;
  e.kind = pattern.kind;
  e.key = std::move(key);
  e.hash = mix(hostSuffixHash(e.key), e.kind);
  entries_.push_back(std::move(e));
  return entries_.back();
}

void PatternIndex::add(const HostPattern& pattern, int channel, int32_t id) {
  Entry& e = entryFor(pattern);
  int32_t port = pattern.port ? *pattern.port : -1;
  auto it =
      std::find_if(e.slots.begin(), e.slots.end(), [&](const Slot& s) { return s.port == port; });
  if (it == e.slots.end()) {
    e.slots.push_back(Slot{port, {kNone, kNone}});
    it = e.slots.end() - 1;
  }
  it->id[channel] = id;
}

void PatternIndex::freeze() {
  size_t cap = 16;
  while (cap < entries_.size() * 4) {  // load factor <= 1/4: misses end at the first probe
    cap *= 2;
  }
  table_.assign(cap, TableSlot{});
  mask_ = cap - 1;
  any_entry_ = -1;
  by_key_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    // Port-specific slots before the any-port slot: a port is the tie-breaker.
    std::stable_sort(e.slots.begin(), e.slots.end(),
                     [](const Slot& a, const Slot& b) { return a.port > b.port; });
    if (e.kind == HostPattern::Kind::kAny) {
      any_entry_ = static_cast<int32_t>(i);
      continue;
    }
    uint64_t at = e.hash & mask_;
    while (table_[at].entry != 0) {
      at = (at + 1) & mask_;
    }
    table_[at] = TableSlot{static_cast<uint32_t>(i + 1), static_cast<uint32_t>(e.hash >> 32)};
  }
}

const PatternIndex::Entry* PatternIndex::lookup(uint64_t hash, HostPattern::Kind kind,
                                                std::string_view key) const {
  uint64_t h = mix(hash, kind);
  auto hi = static_cast<uint32_t>(h >> 32);
  for (uint64_t at = h & mask_;; at = (at + 1) & mask_) {
    const TableSlot& slot = table_[at];
    if (slot.entry == 0) {
      return nullptr;
    }
    if (slot.hash_hi != hi) {
      continue;
    }
    const Entry& e = entries_[slot.entry - 1];
    if (e.hash == h && e.kind == kind && e.key == key) {
      return &e;
    }
  }
}

const PatternIndex::Slot* PatternIndex::slotFor(const Entry& e, uint16_t port) const {
  for (const Slot& s : e.slots) {
    if (s.port == -1 || s.port == port) {
      return &s;
    }
  }
  return nullptr;
}

namespace {

// Hashes of the proper dot-suffixes of `text` (the candidates for "*." patterns), shortest
// first, and of the whole text, in one right-to-left pass.
struct SuffixHashes {
  uint64_t hash[128];
  size_t at[128];
  size_t count = 0;
  uint64_t whole = 0;
};

void hashSuffixes(std::string_view text, SuffixHashes& out) {
  uint64_t h = kSeed;
  out.count = 0;
  for (size_t i = text.size(); i > 0; --i) {
    h = step(h, text[i - 1]);
    if (i > 1 && text[i - 2] == '.' && out.count < 128) {
      out.hash[out.count] = h;
      out.at[out.count] = i - 1;
      ++out.count;
    }
  }
  out.whole = h;
}

}  // namespace

const PatternIndex::Slot* PatternIndex::findIndexed(const NormalizedHost& host,
                                                    uint16_t port) const {
  std::string_view text = host.text();
  SuffixHashes sh;  // NOLINT(cppcoreguidelines-pro-type-member-init): filled before use
  hashSuffixes(text, sh);
  if (const Entry* e = lookup(sh.whole, HostPattern::Kind::kExact, text)) {
    if (const Slot* s = slotFor(*e, port)) {
      return s;
    }
  }
  if (host.isIp()) {
    return nullptr;  // wildcards apply to names only
  }
  for (size_t k = sh.count; k > 0; --k) {  // longest suffix first
    const Entry* e =
        lookup(sh.hash[k - 1], HostPattern::Kind::kWildcard, text.substr(sh.at[k - 1]));
    if (e == nullptr) {
      continue;
    }
    if (const Slot* s = slotFor(*e, port)) {
      return s;
    }
  }
  return nullptr;
}

const PatternIndex::Slot* PatternIndex::find(const NormalizedHost& host, uint16_t port) const {
  if (!table_.empty()) {
    if (const Slot* s = findIndexed(host, port)) {
      return s;
    }
  }
  if (any_entry_ >= 0) {
    return slotFor(entries_[static_cast<size_t>(any_entry_)], port);
  }
  return nullptr;
}

}  // namespace agentbox::policy
