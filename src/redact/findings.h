// SPDX-License-Identifier: Apache-2.0
// File: findings.h
// The findings file format of `agentbox redact --findings FILE`: one JSON object per line,
// never the secret itself (documented in docs/redaction.md).
#pragma once

#include <string>
#include <string_view>

#include "redact/stream_redactor.h"

namespace agentbox::redact {

// {"file":"-","start":120,"end":160,"line":3,"column":9,"rule":"github-pat",
//  "class":"secret","severity":"high","fingerprint":"1a2b3c4d"} followed by '\n'.
std::string findingJsonLine(const Finding& finding, std::string_view file);

}  // namespace agentbox::redact
