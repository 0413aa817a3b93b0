// SPDX-License-Identifier: Apache-2.0
#include "proxy/http_message.h"

#include <gtest/gtest.h>

#include <string>

namespace agentbox::proxy {
namespace {

RequestParser::State parseAll(RequestParser& p, const std::string& text) {
  return p.feed(text);
}

TEST(RequestParser, AcceptsProxyRequests) {
  struct Case {
    const char* text;
    const char* method;
    const char* host;
    uint16_t port;
    const char* path;
    BodyKind body;
    uint64_t length;
    bool keep_alive;
  };
  const Case cases[] = {
      {"GET http://example.com/a?b=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", "GET", "example.com",
       80, "/a?b=1", BodyKind::kNone, 0, true},
      {"GET http://Example.COM:8080 HTTP/1.1\r\nHost: example.com.:8080\r\n\r\n", "GET",
       "Example.COM", 8080, "/", BodyKind::kNone, 0, true},
      {"POST http://a.test/x HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\n", "POST",
       "a.test", 80, "/x", BodyKind::kLength, 5, true},
      {"POST http://a.test/x HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n"
       "Content-Length: 5\r\n\r\n",
       "POST", "a.test", 80, "/x", BodyKind::kLength, 5, true},
      {"PUT http://a.test/x HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: Chunked\r\n\r\n", "PUT",
       "a.test", 80, "/x", BodyKind::kChunked, 0, true},
      {"GET http://a.test/ HTTP/1.0\r\n\r\n", "GET", "a.test", 80, "/", BodyKind::kNone, 0, false},
      {"GET http://a.test/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET", "a.test", 80, "/",
       BodyKind::kNone, 0, true},
      {"GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", "GET", "a.test",
       80, "/", BodyKind::kNone, 0, false},
      {"\r\nGET http://[::1]:81/ HTTP/1.1\r\nHost: [::1]:81\r\n\r\n", "GET", "[::1]", 81, "/",
       BodyKind::kNone, 0, true},
      {"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "CONNECT",
       "example.com", 443, "", BodyKind::kNone, 0, true},
      {"CONNECT example.com:443 HTTP/1.0\r\n\r\n", "CONNECT", "example.com", 443, "",
       BodyKind::kNone, 0, false},
      {"CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n", "CONNECT",
       "[2001:db8::1]", 8443, "", BodyKind::kNone, 0, true},
  };
  for (const Case& c : cases) {
    RequestParser p;
    ASSERT_EQ(parseAll(p, c.text), RequestParser::State::kDone) << c.text << p.error().reason;
    const RequestHead& h = p.head();
    EXPECT_EQ(h.method, c.method) << c.text;
    EXPECT_EQ(h.host, c.host) << c.text;
    EXPECT_EQ(h.port, c.port) << c.text;
    EXPECT_EQ(h.path, c.path) << c.text;
    EXPECT_EQ(h.body, c.body) << c.text;
    EXPECT_EQ(h.content_length, c.length) << c.text;
    EXPECT_EQ(h.keep_alive, c.keep_alive) << c.text;
    EXPECT_EQ(p.consumed(), std::string(c.text).size()) << c.text;
  }
}

TEST(RequestParser, RefusesWhatCouldBeReadTwoWays) {
  struct Case {
    const char* text;
    int status;
    const char* reason_part;
  };
  const std::string host = "Host: a.test\r\n";
  const Case cases[] = {
      {"GET http://a.test/ HTTP/1.1\nHost: a.test\n\n", 400, "bare CR or LF"},
      {"GET http://a.test/ HTTP/1.1\r\nHost: a.test\rX: y\r\n\r\n", 400, "bare CR or LF"},
      {"GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n folded\r\n\r\n", 400, "folding"},
      {"GET http://a.test/ HTTP/1.1\r\nHost : a.test\r\n\r\n", 400, "malformed header"},
      {"GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\nX: a\x01z\r\n\r\n", 400, "control"},
      {"POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3\r\n"
       "Transfer-Encoding: chunked\r\n\r\n",
       400, "both Content-Length and Transfer-Encoding"},
      {"POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3\r\n"
       "Content-Length: 4\r\n\r\n",
       400, "two different Content-Length"},
      {"POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3, 3\r\n\r\n", 400,
       "invalid Content-Length"},
      {"POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nContent-Length: -1\r\n\r\n", 400,
       "invalid Content-Length"},
      {"POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nContent-Length: +5\r\n\r\n", 400,
       "invalid Content-Length"},
      {"POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
       "unsupported Transfer-Encoding"},
      {"POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked, "
       "chunked\r\n\r\n",
       400, "unsupported Transfer-Encoding"},
      {"POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n"
       "Transfer-Encoding: identity\r\n\r\n",
       501, "unsupported Transfer-Encoding"},
      {"POST http://a.test/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0"},
      {"GET http://a.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n", 400, "does not match"},
      {"GET http://a.test/ HTTP/1.1\r\nHost: a.test:81\r\n\r\n", 400, "does not match"},
      {"GET http://a.test:81/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "does not match"},
      {"GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\nHost: a.test\r\n\r\n", 400,
       "more than one Host"},
      {"GET http://a.test/ HTTP/1.1\r\n\r\n", 400, "without a Host"},
      {"GET /path HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "not a proxy request"},
      {"OPTIONS * HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "not a proxy request"},
      {"GET https://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "use CONNECT"},
      {"GET ftp://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "invalid request target"},
      {"GET http://user@a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "user info"},
      {"GET http://a.test/#x HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "fragment"},
      {"GET http://a.test/\xc3\xa9 HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "binary bytes"},
      {"GET  http://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "malformed request line"},
      {"GET http://a.test/ HTTP/2.0\r\nHost: a.test\r\n\r\n", 505, "not supported"},
      {"GET http://a.test/ http/1.1\r\nHost: a.test\r\n\r\n", 400, "malformed request line"},
      {"BREW http://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 405, "not allowed"},
      {"TRACE http://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 405, "not allowed"},
      {"G(T http://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "method"},
      {"CONNECT a.test HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, "host:port"},
      {"CONNECT http://a.test:443 HTTP/1.1\r\n\r\n", 400, "not a URL"},
      {"CONNECT a.test:443/x HTTP/1.1\r\n\r\n", 400, "not a URL"},
      {"CONNECT user@a.test:443 HTTP/1.1\r\n\r\n", 400, "not a URL"},
      {"CONNECT a.test:0 HTTP/1.1\r\n\r\n", 400, "host:port"},
      {"CONNECT a.test:99999 HTTP/1.1\r\n\r\n", 400, "host:port"},
      {"CONNECT a.test:443 HTTP/1.1\r\nHost: b.test:443\r\n\r\n", 400, "does not match"},
      {"CONNECT a.test:443 HTTP/1.1\r\nContent-Length: 4\r\n\r\n", 400, "with a body"},
      {"\x16\x03\x01\x02", 400, "TLS sent to the proxy port"},
      {"GET http://a.test/\x7f HTTP/1.1\r\n", 400, "binary bytes"},
      {"\x01\x02garbage", 400, "binary bytes"},
  };
  for (const Case& c : cases) {
    RequestParser p;
    ASSERT_EQ(parseAll(p, c.text), RequestParser::State::kError) << c.text;
    EXPECT_EQ(p.error().status, c.status) << c.text << " -> " << p.error().reason;
    EXPECT_NE(p.error().reason.find(c.reason_part), std::string::npos)
        << c.text << " -> " << p.error().reason;
  }
}

TEST(RequestParser, OversizedLinesAndHeadsAre431) {
  ParseLimits limits{.max_request_line = 64, .max_header_bytes = 256, .max_header_count = 4};
  std::string long_line = "GET http://a.test/" + std::string(100, 'a');
  std::string big_head =
      "GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\nX: " + std::string(300, 'b') + "\r\n\r\n";
  std::string many = "GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n";
  for (int i = 0; i < 5; ++i) {
    many += "X" + std::to_string(i) + ": v\r\n";
  }
  many += "\r\n";
  for (const std::string& text : {long_line, big_head, many, big_head.substr(0, 280)}) {
    RequestParser p(limits);
    ASSERT_EQ(p.feed(text), RequestParser::State::kError) << text;
    EXPECT_EQ(p.error().status, 431) << text;
  }
}

TEST(RequestParser, ByteByByteFeedGivesTheSameHead) {
  std::string text =
      "POST http://a.test/up HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3\r\n\r\nabcGET";
  RequestParser p;
  RequestParser::State s = RequestParser::State::kNeedMore;
  size_t n = 0;
  while (s == RequestParser::State::kNeedMore && n < text.size()) {
    s = p.feed(std::string_view(text).substr(0, ++n));
  }
  ASSERT_EQ(s, RequestParser::State::kDone);
  EXPECT_EQ(p.consumed(), text.find("abc"));
  EXPECT_EQ(p.head().content_length, 3u);
  p.reset();
  EXPECT_EQ(p.feed("GET"), RequestParser::State::kNeedMore);
}

TEST(RequestHead, ForwardHeadIsOriginFormWithoutHopByHopFields) {
  RequestParser p;
  ASSERT_EQ(p.feed("GET http://a.test/x?y HTTP/1.1\r\nHost: a.test\r\nProxy-Connection: "
                   "keep-alive\r\nProxy-Authorization: Basic eA==\r\nConnection: X-Secret, "
                   "keep-alive\r\nX-Secret: 1\r\nUpgrade: websocket\r\nAccept: */*\r\n\r\n"),
            RequestParser::State::kDone);
  EXPECT_EQ(p.head().forwardHead(),
            "GET /x?y HTTP/1.1\r\nHost: a.test\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n");
  RequestParser q;
  ASSERT_EQ(q.feed("GET http://a.test:8080/ HTTP/1.0\r\n\r\n"), RequestParser::State::kDone);
  EXPECT_EQ(q.head().forwardHead(),
            "GET / HTTP/1.1\r\nHost: a.test:8080\r\nConnection: keep-alive\r\n\r\n");
}

TEST(ResponseHead, FramingFollowsRfc9112) {
  struct Case {
    const char* text;
    const char* method;
    BodyKind body;
    uint64_t length;
    bool keep_alive;
  };
  const Case cases[] = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", "GET", BodyKind::kLength, 12, true},
      {"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", "HEAD", BodyKind::kNone, 0, true},
      {"HTTP/1.1 204 No Content\r\n\r\n", "GET", BodyKind::kNone, 0, true},
      {"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", "GET", BodyKind::kNone, 0, true},
      {"HTTP/1.1 100 Continue\r\n\r\n", "POST", BodyKind::kNone, 0, true},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET", BodyKind::kChunked, 0, true},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "GET", BodyKind::kUntilClose, 0,
       false},
      {"HTTP/1.1 200 OK\r\n\r\n", "GET", BodyKind::kUntilClose, 0, false},
      {"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", "GET", BodyKind::kLength, 1, false},
      {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", "GET", BodyKind::kNone,
       0, false},
      {"HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", "GET", BodyKind::kNone, 0, true},
  };
  for (const Case& c : cases) {
    ResponseParse r = parseResponseHead(c.text, c.method);
    ASSERT_EQ(r.state, ResponseParse::State::kDone) << c.text << r.error.reason;
    EXPECT_EQ(r.head.body, c.body) << c.text;
    EXPECT_EQ(r.head.content_length, c.length) << c.text;
    EXPECT_EQ(r.head.keep_alive, c.keep_alive) << c.text;
    EXPECT_EQ(r.consumed, std::string(c.text).size()) << c.text;
  }
  EXPECT_EQ(parseResponseHead("HTTP/1.1 200 OK\r\nContent-", "GET").state,
            ResponseParse::State::kNeedMore);
}

TEST(ResponseHead, AmbiguousOrMalformedResponsesAre502) {
  for (const char* text : {
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "HTTP/1.1 20 OK\r\n\r\n",
           "HTTP/2 200 OK\r\n\r\n",
           "HTTP/1.1 200 OK\nX: y\n\n",
           "HTTP/1.1 200 OK\r\n X: y\r\n\r\n",
           "SSH-2.0-OpenSSH_9.2\r\n\r\n",
       }) {
    ResponseParse r = parseResponseHead(text, "GET");
    EXPECT_EQ(r.state, ResponseParse::State::kError) << text;
    EXPECT_EQ(r.error.status, 502) << text;
  }
}

TEST(ResponseHead, ForwardHeadDropsHopByHopAndSetsConnection) {
  ResponseParse r = parseResponseHead(
      "HTTP/1.1 200 Fine\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n",
      "GET");
  ASSERT_EQ(r.state, ResponseParse::State::kDone);
  EXPECT_EQ(r.head.forwardHead(false),
            "HTTP/1.1 200 Fine\r\nTransfer-Encoding: chunked\r\nX: 1\r\nConnection: "
            "keep-alive\r\n\r\n");
  EXPECT_NE(r.head.forwardHead(true).find("Connection: close\r\n"), std::string::npos);
}

TEST(ChunkScanner, FindsTheEndOfValidBodies) {
  struct Case {
    const char* body;
    uint64_t payload;
  };
  const Case cases[] = {
      {"0\r\n\r\n", 0},
      {"5\r\nhello\r\n0\r\n\r\n", 5},
      {"5;name=value\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n", 15},
      {"3\r\nabc\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n", 3},
  };
  for (const Case& c : cases) {
    std::string body = c.body;
    std::string with_next = body + "GET http://a.test/ HTTP/1.1\r\n";
    ChunkScanner whole;
    EXPECT_EQ(whole.scan(with_next), body.size()) << c.body;
    EXPECT_EQ(whole.state(), ChunkScanner::State::kDone) << c.body;
    EXPECT_EQ(whole.bodyBytes(), c.payload) << c.body;
    ChunkScanner bytewise;
    size_t used = 0;
    for (size_t i = 0; i < with_next.size() && bytewise.state() == ChunkScanner::State::kMore;
         ++i) {
      used += bytewise.scan(std::string_view(with_next).substr(i, 1));
    }
    EXPECT_EQ(used, body.size()) << c.body;
    EXPECT_EQ(bytewise.state(), ChunkScanner::State::kDone) << c.body;
  }
}

TEST(ChunkScanner, DecodesThePayloadInAnyChunking) {
  const std::string body = "5;x=y\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n";
  std::string whole_payload;
  ChunkScanner whole;
  EXPECT_EQ(whole.scan(body + "NEXT", &whole_payload), body.size());
  EXPECT_EQ(whole_payload, "hello 0123456789");
  for (size_t split = 0; split <= body.size(); ++split) {
    ChunkScanner s;
    std::string payload;
    s.scan(std::string_view(body).substr(0, split), &payload);
    s.scan(std::string_view(body).substr(split), &payload);
    EXPECT_EQ(s.state(), ChunkScanner::State::kDone) << split;
    EXPECT_EQ(payload, "hello 0123456789") << split;
  }
  ChunkScanner bad;
  std::string kept;
  bad.scan("3\r\nabc\r\n2\r\nxyz\r\n", &kept);
  EXPECT_EQ(bad.state(), ChunkScanner::State::kError);
  EXPECT_EQ(kept, "abcxy");  // what arrived before the fault, never past the declared size
}

TEST(ChunkScanner, RefusesMalformedFraming) {
  for (const char* body :
       {"x\r\n", "\r\n", "5\nhello\r\n", "3\r\nabcd\r\n", "3\r\nabc\n", "1 \r\na\r\n",
        "ffffffffffffffff\r\n", "0\r\nX: 1\n\r\n", "3\r\nabc\r\n0\r\n\rX"}) {
    ChunkScanner s;
    s.scan(body);
    EXPECT_EQ(s.state(), ChunkScanner::State::kError) << body;
    EXPECT_NE(s.error().find("malformed chunked body"), std::string::npos);
  }
  ChunkScanner partial;
  partial.scan("5\r\nhel");
  EXPECT_EQ(partial.state(), ChunkScanner::State::kMore);
}

}  // namespace
}  // namespace agentbox::proxy
