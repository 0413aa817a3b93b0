// SPDX-License-Identifier: Apache-2.0
// File: robots.cc
// Group selection at compile time, then an index over the literal prefixes of the kept
// patterns: a hash table keyed by (length, octets), probed once per distinct prefix length
// that is not longer than the path. Building it is one pass (no sorting), which keeps
// compile time near the cost of reading the file.
#include "policy/robots.h"

#include <strings.h>

#include <algorithm>
#include <cstring>

#include "policy/robots_pattern.h"

namespace agentbox::policy {

namespace {

constexpr size_t kInlinePathBytes = 4096;
constexpr uint32_t kShortLengthLimit = 512;

uint64_t load8(const char* p, size_t n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n < 8 ? n : 8);
  return v;
}

uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Constant-time key of a prefix: its length and up to 24 of its octets (head, middle, tail).
// Collisions only cost a memcmp; they never change a result.
uint64_t prefixHash(const char* p, size_t len) {
  uint64_t h = load8(p, len) * 0x9E3779B97F4A7C15ULL;
  if (len > 8) {
    h ^= load8(p + len - 8, 8) + 0x632BE59BD9B4E019ULL;
  }
  if (len > 16) {
    h = (h << 23 | h >> 41) ^ load8(p + len / 2 - 4, 8);
  }
  return mix(h ^ (len * 0x94D049BB133111EBULL));
}

bool isRobotsTxtPath(std::string_view path) {
  constexpr std::string_view kPath = "/robots.txt";
  return path.compare(0, kPath.size(), kPath) == 0 &&
         (path.size() == kPath.size() || path[kPath.size()] == '?');
}

}  // namespace

std::string_view robotsReasonName(RobotsReason reason) {
  switch (reason) {
    case RobotsReason::kNoRule:
      return "no-rule";
    case RobotsReason::kAllowRule:
      return "allow-rule";
    case RobotsReason::kDisallowRule:
      return "disallow-rule";
    case RobotsReason::kRobotsTxt:
      return "robots-txt";
    case RobotsReason::kAllowAll:
      return "allow-all";
    case RobotsReason::kDisallowAll:
      return "disallow-all";
  }
  return "no-rule";
}

struct Robots::Best {
  uint32_t priority = 0;
  uint32_t rule = kNone;
};

struct Robots::Pending {
  std::string_view value;
  uint32_t line;
  bool allow;
  bool specific;  // the record's group names the agent
  bool star;      // the record's group is a `*` group
};

Robots Robots::allowAll() {
  Robots r;
  r.mode_ = Mode::kAllowAll;
  return r;
}

Robots Robots::disallowAll() {
  Robots r;
  r.mode_ = Mode::kDisallowAll;
  return r;
}

Robots Robots::compile(std::string_view body, std::string_view user_agent) {
  const std::string_view token = robotsProductToken(user_agent);
  Robots out;
  std::vector<Pending> pending;
  pending.reserve(body.size() / 32 + 4);
  bool in_group = false;   // a user-agent line was seen
  bool in_agents = false;  // still in the group's run of user-agent lines
  bool cur_specific = false;
  bool cur_star = false;
  double delay_specific = -1;
  double delay_star = -1;
  RobotsLexer lex(body);
  RobotsRecord rec;
  while (lex.next(rec)) {
    switch (rec.key) {
      case RobotsKey::kUserAgent: {
        if (!in_agents) {
          in_agents = in_group = true;
          cur_specific = cur_star = false;
        }
        const std::string_view v = rec.value;
        // "* anything" still reads as `*`, as in Google's parser.
        if (!v.empty() && v[0] == '*' && (v.size() == 1 || v[1] == ' ' || v[1] == '\t')) {
          cur_star = true;
        } else {
          const std::string_view name = robotsProductToken(v);
          if (!name.empty() && name.size() == token.size() &&
              strncasecmp(name.data(), token.data(), name.size()) == 0) {
            cur_specific = out.agent_group_ = true;
          }
        }
        break;
      }
      case RobotsKey::kAllow:
      case RobotsKey::kDisallow:
        if (in_group) {
          in_agents = false;
          if (cur_specific || cur_star) {
            pending.push_back(
                {rec.value, rec.line, rec.key == RobotsKey::kAllow, cur_specific, cur_star});
          }
        }
        break;
      case RobotsKey::kCrawlDelay: {
        const double d = in_group ? parseRobotsCrawlDelay(rec.value) : -1;
        if (d >= 0) {
          in_agents = false;
          if (cur_specific && delay_specific < 0) {
            delay_specific = d;
          }
          if (cur_star && delay_star < 0) {
            delay_star = d;
          }
        }
        break;
      }
      case RobotsKey::kSitemap:
      case RobotsKey::kOther:
        break;
    }
  }
  out.crawl_delay_ = out.agent_group_ ? delay_specific : delay_star;
  size_t bytes = 0;
  for (const Pending& p : pending) {
    bytes += p.value.size();
  }
  out.data_.reserve(bytes + bytes / 8);
  out.rules_.reserve(pending.size());
  for (const Pending& p : pending) {
    if (out.agent_group_ ? p.specific : p.star) {
      out.addRule(p);
    }
  }
  out.buildIndex();
  return out;
}

