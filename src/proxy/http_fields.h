// SPDX-License-Identifier: Apache-2.0
// File: http_fields.h
// Pieces shared by the request and response head parsers (internal to the proxy layer):
// the line scanner that finds the end of a head while refusing bare CR and LF, the strict
// header-field parser, and the framing fields (Content-Length, Transfer-Encoding,
// Connection) read from a parsed field list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/http_message.h"

namespace agentbox::proxy::detail {

bool isTokenChar(char c);
bool isToken(std::string_view s);

// Looks for the blank line that ends a head in buffer[from, ...). Returns the offset just
// past it, 0 if not there yet; a bare LF or a CR not followed by LF sets *bad.
size_t findHeadEnd(std::string_view buffer, size_t from, bool* bad);

// Parses "Name: value\r\n" lines of `fields` (the head after the start line, blank line
// excluded) into `out`. Returns false with `err` set (status `bad_status` for malformed
// lines, 431 for too many fields).
bool parseFields(std::string_view fields, const ParseLimits& limits, int bad_status,
                 std::vector<HeaderField>& out, HttpError& err);

// Calls fn(token) for each comma-separated, OWS-trimmed element of every field `name`.
template <class Fn>
void forEachToken(const std::vector<HeaderField>& fields, std::string_view name, Fn fn) {
  for (const HeaderField& f : fields) {
    if (!iequals(f.name, name)) {
      continue;
    }
    std::string_view v = f.value;
    while (!v.empty()) {
      size_t comma = v.find(',');
      std::string_view tok = v.substr(0, comma);
      while (!tok.empty() && (tok.front() == ' ' || tok.front() == '\t')) {
        tok.remove_prefix(1);
      }
      while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t')) {
        tok.remove_suffix(1);
      }
      if (!tok.empty()) {
        fn(tok);
      }
      v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    }
  }
}

struct Framing {
  BodyKind body = BodyKind::kNone;
  uint64_t content_length = 0;
  bool has_transfer_encoding = false;
};
// Content-Length and Transfer-Encoding of a message; errors for both present, different
// lengths, non-numeric lengths, and codings other than a final "chunked" (501 when
// `status_for_unsupported` says so, or when the coding is simply not ours to decode).
bool readFraming(const std::vector<HeaderField>& fields, int bad_status, int unsupported_status,
                 Framing& out, HttpError& err);

// Whether the connection persists after this message (HTTP/1.1 default yes, 1.0 no;
// "close" / "keep-alive" tokens of Connection and Proxy-Connection decide otherwise).
bool keepAlive(const std::vector<HeaderField>& fields, int version_minor);

// True for fields that never cross the proxy (hop-by-hop), including those `Connection`
// names. Transfer-Encoding is not one of them here: bodies are forwarded as they came.
bool isHopByHop(std::string_view name, const std::vector<HeaderField>& fields);

}  // namespace agentbox::proxy::detail
