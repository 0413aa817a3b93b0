// SPDX-License-Identifier: Apache-2.0
// File: run_record.h
// The run record (schema agentbox.run/1, docs/report.md): built from the run's inputs and the
// supervisor's result, written as result.json in the run directory and to --report FILE.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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

// The record in two parts, so that most of it can be redacted while the command runs: the
// head holds what is known once the sandbox exists (schema, id, argv, workspace, mode,
// started, layers), the tail everything else. Each part is compact JSON on one line; the
// JSON Lines redactor treats every string value on its own, so redacting the parts apart
// gives the same record as redacting it whole.
struct RunRecordHead {
  const std::string& id;
  const std::vector<std::string>& argv;
  const std::string& workspace;
  const policy::Policy& policy;
  std::chrono::system_clock::time_point started;
  const std::vector<sandbox::LayerStatus>& layers;
};
// The head fields of a whole record's inputs.
RunRecordHead runRecordHead(const RunRecordInputs& in);
std::string renderRunRecordHead(const RunRecordHead& in);
// `in.result.layers` is not used: the layers are the head's.
std::string renderRunRecordTail(const RunRecordInputs& in);
// The pretty record (prettyRecord's form) of a head and a tail; nullopt if either is not a
// JSON object.
std::optional<std::string> joinRunRecord(std::string_view head, std::string_view tail);
// Re-indents a compact record for files (2 spaces, trailing newline).
std::string prettyRecord(std::string_view compact);

}  // namespace agentbox::app
