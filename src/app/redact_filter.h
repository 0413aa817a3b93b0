// SPDX-License-Identifier: Apache-2.0
// File: redact_filter.h
// The `agentbox redact` use case: the run's redaction engine as a filter from stdin or files
// to stdout, with an optional findings file. Reads with poll(2) so that a pause of
// `idle_flush` in a slow input releases what no candidate can claim (interactive pipes).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "app/redaction_setup.h"

namespace agentbox::app {

enum class FindingsFormat {
  kJsonLines,  // one JSON object per finding (docs/redaction.md)
  kSarif,      // one SARIF 2.1.0 log at the end; without findings_path it replaces stdout
};

struct RedactFilterRequest {
  std::vector<std::string> inputs;           // files in order; empty or "-" = stdin
  bool jsonl = false;                        // JSON Lines mode
  std::optional<std::string> findings_path;  // one JSON object per finding
  bool fail_on_findings = false;             // exit 1 when anything was found
  FindingsFormat findings_format = FindingsFormat::kJsonLines;
  std::string tool_version;                // reported in SARIF
  std::string state_dir;                   // resolved; holds keys/redact.key
  std::string home_dir;                    // rewritten to "~"
  std::vector<std::string> known_secrets;  // --secret-env values
  RedactionSettings settings;  // the policy's [redaction] section; its ip_addresses keeps
                               // the opt-in built-ins ("ip-v4", "ip-v6")
  std::chrono::milliseconds idle_flush{50};
};

// Exit status: 0; 1 with fail_on_findings when something was found; 2 when an input cannot
// be read, the findings file cannot be written, the key cannot be loaded or the engine
// fails (output withheld). Errors are printed as one line each on `err_fd`.
int runRedactFilter(const RedactFilterRequest& request, int out_fd, int err_fd);

}  // namespace agentbox::app
