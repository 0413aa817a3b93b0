// SPDX-License-Identifier: Apache-2.0
// File: json_lines.cc
// Recursive-descent JSON scanner with a depth limit (the input is untrusted agent output).
#include "redact/json_lines.h"

#include <vector>

#include "util/hex.h"

namespace agentbox::redact {

namespace {

constexpr int kMaxDepth = 256;

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Scanner {
 public:
  Scanner(std::string_view s, const JsonStringRewriter& rewrite) : s_(s), rewrite_(rewrite) {}

  Result<std::string> run() {
    skipWs();
    AGENTBOX_TRY(value(0));
    skipWs();
    if (i_ != s_.size()) {
      return invalid("trailing bytes after the JSON value");
    }
    out_.append(s_.substr(copied_));
    return std::move(out_);
  }

 private:
  static Error invalid(std::string_view what) {
    return makeError(Errc::kInvalidInput, "not a JSON line: {}", what);
  }
  void skipWs() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) {
      ++i_;
    }
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  Status value(int depth) {
    if (depth > kMaxDepth) {
      return invalid("nesting too deep");
    }
    if (i_ >= s_.size()) {
      return invalid("unexpected end");
    }
    switch (s_[i_]) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string(true);
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  Status object(int depth) {
    ++i_;
    skipWs();
    if (eat('}')) {
      return ok();
    }
    while (true) {
      skipWs();
      if (i_ >= s_.size() || s_[i_] != '"') {
        return invalid("expected a key");
      }
      AGENTBOX_TRY(string(false));
      skipWs();
      if (!eat(':')) {
        return invalid("expected ':'");
      }
      skipWs();
      AGENTBOX_TRY(value(depth + 1));
      skipWs();
      if (eat('}')) {
        return ok();
      }
      if (!eat(',')) {
        return invalid("expected ',' or '}'");
      }
    }
  }

  Status array(int depth) {
    ++i_;
    skipWs();
    if (eat(']')) {
      return ok();
    }
    while (true) {
      skipWs();
      AGENTBOX_TRY(value(depth + 1));
      skipWs();
      if (eat(']')) {
        return ok();
      }
      if (!eat(',')) {
        return invalid("expected ',' or ']'");
      }
    }
  }

  Status literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) {
      return invalid("bad literal");
    }
    i_ += word.size();
    return ok();
  }

  Status number() {
    const size_t start = i_;
    eat('-');
    auto digits = [&] {
      size_t n = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        ++i_;
        ++n;
      }
      return n;
    };
    if (digits() == 0) {
      return invalid("bad number");
    }
    if (eat('.') && digits() == 0) {
      return invalid("bad fraction");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (!eat('+')) {
        eat('-');
      }
      if (digits() == 0) {
        return invalid("bad exponent");
      }
    }
    return i_ > start ? ok() : invalid("bad number");
  }

  Result<uint32_t> hex4() {
    if (i_ + 4 > s_.size()) {
      return invalid("short \\u escape");
    }
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      int h = hexDigitValue(s_[i_++]);
      if (h < 0) {
        return invalid("bad \\u escape");
      }
      v = (v << 4) | static_cast<uint32_t>(h);
    }
    return v;
  }

  Status escape(std::string& decoded, std::vector<uint32_t>& map, uint32_t at) {
    char e = s_[i_++];
    auto put = [&](char c) {
      decoded += c;
      map.push_back(at);
    };
    switch (e) {
      case '"':
        put('"');
        return ok();
      case '\\':
        put('\\');
        return ok();
      case '/':
        put('/');
        return ok();
      case 'b':
        put('\b');
        return ok();
      case 'f':
        put('\f');
        return ok();
      case 'n':
        put('\n');
        return ok();
      case 'r':
        put('\r');
        return ok();
      case 't':
        put('\t');
        return ok();
      case 'u':
        break;
      default:
        return invalid("bad escape");
    }
    AGENTBOX_ASSIGN_OR_RETURN(uint32_t cp, hex4());
    if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
      const size_t save = i_;
      i_ += 2;
      AGENTBOX_ASSIGN_OR_RETURN(uint32_t lo, hex4());
      if (lo >= 0xDC00 && lo < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      } else {
        i_ = save;
        cp = 0xFFFD;
      }
    } else if (cp >= 0xD800 && cp < 0xE000) {
      cp = 0xFFFD;  // a lone surrogate has no UTF-8 form
    }
    const size_t before = decoded.size();
    appendUtf8(decoded, cp);
    map.insert(map.end(), decoded.size() - before, at);
    return ok();
  }

  Status string(bool is_value) {
    const size_t open = i_++;
    std::string decoded;
    std::vector<uint32_t> map;
    while (true) {
      if (i_ >= s_.size()) {
        return invalid("unterminated string");
      }
      const char c = s_[i_];
      if (c == '"') {
        break;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return invalid("control character in string");
      }
      const auto at = static_cast<uint32_t>(i_);
      if (c == '\\') {
        ++i_;
        if (i_ >= s_.size()) {
          return invalid("unterminated escape");
        }
        AGENTBOX_TRY(escape(decoded, map, at));
      } else {
        decoded += c;
        map.push_back(at);
        ++i_;
      }
    }
    map.push_back(static_cast<uint32_t>(i_));
    ++i_;  // closing quote
    if (!is_value || !rewrite_) {
      return ok();
    }
    AGENTBOX_ASSIGN_OR_RETURN(std::optional<std::string> repl, rewrite_(decoded, map));
    if (repl.has_value()) {
      out_.append(s_.substr(copied_, open - copied_));
      out_ += '"';
      out_ += jsonEscape(*repl);
      out_ += '"';
      copied_ = i_;
    }
    return ok();
  }

  std::string_view s_;
  const JsonStringRewriter& rewrite_;
  size_t i_ = 0;
  size_t copied_ = 0;
  std::string out_;
};

}  // namespace

std::string jsonEscape(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 15U];
        } else {
          out += c;
        }
    }
  }
  return out;
}

Result<std::string> rewriteJsonLine(std::string_view line, const JsonStringRewriter& rewrite) {
  Scanner scanner(line, rewrite);
  return scanner.run();
}

}  // namespace agentbox::redact
