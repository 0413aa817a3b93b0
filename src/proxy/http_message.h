// SPDX-License-Identifier: Apache-2.0
// File: http_message.h
// HTTP/1.1 message heads for the egress proxy: strict, incremental parsers for a client's
// request head and an upstream's response head, and the chunked-body scanner both use.
// Strict where implementations disagree (request smuggling lives in those gaps): bare LF or
// CR, obs-fold, whitespace before ':', Content-Length with Transfer-Encoding, two different
// Content-Lengths, and any transfer coding but "chunked" are refused, never guessed at.
// Pure: no I/O, no allocation beyond the parsed head; not thread-safe per object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentbox::proxy {

struct HeaderField {
  std::string name;   // as sent (compare with iequals)
  std::string value;  // OWS trimmed
};

// Case-insensitive ASCII comparison (header names, tokens).
bool iequals(std::string_view a, std::string_view b);

enum class BodyKind : uint8_t {
  kNone,        // no body (or Content-Length: 0)
  kLength,      // exactly content_length bytes
  kChunked,     // Transfer-Encoding: chunked (scanned with ChunkScanner)
  kUntilClose,  // responses only: body ends when the upstream closes
};

struct ParseLimits {
  size_t max_request_line = 8 * 1024;   // request or status line, CRLF excluded -> 431
  size_t max_header_bytes = 32 * 1024;  // the whole head, request line included -> 431
  size_t max_header_count = 100;        // header fields -> 431
};

// A refusal: the status the proxy answers with (400, 405, 431, 501, 505; 502 for
// responses) and one line saying what was wrong.
struct HttpError {
  int status = 400;
  std::string reason;
};

// A parsed request head. CONNECT: `host`/`port` are the target and `path` is empty.
// Otherwise the request was absolute-form http://host[:port]/path?query.
struct RequestHead {
  std::string method;     // upper-case token
  std::string target;     // request-target as sent
  int version_minor = 1;  // HTTP/1.0 or HTTP/1.1
  std::vector<HeaderField> headers;
  bool is_connect = false;
  std::string host;  // as written in the target (brackets kept for IPv6)
  uint16_t port = 0;
  std::string path;  // origin-form: path + query, "/" when empty
  BodyKind body = BodyKind::kNone;
  uint64_t content_length = 0;   // for kLength
  bool keep_alive = true;        // what the client asked for (Connection, version)
  bool expect_continue = false;  // "Expect: 100-continue"

  // The first field named `name`, or nullptr.
  const HeaderField* find(std::string_view name) const;
  // The head to send upstream: origin-form target, hop-by-hop fields removed (Connection
  // and the fields it names, Proxy-Connection, Keep-Alive, Proxy-Authorization, TE,
  // Trailer, Upgrade), Transfer-Encoding kept because the body is forwarded as it came,
  // "Connection: keep-alive" added.
  std::string forwardHead() const;
};

// Incremental request-head parser. Feed it the bytes received so far (the same buffer,
// growing); it remembers how far it has scanned, so a byte is looked at once.
// Call order: feed() until it returns kDone or kError; then head()/error(); reset() for the
// next request of a keep-alive connection.
class RequestParser {
 public:
  enum class State : uint8_t { kNeedMore, kDone, kError };

  explicit RequestParser(ParseLimits limits = {}) : limits_(limits) {}

  // `buffer` starts at the first byte of this request (leading blank lines allowed).
  State feed(std::string_view buffer);
  // kDone: the head, and how many bytes of the buffer it took (the body follows).
  const RequestHead& head() const { return head_; }
  RequestHead takeHead() { return std::move(head_); }
  size_t consumed() const { return consumed_; }
  // kError.
  const HttpError& error() const { return error_; }
  void reset();

 private:
  State fail(int status, std::string reason);
  State parseHead(std::string_view head);
  ParseLimits limits_;
  size_t scanned_ = 0;  // bytes already searched for the end of the head
  size_t consumed_ = 0;
  RequestHead head_;
  HttpError error_;
};

// A parsed response head.
struct ResponseHead {
  int status = 0;
  int version_minor = 1;
  std::string reason;  // reason phrase as sent
  std::vector<HeaderField> headers;
  BodyKind body = BodyKind::kNone;
  uint64_t content_length = 0;
  bool keep_alive = true;  // the upstream connection may be reused

  const HeaderField* find(std::string_view name) const;

  // Status line and fields as they go to the client: hop-by-hop fields removed except
  // Transfer-Encoding; "Connection: close" when `close_client`, else keep-alive.
  std::string forwardHead(bool close_client) const;
};

// Parses a response head from the start of `buffer`. nullopt with *consumed == 0: need more
// bytes; otherwise the head and *consumed bytes it took. `request_method` decides whether a
// body follows (HEAD and a 2xx to CONNECT have none). Errors are status 502.
struct ResponseParse {
  enum class State : uint8_t { kNeedMore, kDone, kError } state = State::kNeedMore;
  ResponseHead head;
  size_t consumed = 0;
  HttpError error;
};
ResponseParse parseResponseHead(std::string_view buffer, std::string_view request_method,
                                const ParseLimits& limits = {});

// Scans a chunked body byte by byte, forwarding it unchanged: the proxy needs to know where
// it ends (the next pipelined request starts there) and refuses malformed framing rather
// than pass it to an upstream that could read it differently. Chunk extensions are
// allowed (token chars only), trailers up to 8 KiB.
class ChunkScanner {
 public:
  enum class State : uint8_t { kMore, kDone, kError };
  // Scans `data`; returns how many of its bytes belong to the body (all of them unless the
  // body ends inside `data`, then the bytes up to its end). With `payload`, the chunk data
  // (the decoded body) is appended to it as well.
  size_t scan(std::string_view data, std::string* payload = nullptr);
  State state() const { return state_; }
  const std::string& error() const { return error_; }
  uint64_t bodyBytes() const { return data_bytes_; }  // decoded payload bytes so far

 private:
  enum class Step : uint8_t {
    kSize,
    kExt,
    kSizeLf,
    kData,
    kDataCr,
    kDataLf,
    kTrailer,
    kTrailerLf,
    kLastLf
  };
  bool failWith(std::string why);
  bool step(char c);
  bool stepSize(char c);
  bool stepTrailer(char c);
  Step step_ = Step::kSize;
  State state_ = State::kMore;
  uint64_t remaining_ = 0;  // bytes left in the current chunk
  int size_digits_ = 0;
  size_t line_bytes_ = 0;     // length of the current size or trailer line
  size_t trailer_bytes_ = 0;  // whole trailer section
  uint64_t data_bytes_ = 0;
  std::string error_;
};

// Reason phrase for the statuses the proxy makes itself.
std::string_view reasonPhrase(int status);

}  // namespace agentbox::proxy
