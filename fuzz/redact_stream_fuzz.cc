// SPDX-License-Identifier: Apache-2.0
// File: redact_stream_fuzz.cc
// libFuzzer target over the streaming redactor (text mode) with random chunking and idle
// flushes. Properties, checked on every input:
//   1. no planted known secret appears in the output outside a replacement marker;
//   2. the output is the same for random chunks + idle flushes as for one pass;
//   3. the holdback never exceeds RuleSet::maxHoldbackBytes().
// JSON Lines mode is exercised too (property 2 only).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redact/builtin_rules.h"
#include "redact/rule_set.h"
#include "redact/stream_redactor.h"

namespace {

using agentbox::Status;
using namespace agentbox::redact;

const std::vector<std::string>& plantedSecrets() {
  static const std::vector<std::string> kSecrets = {"s3cr3t-VALUE-42", "p@ss/w:rd+Zq81~x",
                                                    std::string("\x01\xffzz\x00kk9", 8),
                                                    "multi\nline\nsecret-value"};
  return kSecrets;
}

const std::shared_ptr<const RuleSet>& rules() {
  static const std::shared_ptr<const RuleSet> set = [] {
    RuleSetConfig config;
    config.rules = builtinRules();
    config.known_secrets = plantedSecrets();
    config.hmac_key = "fuzz-key";
    auto r = RuleSet::build(std::move(config));
    if (!r.has_value()) {
      std::abort();
    }
    return *r;
  }();
  return set;
}

class StringSink final : public Sink {
 public:
  Status write(std::span<const std::byte> bytes) override {
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return agentbox::ok();
  }
  std::string out;
};

// xorshift: deterministic chunk sizes and positions from the input itself.
struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

std::string runOnePass(std::string_view text, InputFormat format) {
  StreamOptions opts;
  opts.format = format;
  auto r = StreamRedactor::open(rules(), opts);
  StringSink sink;
  if (!r.has_value() || !r->write(text, sink).has_value() || !r->finish(sink).has_value()) {
    std::abort();
  }
  return sink.out;
}

std::string runChunked(std::string_view text, InputFormat format, Rng& rng) {
  StreamOptions opts;
  opts.format = format;
  auto r = StreamRedactor::open(rules(), opts);
  if (!r.has_value()) {
    std::abort();
  }
  StringSink sink;
  auto now = Clock::time_point{} + std::chrono::hours(1);
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = std::min<size_t>(1 + rng.next() % 64, text.size() - pos);
    if (!r->write(text.substr(pos, n), sink, now).has_value()) {
      std::abort();
    }
    pos += n;
    if (format == InputFormat::kText && r->heldBytes() > rules()->maxHoldbackBytes()) {
      std::abort();
    }
    if (rng.next() % 4 == 0) {
      now += std::chrono::milliseconds(60);
      if (!r->flushIdle(now, sink).has_value()) {
        std::abort();
      }
    }
  }
  if (!r->finish(sink).has_value()) {
    std::abort();
  }
  return sink.out;
}

bool insideMarker(std::string_view out, size_t at, size_t len) {
  // Occurrences that overlap a "[REDACTED:...]" marker are made of replacement text.
  size_t m = 0;
  while ((m = out.find("[REDACTED:", m)) != std::string_view::npos) {
    const size_t end = out.find(']', m);
    const size_t stop = end == std::string_view::npos ? out.size() : end + 1;
    if (at < stop && m < at + len) {
      return true;
    }
    m = stop;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) {
    return 0;
  }
  const uint8_t flags = data[0];
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  Rng rng{0x9E3779B97F4A7C15ULL ^ (static_cast<uint64_t>(size) << 8) ^ flags};
  // Plant each secret selected by the flag bits at a position chosen from the input.
  const auto& secrets = plantedSecrets();
  for (size_t i = 0; i < secrets.size(); ++i) {
    if ((flags >> i) & 1U) {
      text.insert(rng.next() % (text.size() + 1), secrets[i]);
    }
  }
  const InputFormat format = (flags & 0x80U) != 0 ? InputFormat::kJsonLines : InputFormat::kText;
  const std::string once = runOnePass(text, format);
  if (const std::string chunked = runChunked(text, format, rng); chunked != once) {
    std::fprintf(stderr, "one pass: %zu bytes\n", once.size());
    std::fwrite(once.data(), 1, once.size(), stderr);
    std::fprintf(stderr, "\nchunked: %zu bytes\n", chunked.size());
    std::fwrite(chunked.data(), 1, chunked.size(), stderr);
    std::fprintf(stderr, "\n");
    std::abort();
  }
  if (format == InputFormat::kText) {
    for (const std::string& s : secrets) {
      for (size_t at = once.find(s); at != std::string::npos; at = once.find(s, at + 1)) {
        if (!insideMarker(once, at, s.size())) {
          std::abort();
        }
      }
    }
  }
  return 0;
}
