// SPDX-License-Identifier: Apache-2.0
// File: known_secrets.cc
// Encoded forms of known secret values.
#include "redact/known_secrets.h"

#include <algorithm>

namespace agentbox::redact {

namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Base64 of `value` as it appears when `shift` bytes of unknown data precede it: only the
// characters whose 6 bits all come from `value` are stable.
std::string base64Stable(std::string_view value, size_t shift, std::string_view alphabet) {
  const size_t total_bits = 8 * (shift + value.size());
  const size_t first = (8 * shift + 5) / 6;  // first char fully inside value
  const size_t last = total_bits / 6;        // one past the last such char
  std::string out;
  for (size_t i = first; i < last; ++i) {
    uint32_t sextet = 0;
    for (size_t b = 0; b < 6; ++b) {
      size_t bit = 6 * i + b;
      size_t byte = bit / 8 - shift;
      uint32_t v = static_cast<unsigned char>(value[byte]);
      sextet = (sextet << 1) | ((v >> (7 - bit % 8)) & 1U);
    }
    out += alphabet[sextet];
  }
  return out;
}

std::string hexLower(std::string_view value) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 15U];
  }
  return out;
}

std::string percentEncoded(std::string_view value) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
                      u == '-' || u == '.' || u == '_' || u == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15U];
    }
  }
  return out;
}

std::string jsonEscaped(std::string_view value) {
  std::string out;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || c == '/') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20) {
      static constexpr std::string_view kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15U];
    } else {
      out += c;
    }
  }
  return out;
}

void addForm(std::vector<KnownForm>& forms, KnownForm form) {
  if (form.literal.size() < kMinKnownSecretBytes) {
    return;
  }
  for (const KnownForm& f : forms) {
    if (f.literal == form.literal) {
      return;
    }
  }
  forms.push_back(std::move(form));
}

}  // namespace

std::vector<KnownForm> knownSecretForms(std::string_view value) {
  std::vector<KnownForm> forms;
  addForm(forms, {std::string(value), false, false});
  addForm(forms, {jsonEscaped(value), false, false});
  addForm(forms, {percentEncoded(value), true, false});
  addForm(forms, {hexLower(value), true, false});
  for (size_t shift = 0; shift < 3; ++shift) {
    addForm(forms, {base64Stable(value, shift, kStd), false, true});
    addForm(forms, {base64Stable(value, shift, kUrl), false, true});
  }
  return forms;
}

std::vector<std::string> knownSecretPieces(std::string_view value) {
  std::vector<std::string> pieces;
  auto add = [&](std::string_view p) {
    if (p.size() >= kMinKnownSecretBytes &&
        std::find(pieces.begin(), pieces.end(), p) == pieces.end()) {
      pieces.emplace_back(p);
    }
  };
  if (value.size() <= kKnownSecretPieceBytes) {
    add(value);  // whole, even when it has lines too short to match alone
    if (value.find('\n') == std::string_view::npos) {
      return pieces;
    }
  }
  // Each line (terminals and logs show multi-line values line by line), then fixed slices.
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t nl = value.find('\n', pos);
    std::string_view line = value.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    while (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    for (size_t off = 0; off < line.size(); off += kKnownSecretPieceBytes) {
      // The last slice overlaps its neighbour so no tail shorter than a piece is left out.
      size_t start = line.size() > kKnownSecretPieceBytes
                         ? std::min(off, line.size() - kKnownSecretPieceBytes)
                         : 0;
      add(line.substr(start, kKnownSecretPieceBytes));
    }
    if (nl == std::string_view::npos) {
      break;
    }
    pos = nl + 1;
  }
  return pieces;
}

}  // namespace agentbox::redact
