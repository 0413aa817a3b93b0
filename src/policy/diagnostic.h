// SPDX-License-Identifier: Apache-2.0
// File: diagnostic.h
// One finding about a policy input, printed as "FILE:LINE:COL: message" (an error) or
// "FILE:LINE:COL: note: message" (information that does not make the input invalid).
#pragma once

#include <fmt/format.h>

#include <string>

namespace agentbox::policy {

struct Diagnostic {
  std::string file;  // a path, or "env NAME" / "flag --x" for the other layers
  int line = 0;      // 1-based; 0 when the input has no lines
  int column = 0;
  std::string message;
  bool note = false;  // a note, not an error

  std::string toString() const {
    std::string_view kind = note ? "note: " : "";
    if (line == 0) {
      return fmt::format("{}: {}{}", file, kind, message);
    }
    return fmt::format("{}:{}:{}: {}{}", file, line, column, kind, message);
  }
};

}  // namespace agentbox::policy
