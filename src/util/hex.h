// SPDX-License-Identifier: Apache-2.0
// File: hex.h
// One hexadecimal digit, for the parsers that read percent-escapes, chunk sizes, IPv4
// numbers and JSON \u escapes.
#pragma once

namespace agentbox {

// The value of an ASCII hex digit (either case), or -1 for any other byte.
constexpr int hexDigitValue(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

constexpr bool isHexDigit(char c) noexcept {
  return hexDigitValue(c) >= 0;
}

}  // namespace agentbox
