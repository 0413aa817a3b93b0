// SPDX-License-Identifier: Apache-2.0
// File: url.cc
#include "policy/url.h"

#include <charconv>

#include "util/hex.h"

namespace agentbox::policy {

namespace {

// A byte that may not appear in a host once its escapes are decoded: controls and space
// (a NUL, CR or LF would reach the forwarded request head and the policy's host checks), and
// WHATWG's forbidden host code points, which would give the host another meaning ('@', '/',
// ':', '%' and the rest).
bool forbiddenInHost(unsigned char c) {
  return c <= 0x20 || c == 0x7f ||
         std::string_view("#%/:<>?@[\\]^|").find(static_cast<char>(c)) != std::string_view::npos;
}

Result<std::string> percentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int hi = i + 2 < text.size() + 0 ? hexDigitValue(text[i + 1]) : -1;
    int lo = i + 2 < text.size() + 0 ? hexDigitValue(text[i + 2]) : -1;
    if (i + 2 >= text.size() || hi < 0 || lo < 0) {
      return makeError(Errc::kInvalidInput, "bad percent escape in host");
    }
    auto decoded = static_cast<unsigned char>(hi * 16 + lo);
    if (forbiddenInHost(decoded)) {
      return makeError(Errc::kInvalidInput,
                       "percent escape %{}{} in host decodes to a byte a host may not hold",
                       text[i + 1], text[i + 2]);
    }
    out += static_cast<char>(decoded);
    i += 2;
  }
  return out;
}

Result<uint16_t> parsePortText(std::string_view text) {
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || port == 0 ||
      port > 65535) {
    return makeError(Errc::kInvalidInput, "invalid port '{}': expected 1..65535", text);
  }
  return static_cast<uint16_t>(port);
}

// Splits "host[:port]" where an IPv6 host is bracketed.
Status splitHostPort(std::string_view authority, std::string& host, std::optional<uint16_t>& port) {
  std::string_view rest;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return makeError(Errc::kInvalidInput, "missing ']' after IPv6 host");
    }
    host = std::string(authority.substr(0, close + 1));
    rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return makeError(Errc::kInvalidInput, "unexpected text after ']'");
    }
  } else {
    size_t colon = authority.find(':');
    host = std::string(authority.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (rest.size() > 1) {
    AGENTBOX_ASSIGN_OR_RETURN(uint16_t p, parsePortText(rest.substr(1)));
    port = p;
  }
  if (host.empty()) {
    return makeError(Errc::kInvalidInput, "missing host");
  }
  return ok();
}

}  // namespace

Result<Url> parseUrl(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return makeError(Errc::kInvalidInput, "URL contains spaces or control characters");
    }
  }
  size_t colon = text.find("://");
  if (colon == std::string_view::npos) {
    return makeError(Errc::kInvalidInput, "not an absolute URL (expected http:// or https://)");
  }
  Url url;
  for (char c : text.substr(0, colon)) {
    url.scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (url.scheme != "http" && url.scheme != "https") {
    return makeError(Errc::kInvalidInput, "unsupported scheme '{}': only http and https",
                     url.scheme);
  }
  std::string_view rest = text.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? "" : rest.substr(end);
  if (authority.find('\\') != std::string_view::npos) {
    // WHATWG reads '\' as '/', curl does not: the two would see different hosts.
    return makeError(Errc::kInvalidInput, "backslash in the URL authority");
  }
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string host;
  std::optional<uint16_t> port;
  AGENTBOX_TRY(splitHostPort(authority, host, port));
  if (host.front() != '[') {
    AGENTBOX_ASSIGN_OR_RETURN(host, percentDecode(host));
  }
  url.host = std::move(host);
  url.port = port ? *port : (url.scheme == "https" ? 443 : 80);
  url.target =
      target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  return url;
}

Result<HostPort> parseAuthority(std::string_view text) {
  HostPort hp;
  std::optional<uint16_t> port;
  AGENTBOX_TRY(splitHostPort(text, hp.host, port));
  if (!port) {
    return makeError(Errc::kInvalidInput, "CONNECT authority '{}' needs host:port", text);
  }
  hp.port = *port;
  return hp;
}

UrlDecision checkUrl(const NetRules& rules, std::string_view text, std::string_view method) {
  UrlDecision out;
  Result<Url> url = parseUrl(text);
  if (!url) {
    out.rule = "url";
    out.reason = url.error().message();
    return out;
  }
  out.port = url->port;
  NormalizedHost host;
  std::string_view why;
  if (!normalizeHostInto(url->host, host, &why)) {
    out.rule = "host";
    out.reason = std::string(why);
    return out;
  }
  out.host = std::string(host.text());
  out.is_ip = host.isIp();
  NetDecision d = url->scheme == "http" ? rules.decideHttp(host, url->port, method, url->target)
                                        : rules.decide(host, url->port);
  out.verdict = d.verdict;
  out.rule = std::string(d.rule);
  out.reason = std::string(d.reason);
  if (d.pinned != nullptr) {
    out.pinned = true;
    out.pinned_address = d.pinned->address;
    out.pinned_port = d.pinned->port.value_or(url->port);
  }
  return out;
}

}  // namespace agentbox::policy
