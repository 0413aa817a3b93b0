// SPDX-License-Identifier: Apache-2.0
// File: build_info.h
// What `agentbox --version` says about the binary: the libraries in it and how they are linked,
// so that a user can tell whether a security update of one of them has reached this build.
#pragma once

#include <string>

namespace agentbox::app {

// One line, e.g. "OpenSSL 3.0.17 1 Jul 2025, Vectorscan 5.4.9, libseccomp 2.5.4, RE2 9.0.0,
// fmt 9.1.0, toml++ 3.3.0 (linked in; glibc, libidn2 shared)".
std::string linkedLibraries();

}  // namespace agentbox::app
