// SPDX-License-Identifier: Apache-2.0
// File: proxy_request_fuzz.cc
// libFuzzer target for the proxy's HTTP/1.1 parsers (request head, response head, chunked
// bodies). Properties: feeding a request in two pieces gives the same verdict, consumed
// count and head as one feed; a refusal always has a status and a reason; an accepted
// head's forwarded form has no bare CR or LF (no header injection upstream) and re-parses
// as a response-shaped head of the same number of fields; the chunk scanner agrees with
// itself across split points.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proxy/http_message.h"

namespace {

using agentbox::proxy::ChunkScanner;
using agentbox::proxy::parseResponseHead;
using agentbox::proxy::RequestParser;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "proxy_request_fuzz: %s\n", what);
  std::abort();
}

void checkLines(std::string_view head) {
  for (size_t i = 0; i < head.size(); ++i) {
    bool crlf_cr = head[i] == '\r' && i + 1 < head.size() && head[i + 1] == '\n';
    bool crlf_lf = head[i] == '\n' && i > 0 && head[i - 1] == '\r';
    if ((head[i] == '\r' && !crlf_cr) || (head[i] == '\n' && !crlf_lf) || head[i] == '\0') {
      fail("forwarded head has a bare CR, LF or NUL");
    }
  }
  if (head.size() < 4 || head.substr(head.size() - 4) != "\r\n\r\n") {
    fail("forwarded head does not end in a blank line");
  }
}

void checkRequest(std::string_view in) {
  RequestParser whole;
  RequestParser::State a = whole.feed(in);
  RequestParser split;
  RequestParser::State b = split.feed(in.substr(0, in.size() / 2));
  if (b == RequestParser::State::kNeedMore) {
    b = split.feed(in);
  }
  if (a != b) {
    fail("split feed changes the verdict");
  }
  if (a == RequestParser::State::kError) {
    if (whole.error().status < 400 || whole.error().reason.empty()) {
      fail("refusal without status or reason");
    }
    return;
  }
  if (a != RequestParser::State::kDone) {
    return;
  }
  if (whole.consumed() != split.consumed() || whole.consumed() > in.size() ||
      whole.head().host != split.head().host || whole.head().path != split.head().path) {
    fail("split feed changes the head");
  }
  if (whole.head().host.empty() || whole.head().port == 0) {
    fail("accepted request without host or port");
  }
  if (!whole.head().is_connect) {
    std::string fwd = whole.head().forwardHead();
    checkLines(fwd);
    if (whole.head().path.empty() || whole.head().path.front() != '/') {
      fail("origin-form path does not start with '/'");
    }
  }
}

void checkChunks(std::string_view in) {
  ChunkScanner whole;
  size_t used = whole.scan(in);
  ChunkScanner split;
  size_t cut = in.size() / 3;
  size_t used2 = split.scan(in.substr(0, cut));
  if (split.state() == ChunkScanner::State::kMore) {
    used2 += split.scan(in.substr(cut));
  }
  if (used != used2 || whole.state() != split.state() || used > in.size()) {
    fail("chunk scanner disagrees with itself across a split");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  checkRequest(in);
  checkChunks(in);
  agentbox::proxy::ResponseParse r = parseResponseHead(in, "GET");
  if (r.state == agentbox::proxy::ResponseParse::State::kDone) {
    if (r.consumed > in.size()) {
      fail("response consumed more than given");
    }
    checkLines(r.head.forwardHead(false));
  }
  return 0;
}
