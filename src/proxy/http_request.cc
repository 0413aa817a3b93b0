// SPDX-License-Identifier: Apache-2.0
// File: http_request.cc
// The request-head parser: request line, fields, framing, and the target checks (absolute
// form with a matching Host, or a CONNECT host:port).
#include <charconv>

#include "policy/host.h"
#include "policy/url.h"
#include "proxy/http_fields.h"
#include "proxy/http_message.h"

namespace agentbox::proxy {

namespace {

using detail::isToken;

constexpr size_t kMaxLeadingBlankLines = 4;

bool knownMethod(std::string_view m) {
  for (std::string_view k : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    if (m == k) {
      return true;
    }
  }
  return false;
}

bool visibleAscii(std::string_view s) {
  for (char c : s) {
    if (c <= 0x20 || c >= 0x7f) {
      return false;
    }
  }
  return true;
}

// Same host and port, compared in normalized form ("Example.COM." == "example.com").
bool sameHost(std::string_view a, std::string_view b) {
  policy::NormalizedHost x;
  policy::NormalizedHost y;
  if (!policy::normalizeHostInto(a, x, nullptr) || !policy::normalizeHostInto(b, y, nullptr)) {
    return false;
  }
  return x.text() == y.text();
}

// Host header "host[:port]" against the target; `default_port` when the header has none
// (0: a port-less Host matches any target port, as CONNECT clients send either form).
bool hostMatches(std::string_view header, const RequestHead& h, uint16_t default_port) {
  Result<policy::HostPort> hp = policy::parseAuthority(header);
  if (hp.has_value()) {
    return hp->port == h.port && sameHost(hp->host, h.host);
  }
  if (header.find(':') != std::string_view::npos && header.front() != '[') {
    return false;  // a malformed port
  }
  if (header.empty() || (header.front() == '[' && header.back() != ']')) {
    return false;
  }
  return (default_port == 0 || default_port == h.port) && sameHost(header, h.host);
}

}  // namespace

const HeaderField* RequestHead::find(std::string_view name) const {
  for (const HeaderField& f : headers) {
    if (iequals(f.name, name)) {
      return &f;
    }
  }
  return nullptr;
}

std::string RequestHead::forwardHead() const {
  std::string out;
  out.reserve(256);
  out += method;
  out += ' ';
  out += path;
  out += " HTTP/1.1\r\n";
  if (find("host") == nullptr) {
    out += "Host: ";
    out += host;
    if (port != 80) {
      out += ':';
      out += std::to_string(port);
    }
    out += "\r\n";
  }
  for (const HeaderField& f : headers) {
    if (detail::isHopByHop(f.name, headers)) {
      continue;
    }
    out += f.name;
    out += ": ";
    out += f.value;
    out += "\r\n";
  }
  out += "Connection: keep-alive\r\n\r\n";
  return out;
}

void RequestParser::reset() {
  scanned_ = 0;
  consumed_ = 0;
  head_ = RequestHead();
  error_ = HttpError();
}

RequestParser::State RequestParser::fail(int status, std::string reason) {
  error_ = {status, std::move(reason)};
  return State::kError;
}

RequestParser::State RequestParser::feed(std::string_view buffer) {
  // Blank lines before a request line are tolerated (RFC 9112 2.2), a few of them.
  size_t start = 0;
  for (size_t i = 0; i < kMaxLeadingBlankLines && buffer.substr(start, 2) == "\r\n"; ++i) {
    start += 2;
  }
  if (buffer.size() - start < 2 && buffer.substr(start) == "\r") {
    return State::kNeedMore;
  }
  std::string_view msg = buffer.substr(start);
  size_t from = scanned_ > start ? scanned_ - start : 0;
  from = from >= 3 ? from - 3 : 0;  // the terminator may straddle two feeds
  bool bad = false;
  size_t end = detail::findHeadEnd(msg, from, &bad);
  if (bad) {
    return fail(400, "bare CR or LF in the request head (lines must end in CRLF)");
  }
  size_t line_end = msg.find("\r\n");
  size_t line_len = line_end == std::string_view::npos ? msg.size() : line_end;
  for (size_t i = from; i < line_len; ++i) {
    auto c = static_cast<unsigned char>(msg[i]);
    if ((c < 0x20 && c != '\r') || c >= 0x7f) {
      // A TLS ClientHello starts with 0x16: fail now instead of waiting for a blank line.
      return fail(400, c == 0x16
                           ? "TLS sent to the proxy port: use http://127.0.0.1:3128 as the proxy "
                             "URL (https:// targets go through CONNECT)"
                           : "not an HTTP request (binary bytes in the request line)");
    }
  }
  if (line_len > limits_.max_request_line) {
    return fail(431,
                "request line longer than " + std::to_string(limits_.max_request_line) + " bytes");
  }
  if ((end == 0 && msg.size() > limits_.max_header_bytes) || end > limits_.max_header_bytes) {
    return fail(431,
                "request head larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
  }
  scanned_ = buffer.size();
  if (end == 0) {
    return State::kNeedMore;
  }
  consumed_ = start + end;
  return parseHead(msg.substr(0, end));
}

namespace {

struct RequestLine {
  std::string_view method, target, version;
};

bool splitRequestLine(std::string_view line, RequestLine& out) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) {
    return false;
  }
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return false;
  }
  out = {line.substr(0, sp1), line.substr(sp1 + 1, sp2 - sp1 - 1), line.substr(sp2 + 1)};
  return !out.method.empty() && !out.target.empty();
}

