// SPDX-License-Identifier: Apache-2.0
// File: short_literals.cc
// Candidates with AVX-512 VBMI (one 128-entry table lookup per position and block), AVX2
// (nibble tables, a superset) or a byte loop over the exact tables; the exact compare after
// any of them makes the hits the same.
#include "redact/short_literals.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace agentbox::redact::detail {

namespace {

constexpr size_t kBlockBytes = 64;
constexpr size_t kBatchBlocks = 16;
constexpr size_t kPositions = ShortLiterals::kMaxLength;

unsigned char fold(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

// The byte values a group of literals may have at each position (bit c of word c / 64).
struct PositionSets {
  std::array<std::array<uint64_t, 4>, kPositions> sets{};

  static PositionSets of(const ShortLiteral& lit) {
    PositionSets s;
    const size_t pad = kPositions - lit.bytes.size();
    for (size_t j = 0; j < kPositions; ++j) {
      if (j < pad) {
        s.sets[j].fill(~uint64_t{0});  // before a shorter literal: any byte
        continue;
      }
      const auto c = static_cast<unsigned char>(lit.bytes[j - pad]);
      for (unsigned char v :
           {c, lit.caseless ? fold(c) : c,
            lit.caseless && c >= 'a' && c <= 'z' ? static_cast<unsigned char>(c - 'a' + 'A') : c}) {
        s.sets[j][v >> 6] |= uint64_t{1} << (v & 63);
      }
    }
    return s;
  }
  void add(const PositionSets& o) {
    for (size_t j = 0; j < kPositions; ++j) {
      for (size_t w = 0; w < 4; ++w) {
        sets[j][w] |= o.sets[j][w];
      }
    }
  }
  // How many 3-byte strings the sets accept (what a bucket lets through before the compare).
  [[nodiscard]] double combinations() const { return combinationsWith(*this); }
  // ... and the union of these sets and `o`'s.
  [[nodiscard]] double combinationsWith(const PositionSets& o) const {
    double n = 1;
    for (size_t j = 0; j < kPositions; ++j) {
      unsigned bits = 0;
      for (size_t w = 0; w < 4; ++w) {
        bits += bitCount(sets[j][w] | o.sets[j][w]);
      }
      n *= bits;
    }
    return n;
  }
  // Without a popcount instruction on the baseline target, and fast for the common words:
  // all ones (any byte) and zero.
  static unsigned bitCount(uint64_t v) {
    if (v == 0 || v == ~uint64_t{0}) {
      return v == 0 ? 0 : 64;
    }
    v = v - ((v >> 1) & 0x5555555555555555ULL);
    v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<unsigned>((v * 0x0101010101010101ULL) >> 56);
  }
};

void findBytes(const ShortLiterals::Tables& t, const char* p, size_t blocks, uint64_t* out) {
  for (size_t b = 0; b < blocks; ++b) {
    const auto* q = reinterpret_cast<const unsigned char*>(p + b * kBlockBytes);
    uint64_t m = 0;
    for (unsigned k = 0; k < kBlockBytes; ++k) {
      const unsigned hit = t.exact[0][q[k]] & t.exact[1][q[k + 1]] & t.exact[2][q[k + 2]];
      m |= static_cast<uint64_t>(hit != 0 ? 1U : 0U) << k;
    }
    out[b] = m;
  }
}

#if defined(__x86_64__)
// Helpers are macros: an inline function would not inherit the target attribute.
#define AGENTBOX_NIBBLES32(v, lo_tab, hi_tab, low)                 \
  _mm256_and_si256(                                                \
      _mm256_shuffle_epi8((lo_tab), _mm256_and_si256((v), (low))), \
      _mm256_shuffle_epi8((hi_tab), _mm256_and_si256(_mm256_srli_epi16((v), 4), (low))))

__attribute__((target("avx2"))) void findAvx2(const ShortLiterals::Tables& t, const char* p,
                                              size_t blocks, uint64_t* out) {
  const __m256i low = _mm256_set1_epi8(0x0F);
  __m256i lo_tab[kPositions];  // NOLINT(*-avoid-c-arrays): std::array drops the vector type's
  __m256i hi_tab[kPositions];  // NOLINT(*-avoid-c-arrays)   attributes
  for (size_t j = 0; j < kPositions; ++j) {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t.low_nibble[j].data()));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t.high_nibble[j].data()));
    lo_tab[j] = _mm256_broadcastsi128_si256(lo);
    hi_tab[j] = _mm256_broadcastsi128_si256(hi);
  }
  for (size_t b = 0; b < blocks; ++b) {
    uint64_t m = 0;
    for (unsigned h = 0; h < 2; ++h) {
      const char* q = p + b * kBlockBytes + size_t{32} * h;
      __m256i all = _mm256_set1_epi8(-1);
      for (size_t j = 0; j < kPositions; ++j) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + j));
        all = _mm256_and_si256(all, AGENTBOX_NIBBLES32(v, lo_tab[j], hi_tab[j], low));
      }
      const auto none = static_cast<uint32_t>(
          _mm256_movemask_epi8(_mm256_cmpeq_epi8(all, _mm256_setzero_si256())));
      m |= static_cast<uint64_t>(~none) << (32 * h);
    }
    out[b] = m;
  }
}
#undef AGENTBOX_NIBBLES32

