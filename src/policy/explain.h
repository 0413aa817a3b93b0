// SPDX-License-Identifier: Apache-2.0
// File: explain.h
// Renders policies as TOML for `agentbox policy explain` (each value followed by a comment
// naming its source) and `agentbox policy defaults` (the built-in policy, each key preceded
// by its documentation). Both outputs are valid policy files: loading one gives back the
// same policy (sandbox.env values excepted: explain masks them).
#pragma once

#include <string>

#include "policy/loader.h"

namespace agentbox::policy {

// Example line: `memory = "256m"  # env CONTAINER_MEMORY_LIMIT`.
std::string renderExplain(const LoadedPolicy& loaded);
std::string renderDefaults();

}  // namespace agentbox::policy
