// SPDX-License-Identifier: Apache-2.0
// File: stop_bytes.h
// Internal to redact/: the first byte of a buffer that is not in a CharSet. When the set
// leaves out only a few bytes (a window that runs to the end of the line, "^\r\n"), those
// bytes are looked for 16 at a time with SSE2 where the target has it (every x86-64); any
// other set, and the tail, go a byte at a time. A pure function of the set and the input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "redact/charset.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace agentbox::redact::detail {

class StopBytes {
 public:
  StopBytes() = default;
  explicit StopBytes(const CharSet& keep) {
    size_t n = 0;
    for (unsigned c = 0; c < 256; ++c) {
      if (keep.has(static_cast<unsigned char>(c))) {
        keep_[c >> 6] |= uint64_t{1} << (c & 63);
      }
    }
    for (unsigned c = 0; c < 256; ++c) {
      if (!keep.has(static_cast<unsigned char>(c))) {
        if (n == kMaxStops) {
          count_ = 0;  // too many to compare one by one: the byte loop
          return;
        }
        stops_[n++] = static_cast<char>(c);
      }
    }
    count_ = n;
  }

  // The index of the first byte of [p, p + n) outside the set, else n.
  [[nodiscard]] size_t find(const char* p, size_t n) const {
    size_t i = 0;
#if defined(__SSE2__)
    if (count_ > 0 && n >= 16) {
      i = findVector(p, n);
      if (i < n) {
        return i;
      }
      i = n - n % 16;
    }
#endif
    while (i < n && kept(static_cast<unsigned char>(p[i]))) {
      ++i;
    }
    return i;
  }

  // True when find() compares the left-out bytes 16 at a time.
  [[nodiscard]] bool vectorForTest() const {
    return count_ > 0;
  }

 private:
  static constexpr size_t kMaxStops = 8;

#if defined(__SSE2__)
  // The index of the first stop byte in the whole 16-byte blocks of [p, p + n), else n.
  [[nodiscard]] size_t findVector(const char* p, size_t n) const {
    // std::array would drop __m128i's alignment attribute (GCC warns).
    __m128i splats[kMaxStops];  // NOLINT(modernize-avoid-c-arrays)
    for (size_t k = 0; k < count_; ++k) {
      splats[k] = _mm_set1_epi8(stops_[k]);
    }
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      __m128i hit = _mm_cmpeq_epi8(v, splats[0]);
      for (size_t k = 1; k < count_; ++k) {
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, splats[k]));
      }
      if (const int mask = _mm_movemask_epi8(hit); mask != 0) {
        return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
      }
    }
    return n;
  }
#endif

  [[nodiscard]] bool kept(unsigned char c) const {
    return ((keep_[c >> 6] >> (c & 63)) & 1) != 0;
  }

  std::array<uint64_t, 4> keep_{};  // the set as 256 bits: one cache line, not four
  std::array<char, kMaxStops> stops_{};
  size_t count_ = 0;  // 0: more than kMaxStops bytes are left out
};

}  // namespace agentbox::redact::detail