// "http://host[:port]/path" into head; no userinfo, fragment or https (that is CONNECT).
bool parseAbsoluteTarget(RequestHead& h, HttpError& err) {
  std::string_view t = h.target;
  if (t.front() == '/' || t == "*") {
    err = {400, "not a proxy request: the target must be absolute (http://host/path) or CONNECT"};
    return false;
  }
  size_t scheme_end = t.find("://");
  std::string_view authority =
      scheme_end == std::string_view::npos ? std::string_view() : t.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    err = {400, "user info in the request target is refused"};
    return false;
  }
  if (t.find('#') != std::string_view::npos) {
    err = {400, "fragment in the request target"};
    return false;
  }
  Result<policy::Url> url = policy::parseUrl(t);
  if (!url.has_value()) {
    err = {400, "invalid request target: " + url.error().message()};
    return false;
  }
  if (url->scheme != "http") {
    err = {400, "absolute-form " + url->scheme + ":// is not proxied; use CONNECT for https"};
    return false;
  }
  h.host = url->host;
  h.port = url->port;
  h.path = url->target;
  return true;
}

bool parseConnectTarget(RequestHead& h, HttpError& err) {
  std::string_view t = h.target;
  if (t.find_first_of("/?#@") != std::string_view::npos) {
    err = {400, "CONNECT target must be host:port, not a URL"};
    return false;
  }
  Result<policy::HostPort> hp = policy::parseAuthority(t);
  if (!hp.has_value()) {
    err = {400, "CONNECT target must be host:port: " + hp.error().message()};
    return false;
  }
  h.host = hp->host;
  h.port = hp->port;
  return true;
}

bool checkHostHeader(const RequestHead& h, HttpError& err) {
  const HeaderField* host = nullptr;
  for (const HeaderField& f : h.headers) {
    if (iequals(f.name, "host")) {
      if (host != nullptr) {
        err = {400, "more than one Host header"};
        return false;
      }
      host = &f;
    }
  }
  if (host == nullptr) {
    if (h.version_minor >= 1 && !h.is_connect) {
      err = {400, "HTTP/1.1 request without a Host header"};
      return false;
    }
    return true;
  }
  if (!hostMatches(host->value, h, h.is_connect ? 0 : 80)) {
    err = {400,
           "Host header '" + host->value.substr(0, 64) + "' does not match the request target"};
    return false;
  }
  return true;
}

}  // namespace

RequestParser::State RequestParser::parseHead(std::string_view head) {
  size_t eol = head.find("\r\n");
  RequestLine rl;
  if (!splitRequestLine(head.substr(0, eol), rl)) {
    return fail(400, "malformed request line (expected 'METHOD target HTTP/1.1')");
  }
  if (!isToken(rl.method)) {
    return fail(400, "malformed request method");
  }
  if (rl.version != "HTTP/1.1" && rl.version != "HTTP/1.0") {
    if (rl.version.substr(0, 5) == "HTTP/") {
      return fail(505, "HTTP version " + std::string(rl.version.substr(5, 8)) +
                           " is not supported (HTTP/1.1 and 1.0 are)");
    }
    return fail(400, "malformed request line (expected 'METHOD target HTTP/1.1')");
  }
  if (!visibleAscii(rl.target)) {
    return fail(400, "invalid characters in the request target");
  }
  head_.method = std::string(rl.method);
  head_.target = std::string(rl.target);
  head_.version_minor = rl.version == "HTTP/1.1" ? 1 : 0;
  head_.is_connect = head_.method == "CONNECT";
  if (!head_.is_connect && !knownMethod(head_.method)) {
    return fail(405, "method " + head_.method.substr(0, 32) + " is not allowed through the proxy");
  }
  if (!detail::parseFields(head.substr(eol + 2), limits_, 400, head_.headers, error_)) {
    return State::kError;
  }
  bool target_ok =
      head_.is_connect ? parseConnectTarget(head_, error_) : parseAbsoluteTarget(head_, error_);
  if (!target_ok || !checkHostHeader(head_, error_)) {
    return State::kError;
  }
  detail::Framing framing;
  if (!detail::readFraming(head_.headers, 400, 501, framing, error_)) {
    return State::kError;
  }
  if (framing.has_transfer_encoding && head_.version_minor == 0) {
    return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
  }
  if (head_.is_connect && framing.body != BodyKind::kNone) {
    return fail(400, "CONNECT request with a body");
  }
  head_.body = framing.body;
  head_.content_length = framing.content_length;
  head_.keep_alive = detail::keepAlive(head_.headers, head_.version_minor);
  const HeaderField* expect = head_.find("expect");
  head_.expect_continue = expect != nullptr && iequals(expect->value, "100-continue");
  return State::kDone;
}

}  // namespace agentbox::proxy
