// SPDX-License-Identifier: Apache-2.0
// File: policy_file.h
// One policy file as a list of key settings, checked against the key table (unknown keys
// with "did you mean", sections not supported yet), and the cross-key contradiction checks.
// Internal to the loader; pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/keys.h"
#include "policy/loader.h"
#include "policy/toml_adapter.h"

namespace agentbox::policy {

struct FileSetting {
  const KeySpec* spec = nullptr;
  TomlPos key_pos;
  TomlValue value;
};

struct FileLayer {
  std::string file;
  bool allow_loosening = false;
  std::vector<FileSetting> settings;  // in source order
};

// Parses `text`; every problem found before values are read goes to `diags`.
FileLayer parsePolicyFile(std::string_view text, std::string_view file,
                          std::vector<Diagnostic>& diags);

// The origin of one setting of a file (key position, list item positions).
Origin originOf(const FileLayer& layer, const FileSetting& setting);

// Contradictions in the merged policy: a host pattern both allowed and denied at the same
// specificity, a pinned host denied exactly, a bind inside a hidden path, one sandbox path
// bound both read-only and read-write.
void checkContradictions(const Policy& p, const std::map<std::string, Origin, std::less<>>& origins,
                         std::vector<Diagnostic>& diags);

}  // namespace agentbox::policy
