// SPDX-License-Identifier: Apache-2.0
// File: build_info.cc
#include "app/build_info.h"

#include <fmt/format.h>
#include <hs.h>
#include <openssl/crypto.h>
#include <seccomp.h>

#include <string_view>

namespace agentbox::app {

std::string linkedLibraries() {
  std::string_view hs = hs_version();  // "5.4.9 2023-03-23": the version, then the date
  hs = hs.substr(0, hs.find(' '));
  const scmp_version* sc = seccomp_version();
  return fmt::format(
      "{}, Vectorscan {}, libseccomp {}.{}.{}, RE2 {}, fmt {}.{}.{}, toml++ {} ({})",
      OpenSSL_version(OPENSSL_VERSION), hs, sc->major, sc->minor, sc->micro, AGENTBOX_RE2_VERSION,
      FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100, AGENTBOX_TOMLPP_VERSION,
      AGENTBOX_STATIC_DEPS_ON ? "linked in; glibc, libidn2 shared" : "shared libraries");
}

}  // namespace agentbox::app