// The exact table of a position as two 64-byte halves (bytes 0-127). The lookup uses the low
// seven bits of a byte, so a byte of 128 or more at the two positions before the end takes the
// buckets of the ASCII byte it aliases (a superset, as the compare allows), and at the end,
// where no literal has one, it ends no candidate.
__attribute__((target("avx512bw,avx512vbmi"))) void findAvx512(const ShortLiterals::Tables& t,
                                                               const char* p, size_t blocks,
                                                               uint64_t* out) {
  __m512i lo[kPositions];  // NOLINT(*-avoid-c-arrays): std::array drops the vector type's
  __m512i hi[kPositions];  // NOLINT(*-avoid-c-arrays)   attributes
  for (size_t j = 0; j < kPositions; ++j) {
    lo[j] = _mm512_loadu_si512(t.exact[j].data());
    hi[j] = _mm512_loadu_si512(t.exact[j].data() + 64);
  }
  for (size_t b = 0; b < blocks; ++b) {
    const char* q = p + b * kBlockBytes;
    const __m512i v0 = _mm512_loadu_si512(q);
    const __m512i v1 = _mm512_loadu_si512(q + 1);
    const __m512i v2 = _mm512_loadu_si512(q + 2);
    const __m512i before = _mm512_and_si512(_mm512_permutex2var_epi8(lo[0], v0, hi[0]),
                                            _mm512_permutex2var_epi8(lo[1], v1, hi[1]));
    const __m512i end = _mm512_permutex2var_epi8(lo[2], v2, hi[2]);
    const __mmask64 ascii = ~_mm512_movepi8_mask(v2);
    out[b] = _mm512_mask_test_epi8_mask(ascii, before, end);
  }
}

bool cpuHas(ShortLiteralScanner::Isa isa) {
  switch (isa) {
    case ShortLiteralScanner::Isa::kBaseline:
      return true;
    case ShortLiteralScanner::Isa::kAvx2:
      return __builtin_cpu_supports("avx2");
    case ShortLiteralScanner::Isa::kAvx512:
      return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
  }
  return false;
}

ShortLiteralScanner::Find findFor(ShortLiteralScanner::Isa isa) {
  switch (isa) {
    case ShortLiteralScanner::Isa::kAvx512:
      return &findAvx512;
    case ShortLiteralScanner::Isa::kAvx2:
      return &findAvx2;
    case ShortLiteralScanner::Isa::kBaseline:
      break;
  }
  return &findBytes;
}
#else
bool cpuHas(ShortLiteralScanner::Isa isa) {
  return isa == ShortLiteralScanner::Isa::kBaseline;
}

ShortLiteralScanner::Find findFor(ShortLiteralScanner::Isa /*isa*/) {
  return &findBytes;
}
#endif

ShortLiteralScanner::Find pickFind() {
  for (auto isa : {ShortLiteralScanner::Isa::kAvx512, ShortLiteralScanner::Isa::kAvx2}) {
    if (cpuHas(isa)) {
      return findFor(isa);
    }
  }
  return findFor(ShortLiteralScanner::Isa::kBaseline);
}

}  // namespace

