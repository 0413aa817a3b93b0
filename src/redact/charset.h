// SPDX-License-Identifier: Apache-2.0
// File: charset.h
// A 256-entry byte class, parsed from a compact spec ("A-Za-z0-9_-"), used by rules to say
// which bytes can continue or lead a match.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace agentbox::redact {

class CharSet {
 public:
  CharSet() = default;

  // Spec grammar: ranges "a-z", single bytes, escapes \n \r \t \\ \- \^; a leading '^' negates.
  // An empty spec is the empty set.
  static CharSet parse(std::string_view spec) {
    CharSet set;
    bool negate = false;
    size_t i = 0;
    if (!spec.empty() && spec[0] == '^') {
      negate = true;
      i = 1;
    }
    auto next = [&](size_t& pos) -> unsigned char {
      char c = spec[pos++];
      if (c == '\\' && pos < spec.size()) {
        char e = spec[pos++];
        switch (e) {
          case 'n':
            return '\n';
          case 'r':
            return '\r';
          case 't':
            return '\t';
          default:
            return static_cast<unsigned char>(e);
        }
      }
      return static_cast<unsigned char>(c);
    };
    while (i < spec.size()) {
      unsigned char lo = next(i);
      unsigned char hi = lo;
      if (i + 1 < spec.size() && spec[i] == '-') {
        size_t j = i + 1;
        hi = next(j);
        i = j;
      }
      for (unsigned c = lo; c <= hi; ++c) {
        set.bits_[c] = true;
      }
    }
    if (negate) {
      for (auto& b : set.bits_) {
        b = !b;
      }
    }
    return set;
  }

  bool has(unsigned char c) const { return bits_[c]; }
  void insert(unsigned char c) { bits_[c] = true; }
  [[nodiscard]] size_t size() const {
    size_t n = 0;
    for (bool b : bits_) {
      n += b ? 1 : 0;
    }
    return n;
  }
  // The lowest byte in the set (0 if empty).
  [[nodiscard]] unsigned char first() const {
    for (size_t c = 0; c < bits_.size(); ++c) {
      if (bits_[c]) {
        return static_cast<unsigned char>(c);
      }
    }
    return 0;
  }
  bool has(std::byte b) const { return bits_[static_cast<unsigned char>(b)]; }
  void add(const CharSet& other) {
    for (size_t c = 0; c < bits_.size(); ++c) {
      bits_[c] = bits_[c] || other.bits_[c];
    }
  }
  bool empty() const {
    for (bool b : bits_) {
      if (b) {
        return false;
      }
    }
    return true;
  }

 private:
  std::array<bool, 256> bits_{};
};

}  // namespace agentbox::redact
