// SPDX-License-Identifier: Apache-2.0
// File: time.h
// Wall-clock rendering for records (RFC 3339, UTC, milliseconds) and run ids.
#pragma once

#include <chrono>
#include <string>

namespace agentbox {

// "2026-12-01T22:15:00.123Z"
std::string rfc3339(std::chrono::system_clock::time_point t);
// "20261201T221500Z"
std::string compactUtc(std::chrono::system_clock::time_point t);

}  // namespace agentbox
