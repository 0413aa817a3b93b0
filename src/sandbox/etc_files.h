// SPDX-License-Identifier: Apache-2.0
// File: etc_files.h
// The generated minimal /etc of the sandbox: the sandbox user `agent` (1001:1001) in passwd
// and group, hosts and hostname, an nsswitch.conf that only reads files. No resolv.conf:
// there is no DNS inside; names are resolved by the egress proxy outside.
#pragma once

#include <string>
#include <vector>

namespace agentbox::sandbox {

struct EtcFile {
  std::string name;  // relative to /etc
  std::string content;
};

std::vector<EtcFile> generatedEtcFiles(const std::string& hostname);

}  // namespace agentbox::sandbox
