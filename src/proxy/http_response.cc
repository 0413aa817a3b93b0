// SPDX-License-Identifier: Apache-2.0
// File: http_response.cc
// The upstream's response head (status line, fields, framing per RFC 9112 6.3), the
// chunked-body scanner, and the reason phrases of the statuses the proxy makes itself.
#include "proxy/http_fields.h"
#include "proxy/http_message.h"
#include "util/hex.h"

namespace agentbox::proxy {

namespace {

ResponseParse failResponse(std::string reason) {
  ResponseParse r;
  r.state = ResponseParse::State::kError;
  r.error = {502, "upstream sent " + std::move(reason)};
  return r;
}

bool parseStatusLine(std::string_view line, ResponseHead& h) {
  if (line.size() < 12 || (line.substr(0, 9) != "HTTP/1.1 " && line.substr(0, 9) != "HTTP/1.0 ")) {
    return false;
  }
  h.version_minor = line[7] - '0';
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') {
      return false;
    }
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100 || (line.size() > 12 && line[12] != ' ')) {
    return false;
  }
  for (char c : line.substr(12)) {
    if (c != '\t' && (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)) {
      return false;
    }
  }
  h.status = status;
  h.reason = std::string(line.size() > 13 ? line.substr(13) : std::string_view());
  return true;
}

}  // namespace

ResponseParse parseResponseHead(std::string_view buffer, std::string_view request_method,
                                const ParseLimits& limits) {
  bool bad = false;
  size_t end = detail::findHeadEnd(buffer, 0, &bad);
  if (bad) {
    return failResponse("a bare CR or LF in its response head");
  }
  if (end == 0) {
    if (buffer.size() > limits.max_header_bytes) {
      return failResponse("a response head over " + std::to_string(limits.max_header_bytes) +
                          " bytes");
    }
    return {};
  }
  ResponseParse r;
  std::string_view head = buffer.substr(0, end);
  size_t eol = head.find("\r\n");
  if (!parseStatusLine(head.substr(0, eol), r.head)) {
    return failResponse("a malformed status line");
  }
  HttpError err;
  if (!detail::parseFields(head.substr(eol + 2), limits, 502, r.head.headers, err)) {
    return failResponse("a malformed header field: " + err.reason);
  }
  int s = r.head.status;
  detail::Framing framing;
  if (!detail::readFraming(r.head.headers, 502, 502, framing, err)) {
    // An unknown coding is legal for a response (read until close), but together with
    // Content-Length, or with differing lengths, the framing is ambiguous: refuse.
    bool ambiguous = err.reason.find("Content-Length") != std::string::npos;
    if (ambiguous) {
      return failResponse("ambiguous framing: " + err.reason);
    }
    framing.body = BodyKind::kUntilClose;
  }
  r.head.keep_alive = detail::keepAlive(r.head.headers, r.head.version_minor);
  if (request_method == "HEAD" || (s >= 100 && s < 200) || s == 204 || s == 304) {
    r.head.body = BodyKind::kNone;
  } else if (framing.body == BodyKind::kNone && !framing.has_transfer_encoding &&
             r.head.find("content-length") == nullptr) {
    r.head.body = BodyKind::kUntilClose;
  } else {
    r.head.body = framing.body;
    r.head.content_length = framing.content_length;
  }
  if (r.head.body == BodyKind::kUntilClose) {
    r.head.keep_alive = false;
  }
  r.consumed = end;
  r.state = ResponseParse::State::kDone;
  return r;
}

const HeaderField* ResponseHead::find(std::string_view name) const {
  for (const HeaderField& f : headers) {
    if (iequals(f.name, name)) {
      return &f;
    }
  }
  return nullptr;
}

std::string ResponseHead::forwardHead(bool close_client) const {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  for (const HeaderField& f : headers) {
    if (detail::isHopByHop(f.name, headers)) {
      continue;
    }
    out += f.name;
    out += ": ";
    out += f.value;
    out += "\r\n";
  }
  out += close_client ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
  return out;
}

bool ChunkScanner::failWith(std::string why) {
  state_ = State::kError;
  error_ = "malformed chunked body: " + std::move(why);
  return false;
}

namespace {

constexpr size_t kMaxChunkLine = 4096;
constexpr size_t kMaxTrailer = 8192;

}  // namespace

bool ChunkScanner::stepSize(char c) {
  if (++line_bytes_ > kMaxChunkLine) {
    return failWith("chunk-size line too long");
  }
  if (step_ == Step::kSize) {
    int d = hexDigitValue(c);
    if (d >= 0) {
      if (++size_digits_ > 15) {
        return failWith("chunk size too large");
      }
      remaining_ = remaining_ * 16 + static_cast<uint64_t>(d);
      return true;
    }
    if (size_digits_ == 0) {
      return failWith("missing chunk size");
    }
    if (c == ';') {
      step_ = Step::kExt;
      return true;
    }
  } else if (c == ';' || c == '=' || c == '"' || detail::isTokenChar(c)) {
    return true;  // chunk-ext (quoted strings without spaces suffice for what clients send)
  }
  if (c == '\r') {
    step_ = Step::kSizeLf;
    return true;
  }
  return failWith("invalid character in the chunk-size line");
}

bool ChunkScanner::stepTrailer(char c) {
  if (++trailer_bytes_ > kMaxTrailer) {
    return failWith("trailer section too large");
  }
  if (step_ == Step::kTrailerLf || step_ == Step::kLastLf) {
    if (c != '\n') {
      return failWith("CR without LF in the trailer");
    }
    if (step_ == Step::kLastLf) {
      state_ = State::kDone;
      return true;
    }
    step_ = Step::kTrailer;
    line_bytes_ = 0;
    return true;
  }
  if (c == '\r') {
    step_ = line_bytes_ == 0 ? Step::kLastLf : Step::kTrailerLf;
    return true;
  }
  if (c == '\n' || c == '\0') {
    return failWith("bare LF in the trailer");
  }
  ++line_bytes_;
  return true;
}

bool ChunkScanner::step(char c) {
  switch (step_) {
    case Step::kSize:
    case Step::kExt:
      return stepSize(c);
    case Step::kSizeLf:
      if (c != '\n') {
        return failWith("CR without LF after the chunk size");
      }
      line_bytes_ = 0;
      size_digits_ = 0;
      step_ = remaining_ == 0 ? Step::kTrailer : Step::kData;
      return true;
    case Step::kData:
      return true;  // handled in bulk by scan()
    case Step::kDataCr:
      if (c != '\r') {
        return failWith("chunk data longer than its size");
      }
      step_ = Step::kDataLf;
      return true;
    case Step::kDataLf:
      if (c != '\n') {
        return failWith("CR without LF after chunk data");
      }
      step_ = Step::kSize;
      return true;
    case Step::kTrailer:
    case Step::kTrailerLf:
    case Step::kLastLf:
      return stepTrailer(c);
  }
  return failWith("internal state");
}

size_t ChunkScanner::scan(std::string_view data, std::string* payload) {
  size_t i = 0;
  while (i < data.size() && state_ == State::kMore) {
    if (step_ == Step::kData) {
      uint64_t take = std::min<uint64_t>(remaining_, data.size() - i);
      if (payload != nullptr) {
        payload->append(data.substr(i, take));
      }
      i += take;
      remaining_ -= take;
      data_bytes_ += take;
      if (remaining_ == 0) {
        step_ = Step::kDataCr;
      }
      continue;
    }
    if (!step(data[i++])) {
      return i;
    }
  }
  return i;
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

}  // namespace agentbox::proxy
