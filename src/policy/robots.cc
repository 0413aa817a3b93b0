// SPDX-License-Identifier: Apache-2.0
// File: robots.cc
// Group selection at compile time, then an index over the literal prefixes of the kept
// patterns: a hash table keyed by (length, octets), probed once per distinct prefix length
// that is not longer than the path. Building it is one pass (no sorting), which keeps
// compile time near the cost of reading the file.
#include "policy/robots.h"

#include <strings.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "policy/robots_pattern.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace agentbox::policy {

namespace {

constexpr size_t kInlinePathBytes = 4096;
constexpr uint32_t kShortLengthLimit = 512;
// compactIfSparse() leaves an arena alone unless it could shrink by more than half and this.
constexpr size_t kCompactSlackBytes = 4096;

// The first n < 8 octets of a uint64_t as memcpy lays them out.
uint64_t maskFirst(size_t n) {
  return std::endian::native == std::endian::little ? (uint64_t{1} << (8 * n)) - 1
                                                    : ~(~uint64_t{0} >> (8 * n));
}

// load8() near the end of the readable octets (n < 8), out of line: the common path then keeps
// no zeroed word on the stack for it.
[[gnu::noinline]] uint64_t load8Short(const char* p, size_t n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

// The first min(n, 8) octets at p, zero-padded; `avail` octets may be read from p.
[[gnu::always_inline]] inline uint64_t load8(const char* p, size_t n, size_t avail) {
  if (avail >= 8) {
    uint64_t v = 0;
    std::memcpy(&v, p, 8);
    // Little- or big-endian, the same bytes are kept, so both sides of a lookup agree.
    return n >= 8 ? v : v & maskFirst(n);
  }
  return load8Short(p, n < 8 ? n : 8);
}

// a[0, len) == b[0, len), with `avail` octets readable at both: one masked word compare for the
// short prefixes rules share (such as the "/" of "/*.pdf$"), else memcmp.
bool samePrefix(const char* a, const char* b, size_t len, size_t avail) {
  if (len <= 8 && avail >= 8) {
    return load8(a, len, avail) == load8(b, len, avail);
  }
  return std::memcmp(a, b, len) == 0;
}

// Constant-time key of a prefix: its length and up to 24 of its octets (head, middle, tail),
// mixed by one 64x64->128-bit multiply. No branch on the length, which varies from one rule
// (and one probe) to the next: the middle and tail words of a prefix too short to have them
// are its head word again. Collisions only cost a memcmp; they never change a result.
[[gnu::always_inline]] inline uint64_t prefixHash(const char* p, size_t len, size_t avail) {
  const uint64_t head = load8(p, len, avail);
  uint64_t tail = head;
  uint64_t middle = head;
  if (avail >= 8) {  // else len < 8: both are the head
    uint64_t t = 0;
    uint64_t m = 0;
    std::memcpy(&t, p + (len > 8 ? len - 8 : 0), 8);
    std::memcpy(&m, p + (len > 16 ? len / 2 - 4 : 0), 8);
    tail = len > 8 ? t : head;
    middle = len > 16 ? m : head;
  }
  const uint64_t a = head ^ (len * 0x9E3779B97F4A7C15ULL);
  const uint64_t b = tail ^ std::rotl(middle, 29) ^ 0x632BE59BD9B4E019ULL;
#if defined(__SIZEOF_INT128__)
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
#else
  uint64_t h = a * 0xff51afd7ed558ccdULL ^ b;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
#endif
}

uint64_t octetBit(char c) {
  return uint64_t{1} << (static_cast<unsigned char>(c) & 63);
}

// octetBit() of each octet but '*', for a rule's `needs` (the octets of its literals): one
// load per octet instead of a compare, a shift and a select.
constexpr std::array<uint64_t, 256> kNeedsBits = [] {
  std::array<uint64_t, 256> t{};
  for (unsigned c = 0; c < t.size(); ++c) {
    t[c] = c == '*' ? 0 : uint64_t{1} << (c & 63);
  }
  return t;
}();

uint64_t needsBit(char c) {
  return kNeedsBits[static_cast<unsigned char>(c)];
}

// What readPlainPattern() needs of a pattern's v[0, end): the first '*' (end if none) and
// the octets after it but '*' (folded, see Query).
struct PlainScan {
  size_t star = 0;
  uint64_t needs = 0;
};

// Octets normalization might change (robotsNeedsNormalizing decides for those).
bool isChangeable(unsigned char c) {
  return c <= 0x20 || c >= 0x7F || c == '%' || c == '$';
}

// False if some octet of v[0, end) is changeable.
bool scanPlain(const char* v, size_t end, PlainScan& out) {
  size_t star = end;
  uint64_t needs = 0;
  for (size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c == '*') {
      star = star == end ? i : star;
      continue;
    }
    if (isChangeable(c)) {
      return false;
    }
    needs |= star != end ? octetBit(v[i]) : 0;
  }
  out = {star, needs};
  return true;
}

#if defined(__SSE2__)
// scanPlain() for end <= 32 with 32 octets readable at v: two 16-octet steps.
bool scanPlain32(const char* v, size_t end, PlainScan& out) {
  uint32_t stars = 0;
  uint32_t changeable = 0;
  for (unsigned k = 0; k < 32; k += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(v + k));
    // x + 1 < 0x22 as signed octets: exactly x <= 0x20 or x >= 0x7F.
    const __m128i outside = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(1)), _mm_set1_epi8(0x22));
    const __m128i percent_dollar =
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('%')), _mm_cmpeq_epi8(x, _mm_set1_epi8('$')));
    stars |= static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('*')))) << k;
    changeable |= static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(outside, percent_dollar)))
                  << k;
  }
  const uint32_t in = end == 32 ? ~uint32_t{0} : (uint32_t{1} << end) - 1;
  if ((changeable & in) != 0) {
    return false;
  }
  stars &= in;
  size_t star = end;
  uint64_t needs = 0;
  if (stars != 0) {
    star = static_cast<size_t>(__builtin_ctz(stars));
    for (size_t i = star + 1; i < end; ++i) {
      needs |= needsBit(v[i]);
    }
  }
  out = {star, needs};
  return true;
}
#endif

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

