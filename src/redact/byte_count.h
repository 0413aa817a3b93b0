// SPDX-License-Identifier: Apache-2.0
// File: byte_count.h
// Internal to redact/: how many times a byte occurs in a buffer (the engine counts newlines
// of everything it writes for line/column numbers). 16 bytes at a time with SSE2 where the
// target has it (every x86-64), a byte loop otherwise. A pure function of its input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace agentbox::redact::detail {

inline size_t countByte(const char* p, size_t n, char c) {
  size_t total = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(c);
  while (i + 16 <= n) {
    // Each lane counts down by one per match (a match is -1); 255 rounds cannot overflow it.
    __m128i lanes = _mm_setzero_si128();
    const size_t stop = std::min(n - 15, i + size_t{255} * 16);
    for (; i < stop; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, needle));
    }
    const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
    total += static_cast<size_t>(_mm_cvtsi128_si32(sums)) +
             static_cast<size_t>(_mm_extract_epi16(sums, 4));
  }
#endif
  for (; i < n; ++i) {
    total += p[i] == c ? 1 : 0;
  }
  return total;
}

}  // namespace agentbox::redact::detail
