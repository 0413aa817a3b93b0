// SPDX-License-Identifier: Apache-2.0
// File: digit_runs.h
// Internal to redact/: the byte searches of the digit scanner (TextEngine::scanDigits), 16
// bytes at a time with SSE2 where the target has it (every x86-64), a byte loop otherwise.
// Pure functions of their input; both return `n` when nothing is found before it.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace agentbox::redact::detail {

inline bool isAsciiDigit(char c) {
  return static_cast<unsigned char>(c - '0') <= 9;
}

// A byte of a card-number or SSN run: a digit, ' ' or '-'.
inline bool isDigitRunByte(char c) {
  return isAsciiDigit(c) || c == ' ' || c == '-';
}

#if defined(__SSE2__)
// Bit k set when byte k of the 16 at `p` is an ASCII digit (with `with_separators`: or ' ' or
// '-'). Signed compare after a shift of '0' to -128 tests the range '0'..'9' in one compare.
inline uint32_t digitMask16(const char* p, bool with_separators) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i shifted = _mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - '0')));
  __m128i hit = _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(0x80 + 10)));
  if (with_separators) {
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
  }
  return static_cast<uint32_t>(_mm_movemask_epi8(hit));
}
#endif

// The first i' >= i with p[i'] a digit.
inline size_t nextDigit(const char* p, size_t i, size_t n) {
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    if (const uint32_t m = digitMask16(p + i, false); m != 0) {
      return i + static_cast<size_t>(__builtin_ctz(m));
    }
  }
#endif
  while (i < n && !isAsciiDigit(p[i])) {
    ++i;
  }
  return i;
}

// The first i' >= i with p[i'] outside [0-9 -].
inline size_t digitRunEnd(const char* p, size_t i, size_t n) {
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    if (const uint32_t m = ~digitMask16(p + i, true) & 0xFFFFU; m != 0) {
      return i + static_cast<size_t>(__builtin_ctz(m));
    }
  }
#endif
  while (i < n && isDigitRunByte(p[i])) {
    ++i;
  }
  return i;
}

}  // namespace agentbox::redact::detail
