// SPDX-License-Identifier: Apache-2.0
// File: robots.h
// `Robots`: one robots.txt compiled for one user-agent (RFC 9309, plus crawl-delay as defined
// in docs/robots.md). Compile once per fetched file, then ask per URL. The proxy (issue #19)
// fetches the file and applies the status rules of robots_fetch.h; this is the pure part.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/robots_parse.h"

namespace agentbox::policy {

// Why a URL was allowed or not.
enum class RobotsReason : uint8_t {
  kNoRule,        // no rule of the groups that apply matched (or no group applies): allowed
  kAllowRule,     // an Allow rule was the longest match, or tied with the longest Disallow
  kDisallowRule,  // a Disallow rule was strictly the longest match
  kRobotsTxt,     // the URL is /robots.txt itself, which is always allowed (§2.2.2)
  kAllowAll,      // built by allowAll(): robots.txt unavailable, e.g. 404 (§2.3.1.3)
  kDisallowAll,   // built by disallowAll(): robots.txt unreachable, e.g. 503 (§2.3.1.4)
};

std::string_view robotsReasonName(RobotsReason reason);

struct RobotsVerdict {
  bool allowed = true;
  RobotsReason reason = RobotsReason::kNoRule;
  uint32_t line = 0;           // 1-based line of the deciding rule in robots.txt; 0 if no rule
  bool rule_is_allow = false;  // the deciding rule's key (meaningful when line != 0)
  std::string_view rule;       // the deciding rule's value as written; points into the Robots
};

// Immutable after construction: every const method may be called from any number of threads
// at once. Copyable and movable (views returned by check() point into the object they came
// from and die with it).
//
// check() allocates nothing unless the URL's path and query exceed 4 KiB after percent
// normalization (then one temporary string). Cost is about linear in the URL's length plus the
// rules whose literal prefix (the part before the first '*') is a prefix of the path.
class Robots {
 public:
  // Parses `body` (any bytes; nothing is an error) and keeps the rules that apply to the
  // product token of `user_agent` (robotsProductToken(): "agentbox/1.0" counts as "agentbox";
  // an empty token only ever gets the `*` groups):
  //  - every group with a user-agent line naming the token, merged (§2.2.1); if there is none,
  //    every group whose user-agent line is `*`, merged; if neither, no rules;
  //  - a group is its run of user-agent lines (blank lines, comments, Sitemap and unknown
  //    records do not end the run) and the Allow / Disallow / Crawl-delay records after it,
  //    up to the next user-agent line; records before the first user-agent line belong to
  //    no group;
  //  - an empty Allow or Disallow value is no rule, but still closes the run of user-agent
  //    lines (so "Disallow:" gives its group no rules, i.e. allows everything).
  static Robots compile(std::string_view body, std::string_view user_agent);
  // Every URL allowed: what a 4xx answer for robots.txt means (see robots_fetch.h).
  static Robots allowAll();
  // Every URL but /robots.txt disallowed: what a 5xx or an unreachable host means.
  static Robots disallowAll();

  // Decides `url` (absolute URL or request-target, see robotsPathAndQuery()): its path and
  // query are normalized (robotsNormalize) and matched against the normalized patterns; the
  // longest pattern (in octets, after normalization) wins, Allow wins a tie (§2.2.2).
  [[nodiscard]] RobotsVerdict check(std::string_view url) const;
  [[nodiscard]] bool allowed(std::string_view url) const { return check(url).allowed; }

  // The crawl-delay in seconds that applies to the agent, if any (docs/robots.md): the first
  // valid value, in file order, among the groups selected as for the rules.
  [[nodiscard]] std::optional<double> crawlDelaySeconds() const;

  // True if some group named the agent (so `*` groups were ignored).
  [[nodiscard]] bool hasAgentGroup() const { return agent_group_; }
  // Allow and Disallow rules kept (empty and never-matching values are dropped).
  [[nodiscard]] size_t ruleCount() const { return rules_.size(); }

  // check() without the index, a plain scan of every rule: the reference the index is
  // tested and fuzzed against.
  [[nodiscard]] RobotsVerdict checkByScanForTest(std::string_view url) const;
  // Octets held for rule text (the arena's capacity), to test that unused text is dropped.
  [[nodiscard]] size_t arenaBytesForTest() const { return data_.capacity(); }

