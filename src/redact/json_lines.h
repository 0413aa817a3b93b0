// SPDX-License-Identifier: Apache-2.0
// File: json_lines.h
// A small JSON scanner for JSON Lines mode: finds every string value of one line, decodes
// its escapes (so a secret split by "\u0041" or "\/" is seen whole), and rebuilds the line
// with replaced strings re-escaped. Keys, numbers and structure are copied byte for byte.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "util/result.h"

namespace agentbox::redact {

// Called for each string value: `decoded` is its UTF-8 content; raw_offsets[i] is the offset
// in the line of the byte or escape that produced decoded[i], raw_offsets[decoded.size()] is
// the offset of the closing quote. Returns the new content, or nullopt to keep the original.
using JsonStringRewriter = std::function<Result<std::optional<std::string>>(
    std::string_view decoded, std::span<const uint32_t> raw_offsets)>;

// Errors: kInvalidInput when `line` is not exactly one JSON value (nesting deeper than 256
// counts as invalid); errors of `rewrite` are returned unchanged. A null `rewrite` only
// validates.
Result<std::string> rewriteJsonLine(std::string_view line, const JsonStringRewriter& rewrite);

// JSON string body (without quotes) for `text`: escapes '"', '\\' and control characters.
std::string jsonEscape(std::string_view text);

}  // namespace agentbox::redact
