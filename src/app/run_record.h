// SPDX-License-Identifier: Apache-2.0
// File: run_record.h
// The run record (schema agentbox.run/1, docs/report.md): built from the run's inputs and the
// supervisor's result, written as result.json in the run directory and to --report FILE.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "proxy/egress_proxy.h"
#include "sandbox/supervisor.h"

namespace agentbox::app {

struct RunRecordInputs {
  const std::string& id;
  const std::vector<std::string>& argv;
  const std::string& workspace;
  const policy::Policy& policy;
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point ended;
  const sandbox::RunResult& result;
  const std::vector<std::string>& warnings;
  // Finding counts of the output redactor; `redaction_state`: "on", "off" (OUTPUT_SANITIZATION
  // =false) or "failed" (fail-closed: output was withheld).
  const std::map<std::string, uint64_t, std::less<>>& redaction_by_rule;
  const std::map<std::string, uint64_t, std::less<>>& redaction_by_class;
  std::string redaction_state = "on";
  // network.mode = "proxy": one entry per proxied request or tunnel (docs/report.md).
  const std::vector<proxy::ConnectionEvent>* connections = nullptr;
};

// Compact JSON on one line (so it can pass through the JSON Lines redactor as a whole).
std::string renderRunRecord(const RunRecordInputs& in);
// Re-indents a compact record for files (2 spaces, trailing newline).
std::string prettyRecord(std::string_view compact);

}  // namespace agentbox::app
