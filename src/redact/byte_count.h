// SPDX-License-Identifier: Apache-2.0
// File: byte_count.h
// Internal to redact/: how many times a byte occurs in a buffer (the engine counts newlines
// of everything it writes for line/column numbers). 64 bytes at a time with AVX-512BW where
// the CPU has it, 16 with SSE2 where the target has it (every x86-64), a byte loop otherwise.
// A pure function of its input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace agentbox::redact::detail {

// The SSE2 (or byte loop) version; countByte() picks it where AVX-512BW is missing.
inline size_t countByteBaseline(const char* p, size_t n, char c) {
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

#if defined(__x86_64__)
__attribute__((target("avx512bw,popcnt"))) inline size_t countByteAvx512(const char* p, size_t n,
                                                                         char c) {
  const __m512i needle = _mm512_set1_epi8(c);
  size_t total = 0;
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512i v = _mm512_loadu_si512(p + i);
    total += static_cast<size_t>(_mm_popcnt_u64(_mm512_cmpeq_epi8_mask(v, needle)));
  }
  return total + countByteBaseline(p + i, n - i, c);
}
#endif

inline size_t countByte(const char* p, size_t n, char c) {
#if defined(__x86_64__)
  if (n >= 64 && __builtin_cpu_supports("avx512bw")) {
    return countByteAvx512(p, n, c);
  }
#endif
  return countByteBaseline(p, n, c);
}

}  // namespace agentbox::redact::detail
