// SPDX-License-Identifier: Apache-2.0
// File: confirm_prefilter.cc
// A small parser for the RE2 syntax of the rules, computing for each node a lower bound on
// its match length and the byte-class segments every match of it contains. Every fact is a
// necessary condition: a class is never narrower than RE2's, a length never longer, and what
// the parser does not know it leaves out (or gives up on the whole regex).
#include "redact/confirm_prefilter.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "redact/charset.h"
#include "util/hex.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace agentbox::redact::detail {

namespace {

// A segment as the analysis builds it: consecutive positions, each a byte class
// (ConfirmPrefilter::Segment once compiled).
struct Piece {
  std::vector<CharSet> positions;
};

constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();
constexpr size_t kMaxSegment = 64;       // positions kept per segment (a prefix stays necessary)
constexpr size_t kNarrowClass = 8;       // a one-position segment is worth checking up to this
constexpr uint32_t kMaxRepeat = 100000;  // larger counts: give up (RE2 caps them at 1000)
constexpr size_t kMaxKinds = 256;        // Segment::kind is one byte
constexpr uint32_t kMaxRun = 32;         // a run fits the 64-bit mask of two 32-byte blocks

uint32_t addSat(uint32_t a, uint32_t b) {
  return a > kUnbounded - b ? kUnbounded : a + b;
}

uint32_t mulSat(uint32_t a, uint32_t b) {
  return (b != 0 && a > kUnbounded / b) ? kUnbounded : a * b;
}

// What a node of the regex guarantees about each of its matches.
struct Facts {
  uint32_t min_length = 0;
  std::vector<Piece> segments;  // in order; gaps allowed between them
  bool front_tight = false;     // segments.front() starts where the match starts
  bool back_tight = false;      // segments.back() ends where the match ends
  bool empty_only = true;       // matches only the empty string
  bool single = false;          // matches exactly one byte, of class `one`
  CharSet one;
};

Facts emptyFacts() {
  return {};
}

Facts byteFacts(const CharSet& c) {
  Facts f;
  f.min_length = 1;
  f.segments.push_back({{c}});
  f.front_tight = f.back_tight = true;
  f.empty_only = false;
  f.single = true;
  f.one = c;
  return f;
}

Facts concat(Facts a, Facts b) {
  if (a.empty_only) {
    b.min_length = addSat(a.min_length, b.min_length);
    return b;
  }
  if (b.empty_only) {
    return a;
  }
  Facts f;
  f.min_length = addSat(a.min_length, b.min_length);
  f.empty_only = false;
  f.front_tight = !a.segments.empty() && a.front_tight;
  f.back_tight = !b.segments.empty() && b.back_tight;
  f.segments = std::move(a.segments);
  auto next = b.segments.begin();
  if (!f.segments.empty() && next != b.segments.end() && a.back_tight && b.front_tight &&
      f.segments.back().positions.size() + next->positions.size() <= kMaxSegment) {
    Piece& last = f.segments.back();
    last.positions.insert(last.positions.end(), next->positions.begin(), next->positions.end());
    ++next;
  }
  f.segments.insert(f.segments.end(), std::make_move_iterator(next),
                    std::make_move_iterator(b.segments.end()));
  return f;
}

Facts repeat(Facts a, uint32_t lo, uint32_t hi) {
  if (hi == 0 || a.empty_only) {
    return emptyFacts();
  }
  Facts f;
  f.empty_only = false;
  f.min_length = mulSat(a.min_length, lo);
  if (lo == 0) {
    return f;
  }
  if (lo == 1 && hi == 1) {
    return a;
  }
  if (a.single) {
    size_t n = std::min<size_t>(lo, kMaxSegment);
    f.segments.push_back({std::vector<CharSet>(n, a.one)});
    f.front_tight = true;
    f.back_tight = lo == hi && n == lo;
    return f;
  }
  f.segments = std::move(a.segments);
  f.front_tight = a.front_tight;
  return f;
}

Facts alternation(std::vector<Facts> branches) {
  Facts f = std::move(branches[0]);
  for (size_t i = 1; i < branches.size(); ++i) {
    const Facts& b = branches[i];
    if (f.single && b.single) {
      f.one.add(b.one);
      f.segments = {Piece{{f.one}}};
      continue;
    }
    f.single = false;
    f.min_length = std::min(f.min_length, b.min_length);
    f.empty_only = f.empty_only && b.empty_only;
    f.segments.clear();
    f.front_tight = f.back_tight = false;
  }
  return f;
}

CharSet rangeSet(unsigned lo, unsigned hi) {
  CharSet c;
  for (unsigned b = lo; b <= hi; ++b) {
    c.insert(static_cast<unsigned char>(b));
  }
  return c;
}

CharSet complement(const CharSet& c) {
  CharSet out;
  for (unsigned b = 0; b < 256; ++b) {
    if (!c.has(static_cast<unsigned char>(b))) {
      out.insert(static_cast<unsigned char>(b));
    }
  }
  return out;
}

// Adds the other letter case of every letter in `c`, Latin-1 letters included (a superset
// of what RE2's case folding adds in Latin-1 mode).
CharSet foldCase(const CharSet& c) {
  CharSet out = c;
  for (unsigned b = 0; b < 256; ++b) {
    if (!c.has(static_cast<unsigned char>(b))) {
      continue;
    }
    bool upper = (b >= 'A' && b <= 'Z') || (b >= 0xC0 && b <= 0xDE && b != 0xD7);
    bool lower = (b >= 'a' && b <= 'z') || (b >= 0xE0 && b <= 0xFE && b != 0xF7);
    if (upper) {
      out.insert(static_cast<unsigned char>(b + 0x20));
    } else if (lower) {
      out.insert(static_cast<unsigned char>(b - 0x20));
    }
  }
  if (c.has(0xFF) || c.has(0xB5)) {
    out = complement(CharSet());  // folds outside Latin-1: any byte
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view re) : re_(re) {}

  std::optional<Facts> parseAll() {
    Facts f = parseAlternation(false, false);
    if (!ok_ || pos_ != re_.size()) {
      return std::nullopt;
    }
    return f;
  }

  // The regex is "<one byte>(<group 1>)<one byte>" at its top level: group 1 is the match
  // without its first and last byte.
  [[nodiscard]] bool groupIsMiddle() const { return top_shape_ == "SGS"; }

 private:
  [[nodiscard]] bool atEnd() const { return pos_ >= re_.size(); }
  [[nodiscard]] char peek() const { return re_[pos_]; }
  void fail() {
    ok_ = false;
    pos_ = re_.size();
  }

  // Alternatives up to an unmatched ')' or the end. Flags set by `(?i)` last to the end of
  // the enclosing group, later alternatives included.
  // NOLINTNEXTLINE(misc-no-recursion): recursive descent, as deep as the regex nests
  Facts parseAlternation(bool caseless, bool dotall) {
    std::vector<Facts> branches;
    branches.push_back(parseConcatenation(caseless, dotall));
    while (ok_ && !atEnd() && peek() == '|') {
      ++pos_;
      if (depth_ == 0) {
        top_shape_ = "|";  // alternatives at the top: no single shape
      }
      branches.push_back(parseConcatenation(caseless, dotall));
    }
    return alternation(std::move(branches));
  }

  // NOLINTNEXTLINE(misc-no-recursion): recursive descent, as deep as the regex nests
  Facts parseConcatenation(bool& caseless, bool& dotall) {
    Facts f = emptyFacts();
    while (ok_ && !atEnd() && peek() != '|' && peek() != ')') {
      int captures_before = captures_;
      last_atom_captures_ = false;
      std::optional<Facts> atom = parseAtom(caseless, dotall);
      if (!atom.has_value()) {
        continue;  // a flag group such as (?i): no atom
      }
      bool capture_group = last_atom_captures_;
      size_t repeat_at = pos_;
      Facts item = parseRepeats(std::move(*atom));
      noteTopLevelItem(item, capture_group && pos_ == repeat_at, captures_ == captures_before);
      f = concat(std::move(f), std::move(item));
    }
    return f;
  }

  // G: an unrepeated capture group; S: one byte, no capture inside; O: anything else.
  void noteTopLevelItem(const Facts& item, bool plain_capture_group, bool no_capture) {
    if (depth_ != 0 || top_shape_ == "|") {
      return;
    }
    top_shape_ += plain_capture_group ? 'G' : (no_capture && item.single ? 'S' : 'O');
  }

  Facts parseRepeats(Facts atom) {
    uint32_t lo = 1;
    uint32_t hi = 1;
    if (!ok_ || atEnd() || !parseQuantifier(lo, hi)) {
      return atom;
    }
    if (!atEnd() && peek() == '?') {
      ++pos_;  // non-greedy: the same set of matches
    }
    if (!atEnd() && (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{')) {
      fail();  // RE2 rejects a repeated repeat; do not guess
    }
    return repeat(std::move(atom), lo, hi);
  }

  bool parseQuantifier(uint32_t& lo, uint32_t& hi) {
    switch (peek()) {
      case '*':
        ++pos_;
        lo = 0;
        hi = kUnbounded;
        return true;
      case '+':
        ++pos_;
        lo = 1;
        hi = kUnbounded;
        return true;
      case '?':
        ++pos_;
        lo = 0;
        hi = 1;
        return true;
      case '{':
        return parseCounted(lo, hi);
      default:
        return false;
    }
  }

  bool readNumber(uint32_t& n) {
    size_t start = pos_;
    n = 0;
    while (!atEnd() && peek() >= '0' && peek() <= '9' && n <= kMaxRepeat) {
      n = n * 10 + static_cast<uint32_t>(peek() - '0');
      ++pos_;
    }
    return pos_ > start && n <= kMaxRepeat;
  }

  // {m}, {m,}, {m,n}; anything else after '{' is a literal to RE2: give up instead.
  bool parseCounted(uint32_t& lo, uint32_t& hi) {
    ++pos_;
    if (!readNumber(lo)) {
      fail();
      return false;
    }
    hi = lo;
    if (!atEnd() && peek() == ',') {
      ++pos_;
      hi = kUnbounded;
      if (!atEnd() && peek() != '}' && !readNumber(hi)) {
        fail();
        return false;
      }
    }
    if (atEnd() || peek() != '}' || hi < lo) {
      fail();
      return false;
    }
    ++pos_;
    return true;
  }

  // NOLINTNEXTLINE(misc-no-recursion): recursive descent, as deep as the regex nests
  std::optional<Facts> parseAtom(bool& caseless, bool& dotall) {
    char c = peek();
    ++pos_;
    switch (c) {
      case '(':
        return parseGroup(caseless, dotall);
      case '[':
        return byteFacts(parseClass(caseless));
      case '.':
        return byteFacts(dotall ? complement(CharSet()) : complement(rangeSet('\n', '\n')));
      case '^':
      case '$':
        return emptyFacts();
      case '\\':
        return parseEscapeAtom(caseless);
      case '*':
      case '+':
      case '?':
      case '{':
        fail();
        return emptyFacts();
      default:
        return byteFacts(literal(static_cast<unsigned char>(c), caseless));
    }
  }

  static CharSet literal(unsigned char c, bool caseless) {
    CharSet one = rangeSet(c, c);
    return caseless ? foldCase(one) : one;
  }

  // After '('. Returns nullopt for a bare flag group "(?i)", which changes the flags.
  // NOLINTNEXTLINE(misc-no-recursion): recursive descent, as deep as the regex nests
  std::optional<Facts> parseGroup(bool& caseless, bool& dotall) {
    bool inner_caseless = caseless;
    bool inner_dotall = dotall;
    bool capturing = true;
    if (!atEnd() && peek() == '?') {
      ++pos_;
      capturing = !atEnd() && peek() == 'P';
      if (capturing) {
        skipGroupName();
      } else if (parseFlags(inner_caseless, inner_dotall)) {
        caseless = inner_caseless;  // "(?i)": for the rest of the enclosing group
        dotall = inner_dotall;
        return std::nullopt;
      }
    }
    captures_ += capturing ? 1 : 0;
    ++depth_;
    Facts f = parseAlternation(inner_caseless, inner_dotall);
    --depth_;
    if (atEnd() || peek() != ')') {
      fail();
      return emptyFacts();
    }
    ++pos_;
    last_atom_captures_ = capturing;
    return f;
  }

  void skipGroupName() {
    size_t close = re_.find('>', pos_);
    if (pos_ + 1 >= re_.size() || re_[pos_ + 1] != '<' || close == std::string_view::npos) {
      fail();
      return;
    }
    pos_ = close + 1;
  }

  // After "(?": flags up to ':' (returns false: a group follows) or ')' (returns true).
  // A negated flag ("(?-i)") gives up: it could narrow a class where RE2 does not apply it.
  bool parseFlags(bool& caseless, bool& dotall) {
    while (!atEnd()) {
      char c = re_[pos_++];
      if (c == ':' || c == ')') {
        return c == ')';
      }
      if (c == 'i') {
        caseless = true;
      } else if (c == 's') {
        dotall = true;
      } else if (c != 'm' && c != 'U') {
        break;
      }
    }
    fail();
    return false;
  }

  // After '\' outside a class.
  Facts parseEscapeAtom(bool caseless) {
    if (atEnd()) {
      fail();
      return emptyFacts();
    }
    char c = peek();
    if (c == 'b' || c == 'B' || c == 'A' || c == 'z') {
      ++pos_;
      return emptyFacts();  // zero-width assertions
    }
    std::optional<CharSet> set = parseEscape();
    if (!set.has_value()) {
      fail();
      return emptyFacts();
    }
    return byteFacts(caseless ? foldCase(*set) : *set);
  }

  // After '\': a class escape (\s \d \w and their negations) or one escaped byte.
  std::optional<CharSet> parseEscape() {
    char c = re_[pos_++];
    static const CharSet kSpace = CharSet::parse("\t\n\v\f\r ");
    static const CharSet kDigit = rangeSet('0', '9');
    static const CharSet kWord = CharSet::parse("0-9A-Za-z_");
    switch (c) {
      case 's':
        return kSpace;
      case 'S':
        return complement(CharSet::parse("\t\n\f\r "));  // RE2's \s has no \v: keep it here
      case 'd':
        return kDigit;
      case 'D':
        return complement(kDigit);
      case 'w':
        return kWord;
      case 'W':
        return complement(kWord);
      case 'n':
        return rangeSet('\n', '\n');
      case 'r':
        return rangeSet('\r', '\r');
      case 't':
        return rangeSet('\t', '\t');
      case 'f':
        return rangeSet('\f', '\f');
      case 'v':
        return rangeSet('\v', '\v');
      case 'x':
        return parseHexEscape();
      default:
        break;
    }
    auto u = static_cast<unsigned char>(c);
    if ((u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z')) {
      return std::nullopt;  // \p, \Q, \C, back-references, ...: not known here
    }
    return rangeSet(u, u);  // an escaped punctuation byte
  }

  // After "\x": two hex digits (the braced form is not used by the rules).
  std::optional<CharSet> parseHexEscape() {
    if (pos_ + 2 > re_.size() || !isHexDigit(re_[pos_]) || !isHexDigit(re_[pos_ + 1])) {
      return std::nullopt;
    }
    auto b = static_cast<unsigned>(hexDigitValue(re_[pos_]) * 16 + hexDigitValue(re_[pos_ + 1]));
    pos_ += 2;
    return rangeSet(b, b);
  }

  // One member of a class: a byte (returned in `lo`) or a class escape (added to `set`).
  bool parseClassMember(CharSet& set, std::optional<unsigned char>& lo) {
    lo.reset();
    char c = re_[pos_++];
    if (c == '[' && !atEnd() && peek() == ':') {
      fail();  // POSIX classes: not known here
      return false;
    }
    if (c != '\\') {
      lo = static_cast<unsigned char>(c);
      return true;
    }
    if (atEnd()) {
      fail();
      return false;
    }
    std::optional<CharSet> esc = parseEscape();
    if (!esc.has_value()) {
      fail();
      return false;
    }
    if (esc->size() == 1) {
      lo = esc->first();
    } else {
      set.add(*esc);
    }
    return true;
  }

  // After '['.
  CharSet parseClass(bool caseless) {
    bool negate = false;
    if (!atEnd() && peek() == '^') {
      negate = true;
      ++pos_;
    }
    CharSet set;
    bool first = true;
    while (ok_ && !atEnd() && (peek() != ']' || first)) {
      first = false;
      std::optional<unsigned char> lo;
      if (!parseClassMember(set, lo) || !lo.has_value()) {
        continue;
      }
      unsigned char hi = *lo;
      if (pos_ + 1 < re_.size() && peek() == '-' && re_[pos_ + 1] != ']') {
        ++pos_;
        std::optional<unsigned char> end;
        if (!parseClassMember(set, end) || !end.has_value() || *end < *lo) {
          fail();
          break;
        }
        hi = *end;
      }
      set.add(rangeSet(*lo, hi));
    }
    if (atEnd()) {
      fail();
      return set;
    }
    ++pos_;  // ']'
    if (caseless) {
      set = foldCase(set);
    }
    return negate ? complement(set) : set;
  }

  std::string_view re_;
  size_t pos_ = 0;
  bool ok_ = true;
  int depth_ = 0;                    // groups open around the current position
  int captures_ = 0;                 // capture groups opened so far
  bool last_atom_captures_ = false;  // the atom just parsed is a capture group
  std::string top_shape_;            // one letter per top-level item (noteTopLevelItem)
};

// A segment whose every position is the same class of bytes below 0x80 is a run.
void markRun(const std::array<uint64_t, 256>& by_byte, ConfirmPrefilter::Segment& seg) {
  if (seg.length < 2 || seg.length > kMaxRun) {
    return;
  }
  const uint64_t all = seg.accept | (seg.accept - 1);
  std::array<uint8_t, 16> rows{};
  for (unsigned b = 0; b < 256; ++b) {
    if (by_byte[b] == 0) {
      continue;
    }
    if (by_byte[b] != all || b >= 0x80) {
      return;
    }
    rows[b & 15U] = static_cast<uint8_t>(rows[b & 15U] | (1U << (b >> 4)));
  }
  seg.run = true;
  seg.run_rows = rows;
}

#if defined(__x86_64__)
// The end of the first run of `length` bytes of the class in [p, p + n), or npos. Each byte
// is classified by two table lookups (its low nibble picks a row of run_rows, its high nibble
// a bit); runs are found with shifts and ANDs of the 64-bit mask of two blocks.
__attribute__((target("avx2"))) size_t findRunAvx2(const ConfirmPrefilter::Segment& seg,
                                                   const char* p, size_t n) {
  const __m256i rows = _mm256_broadcastsi128_si256(
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(seg.run_rows.data())));
  const __m256i bit_of_high =
      _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64,
                       -128, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  uint64_t prev = 0;  // the class bits of the 32 bytes before, in bits 0-31
  for (size_t i = 0; i < n; i += 32) {
    std::array<char, 32> tail{};
    const char* block = p + i;
    if (n - i < 32) {
      std::memcpy(tail.data(), p + i, n - i);
      block = tail.data();
    }
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block));
    const __m256i row = _mm256_shuffle_epi8(rows, _mm256_and_si256(v, nibble));
    const __m256i bit =
        _mm256_shuffle_epi8(bit_of_high, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
    const __m256i outside = _mm256_cmpeq_epi8(_mm256_and_si256(row, bit), _mm256_setzero_si256());
    uint64_t in =
        ~static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(outside))) & 0xFFFFFFFFU;
    if (n - i < 32) {
      in &= (uint64_t{1} << (n - i)) - 1;  // the padding is no part of the text
    }
    // Bit k of `ends`: the `length` bytes up to byte k of the two blocks are all in the class.
    uint64_t ends = (in << 32) | prev;
    uint32_t have = 1;
    while (have * 2 <= seg.length) {
      ends &= ends << have;
      have *= 2;
    }
    if (have < seg.length) {
      ends &= ends << (seg.length - have);
    }
    if (const uint64_t hits = ends >> 32; hits != 0) {
      return i + static_cast<size_t>(__builtin_ctzll(hits)) + 1;
    }
    prev = in;
  }
  return std::string_view::npos;
}
#endif

