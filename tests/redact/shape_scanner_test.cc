// SPDX-License-Identifier: Apache-2.0
// File: shape_scanner_test.cc
// The 64-byte mask scanner against the byte-at-a-time scanner it replaced (kept here as the
// reference): the same hits in the same order on adversarial text, for every chunking.
#include "redact/shape_scanner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "redact/rule.h"
#include "redact_test_util.h"

namespace agentbox::redact::detail {
namespace {

namespace rt = ::agentbox::redact::testing;
using Shapes = std::vector<std::pair<uint32_t, DigitShape>>;

bool isDigit(char c) {
  return static_cast<unsigned char>(c - '0') <= 9;
}

// The scanner as it was before the mask version (TextEngine::scanDigits/scanSeparators),
// byte loops instead of SSE2, over a history that holds the whole stream.
class ReferenceScanner {
 public:
  explicit ReferenceScanner(Shapes shapes) : shapes_(std::move(shapes)) {
    for (const auto& [trigger, shape] : shapes_) {
      if (shape == DigitShape::kIpv4) {
        ipv4_ = trigger;
      } else if (shape == DigitShape::kIpv6) {
        ipv6_ = trigger;
      } else {
        has_digits_ = true;
        if (shape == DigitShape::kNanpPhone) {
          min_run_ = 8;
        }
      }
    }
  }

  void scan(std::string_view chunk, std::vector<TriggerHit>& out) {
    const size_t first = out.size();
    scanClasses(chunk, out);
    // The scanner's order: by end, and at one end card/SSN/NANP, then IPv4, then IPv6.
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                     [](const TriggerHit& a, const TriggerHit& b) { return a.second < b.second; });
  }

 private:
  void scanClasses(std::string_view chunk, std::vector<TriggerHit>& out) {
    const uint64_t base = history_.size();
    history_ += chunk;
    if (has_digits_) {
      scanDigits(chunk.data(), chunk.size(), base, out);
    }
    if (ipv4_ >= 0) {
      scanSeparators(chunk.data(), chunk.size(), base, '.', ipv4_, out);
    }
    if (ipv6_ >= 0) {
      scanSeparators(chunk.data(), chunk.size(), base, ':', ipv6_, out);
    }
  }

  // Verbatim apart from the names, so its complexity is the old one.
  // NOLINTNEXTLINE(readability-function-cognitive-complexity)
  void scanDigits(const char* p, size_t n, uint64_t base, std::vector<TriggerHit>& out) {
    auto run_byte = [](char c) { return isDigit(c) || c == ' ' || c == '-'; };
    size_t i = 0;
    while (i < n) {
      if (digits_ == 0) {
        while (i < n && !isDigit(p[i])) {
          ++i;
        }
        dashes_ = 0;
        count_ = 0;
        if (i == n) {
          break;
        }
        size_t j = i;
        while (j < n && run_byte(p[j])) {
          ++j;
        }
        if (j < n && j - i < min_run_) {
          i = j;
          continue;
        }
      }
      const char c = p[i];
      const uint32_t digit = isDigit(c) ? 1U : 0U;
      if (digit != 0 || c == ' ' || c == '-') {
        count_ += digit - ((digits_ >> 22) & 1U);
        digits_ = (digits_ << 1) | digit;
        dashes_ = (dashes_ << 1) | (c == '-' ? 1U : 0U);
      } else {
        digits_ = 0;
        dashes_ = 0;
        count_ = 0;
      }
      const bool nanp = (digits_ & 0x1FFU) == 0x0EFU;
      for (const auto& [trigger, shape] : shapes_) {
        bool fire = false;
        if (shape == DigitShape::kCardNumber) {
          fire = count_ >= 13;
        } else if (shape == DigitShape::kSsn) {
          fire = (digits_ & 0x7FFU) == 0x76FU && (dashes_ & 0x7FFU) == 0x090U;
        } else if (shape == DigitShape::kNanpPhone) {
          fire = nanp;
        }
        if (digit != 0 && fire) {
          out.emplace_back(trigger, base + i + 1);
        }
      }
      ++i;
    }
  }

  // NOLINTNEXTLINE(readability-function-cognitive-complexity): verbatim, as scanDigits
  void scanSeparators(const char* p, size_t n, uint64_t base, char sep, int64_t trigger,
                      std::vector<TriggerHit>& out) const {
    const size_t group_max = sep == '.' ? 3 : 4;
    auto in_group = [sep](unsigned char c) {
      return sep == '.' ? (c >= '0' && c <= '9')
                        : ((c >= '0' && c <= '9') || ((c | 0x20U) >= 'a' && (c | 0x20U) <= 'f'));
    };
    auto at = [&](uint64_t off) { return static_cast<unsigned char>(history_[off]); };
    for (size_t k = 0; k < n; ++k) {
      if (p[k] != sep) {
        continue;
      }
      const uint64_t pos = base + k;
      uint64_t off = pos;
      int groups = 0;
      while (groups < 3) {
        size_t len = 0;
        while (off > 0 && len <= group_max && in_group(at(off - 1))) {
          --off;
          ++len;
        }
        if (len == 0 || len > group_max) {
          break;
        }
        ++groups;
        if (groups < 3) {
          if (off == 0 || at(off - 1) != static_cast<unsigned char>(sep)) {
            break;
          }
          --off;
        }
      }
      if (groups == 3) {
        out.emplace_back(static_cast<uint32_t>(trigger), pos + 1);
      }
    }
  }