void Robots::addRule(const Pending& p) {
  const std::string_view v = p.value;
  // An empty value is no rule (§2.2.2 allows "disallow:" to mean nothing is disallowed); a
  // value that starts with neither '/' nor '*' can never match a path, which starts with '/'.
  if (v.empty() || (v[0] != '/' && v[0] != '*')) {
    return;
  }
  Rule r{};
  r.source_off = static_cast<uint32_t>(data_.size());
  r.source_len = static_cast<uint32_t>(v.size());
  data_.append(v);
  if (robotsNeedsNormalizing(v, RobotsSide::kPattern)) {
    const size_t n = normalizedRobotsSize(v, RobotsSide::kPattern, false);
    r.pattern_off = static_cast<uint32_t>(data_.size());
    data_.resize(data_.size() + n);
    r.pattern_len = static_cast<uint32_t>(
        normalizeRobotsTo(v, RobotsSide::kPattern, false, data_.data() + r.pattern_off));
  } else {
    r.pattern_off = r.source_off;
    r.pattern_len = r.source_len;
  }
  const std::string_view pat = pattern(r);
  r.anchored = pat.back() == '$';
  const std::string_view body = pat.substr(0, pat.size() - (r.anchored ? 1 : 0));
  const size_t star = body.find('*');
  r.has_star = star != std::string_view::npos;
  r.prefix_len = static_cast<uint32_t>(r.has_star ? star : body.size());
  r.line = p.line;
  r.allow = p.allow;
  r.next = kNone;
  rules_.push_back(r);
}

void Robots::buildIndex() {
  size_t slots = 8;
  while (slots < rules_.size() * 2) {
    slots <<= 1;
  }
  table_.assign(slots, Slot{});
  mask_ = slots - 1;
  for (uint32_t i = 0; i < rules_.size(); ++i) {
    Rule& r = rules_[i];
    if (r.prefix_len == 0) {
      unanchored_.push_back(i);
      continue;
    }
    const char* p = data_.data() + r.pattern_off;
    const uint64_t h = prefixHash(p, r.prefix_len);
    size_t at = h & mask_;
    while (table_[at].head != kNone) {
      const Slot& s = table_[at];
      if (s.hash == h && s.len == r.prefix_len &&
          std::memcmp(data_.data() + rules_[s.head].pattern_off, p, r.prefix_len) == 0) {
        break;
      }
      at = (at + 1) & mask_;
    }
    Slot& s = table_[at];
    if (s.head == kNone) {
      s.hash = h;
      s.len = r.prefix_len;
      if (r.prefix_len < kShortLengthLimit) {
        short_lengths_[r.prefix_len / 64] |= uint64_t{1} << (r.prefix_len % 64);
      } else {
        long_lengths_.push_back(r.prefix_len);
      }
    }
    r.next = s.head;
    s.head = i;
  }
  std::sort(long_lengths_.begin(), long_lengths_.end());
}

std::optional<double> Robots::crawlDelaySeconds() const {
  if (crawl_delay_ < 0) {
    return std::nullopt;
  }
  return crawl_delay_;
}

bool Robots::restMatches(const Rule& r, std::string_view path) const {
  if (!r.has_star) {
    return !r.anchored || path.size() == r.prefix_len;
  }
  const std::string_view pat = pattern(r);
  const std::string_view rest =
      pat.substr(r.prefix_len, pat.size() - r.prefix_len - (r.anchored ? 1 : 0));
  return robotsMatchAfterPrefix(rest, path, r.prefix_len, r.anchored);
}

bool Robots::beats(uint32_t index, const Best& best) const {
  const Rule& r = rules_[index];
  return best.rule == kNone || r.pattern_len > best.priority ||
         (r.pattern_len == best.priority && r.line < rules_[best.rule].line);
}

