// SPDX-License-Identifier: Apache-2.0
// File: units.cc
#include "policy/units.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace agentbox::policy {

namespace {

constexpr uint64_t kKiBUnit = uint64_t{1} << 10;
constexpr uint64_t kMiBUnit = uint64_t{1} << 20;
constexpr uint64_t kGiBUnit = uint64_t{1} << 30;

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// Parses a run of decimal digits at the front of `text`; advances it.
bool takeUint(std::string_view& text, uint64_t& out) {
  size_t n = 0;
  while (n < text.size() && isDigit(text[n])) {
    ++n;
  }
  if (n == 0) {
    return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, out);
  if (ec != std::errc() || ptr != text.data() + n) {
    return false;
  }
  text.remove_prefix(n);
  return true;
}

bool mulOverflows(uint64_t a, uint64_t b, uint64_t& out) {
  return __builtin_mul_overflow(a, b, &out);
}

Result<uint64_t> sizeMultiplier(std::string_view suffix, std::string_view text) {
  std::string lower;
  for (char c : suffix) {
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (lower.empty() || lower == "b") {
    return uint64_t{1};
  }
  if (lower == "k" || lower == "kib") {
    return uint64_t{1} << 10;
  }
  if (lower == "m" || lower == "mib") {
    return uint64_t{1} << 20;
  }
  if (lower == "g" || lower == "gib") {
    return uint64_t{1} << 30;
  }
  return makeError(Errc::kInvalidInput,
                   "invalid size '{}': unknown unit '{}' (use bytes or k, m, g, KiB, MiB, GiB)",
                   text, suffix);
}

}  // namespace

Result<uint64_t> parseSize(std::string_view text) {
  std::string_view rest = text;
  uint64_t number = 0;
  if (!takeUint(rest, number)) {
    return makeError(Errc::kInvalidInput,
                     "invalid size '{}': expected a whole number of bytes with an optional unit "
                     "(e.g. 512m, 1GiB)",
                     text);
  }
  AGENTBOX_ASSIGN_OR_RETURN(uint64_t mult, sizeMultiplier(rest, text));
  uint64_t bytes = 0;
  if (mulOverflows(number, mult, bytes)) {
    return makeError(Errc::kInvalidInput, "invalid size '{}': too large", text);
  }
  return bytes;
}

Result<uint64_t> parseDurationMs(std::string_view text) {
  auto bad = [&] {
    return makeError(Errc::kInvalidInput,
                     "invalid duration '{}': expected seconds or a number with a unit "
                     "(1500ms, 90s, 2m, 1h, 1m30s)",
                     text);
  };
  std::string_view rest = text;
  uint64_t number = 0;
  if (!takeUint(rest, number)) {
    return bad();
  }
  // Bare seconds, optionally with a fraction: "600", "2.5".
  if (rest.empty() || rest.front() == '.') {
    uint64_t ms = 0;
    if (mulOverflows(number, 1000, ms)) {
      return bad();
    }
    if (!rest.empty()) {
      rest.remove_prefix(1);
      uint64_t scale = 100;
      if (rest.empty()) {
        return bad();
      }
      for (char c : rest) {
        if (!isDigit(c)) {
          return bad();
        }
        ms += static_cast<uint64_t>(c - '0') * scale;
        scale /= 10;
      }
    }
    return ms;
  }
  // Unit parts in decreasing order: h, m, s, ms; each at most once.
  uint64_t total = 0;
  int last_rank = 4;
  while (true) {
    uint64_t mult = 0;
    int rank = 0;
    if (rest.substr(0, 2) == "ms") {
      mult = 1, rank = 0, rest.remove_prefix(2);
    } else if (!rest.empty() && rest.front() == 's') {
      mult = 1000, rank = 1, rest.remove_prefix(1);
    } else if (!rest.empty() && rest.front() == 'm') {
      mult = 60 * 1000, rank = 2, rest.remove_prefix(1);
    } else if (!rest.empty() && rest.front() == 'h') {
      mult = 3600 * 1000, rank = 3, rest.remove_prefix(1);
    } else {
      return bad();
    }
    if (rank >= last_rank) {
      return bad();
    }
    last_rank = rank;
    uint64_t part = 0;
    if (mulOverflows(number, mult, part) || __builtin_add_overflow(total, part, &total)) {
      return bad();
    }
    if (rest.empty()) {
      return total;
    }
    if (!takeUint(rest, number)) {
      return bad();
    }
  }
}

}  // namespace agentbox::policy

namespace agentbox::policy {

std::string formatSize(uint64_t bytes) {
  if (bytes != 0 && bytes % kGiBUnit == 0) {
    return fmt::format("{}g", bytes / kGiBUnit);
  }
  if (bytes != 0 && bytes % kMiBUnit == 0) {
    return fmt::format("{}m", bytes / kMiBUnit);
  }
  if (bytes != 0 && bytes % kKiBUnit == 0) {
    return fmt::format("{}k", bytes / kKiBUnit);
  }
  return fmt::format("{}", bytes);
}

std::string formatDurationMs(uint64_t ms) {
  if (ms == 0) {
    return "0s";
  }
  std::string out;
  uint64_t h = ms / 3600000;
  uint64_t m = (ms / 60000) % 60;
  uint64_t s = (ms / 1000) % 60;
  uint64_t rest = ms % 1000;
  if (h != 0) {
    out += fmt::format("{}h", h);
  }
  if (m != 0) {
    out += fmt::format("{}m", m);
  }
  if (s != 0) {
    out += fmt::format("{}s", s);
  }
  if (rest != 0) {
    out += fmt::format("{}ms", rest);
  }
  return out;
}

}  // namespace agentbox::policy
