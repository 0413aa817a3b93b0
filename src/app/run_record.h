// SPDX-License-Identifier: Apache-2.0
// File: run_record.h
// The run record (schema agentbox.run/1, docs/report.md): built from the run's inputs and the
// supervisor's result, written as result.json in the run directory and to --report FILE.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "policy/policy.h"
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
};

// Pretty-printed JSON with a trailing newline.
std::string renderRunRecord(const RunRecordInputs& in);

}  // namespace agentbox::app