  Shapes shapes_;
  std::string history_;
  uint32_t digits_ = 0;
  uint32_t dashes_ = 0;
  uint32_t count_ = 0;
  bool has_digits_ = false;
  size_t min_run_ = 11;
  int64_t ipv4_ = -1;
  int64_t ipv6_ = -1;
};

// Text made of the pieces the shapes are built from, so that near-shapes are common.
std::string adversarialText(std::mt19937_64& rng, size_t size) {
  static constexpr auto kPieces = std::to_array<const char*>({"4111 1111 1111 1111",
                                                              "4111-1111-1111-1111-111",
                                                              "123-45-6789",
                                                              "555-2671",
                                                              "(415) 555-2671",
                                                              "415 555 2671",
                                                              "2026-12-03T06:55:01Z",
                                                              "10.0.0.1",
                                                              "1.2.3.4.5",
                                                              "1234.5.6.7",
                                                              "fe80::1:2:3",
                                                              "2001:db8:0:1:2::",
                                                              "a:b:c:d",
                                                              "12345:abcd:ef:1",
                                                              "0123456789012345678901",
                                                              "   ",
                                                              "-",
                                                              ".",
                                                              ":",
                                                              " ",
                                                              "x",
                                                              "A",
                                                              "\n",
                                                              "12",
                                                              "999",
                                                              "1 2 3 4 5 6 7 8 9 0 1 2 3 4",
                                                              "--1234567890123--",
                                                              "abcdef:"});
  std::string text;
  while (text.size() < size) {
    if (rng() % 4 == 0) {
      text += "0123456789 -.:abcfXT\n"[rng() % 21];
    } else {
      text += kPieces[rng() % kPieces.size()];
    }
  }
  return text;
}

const Shapes kAllShapes = {{3, DigitShape::kNanpPhone},
                           {5, DigitShape::kCardNumber},
                           {7, DigitShape::kSsn},
                           {9, DigitShape::kIpv4},
                           {11, DigitShape::kIpv6}};

std::vector<TriggerHit> runIsa(const Shapes& shapes, std::string_view text,
                               const std::vector<size_t>& cuts, ShapeScanner* scanner) {
  std::vector<TriggerHit> out;
  size_t from = 0;
  for (size_t cut : cuts) {
    scanner->scan(text.data() + from, cut - from, from, out);
    from = cut;
  }
  scanner->scan(text.data() + from, text.size() - from, from, out);
  return out;
}

// The scanner as the CPU picks it; every instruction set this CPU has must agree with it.
std::vector<TriggerHit> runMasks(const Shapes& shapes, std::string_view text,
                                 const std::vector<size_t>& cuts) {
  ShapeScanner scanner(shapes);
  const std::vector<TriggerHit> out = runIsa(shapes, text, cuts, &scanner);
  for (ShapeScanner::Isa isa :
       {ShapeScanner::Isa::kBaseline, ShapeScanner::Isa::kAvx2, ShapeScanner::Isa::kAvx512}) {
    ShapeScanner other(shapes);
    if (other.useIsaForTest(isa)) {
      EXPECT_EQ(runIsa(shapes, text, cuts, &other), out)
          << "instruction set " << static_cast<int>(isa) << " classifies differently";
    }
  }
  return out;
}

std::vector<TriggerHit> runReference(const Shapes& shapes, std::string_view text,
                                     const std::vector<size_t>& cuts) {
  ReferenceScanner scanner(shapes);
  std::vector<TriggerHit> out;
  size_t from = 0;
  for (size_t cut : cuts) {
    scanner.scan(text.substr(from, cut - from), out);
    from = cut;
  }
  scanner.scan(text.substr(from), out);
  return out;
}

TEST(ShapeScanner, KnownShapesFireWhereTheReferenceDoes) {
  const std::string text =
      " 4111 1111 1111 1111 123-45-6789 (415) 555-2671 10.0.0.1 fe80::1:2:3:4 "
      "2026-12-03T06:55:01 555-26711 1.2.3.4567 abcde:1:2:3: ";
  const auto expected = runReference(kAllShapes, text, {});
  EXPECT_GT(expected.size(), 10U);
  EXPECT_EQ(runMasks(kAllShapes, text, {}), expected);
}

TEST(ShapeScanner, SameHitsAsTheReferenceForEveryCut) {
  std::mt19937_64 rng(17);
  const std::string text = adversarialText(rng, 300);
  const auto expected = runReference(kAllShapes, text, {});
  ASSERT_GT(expected.size(), 20U);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    // Ordering differs per write (digit shapes, then IPv4, then IPv6), so compare per cut.
    ASSERT_EQ(runMasks(kAllShapes, text, {cut}), runReference(kAllShapes, text, {cut}))
        << "cut at " << cut;
  }
}