// One check() call: the path, and the set of its octets (folded to 64 bits), computed only
// if a wildcard rule needs it.
struct Robots::Query {
  std::string_view path;
  uint64_t sig = 0;
  bool has_sig = false;
  uint64_t signature() {
    if (!has_sig) {
      for (char c : path) {
        sig |= octetBit(c);
      }
      has_sig = true;
    }
    return sig;
  }
};

struct Robots::Best {
  uint32_t priority = 0;
  uint32_t rule = kNone;
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

// Where the reader is in the group structure (RFC 9309 §2.1) while records go by.
struct Robots::GroupState {
  std::string_view token;  // the agent's product token
  bool in_group = false;   // a user-agent line was seen
  bool in_agents = false;  // still in the current group's run of user-agent lines
  uint8_t groups = 0;      // kSpecific / kStar for the current group
  double delay_specific = -1;
  double delay_star = -1;

  // Returns true if the line names the agent.
  bool userAgent(std::string_view v) {
    if (!in_agents) {
      in_agents = in_group = true;
      groups = 0;
    }
    // "* anything" still reads as `*`, as in Google's parser.
    if (!v.empty() && v[0] == '*' && (v.size() == 1 || v[1] == ' ' || v[1] == '\t')) {
      groups |= kStar;
      return false;
    }
    const std::string_view name = robotsProductToken(v);
    if (name.empty() || name.size() != token.size() ||
        strncasecmp(name.data(), token.data(), name.size()) != 0) {
      return false;
    }
    groups |= kSpecific;
    return true;
  }