ConfirmPrefilter::Segment compile(const Piece& s) {
  ConfirmPrefilter::Segment out;
  out.length = static_cast<uint32_t>(s.positions.size());
  out.accept = uint64_t{1} << (out.length - 1);
  std::array<uint64_t, 256> by_byte{};
  for (size_t j = 0; j < s.positions.size(); ++j) {
    for (unsigned b = 0; b < 256; ++b) {
      if (s.positions[j].has(static_cast<unsigned char>(b))) {
        by_byte[b] |= uint64_t{1} << j;
      }
    }
  }
  out.masks.push_back(0);  // kind 0
  for (unsigned b = 0; b < 256; ++b) {
    if (by_byte[b] == 0) {
      continue;
    }
    auto it = std::find(out.masks.begin(), out.masks.end(), by_byte[b]);
    if (it == out.masks.end() && out.masks.size() == kMaxKinds) {
      // More distinct masks than a byte can name (no rule comes close): every byte that fits
      // some position fits them all, a weaker and still necessary condition.
      const uint64_t all = out.accept | (out.accept - 1);
      out.masks.assign({0, all});
      for (unsigned c = 0; c < 256; ++c) {
        out.kind[c] = by_byte[c] != 0 ? 1 : 0;
      }
      break;
    }
    out.kind[b] = static_cast<uint8_t>(it - out.masks.begin());
    if (it == out.masks.end()) {
      out.masks.push_back(by_byte[b]);
    }
  }
  markRun(by_byte, out);
  return out;
}

