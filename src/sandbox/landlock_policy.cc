// SPDX-License-Identifier: Apache-2.0
// File: landlock_policy.cc
// Policy -> LandlockRequest.
#include "sandbox/landlock_policy.h"

namespace agentbox::sandbox {
namespace {

const std::string& sandboxPath(const policy::Bind& b) {
  return b.sandbox_path.empty() ? b.host_path : b.sandbox_path;
}

}  // namespace

LandlockRequest landlockRequestForPolicy(const policy::Policy& policy) {
  LandlockRequest req =
      sandboxLandlockRequest(policy.filesystem.mode == policy::WorkspaceMode::kWrite);
  for (const policy::Bind& b : policy.filesystem.read_only) {
    req.read_exec_paths.push_back(sandboxPath(b));
  }
  for (const policy::Bind& b : policy.filesystem.read_write) {
    req.read_write_paths.push_back(sandboxPath(b));
  }
  req.bind_ports = policy.network.ports.bind;
  req.connect_ports = policy.network.ports.connect;
  return req;
}

}  // namespace agentbox::sandbox
