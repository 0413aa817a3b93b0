// SPDX-License-Identifier: Apache-2.0
// File: robots_file.h
// Reads a robots.txt from disk for `agentbox policy robots` and tests.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace agentbox::policy {

// Reads at most kRobotsMaxBytes + 1 bytes of `path` (enough for Robots::compile to know the
// cap was passed; the rest is never parsed, so a huge or endless file costs nothing).
// Errors (kNotFound, kPermission, kIo) name the path and carry errno.
Result<std::string> readRobotsFile(const std::string& path);

}  // namespace agentbox::policy
