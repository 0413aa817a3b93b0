// SPDX-License-Identifier: Apache-2.0
// File: diagnostic.h
// One finding about a policy input, printed as "FILE:LINE:COL: message".
#pragma once

#include <fmt/format.h>

#include <string>

namespace agentbox::policy {

struct Diagnostic {
  std::string file;  // a path, or "env NAME" / "flag --x" for the other layers
  int line = 0;      // 1-based; 0 when the input has no lines
  int column = 0;
  std::string message;

  std::string toString() const {
    if (line == 0) {
      return fmt::format("{}: {}", file, message);
    }
    return fmt::format("{}:{}:{}: {}", file, line, column, message);
  }
};

}  // namespace agentbox::policy
