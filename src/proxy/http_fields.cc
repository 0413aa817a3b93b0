// SPDX-License-Identifier: Apache-2.0
// File: http_fields.cc
#include "proxy/http_fields.h"

#include <charconv>

namespace agentbox::proxy {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y - 'A' + 'a');
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

namespace detail {

bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!isTokenChar(c)) {
      return false;
    }
  }
  return true;
}

size_t findHeadEnd(std::string_view buffer, size_t from, bool* bad) {
  for (size_t i = from; i < buffer.size(); ++i) {
    char c = buffer[i];
    if (c == '\n' && (i == 0 || buffer[i - 1] != '\r')) {
      *bad = true;
      return 0;
    }
    if (c == '\r' && i + 1 < buffer.size() && buffer[i + 1] != '\n') {
      *bad = true;
      return 0;
    }
    if (c == '\n' && i >= 3 && buffer[i - 2] == '\n' && buffer[i - 3] == '\r') {
      return i + 1;
    }
  }
  return 0;
}

namespace {

bool validValueChar(unsigned char c) {
  return c == '\t' || (c >= 0x20 && c != 0x7f);  // VCHAR, SP, HT, obs-text
}

}  // namespace

bool parseFields(std::string_view fields, const ParseLimits& limits, int bad_status,
                 std::vector<HeaderField>& out, HttpError& err) {
  while (!fields.empty()) {
    size_t eol = fields.find("\r\n");
    std::string_view line = fields.substr(0, eol);
    fields = eol == std::string_view::npos ? std::string_view() : fields.substr(eol + 2);
    if (line.empty()) {
      break;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      err = {bad_status, "obsolete line folding in a header field"};
      return false;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !isToken(line.substr(0, colon))) {
      err = {bad_status, "malformed header field (expected 'Name: value')"};
      return false;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
      value.remove_suffix(1);
    }
    for (char c : value) {
      if (!validValueChar(static_cast<unsigned char>(c))) {
        err = {bad_status, "control character in a header field value"};
        return false;
      }
    }
    if (out.size() >= limits.max_header_count) {
      err = {431, "too many header fields"};
      return false;
    }
    out.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  return true;
}

namespace {

bool parseLength(std::string_view v, uint64_t& out) {
  if (v.empty() || v.size() > 18) {
    return false;
  }
  for (char c : v) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && ptr == v.data() + v.size();
}

}  // namespace

bool readFraming(const std::vector<HeaderField>& fields, int bad_status, int unsupported_status,
                 Framing& out, HttpError& err) {
  std::optional<uint64_t> length;
  for (const HeaderField& f : fields) {
    if (!iequals(f.name, "content-length")) {
      continue;
    }
    uint64_t n = 0;
    if (!parseLength(f.value, n)) {
      err = {bad_status, "invalid Content-Length '" + f.value.substr(0, 32) + "'"};
      return false;
    }
    if (length.has_value() && *length != n) {
      err = {bad_status, "two different Content-Length values"};
      return false;
    }
    length = n;
  }
  std::vector<std::string_view> codings;
  bool any_te = false;
  for (const HeaderField& f : fields) {
    any_te = any_te || iequals(f.name, "transfer-encoding");
  }
  forEachToken(fields, "transfer-encoding", [&](std::string_view t) { codings.push_back(t); });
  out.has_transfer_encoding = any_te;
  if (any_te && length.has_value()) {
    err = {bad_status, "both Content-Length and Transfer-Encoding (refused, not guessed at)"};
    return false;
  }
  if (any_te) {
    if (codings.size() != 1 || !iequals(codings.front(), "chunked")) {
      bool chunked_last = !codings.empty() && iequals(codings.back(), "chunked");
      err = {chunked_last || codings.empty() ? bad_status : unsupported_status,
             "unsupported Transfer-Encoding (only a single 'chunked' is accepted)"};
      return false;
    }
    out.body = BodyKind::kChunked;
    return true;
  }
  if (length.has_value()) {
    out.content_length = *length;
    out.body = *length == 0 ? BodyKind::kNone : BodyKind::kLength;
  }
  return true;
}

bool keepAlive(const std::vector<HeaderField>& fields, int version_minor) {
  bool keep = version_minor >= 1;
  auto apply = [&](std::string_view t) {
    if (iequals(t, "close")) {
      keep = false;
    } else if (iequals(t, "keep-alive") && version_minor == 0) {
      keep = true;
    }
  };
  forEachToken(fields, "connection", apply);
  forEachToken(fields, "proxy-connection", apply);
  // "close" anywhere wins over keep-alive.
  forEachToken(fields, "connection", [&](std::string_view t) {
    if (iequals(t, "close")) {
      keep = false;
    }
  });
  return keep;
}

bool isHopByHop(std::string_view name, const std::vector<HeaderField>& fields) {
  for (std::string_view h : {"connection", "proxy-connection", "keep-alive", "proxy-authorization",
                             "proxy-authenticate", "te", "trailer", "upgrade"}) {
    if (iequals(name, h)) {
      return true;
    }
  }
  bool named = false;
  forEachToken(fields, "connection", [&](std::string_view t) {
    // Connection may not make framing fields disappear.
    if (iequals(t, name) && !iequals(t, "transfer-encoding") && !iequals(t, "content-length") &&
        !iequals(t, "host")) {
      named = true;
    }
  });
  return named;
}

}  // namespace detail
}  // namespace agentbox::proxy