bool ShortLiterals::eligible(std::string_view keyword) {
  if (keyword.empty() || keyword.size() > kMaxLength) {
    return false;
  }
  return std::all_of(keyword.begin(), keyword.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

Result<ShortLiterals> ShortLiterals::build(std::vector<ShortLiteral> literals) {
  if (literals.size() > kMaxLiterals) {
    return makeError(Errc::kInvalidInput, "{} short literals, more than the scanner's {}",
                     literals.size(), kMaxLiterals);
  }
  for (const ShortLiteral& lit : literals) {
    if (!eligible(lit.bytes)) {
      return makeError(Errc::kInvalidInput,
                       "short literal of trigger {} is not 1-{} printable ASCII bytes", lit.trigger,
                       kMaxLength);
    }
  }
  ShortLiterals set;
  set.literals_ = std::move(literals);
  set.group();
  return set;
}

namespace {

struct Group {
  PositionSets sets;
  std::vector<uint32_t> members;  // indices into the literals
  double own = 0;                 // strings the members' own sets accept
};

// The cheapest merge among the live groups: (a, b) with a < b, the smallest extra[a * n + b].
std::pair<size_t, size_t> cheapestMerge(const std::vector<double>& extra,
                                        const std::vector<bool>& alive) {
  const size_t n = alive.size();
  size_t best_a = n;
  size_t best_b = n;
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = a + 1; b < n && alive[a]; ++b) {
      if (alive[b] && (best_a == n || extra[a * n + b] < extra[best_a * n + best_b])) {
        best_a = a;
        best_b = b;
      }
    }
  }
  return {best_a, best_b};
}

// Greedy grouping: start with one group per literal and merge the two groups whose union
// lets through the fewest strings the literals do not account for, until `buckets` are left.
std::vector<Group> groupLiterals(const std::vector<ShortLiteral>& literals, size_t buckets) {
  std::vector<Group> groups;
  for (size_t i = 0; i < literals.size(); ++i) {
    PositionSets s = PositionSets::of(literals[i]);
    groups.push_back({s, {static_cast<uint32_t>(i)}, s.combinations()});
  }
  // extra[a * n + b] (a < b): what merging groups a and b would let through in addition. Only
  // the merged group's row and column change after a merge: every run builds this (~25
  // literals), so it is kept cheap.
  const size_t n = groups.size();
  std::vector<double> extra(n * n, 0);
  std::vector<bool> alive(n, true);
  auto cost = [&](size_t a, size_t b) {
    const size_t lo = std::min(a, b);
    const size_t hi = std::max(a, b);
    extra[lo * n + hi] =
        groups[lo].sets.combinationsWith(groups[hi].sets) - groups[lo].own - groups[hi].own;
  };
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = a + 1; b < n; ++b) {
      cost(a, b);
    }
  }
  for (size_t left = n; left > buckets; --left) {
    const auto [into, from] = cheapestMerge(extra, alive);
    groups[into].sets.add(groups[from].sets);
    groups[into].own += groups[from].own;
    groups[into].members.insert(groups[into].members.end(), groups[from].members.begin(),
                                groups[from].members.end());
    alive[from] = false;
    for (size_t x = 0; x < n; ++x) {
      if (alive[x] && x != into) {
        cost(x, into);
      }
    }
  }
  std::vector<Group> kept;
  for (size_t g = 0; g < n; ++g) {
    if (alive[g]) {
      kept.push_back(std::move(groups[g]));
    }
  }
  return kept;
}

}  // namespace

void ShortLiterals::group() {
  std::vector<Group> groups = groupLiterals(literals_, kBuckets);
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<uint32_t>& members = groups[g].members;
    std::sort(members.begin(), members.end(), [this](uint32_t a, uint32_t b) {
      return literals_[a].trigger < literals_[b].trigger;
    });
    buckets_[g] = members;
    const auto bit = static_cast<uint8_t>(1U << g);
    for (size_t j = 0; j < kPositions; ++j) {
      for (unsigned w = 0; w < 4; ++w) {
        for (uint64_t m = groups[g].sets.sets[j][w]; m != 0; m &= m - 1) {
          const unsigned c = w * 64 + static_cast<unsigned>(__builtin_ctzll(m));
          tables_.exact[j][c] |= bit;
          tables_.low_nibble[j][c & 15U] |= bit;
          tables_.high_nibble[j][c >> 4] |= bit;
        }
      }
    }
  }
}