  void crawlDelay(std::string_view v) {
    const double d = in_group ? parseRobotsCrawlDelay(v) : -1;
    if (d < 0) {
      return;  // ignored entirely, as if the line were not there
    }
    in_agents = false;
    if ((groups & kSpecific) != 0 && delay_specific < 0) {
      delay_specific = d;
    }
    if ((groups & kStar) != 0 && delay_star < 0) {
      delay_star = d;
    }
  }
};

// Inline in compile()'s loop: most rules are literals, and for those this is all there is.
[[gnu::always_inline]] inline void Robots::addRule(const RobotsRecord& rec, uint8_t groups,
                                                   size_t offset) {
  const std::string_view v = rec.value;
  // An empty value is no rule (§2.2.2 allows "disallow:" to mean nothing is disallowed); a
  // value that starts with neither '/' nor '*' can never match a path, which starts with '/'.
  if (v.empty() || (v[0] != '/' && v[0] != '*')) {
    return;
  }
  Rule& r = rules_.emplace_back();
  r.source_off = r.pattern_off = static_cast<uint32_t>(offset);
  r.source_len = r.pattern_len = static_cast<uint32_t>(v.size());
  r.line = rec.line;
  r.allow = rec.key == RobotsKey::kAllow;
  r.groups = groups;
  r.next = kNone;
  used_bytes_[groups] += v.size();
  if (rec.literal) {  // the common case: a plain path prefix, nothing to normalize
    r.prefix_len = r.source_len;
    return;
  }
  // The arena's copy of the value: the octets after it may be read, up to data_.size().
  if (!readPlainPattern({data_.data() + offset, v.size()}, data_.size() - offset,
                        r)) {  // the next most common: '*' or a final '$', nothing else
    readPattern(v, groups, r);
  }
}

void Robots::readPattern(std::string_view v, uint8_t groups, Rule& r) {
  if (robotsNeedsNormalizing(v, RobotsSide::kPattern)) {
    const size_t at = data_.size();
    data_.resize(at + 3 * v.size());  // normalization at most triples the size
    const size_t n = normalizeRobotsTo(v, RobotsSide::kPattern, false, data_.data() + at);
    data_.resize(at + n);
    r.pattern_off = static_cast<uint32_t>(at);
    r.pattern_len = static_cast<uint32_t>(n);
    used_bytes_[groups] += n;
  }
  const std::string_view pat = pattern(r);
  r.anchored = pat.back() == '$';
  const std::string_view body = pat.substr(0, pat.size() - (r.anchored ? 1 : 0));
  const size_t star = body.find('*');
  r.has_star = star != std::string_view::npos;
  r.prefix_len = static_cast<uint32_t>(r.has_star ? star : body.size());
  for (size_t i = r.prefix_len; i < body.size(); ++i) {
    r.needs |= needsBit(body[i]);
  }
}

bool Robots::readPlainPattern(std::string_view v, size_t avail, Rule& r) {
  const size_t n = v.size();
  const bool anchored = v[n - 1] == '$';
  const size_t end = n - (anchored ? 1 : 0);
  PlainScan scan;
#if defined(__SSE2__)
  const bool plain =
      end <= 32 && avail >= 32 ? scanPlain32(v.data(), end, scan) : scanPlain(v.data(), end, scan);
#else
  const bool plain = scanPlain(v.data(), end, scan);
#endif
  if (!plain) {
    return false;
  }
  r.anchored = anchored;
  r.has_star = scan.star != end;
  r.prefix_len = static_cast<uint32_t>(scan.star);
  r.needs = scan.needs;
  return true;
}

Robots Robots::compile(std::string_view body, std::string_view user_agent) {
  Robots out;
  // The arena starts as one copy of the text that is parsed (the same view RobotsLexer reads),
  // so a rule's value as written is an offset into it rather than a copy per rule; normalized
  // patterns are appended. compactIfSparse() drops the unused text when it is most of it.
  const std::string_view text = robotsEffectiveBody(body);
  out.data_.reserve(text.size() + text.size() / 8 + 64);
  out.data_.assign(text);
  // Rules are kept as they come, tagged with their group's kind; which kind applies is only
  // known at the end of the file, and then the others are dropped.
  out.rules_.reserve(text.size() / 24 + 4);
  GroupState st;
  st.token = robotsProductToken(user_agent);
  RobotsLexer lex(body);
  RobotsRecord rec;
  while (lex.next(rec)) {
    switch (rec.key) {
      case RobotsKey::kUserAgent:
        out.agent_group_ = st.userAgent(rec.value) || out.agent_group_;
        break;
      case RobotsKey::kAllow:
      case RobotsKey::kDisallow:
        if (st.in_group) {
          st.in_agents = false;
          if (st.groups != 0) {
            out.addRule(rec, st.groups, static_cast<size_t>(rec.value.data() - text.data()));
          }
        }
        break;
      case RobotsKey::kCrawlDelay:
        st.crawlDelay(rec.value);
        break;
      case RobotsKey::kSitemap:
      case RobotsKey::kOther:
        break;
    }
  }
  out.crawl_delay_ = out.agent_group_ ? st.delay_specific : st.delay_star;
  const uint8_t keep = out.agent_group_ ? kSpecific : kStar;
  if (out.used_bytes_[kSpecific + kStar - keep] != 0) {  // rules only of the other kind exist
    std::erase_if(out.rules_, [keep](const Rule& r) { return (r.groups & keep) == 0; });
  }
  out.compactIfSparse(keep);
  out.buildIndex();
  return out;
}

void Robots::compactIfSparse(uint8_t keep) {
  size_t used = 0;
  for (size_t groups = 1; groups < used_bytes_.size(); ++groups) {
    used += (groups & keep) != 0 ? used_bytes_[groups] : 0;
  }
  if (used * 2 + kCompactSlackBytes >= data_.size()) {
    return;
  }
  std::string packed;
  packed.reserve(used);
  for (Rule& r : rules_) {
    const auto source = static_cast<uint32_t>(packed.size());
    packed.append(data_, r.source_off, r.source_len);
    if (r.pattern_off != r.source_off) {
      const auto normalized = static_cast<uint32_t>(packed.size());
      packed.append(data_, r.pattern_off, r.pattern_len);
      r.pattern_off = normalized;
    } else {
      r.pattern_off = source;
    }
    r.source_off = source;
  }
  data_.swap(packed);
}

void Robots::buildIndex() {
  size_t slots = 8;
  while (slots < rules_.size() * 2) {
    slots <<= 1;
  }
  table_.resize(slots);
  std::memset(table_.data(), 0xFF, slots * sizeof(Slot));
  mask_ = slots - 1;
  // Locals, not members: the stores below (uint64_t words, rule and slot fields) could alias
  // members such as mask_ or data_'s size, which would then be reloaded for every rule.
  const size_t mask = mask_;
  Slot* const table = table_.data();
  Rule* const rules = rules_.data();
  const char* const data = data_.data();
  const size_t data_size = data_.size();
  const auto count = static_cast<uint32_t>(rules_.size());
  for (uint32_t i = 0; i < count; ++i) {
    Rule& r = rules[i];
    const uint32_t len = r.prefix_len;
    if (len == 0) {
      unanchored_.push_back(i);
      continue;
    }
    const char* p = data + r.pattern_off;
    const uint64_t h = prefixHash(p, len, data_size - r.pattern_off);
    const auto tag = static_cast<uint32_t>(h >> 32);
    size_t at = h & mask;
    while (table[at].head != kNone) {
      const Slot& s = table[at];
      const Rule& head = rules[s.head];
      if (s.tag == tag && head.prefix_len == len &&
          samePrefix(data + head.pattern_off, p, len,
                     data_size - std::max(head.pattern_off, r.pattern_off))) {
        break;
      }
      at = (at + 1) & mask;
    }
    Slot& s = table[at];
    if (s.head == kNone) {
      s.tag = tag;
      if (len < kShortLengthLimit) {
        short_lengths_[len / 64] |= uint64_t{1} << (len % 64);
        last_octets_[len] |= octetBit(p[len - 1]);
      } else {
        long_lengths_.push_back(len);
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

// Pruning keeps the winner exact: a Disallow no longer than the best Allow can never win (a
// tie goes to Allow), nor an Allow shorter than the best Disallow; the best values only grow.
void Robots::consider(uint32_t index, Query& q, Best& allow, Best& disallow) const {
  const Rule& r = rules_[index];
  if (r.allow
          ? (!beats(index, allow) || (disallow.rule != kNone && r.pattern_len < disallow.priority))
          : (!beats(index, disallow) || (allow.rule != kNone && r.pattern_len <= allow.priority))) {
    return;
  }
  if (r.has_star && (r.needs & ~q.signature()) != 0) {
    return;  // some octet of the pattern's literals is not in the path at all
  }
  if (restMatches(r, q.path)) {
    Best& best = r.allow ? allow : disallow;
    best.priority = r.pattern_len;
    best.rule = index;
  }
}

template <class F>
void Robots::forShortLengthsDescending(std::string_view path, F&& f) const {
  const size_t max_short = path.size() < kShortLengthLimit ? path.size() : kShortLengthLimit - 1;
  for (size_t word = max_short / 64 + 1; word-- > 0;) {
    uint64_t bits = short_lengths_[word];
    const size_t top = max_short - word * 64;  // highest bit index allowed in this word
    if (top < 63) {
      bits &= (uint64_t{2} << top) - 1;
    }
    while (bits != 0) {
      const int hi = 63 - __builtin_clzll(bits);
      bits &= ~(uint64_t{1} << hi);
      const size_t len = word * 64 + hi;
      if ((last_octets_[len] & octetBit(path[len - 1])) != 0) {  // cheap reject first
        f(static_cast<uint32_t>(len));
      }
    }
  }
}

void Robots::matchIndexed(Query& q, Best& allow, Best& disallow) const {
  const std::string_view path = q.path;
  auto probe = [&](uint32_t len) {
    const uint64_t h = prefixHash(path.data(), len, path.size());
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t at = h & mask_; table_[at].head != kNone; at = (at + 1) & mask_) {
      const Slot& s = table_[at];
      if (s.tag != tag || rules_[s.head].prefix_len != len) {
        continue;
      }
      // Equal tag and length but other octets: a collision; the prefix may sit further on.
      if (std::memcmp(data_.data() + rules_[s.head].pattern_off, path.data(), len) == 0) {
        for (uint32_t i = s.head; i != kNone; i = rules_[i].next) {
          consider(i, q, allow, disallow);
        }
        return;
      }
    }
  };
  // Longest prefixes first: their rules are the likeliest winners, which lets consider()
  // prune the many short-prefix wildcard rules ("/*?sessionid=") cheaply.
  for (auto it = long_lengths_.rbegin(); it != long_lengths_.rend(); ++it) {
    if (*it <= path.size()) {
      probe(*it);
    }
  }
  forShortLengthsDescending(path, probe);
  for (uint32_t i : unanchored_) {
    consider(i, q, allow, disallow);
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
    Query q{path};
    matchIndexed(q, allow, disallow);
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
