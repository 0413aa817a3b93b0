// SPDX-License-Identifier: Apache-2.0
// File: sandbox_seccomp_profile_fuzz.cc
// libFuzzer target over the Docker/OCI JSON seccomp profile loader. Properties: parsing is
// deterministic; a refused profile names a byte offset inside the input; an accepted one
// only holds argument indexes 0..5, and compiles (or is refused) without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sandbox/seccomp_compile.h"
#include "sandbox/seccomp_docker.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "property violated: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace agentbox::sandbox;  // NOLINT(google-build-using-namespace)
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  DockerProfileContext ctx;
  ctx.arch = "amd64";
  ctx.kernel = {6, 1};
  ctx.mandatory_guard = (size % 2) == 0;  // exercise both paths
  auto first = parseDockerProfile(text, "fuzz", ctx);
  auto second = parseDockerProfile(text, "fuzz", ctx);
  if (first.has_value() != second.has_value()) {
    fail("determinism", "accepted once, refused once");
  }
  if (!first) {
    const std::string msg = first.error().oneLine();
    const size_t at = msg.find("byte ");
    if (at == std::string::npos) {
      // Only non-syntax library errors (none expected) may lack an offset.
      fail("error without byte offset", msg);
    }
    const unsigned long offset = std::strtoul(msg.c_str() + at + 5, nullptr, 10);
    if (offset > size) {
      fail("offset past the input", msg);
    }
    return 0;
  }
  if (first->rules.size() != second->rules.size()) {
    fail("determinism", "different rule counts");
  }
  for (const SeccompRule& r : first->rules) {
    for (const ArgCmp& a : r.args) {
      if (a.index > 5) {
        fail("argument index", r.syscall);
      }
    }
  }
  if (first->rules.size() <= 64) {  // libseccomp is slow on huge inputs; keep runs fast
    (void)compileSeccomp(*first);
  }
  return 0;
}
