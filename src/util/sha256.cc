// SPDX-License-Identifier: Apache-2.0
// File: sha256.cc
#include "util/sha256.h"

// SHA256_Init/Update/Final are marked deprecated in OpenSSL 3 in favour of EVP, whose
// provider start-up is what this file avoids; they remain the same implementation (and
// CPU-specific code) that EVP's SHA-256 runs.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

namespace agentbox {

namespace {

constexpr size_t kBlockBytes = 64;

class Hasher {
 public:
  Hasher() { SHA256_Init(&ctx_); }
  Hasher& add(std::string_view data) {
    SHA256_Update(&ctx_, data.data(), data.size());
    return *this;
  }
  Hasher& add(const unsigned char* data, size_t size) {
    SHA256_Update(&ctx_, data, size);
    return *this;
  }
  Sha256Digest finish() {
    Sha256Digest out{};
    SHA256_Final(out.data(), &ctx_);
    OPENSSL_cleanse(&ctx_, sizeof(ctx_));
    return out;
  }

 private:
  SHA256_CTX ctx_{};
};

}  // namespace

Sha256Digest sha256(std::string_view data) {
  return Hasher().add(data).finish();
}

Sha256Digest sha256(std::initializer_list<std::string_view> parts) {
  Hasher h;
  for (std::string_view part : parts) {
    h.add(part);
  }
  return h.finish();
}

// RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), K hashed first if longer than a block.
Sha256Digest hmacSha256(std::string_view key, std::initializer_list<std::string_view> parts) {
  std::array<unsigned char, kBlockBytes> block{};
  if (key.size() > kBlockBytes) {
    Sha256Digest k = sha256(key);
    std::memcpy(block.data(), k.data(), k.size());
  } else if (!key.empty()) {
    std::memcpy(block.data(), key.data(), key.size());
  }
  std::array<unsigned char, kBlockBytes> pad{};
  for (size_t i = 0; i < kBlockBytes; ++i) {
    pad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
  }
  Hasher inner_hasher;
  inner_hasher.add(pad.data(), pad.size());
  for (std::string_view part : parts) {
    inner_hasher.add(part);
  }
  Sha256Digest inner = inner_hasher.finish();
  for (size_t i = 0; i < kBlockBytes; ++i) {
    pad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
  }
  Sha256Digest out = Hasher().add(pad.data(), pad.size()).add(inner.data(), inner.size()).finish();
  OPENSSL_cleanse(block.data(), block.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  return out;
}

Sha256Digest hmacSha256(std::string_view key, std::string_view message) {
  return hmacSha256(key, {message});
}

std::string hexOf(const Sha256Digest& digest) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

}  // namespace agentbox
