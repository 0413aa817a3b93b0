// SPDX-License-Identifier: Apache-2.0
// File: time.cc
#include "util/time.h"

#include <fmt/format.h>

#include <ctime>

namespace agentbox {

namespace {

std::tm utc(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);  // gmtime_r: thread-safe, unlike gmtime
  return tm;
}

}  // namespace

std::string rfc3339(std::chrono::system_clock::time_point t) {
  std::tm tm = utc(t);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

std::string compactUtc(std::chrono::system_clock::time_point t) {
  std::tm tm = utc(t);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace agentbox
