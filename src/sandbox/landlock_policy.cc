// SPDX-License-Identifier: Apache-2.0
// File: landlock_policy.cc
// Policy -> LandlockRequest.
#include "sandbox/landlock_policy.h"

#include "sandbox/child_planner.h"

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
  if (req.connect_ports.has_value() && policy.network.mode == policy::NetworkMode::kProxy) {
    // The proxy's port inside the sandbox stays reachable whatever network.ports restricts.
    req.connect_ports->push_back(kProxyPort);
  }
  return req;
}

}  // namespace agentbox::sandbox