void Robots::consider(uint32_t index, std::string_view path, Best& allow, Best& disallow) const {
  const Rule& r = rules_[index];
  Best& best = r.allow ? allow : disallow;
  if (beats(index, best) && restMatches(r, path)) {
    best.priority = r.pattern_len;
    best.rule = index;
  }
}

void Robots::matchIndexed(std::string_view path, Best& allow, Best& disallow) const {
  auto probe = [&](uint32_t len) {
    const uint64_t h = prefixHash(path.data(), len);
    for (size_t at = h & mask_; table_[at].head != kNone; at = (at + 1) & mask_) {
      const Slot& s = table_[at];
      if (s.hash != h || s.len != len) {
        continue;
      }
      if (std::memcmp(data_.data() + rules_[s.head].pattern_off, path.data(), len) == 0) {
        for (uint32_t i = s.head; i != kNone; i = rules_[i].next) {
          consider(i, path, allow, disallow);
        }
      }
      return;
    }
  };
  const size_t max_short = path.size() < kShortLengthLimit ? path.size() : kShortLengthLimit - 1;
  for (size_t word = 0; word * 64 <= max_short; ++word) {
    uint64_t bits = short_lengths_[word];
    const size_t top = max_short - word * 64;  // highest bit index allowed in this word
    if (top < 63) {
      bits &= (uint64_t{2} << top) - 1;
    }
    while (bits != 0) {
      probe(static_cast<uint32_t>(word * 64 + __builtin_ctzll(bits)));
      bits &= bits - 1;
    }
  }
  for (uint32_t len : long_lengths_) {
    if (len > path.size()) {
      break;
    }
    probe(len);
  }
}

RobotsVerdict Robots::decide(std::string_view path, bool use_index) const {
  if (isRobotsTxtPath(path)) {
    return {true, RobotsReason::kRobotsTxt, 0, false, {}};
  }
  if (mode_ != Mode::kRules) {
    return mode_ == Mode::kAllowAll
               ? RobotsVerdict{true, RobotsReason::kAllowAll, 0, false, {}}
               : RobotsVerdict{false, RobotsReason::kDisallowAll, 0, false, {}};
  }
  Best allow;
  Best disallow;
  if (use_index) {
    for (uint32_t i : unanchored_) {
      consider(i, path, allow, disallow);
    }
    matchIndexed(path, allow, disallow);
  } else {
    for (uint32_t i = 0; i < rules_.size(); ++i) {
      Best& best = rules_[i].allow ? allow : disallow;
      if (robotsPatternMatches(pattern(rules_[i]), path) && beats(i, best)) {
        best = {rules_[i].pattern_len, i};
      }
    }
  }
  const bool disallowed =
      disallow.rule != kNone && (allow.rule == kNone || disallow.priority > allow.priority);
  const uint32_t winner = disallowed ? disallow.rule : allow.rule;
  if (winner == kNone) {
    return {true, RobotsReason::kNoRule, 0, false, {}};
  }
  const Rule& r = rules_[winner];
  return {!disallowed, disallowed ? RobotsReason::kDisallowRule : RobotsReason::kAllowRule, r.line,
          r.allow, std::string_view(data_.data() + r.source_off, r.source_len)};
}

RobotsVerdict Robots::check(std::string_view url) const {
  const std::string_view raw = robotsPathAndQuery(url);
  const bool slash = raw.empty() || raw[0] != '/';
  if (!slash && !robotsNeedsNormalizing(raw, RobotsSide::kUrl)) {
    return decide(raw, true);
  }
  const size_t n = normalizedRobotsSize(raw, RobotsSide::kUrl, slash);
  if (n <= kInlinePathBytes) {
    char buf[kInlinePathBytes];
    return decide({buf, normalizeRobotsTo(raw, RobotsSide::kUrl, slash, buf)}, true);
  }
  std::string heap(n, '\0');
  heap.resize(normalizeRobotsTo(raw, RobotsSide::kUrl, slash, heap.data()));
  return decide(heap, true);
}

RobotsVerdict Robots::checkByScanForTest(std::string_view url) const {
  const std::string_view raw = robotsPathAndQuery(url);
  const bool slash = raw.empty() || raw[0] != '/';
  std::string path(normalizedRobotsSize(raw, RobotsSide::kUrl, slash), '\0');
  path.resize(normalizeRobotsTo(raw, RobotsSide::kUrl, slash, path.data()));
  return decide(path, false);
}

}  // namespace agentbox::policy