// The end of the first occurrence of `seg` in text at or after `from`, or npos.
size_t findSegment(const ConfirmPrefilter::Segment& seg, std::string_view text, size_t from,
                   bool scalar_only) {
#if defined(__x86_64__)
  if (seg.run && !scalar_only && __builtin_cpu_supports("avx2")) {
    const size_t end = findRunAvx2(seg, text.data() + from, text.size() - from);
    return end == std::string_view::npos ? end : from + end;
  }
#endif
  uint64_t state = 0;
  for (size_t i = from; i < text.size(); ++i) {
    state = ((state << 1) | 1) & seg.masks[seg.kind[static_cast<unsigned char>(text[i])]];
    if ((state & seg.accept) != 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

ConfirmPrefilter ConfirmPrefilter::fromRegex(std::string_view regex) {
  ConfirmPrefilter p;
  Parser parser(regex);
  std::optional<Facts> facts = parser.parseAll();
  if (!facts.has_value()) {
    return p;
  }
  p.analyzed_ = true;
  p.group_is_middle_ = parser.groupIsMiddle();
  p.min_length_ = facts->min_length;
  for (const Piece& s : facts->segments) {
    // A single broad class (a boundary such as [^A-Za-z0-9_]) is nearly always there.
    if (s.positions.size() >= 2 || s.positions[0].size() <= kNarrowClass) {
      p.segments_.push_back(compile(s));
    }
  }
  return p;
}

bool ConfirmPrefilter::hasRunForTest() const {
  return std::any_of(segments_.begin(), segments_.end(), [](const Segment& s) { return s.run; });
}

bool ConfirmPrefilter::mayMatch(std::string_view text) const {
  if (!analyzed_) {
    return true;
  }
  if (text.size() < min_length_) {
    return false;
  }
  size_t pos = 0;
  for (const Segment& seg : segments_) {
    pos = findSegment(seg, text, pos, scalar_only_);
    if (pos == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace agentbox::redact::detail
