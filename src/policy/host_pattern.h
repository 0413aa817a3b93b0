// SPDX-License-Identifier: Apache-2.0
// File: host_pattern.h
// Host patterns of network.allow / deny / http / rate ("example.com", "*.googleapis.com",
// "*", each with an optional ":port"; IPv6 as "[::1]:443") and PatternIndex, the hash index
// that finds the most specific pattern for a host in a few probes, independent of how many
// patterns there are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy/host.h"
#include "util/result.h"

namespace agentbox::policy {

struct HostPattern {
  enum class Kind : uint8_t { kAny, kWildcard, kExact };
  Kind kind = Kind::kExact;
  std::string host;              // normalized; for kWildcard the suffix after "*."
  std::optional<uint16_t> port;  // absent: every port
  bool is_ip = false;            // kExact on an IP literal

  bool operator==(const HostPattern&) const = default;
  // Canonical spelling: "*.example.com:443", "[::1]", "*".
  std::string canonical() const;
  // True if every (host, port) this pattern matches is matched by `outer` too.
  bool coveredBy(const HostPattern& outer) const;
  bool matches(const NormalizedHost& host, uint16_t port) const;
  // Higher is more specific: exact > longer wildcard suffix > shorter > "*"; a port is a
  // tie-breaker within the same host pattern.
  uint32_t specificity() const;
};

// `*` matches any host; `*.example.com` matches subdomains of example.com, not the apex.
// Hosts are normalized like normalizeHost() (IDN to punycode, IP literals canonical).
Result<HostPattern> parseHostPattern(std::string_view text);

// Most-specific-match index. Each pattern carries two ids ("channels"), e.g. allow and deny
// of the same pattern. Build with add() then freeze(); find() is thread-safe afterwards.
class PatternIndex {
 public:
  static constexpr int32_t kNone = -1;
  struct Slot {
    int32_t port = -1;  // -1: any port
    int32_t id[2] = {kNone, kNone};
  };

  // Sets channel `channel` of `pattern` to `id` (replacing an earlier id there).
  void add(const HostPattern& pattern, int channel, int32_t id);
  void freeze();
  // The most specific slot matching (host, port), or nullptr.
  const Slot* find(const NormalizedHost& host, uint16_t port) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t hash = 0;
    HostPattern::Kind kind = HostPattern::Kind::kExact;
    std::string key;
    std::vector<Slot> slots;  // port-specific slots first, then the any-port slot
  };
  const Slot* slotFor(const Entry& e, uint16_t port) const;
  const Slot* findIndexed(const NormalizedHost& host, uint16_t port) const;
  const Entry* lookup(uint64_t hash, HostPattern::Kind kind, std::string_view key) const;
  Entry& entryFor(const HostPattern& pattern);

  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> by_key_;  // kind + key -> entry, while building
  // Open addressing. A slot holds the entry index + 1 (0 = empty) and the top 32 bits of the
  // entry's hash, so a probe that does not match never touches the entry itself.
  struct TableSlot {
    uint32_t entry = 0;
    uint32_t hash_hi = 0;
  };
  std::vector<TableSlot> table_;
  uint64_t mask_ = 0;
  int32_t any_entry_ = -1;  // the "*" entry
};

// The hash PatternIndex uses for a host suffix; exposed for tests.
uint64_t hostSuffixHash(std::string_view suffix);

}  // namespace agentbox::policy