ShortLiteralScanner::ShortLiteralScanner(const ShortLiterals& set)
    : set_(&set), find_(pickFind()) {}

bool ShortLiteralScanner::useIsaForTest(Isa isa) {
  if (!cpuHas(isa)) {
    return false;
  }
  find_ = findFor(isa);
  return true;
}

template <typename At>
void ShortLiteralScanner::verify(const At& at, int64_t end, uint64_t base,
                                 std::vector<TriggerHit>& out) const {
  const ShortLiterals::Tables& t = set_->tables();
  unsigned buckets = t.exact[0][at(end - 2)] & t.exact[1][at(end - 1)] & t.exact[2][at(end)];
  for (; buckets != 0; buckets &= buckets - 1) {
    const auto b = static_cast<size_t>(__builtin_ctz(buckets));
    for (uint32_t index : set_->bucket(b)) {
      const ShortLiteral& lit = set_->literals()[index];
      const auto len = static_cast<int64_t>(lit.bytes.size());
      bool same = true;
      for (int64_t k = 0; k < len && same; ++k) {
        const unsigned char c = at(end - len + 1 + k);
        const auto want = static_cast<unsigned char>(lit.bytes[static_cast<size_t>(k)]);
        same = c == want || (lit.caseless && fold(c) == fold(want));
      }
      if (same) {
        out.emplace_back(lit.trigger, base + static_cast<uint64_t>(end) + 1);
      }
    }
  }
}

void ShortLiteralScanner::scan(const char* p, size_t n, uint64_t base,
                               std::vector<TriggerHit>& out) {
  if (n == 0 || set_->empty()) {
    return;
  }
  // Index i of the write is byte p[i]; -2 and -1 are the history.
  const std::array<char, 2> before = history_;
  auto at = [p, &before](int64_t i) -> unsigned char {
    return static_cast<unsigned char>(i < 0 ? before[static_cast<size_t>(i + 2) & 1U]
                                            : p[static_cast<size_t>(i)]);
  };
  auto report = [&](uint64_t mask, size_t first) {
    for (; mask != 0; mask &= mask - 1) {
      verify(at, static_cast<int64_t>(first) + __builtin_ctzll(mask), base, out);
    }
  };
  // The first block and the tail through a copy with the two bytes before them; the blocks in
  // between where they are.
  auto padded = [&](size_t first, size_t count) {
    std::array<char, kBlockBytes + 2> tmp{};
    tmp[0] = static_cast<char>(at(static_cast<int64_t>(first) - 2));
    tmp[1] = static_cast<char>(at(static_cast<int64_t>(first) - 1));
    std::memcpy(tmp.data() + 2, p + first, count);
    uint64_t mask = 0;
    find_(set_->tables(), tmp.data(), 1, &mask);
    report(count < kBlockBytes ? mask & ((uint64_t{1} << count) - 1) : mask, first);
  };
  const size_t head = std::min(n, kBlockBytes);
  padded(0, head);
  size_t i = head;
  std::array<uint64_t, kBatchBlocks> masks{};
  while (i + kBlockBytes <= n) {
    const size_t blocks = std::min(kBatchBlocks, (n - i) / kBlockBytes);
    find_(set_->tables(), p + i - 2, blocks, masks.data());
    for (size_t b = 0; b < blocks; ++b) {
      report(masks[b], i + b * kBlockBytes);
    }
    i += blocks * kBlockBytes;
  }
  if (i < n) {
    padded(i, n - i);
  }
  history_ = {static_cast<char>(at(static_cast<int64_t>(n) - 2)),
              static_cast<char>(at(static_cast<int64_t>(n) - 1))};
}

}  // namespace agentbox::redact::detail
