// SPDX-License-Identifier: Apache-2.0
// File: net_rules.cc
#include "policy/net_rules.h"

#include <algorithm>

#include "util/hex.h"

namespace agentbox::policy {

namespace {

constexpr std::string_view kReasonMode = "network mode is \"none\": the sandbox has no egress";
constexpr std::string_view kReasonDefault = "no allow pattern matches this host";
constexpr std::string_view kReasonDeny = "host matches a deny pattern";
constexpr std::string_view kReasonAllow = "host matches an allow pattern";
constexpr std::string_view kReasonResolve = "host is pinned by network.resolve";
constexpr std::string_view kReasonCidr = "address is in a denied range (network.cidr_deny)";
constexpr std::string_view kReasonAddressOk = "address is outside every denied range";
constexpr std::string_view kReasonMethod = "method not allowed for this host by network.http";
constexpr std::string_view kReasonPath = "path not under an allowed prefix of network.http";
constexpr std::string_view kReasonBadPath = "ambiguous or invalid request path";

NetDecision deny(std::string_view rule, std::string_view reason) {
  return NetDecision{Verdict::kDeny, rule, reason, nullptr};
}

}  // namespace

Status NetRules::addRule(const std::string& text, Verdict verdict, std::string_view list,
                         const ResolveEntry* pin) {
  AGENTBOX_ASSIGN_OR_RETURN(HostPattern p, parseHostPattern(text));
  auto id = static_cast<int32_t>(rules_.size());
  rules_.push_back(Rule{verdict, std::string(list) + ":" + text, pin});
  hosts_.add(p, verdict == Verdict::kAllow ? 0 : 1, id);
  return ok();
}

Status NetRules::buildHosts(const Network& network) {
  resolve_ = network.resolve;
  rules_.reserve(network.allow.size() + network.deny.size() + resolve_.size());
  for (const std::string& a : network.allow) {
    AGENTBOX_TRY(addRule(a, Verdict::kAllow, "network.allow", nullptr));
  }
  // After the allow list, so a pinned entry replaces an allow of the same host.
  for (const ResolveEntry& e : resolve_) {
    AGENTBOX_TRY(addRule(e.host, Verdict::kAllow, "network.resolve", &e));
  }
  for (const std::string& d : network.deny) {
    AGENTBOX_TRY(addRule(d, Verdict::kDeny, "network.deny", nullptr));
  }
  hosts_.freeze();
  return ok();
}

Result<NetRules> NetRules::build(const Network& network) {
  NetRules r;
  r.mode_ = network.mode;
  AGENTBOX_TRY(r.buildHosts(network));
  AGENTBOX_ASSIGN_OR_RETURN(r.cidr_, CidrSet::build(network.cidr_deny));
  for (const CidrRange& c : r.cidr_.ranges()) {
    r.cidr_names_.push_back("network.cidr_deny:" + c.text);
  }
  AGENTBOX_TRY(r.buildHttp(network.http));
  return r;
}

Status NetRules::buildHttp(const std::vector<HttpRule>& http) {
  http_ = http;
  for (size_t i = 0; i < http_.size(); ++i) {
    AGENTBOX_ASSIGN_OR_RETURN(HostPattern p, parseHostPattern(http_[i].host));
    http_names_.push_back("network.http:" + http_[i].host);
    http_index_.add(p, 0, static_cast<int32_t>(i));
  }
  http_index_.freeze();
  return ok();
}

NetDecision NetRules::decideHost(std::string_view host, uint16_t port) const {
  NormalizedHost n;
  std::string_view why;
  if (!normalizeHostInto(host, n, &why)) {
    return deny("host", why);
  }
  return decide(n, port);
}

NetDecision NetRules::decide(const NormalizedHost& host, uint16_t port) const {
  if (mode_ == NetworkMode::kNone) {
    return deny("network.mode", kReasonMode);
  }
  const PatternIndex::Slot* slot = hosts_.find(host, port);
  if (slot == nullptr) {
    return deny("default-deny", kReasonDefault);
  }
  if (slot->id[1] != PatternIndex::kNone) {
    return deny(rules_[static_cast<size_t>(slot->id[1])].name, kReasonDeny);
  }
  const Rule& rule = rules_[static_cast<size_t>(slot->id[0])];
  if (rule.pinned != nullptr) {
    return NetDecision{Verdict::kAllow, rule.name, kReasonResolve, rule.pinned};
  }
  if (host.isIp()) {
    NetDecision d = checkAddress(host.address());
    if (!d.allowed()) {
      return d;
    }
  }
  return NetDecision{Verdict::kAllow, rule.name, kReasonAllow, nullptr};
}

NetDecision NetRules::checkAddress(const IpAddress& address) const {
  const CidrRange* hit = cidr_.match(address);
  if (hit != nullptr) {
    auto idx = static_cast<size_t>(hit - cidr_.ranges().data());
    return deny(cidr_names_[idx], kReasonCidr);
  }
  return NetDecision{Verdict::kAllow, "network.cidr_deny", kReasonAddressOk, nullptr};
}

NetDecision NetRules::decideHttp(const NormalizedHost& host, uint16_t port, std::string_view method,
                                 std::string_view path) const {
  NetDecision d = decide(host, port);
  if (!d.allowed()) {
    return d;
  }
  const PatternIndex::Slot* slot = http_index_.find(host, port);
  if (slot == nullptr || slot->id[0] == PatternIndex::kNone) {
    return d;
  }
  auto idx = static_cast<size_t>(slot->id[0]);
  const HttpRule& rule = http_[idx];
  const std::string& name = http_names_[idx];
  if (!rule.methods.empty() &&
      std::find(rule.methods.begin(), rule.methods.end(), method) == rule.methods.end()) {
    return deny(name, kReasonMethod);
  }
  if (rule.path_prefixes.empty()) {
    return d;
  }
  Result<std::string> clean = normalizeHttpPath(path);
  if (!clean.has_value()) {
    return deny(name, kReasonBadPath);
  }
  for (const std::string& prefix : rule.path_prefixes) {
    if (clean->compare(0, prefix.size(), prefix) == 0) {
      return d;
    }
  }
  return deny(name, kReasonPath);
}

namespace {

// Refuses bytes that servers may decode differently from the proxy.
Status checkPathBytes(std::string_view path) {
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\') {
      return makeError(Errc::kInvalidInput, "backslash in request path");
    }
    if (path[i] != '%') {
      continue;
    }
    if (i + 2 >= path.size() || !isHexDigit(path[i + 1]) || !isHexDigit(path[i + 2])) {
      return makeError(Errc::kInvalidInput, "bad percent escape in request path");
    }
    char hi = static_cast<char>(path[i + 1] | 0x20);
    char lo = static_cast<char>(path[i + 2] | 0x20);
    if ((hi == '2' && (lo == 'e' || lo == 'f')) || (hi == '5' && lo == 'c')) {
      return makeError(Errc::kInvalidInput, "percent-encoded '.', '/' or '\\' in request path");
    }
  }
  return ok();
}

// RFC 3986 remove_dot_segments over the '/'-separated segments of an absolute path.
std::string removeDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  bool trailing_slash = false;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    size_t end = slash == std::string_view::npos ? path.size() : slash;
    std::string_view seg = path.substr(pos, end - pos);
    trailing_slash = seg == ".." || seg == ".";
    if (seg == "..") {
      if (!out.empty()) {
        out.pop_back();
      }
    } else if (seg != ".") {
      out.push_back(seg);
    }
    pos = end + 1;
  }
  std::string clean;
  for (std::string_view seg : out) {
    clean += '/';
    clean += seg;
  }
  if (clean.empty() || trailing_slash) {
    clean += '/';
  }
  return clean;
}

}  // namespace

Result<std::string> normalizeHttpPath(std::string_view target) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (path.empty() || path.front() != '/') {
    return makeError(Errc::kInvalidInput, "request path must start with '/'");
  }
  AGENTBOX_TRY(checkPathBytes(path));
  return removeDotSegments(path);
}

}  // namespace agentbox::policy