 private:
  enum class Mode : uint8_t { kRules, kAllowAll, kDisallowAll };
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Rule {
    uint32_t pattern_off;  // normalized pattern in data_, including a final '$'
    uint32_t pattern_len;  // also the rule's priority
    uint32_t source_off;   // the value as written, in data_
    uint32_t source_len;
    uint32_t line;
    uint32_t prefix_len;  // octets before the first '*' (without a final '$')
    uint32_t next;        // next rule with the same literal prefix, or kNone
    bool allow;
    bool anchored;  // pattern ends with '$'
    bool has_star;
    uint8_t groups;  // kSpecific / kStar: kinds of group the rule came from
    uint64_t needs;  // octets after the prefix, folded to 64 bits (see Query)
  };
  static constexpr uint8_t kSpecific = 1;  // a group naming the agent
  static constexpr uint8_t kStar = 2;      // a `*` group
  // 8 octets, so that the table of a 500-rule file stays in L1 with the rules. Trivial, and
  // held by a vector that does not value-initialize it, so that buildIndex() fills the table
  // with one memset: an empty slot is all ones (head kNone).
  struct Slot {
    uint32_t tag;   // high half of the prefix's hash
    uint32_t head;  // first rule of the chain with this literal prefix (has its length)
  };
  template <class T>
  struct UninitializedAllocator : std::allocator<T> {
    template <class U>
    struct rebind {  // NOLINT(readability-identifier-naming): the allocator protocol's name
      using other = UninitializedAllocator<U>;
    };
    template <class U>
    void construct(U* p) noexcept {
      ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  };
  struct Best;
  struct Query;
  struct GroupState;

  Robots() = default;
  // `offset`: where rec.value starts in data_ (which begins as a copy of the parsed text).
  void addRule(const RobotsRecord& rec, uint8_t groups, size_t offset);
  // Fills r's anchored, has_star, prefix_len and needs from a pattern `v` (not empty) that has
  // no octet normalization could change, and returns true; false (r untouched) otherwise.
  // `avail` octets may be read from v.data() (at least v.size()).
  static bool readPlainPattern(std::string_view v, size_t avail, Rule& r);
  // The rest of addRule() for any other pattern: normalizes it into data_ if that changes it.
  void readPattern(std::string_view v, uint8_t groups, Rule& r);
  // Rebuilds data_ with only what rules_ point at (the rules of group kind `keep`), if that is
  // less than half of it.
  void compactIfSparse(uint8_t keep);
  void buildIndex();
  RobotsVerdict decide(std::string_view path, bool use_index) const;
  void matchIndexed(Query& q, Best& allow, Best& disallow) const;
  // Calls f(len) for each short prefix length len <= path.size() worth probing, longest first.
  template <class F>
  void forShortLengthsDescending(std::string_view path, F&& f) const;
  bool beats(uint32_t index, const Best& best) const;
  void consider(uint32_t index, Query& q, Best& allow, Best& disallow) const;
  bool restMatches(const Rule& r, std::string_view path) const;
  std::string_view pattern(const Rule& r) const {
    return {data_.data() + r.pattern_off, r.pattern_len};
  }

  Mode mode_ = Mode::kRules;
  bool agent_group_ = false;
  double crawl_delay_ = -1;  // negative: none
  // Arena: the parsed text (rule values as written are offsets into it) followed by the
  // normalized patterns that differ from their value; after compactIfSparse() only those.
  std::string data_;
  std::array<size_t, 4> used_bytes_{};  // [groups]: arena octets that rules of that kind use
  std::vector<Rule> rules_;
  std::vector<uint32_t> unanchored_;  // rules whose pattern starts with '*' (empty prefix)
  // Open addressing over literal prefixes; size 2^k.
  std::vector<Slot, UninitializedAllocator<Slot>> table_;
  uint64_t mask_ = 0;
  std::array<uint64_t, 8> short_lengths_{};  // bit L set: some prefix has length L (L < 512)
  std::array<uint64_t, 512> last_octets_{};  // [L]: last octets of the prefixes of length L, folded
  std::vector<uint32_t> long_lengths_;       // distinct prefix lengths >= 512, ascending
};

}  // namespace agentbox::policy