TEST(ShapeScanner, SameHitsAsTheReferenceByteAtATimeAndInRandomChunks) {
  std::mt19937_64 rng(18);
  for (int round = 0; round < 200; ++round) {
    const std::string text = adversarialText(rng, 50 + rng() % 400);
    std::vector<size_t> cuts;
    const size_t mode = rng() % 3;
    for (size_t pos = 0;;) {
      pos += mode == 0 ? 1 : mode == 1 ? 1 + rng() % 70 : 60 + rng() % 8;
      if (pos >= text.size()) {
        break;
      }
      cuts.push_back(pos);
    }
    ASSERT_EQ(runMasks(kAllShapes, text, cuts), runReference(kAllShapes, text, cuts))
        << "round " << round << " text " << text;
  }
}

TEST(ShapeScanner, EverySubsetOfShapesMatchesTheReference) {
  std::mt19937_64 rng(19);
  const std::string text = adversarialText(rng, 2000);
  for (unsigned subset = 1; subset < (1U << kAllShapes.size()); ++subset) {
    Shapes shapes;
    for (size_t k = 0; k < kAllShapes.size(); ++k) {
      if ((subset >> k & 1U) != 0) {
        shapes.push_back(kAllShapes[k]);
      }
    }
    const std::vector<size_t> cuts = {1, 63, 64, 65, 127, 500, 1000, 1001};
    ASSERT_EQ(runMasks(shapes, text, cuts), runReference(shapes, text, cuts))
        << "subset " << subset;
  }
}

// Each instruction set on its own against the reference, so a CPU without one says so.
TEST(ShapeScanner, EachInstructionSetMatchesTheReference) {
  std::mt19937_64 rng(20);
  // Long enough for whole 16-block batches and partial ones (AVX-512 takes 8 blocks at a time).
  const std::string text = adversarialText(rng, 9000);
  const std::vector<size_t> cuts = {5, 64, 100, 129, 1000, 1063, 2087, 8000};
  const auto expected = runReference(kAllShapes, text, cuts);
  ASSERT_GT(expected.size(), 50U);
  std::string missing;
  for (auto [isa, name] : {std::pair(ShapeScanner::Isa::kBaseline, "baseline"),
                           std::pair(ShapeScanner::Isa::kAvx2, "AVX2"),
                           std::pair(ShapeScanner::Isa::kAvx512, "AVX-512BW")}) {
    ShapeScanner scanner(kAllShapes);
    if (!scanner.useIsaForTest(isa)) {
      missing += std::string(missing.empty() ? "" : ", ") + name;
      continue;
    }
    EXPECT_EQ(runIsa(kAllShapes, text, cuts, &scanner), expected) << name;
  }
  if (!missing.empty()) {
    GTEST_SKIP() << "not on this CPU (the others were checked): " << missing;
  }
}

TEST(ShapeScanner, ResetStartsANewStream) {
  ShapeScanner scanner(kAllShapes);
  std::vector<TriggerHit> out;
  scanner.scan("555-", 4, 0, out);
  scanner.reset();
  scanner.scan("2671", 4, 0, out);  // no "555-" before it any more
  EXPECT_TRUE(out.empty());
  scanner.scan(" 555-2671", 9, 4, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0], TriggerHit(3, 13));
}

// Through the whole engine, every rule on (the opt-in ip-* ones included): the shapes sit
// next to timestamps, separators and each other, and a cut anywhere, even inside a
// candidate, leaves the output and the findings as they are in one write.
TEST(ShapeScanner, EngineOutputIsTheSameForEveryCut) {
  const auto& rules = rt::builtinSet();
  ASSERT_NE(rules, nullptr);
  const std::string text =
      "2026-12-03T06:55:01 card 4111 1111 1111 1111 ssn 536-22-8145,tel (415) 555-2671\n"
      "at 10.1.2.3:8080 via fe80::1:2:3:4 id=1234567890123 4111-1111-1111-1111.5 "
      "2026-12-03 555-2671 12:34:56:78 078-05-11201 x4111111111111111 "
      "10.0.0.256.1 ::1 415 555 2671\n";
  const auto whole = rt::runOnce(rules, text);
  EXPECT_GE(whole.findings.size(), 6U) << whole.out;
  auto same = [&](const rt::RunResult& r, const std::string& what) {
    ASSERT_EQ(r.out, whole.out) << what;
    ASSERT_EQ(r.findings.size(), whole.findings.size()) << what;
    for (size_t k = 0; k < r.findings.size(); ++k) {
      EXPECT_EQ(r.findings[k].rule_id, whole.findings[k].rule_id) << what;
      EXPECT_EQ(r.findings[k].start, whole.findings[k].start) << what;
      EXPECT_EQ(r.findings[k].end, whole.findings[k].end) << what;
    }
  };
  for (size_t cut = 1; cut < text.size(); ++cut) {
    same(rt::runChunks(rules,
                       {std::string_view(text).substr(0, cut), std::string_view(text).substr(cut)}),
         "cut at " + std::to_string(cut));
  }
  same(rt::runBytewise(rules, text), "byte at a time");
}

}  // namespace
}  // namespace agentbox::redact::detail
