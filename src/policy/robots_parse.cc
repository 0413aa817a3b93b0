// SPDX-License-Identifier: Apache-2.0
// File: robots_parse.cc
#include "policy/robots_parse.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

namespace agentbox::policy {

namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isBlank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && isBlank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// Case-insensitive for letters, exact for everything else; `lower` is a lowercase literal.
bool keyIs(std::string_view key, std::string_view lower) {
  if (key.size() != lower.size()) {
    return false;
  }
  for (size_t i = 0; i < key.size(); ++i) {
    const char l = lower[i];
    const char c = key[i];
    if (l >= 'a' && l <= 'z' ? (c | 0x20) != l : c != l) {
      return false;
    }
  }
  return true;
}

RobotsKey classifyKey(std::string_view k) {
  switch (k.size()) {
    case 5:
      return keyIs(k, "allow") ? RobotsKey::kAllow : RobotsKey::kOther;
    case 7:
      if (keyIs(k, "sitemap")) {
        return RobotsKey::kSitemap;
      }
      return keyIs(k, "disalow") ? RobotsKey::kDisallow : RobotsKey::kOther;
    case 8:
      return (keyIs(k, "disallow") || keyIs(k, "dissalow") || keyIs(k, "diasllow") ||
              keyIs(k, "disallaw"))
                 ? RobotsKey::kDisallow
                 : RobotsKey::kOther;
    case 9:
      if (keyIs(k, "useragent")) {
        return RobotsKey::kUserAgent;
      }
      return keyIs(k, "dissallow") ? RobotsKey::kDisallow : RobotsKey::kOther;
    case 10:
      return (keyIs(k, "user-agent") || keyIs(k, "user agent")) ? RobotsKey::kUserAgent
                                                                : RobotsKey::kOther;
    case 11:
      return keyIs(k, "crawl-delay") ? RobotsKey::kCrawlDelay : RobotsKey::kOther;
    default:
      return RobotsKey::kOther;
  }
}

size_t findFrom(std::string_view s, size_t pos, char c) {
  const void* hit = std::memchr(s.data() + pos, c, s.size() - pos);
  return hit == nullptr ? s.size() : static_cast<size_t>(static_cast<const char*>(hit) - s.data());
}

// Splits a comment-free, trimmed, non-empty line into key and value; false if it is no record.
bool splitRecord(std::string_view line, std::string_view& key, std::string_view& value) {
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    key = trim(line.substr(0, colon));
    value = trim(line.substr(colon + 1));
    return !key.empty();
  }
  size_t ws = 0;
  while (ws < line.size() && !isBlank(line[ws])) {
    ++ws;
  }
  if (ws == line.size()) {
    return false;
  }
  key = line.substr(0, ws);
  value = trim(line.substr(ws));
  for (char c : value) {
    if (isBlank(c)) {
      return false;  // more than two words: not a record we can read without a colon
    }
  }
  return true;
}

}  // namespace

std::string_view robotsEffectiveBody(std::string_view body) {
  if (body.size() > kRobotsMaxBytes) {
    body = body.substr(0, kRobotsMaxBytes);
    const size_t end = body.find_last_of("\r\n");
    body = end == std::string_view::npos ? std::string_view() : body.substr(0, end + 1);
  }
  static constexpr unsigned char kBom[] = {0xEF, 0xBB, 0xBF};
  size_t skip = 0;
  while (skip < sizeof(kBom) && skip < body.size() &&
         static_cast<unsigned char>(body[skip]) == kBom[skip]) {
    ++skip;
  }
  return body.substr(skip);
}

RobotsLexer::RobotsLexer(std::string_view body) : body_(robotsEffectiveBody(body)) {
  next_lf_ = findFrom(body_, 0, '\n');
  next_cr_ = findFrom(body_, 0, '\r');
}

bool RobotsLexer::nextLine(std::string_view& line) {
  if (done_) {
    return false;
  }
  if (next_lf_ < pos_) {
    next_lf_ = findFrom(body_, pos_, '\n');
  }
  if (next_cr_ < pos_) {
    next_cr_ = findFrom(body_, pos_, '\r');
  }
  const size_t end = next_lf_ < next_cr_ ? next_lf_ : next_cr_;
  line = body_.substr(pos_, end - pos_);
  ++line_;
  if (end == body_.size()) {
    done_ = true;
  } else if (body_[end] == '\r' && end + 1 < body_.size() && body_[end + 1] == '\n') {
    pos_ = end + 2;
  } else {
    pos_ = end + 1;
  }
  return true;
}

bool RobotsLexer::next(RobotsRecord& out) {
  std::string_view line;
  while (nextLine(line)) {
    const size_t hash = line.find('#');
    if (hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = trim(line);
    std::string_view key;
    std::string_view value;
    if (line.empty() || !splitRecord(line, key, value)) {
      continue;
    }
    out.line = line_;
    out.key = classifyKey(key);
    out.name = key;
    out.value = value;
    return true;
  }
  return false;
}

double parseRobotsCrawlDelay(std::string_view value) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
      ++i;
    }
    return i > start;
  };
  if (!digits()) {
    return -1;
  }
  if (i < value.size()) {
    if (value[i] != '.') {
      return -1;
    }
    ++i;
    if (!digits() || i != value.size()) {
      return -1;
    }
  }
  double out = 0;
  const auto [ptr, ec] =
      std::from_chars(value.data(), value.data() + value.size(), out, std::chars_format::fixed);
  if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(out)) {
    return -1;
  }
  return out;
}

}  // namespace agentbox::policy
