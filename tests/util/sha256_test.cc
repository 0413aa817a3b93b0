// SPDX-License-Identifier: Apache-2.0
// File: sha256_test.cc
// Known-answer tests: FIPS 180-2 appendix B (SHA-256) and RFC 4231 section 4 (HMAC-SHA-256).
#include "util/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "util/sys.h"

namespace agentbox {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

TEST(Sha256, MatchesFips180Vectors) {
  EXPECT_EQ(hexOf(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hexOf(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hexOf(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hexOf(sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

struct HmacCase {
  const char* name;
  std::string key;
  std::string data;
  const char* mac;  // the full 32 bytes, or a prefix for the truncated case
};

TEST(Sha256, HmacMatchesRfc4231Vectors) {
  const HmacCase cases[] = {
      {"4.2", std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"4.3", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"4.4", std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"4.5", unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"4.6", std::string(20, '\x0c'), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {"4.7", std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"4.8", std::string(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const HmacCase& c : cases) {
    std::string mac = hexOf(hmacSha256(c.key, c.data));
    EXPECT_EQ(mac.substr(0, std::string_view(c.mac).size()), c.mac) << "RFC 4231 " << c.name;
  }
}

TEST(Sha256, HmacOfAnEmptyKeyIsTheZeroBlockKey) {
  // RFC 2104 pads the key with zeros to the block size: an empty key and 64 zero bytes agree.
  EXPECT_EQ(hexOf(hmacSha256("", "m")), hexOf(hmacSha256(std::string(64, '\0'), "m")));
  EXPECT_NE(hexOf(hmacSha256("", "m")), hexOf(hmacSha256(std::string(1, '\x01'), "m")));
}

TEST(Sha256, HmacOfPartsIsTheHmacOfTheirConcatenation) {
  std::string big(200, 'x');  // past one block: parts cross the block boundaries
  EXPECT_EQ(hexOf(hmacSha256("k", {"ab", "", big, "c"})), hexOf(hmacSha256("k", "ab" + big + "c")));
  EXPECT_EQ(hexOf(hmacSha256("k", {})), hexOf(hmacSha256("k", "")));
  EXPECT_NE(hexOf(hmacSha256("k", {"ab", "c"})), hexOf(hmacSha256("k", "abd")));
  EXPECT_EQ(hexOf(sha256({"ab", big, "", "c"})), hexOf(sha256("ab" + big + "c")));
}

TEST(RandomBytes, GivesTheLengthAskedForAndDiffersBetweenCalls) {
  Result<std::string> a = sys::randomBytes(32);
  Result<std::string> b = sys::randomBytes(32);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  Result<std::string> none = sys::randomBytes(0);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace agentbox
