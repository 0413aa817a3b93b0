// SPDX-License-Identifier: Apache-2.0
// File: seccomp_policy.cc
// Policy -> seccomp program and notifier options.
#include "sandbox/seccomp_policy.h"

#include "sandbox/seccomp_builtin.h"
#include "sandbox/seccomp_docker.h"

namespace agentbox::sandbox {

Result<SeccompProgram> seccompProgramForPolicy(const policy::Policy& policy, bool shared_host,
                                               const BlobCache* cache) {
  const std::string& profile = policy.seccomp.profile;
  if (profile.empty() || profile == "default") {
    SeccompRules rules = builtinSeccompRules();
    if (shared_host) {
      restrictForSharedHost(rules);
    }
    return compileSeccompCached(rules, cache);
  }
  AGENTBOX_ASSIGN_OR_RETURN(DockerProfileContext ctx, hostDockerProfileContext());
  AGENTBOX_ASSIGN_OR_RETURN(SeccompRules rules, loadDockerProfile(profile, ctx));
  if (shared_host) {
    restrictForSharedHost(rules);
  }
  return compileSeccompCached(rules, cache).context("seccomp profile {}", profile);
}

NotifierOptions notifierOptionsForPolicy(const policy::Policy& policy) {
  NotifierOptions options;
  options.on_violation = policy.seccomp.on_violation == policy::OnViolation::kKill
                             ? OnViolation::kKill
                             : OnViolation::kDeny;
  return options;
}

}  // namespace agentbox::sandbox
