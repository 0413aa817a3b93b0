// SPDX-License-Identifier: Apache-2.0
#include "policy/host.h"

#include <gtest/gtest.h>

namespace agentbox::policy {
namespace {

TEST(NormalizeHost, NamesAreLowerCasedWithOneTrailingDotRemoved) {
  struct Case {
    const char* raw;
    const char* text;
  };
  const Case cases[] = {
      {"Example.COM", "example.com"},     {"example.com.", "example.com"},
      {"a-b_c.example", "a-b_c.example"}, {"xn--bcher-kva.example", "xn--bcher-kva.example"},
      {"LOCALHOST.", "localhost"},
  };
  for (const Case& c : cases) {
    Result<NormalizedHost> h = normalizeHost(c.raw);
    ASSERT_TRUE(h.has_value()) << c.raw << ": " << h.error().oneLine();
    EXPECT_EQ(h->text(), c.text) << c.raw;
    EXPECT_EQ(h->kind(), NormalizedHost::Kind::kName) << c.raw;
  }
}

TEST(NormalizeHost, InternationalNamesBecomePunycode) {
  struct Case {
    const char* raw;
    const char* text;
  };
  const Case cases[] = {
      {"bücher.example", "xn--bcher-kva.example"},
      {"BÜCHER.example", "xn--bcher-kva.example"},
      {"münchen.de.", "xn--mnchen-3ya.de"},
      {"例え.テスト", "xn--r8jz45g.xn--zckzah"},
      // U+3002 IDEOGRAPHIC FULL STOP is a label separator under UTS #46.
      {"bücher\xe3\x80\x82"
       "example",
       "xn--bcher-kva.example"},
  };
  for (const Case& c : cases) {
    Result<NormalizedHost> h = normalizeHost(c.raw);
    ASSERT_TRUE(h.has_value()) << c.raw << ": " << h.error().oneLine();
    EXPECT_EQ(h->text(), c.text) << c.raw;
  }
}

TEST(NormalizeHost, EveryIpv4NotationIsCanonicalized) {
  struct Case {
    const char* raw;
    const char* text;
  };
  const Case cases[] = {
      {"127.0.0.1", "127.0.0.1"},      // dotted
      {"2130706433", "127.0.0.1"},     // one 32-bit integer
      {"0x7f000001", "127.0.0.1"},     // hex integer
      {"0X7F000001", "127.0.0.1"},     // upper-case hex
      {"017700000001", "127.0.0.1"},   // octal integer
      {"0177.0.0.1", "127.0.0.1"},     // octal part
      {"0x7f.0.0.1", "127.0.0.1"},     // hex part
      {"0x7f.1", "127.0.0.1"},         // short form, hex
      {"127.1", "127.0.0.1"},          // short form a.b (b fills 24 bits)
      {"127.0.1", "127.0.0.1"},        // short form a.b.c (c fills 16 bits)
      {"10.65535", "10.0.255.255"},    // 24-bit tail
      {"192.168.257", "192.168.1.1"},  // 16-bit tail
      {"127.0.0.1.", "127.0.0.1"},     // trailing dot
      {"0", "0.0.0.0"},                // zero
      {"0x", "0.0.0.0"},               // WHATWG: empty hex is zero
      {"00000000177.0.0.1", "127.0.0.1"},
      {"169.254.169.254", "169.254.169.254"},
      {"0xa9.0xfe.0xa9.0xfe", "169.254.169.254"},
      {"4294967295", "255.255.255.255"},
  };
  for (const Case& c : cases) {
    Result<NormalizedHost> h = normalizeHost(c.raw);
    ASSERT_TRUE(h.has_value()) << c.raw << ": " << h.error().oneLine();
    EXPECT_EQ(h->text(), c.text) << c.raw;
    EXPECT_EQ(h->kind(), NormalizedHost::Kind::kIpv4) << c.raw;
  }
}

TEST(NormalizeHost, EveryIpv6NotationIsCanonicalized) {
  struct Case {
    const char* raw;
    const char* text;
    const char* zone;
    NormalizedHost::Kind kind;
  };
  using K = NormalizedHost::Kind;
  const Case cases[] = {
      {"[::1]", "::1", "", K::kIpv6},
      {"::1", "::1", "", K::kIpv6},
      {"[0:0:0:0:0:0:0:1]", "::1", "", K::kIpv6},
      {"[2001:DB8:0:0:0:0:0:1]", "2001:db8::1", "", K::kIpv6},
      {"[fe80::1%eth0]", "fe80::1", "eth0", K::kIpv6},
      {"[fe80::1%25eth0]", "fe80::1", "eth0", K::kIpv6},  // URL-escaped zone
      {"[::ffff:127.0.0.1]", "127.0.0.1", "", K::kIpv4},  // IPv4-mapped folds to IPv4
      {"[::ffff:7f00:1]", "127.0.0.1", "", K::kIpv4},
      {"[::FFFF:169.254.169.254]", "169.254.169.254", "", K::kIpv4},
      {"[::127.0.0.1]", "::127.0.0.1", "", K::kIpv6},  // IPv4-compatible stays IPv6
      {"[64:ff9b::a00:1]", "64:ff9b::a00:1", "", K::kIpv6},
  };
  for (const Case& c : cases) {
    Result<NormalizedHost> h = normalizeHost(c.raw);
    ASSERT_TRUE(h.has_value()) << c.raw << ": " << h.error().oneLine();
    EXPECT_EQ(h->text(), c.text) << c.raw;
    EXPECT_EQ(h->zone(), c.zone) << c.raw;
    EXPECT_EQ(h->kind(), c.kind) << c.raw;
  }
}

TEST(NormalizeHost, RejectsInvalidHosts) {
  for (const char* raw : {"",
                          ".",
                          "example..com",
                          ".example.com",
                          "example.com..",
                          "exa mple.com",
                          "exa%41mple.com",
                          "a/b",
                          "256.1.1.1",
                          "1.2.3.4.5",

                          "1.2.3.0x100",
                          "4294967296",
                          "08.1.1.1",
                          "[::1",
                          "[:::1]",
                          "[fe80::1%]",
                          "[fe80::1%eth/0]",
                          "1::2::3",
                          "under_score.1",
                          "xn--.example\xff"}) {
    EXPECT_FALSE(normalizeHost(raw).has_value()) << raw;
  }
  std::string long_label(64, 'a');
  EXPECT_FALSE(normalizeHost(long_label + ".com").has_value());
  std::string long_name;
  for (int i = 0; i < 64; ++i) {
    long_name += "abc.";
  }
  EXPECT_FALSE(normalizeHost(long_name + "com").has_value());
}

TEST(NormalizeHost, IsIdempotent) {
  for (const char* raw : {"Example.COM.", "bücher.example", "0x7f.1", "[::ffff:10.0.0.1]",
                          "[fe80::1%eth0]", "2130706433"}) {
    Result<NormalizedHost> once = normalizeHost(raw);
    ASSERT_TRUE(once.has_value()) << raw;
    std::string text(once->text());
    if (once->kind() == NormalizedHost::Kind::kIpv6) {
      text = "[" + text + "]";
    }
    Result<NormalizedHost> twice = normalizeHost(text);
    ASSERT_TRUE(twice.has_value()) << text;
    EXPECT_EQ(once->text(), twice->text()) << raw;
  }
}

TEST(EmbeddedIpv4, FindsEveryEmbedding) {
  struct Case {
    const char* v6;
    const char* v4;  // nullptr: none
  };
  const Case cases[] = {
      {"::ffff:10.1.2.3", "10.1.2.3"}, {"::10.1.2.3", "10.1.2.3"}, {"64:ff9b::a01:203", "10.1.2.3"},
      {"2002:a01:203::1", "10.1.2.3"}, {"::1", nullptr},           {"::", nullptr},
      {"2001:db8::1", nullptr},
  };
  for (const Case& c : cases) {
    std::optional<IpAddress> a = parseIpv6Strict(c.v6);
    ASSERT_TRUE(a.has_value()) << c.v6;
    std::optional<IpAddress> v4 = embeddedIpv4(*a);
    if (c.v4 == nullptr) {
      EXPECT_FALSE(v4.has_value()) << c.v6;
    } else {
      ASSERT_TRUE(v4.has_value()) << c.v6;
      EXPECT_EQ(v4->toString(), c.v4) << c.v6;
    }
  }
}

}  // namespace
}  // namespace agentbox::policy
