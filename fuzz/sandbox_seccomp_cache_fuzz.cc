// SPDX-License-Identifier: Apache-2.0
// File: sandbox_seccomp_cache_fuzz.cc
// libFuzzer target over the parser of stored seccomp programs (seccomp_cache.h). Properties:
// no crash; an accepted input has a filter of 1..BPF_MAXINSNS instructions and serializes
// back to exactly the input (the format has one spelling per program).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sandbox/seccomp_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace agentbox::sandbox;  // NOLINT(google-build-using-namespace)
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = parseSeccompProgram(in);
  if (!parsed.has_value()) {
    return 0;
  }
  if (parsed->filter.empty() || parsed->filter.size() > BPF_MAXINSNS) {
    std::fprintf(stderr, "property violated: filter of %zu instructions accepted\n",
                 parsed->filter.size());
    std::abort();
  }
  if (serializeSeccompProgram(*parsed) != in) {
    std::fprintf(stderr, "property violated: accepted input does not round-trip\n");
    std::abort();
  }
  return 0;
}
