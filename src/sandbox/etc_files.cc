// SPDX-License-Identifier: Apache-2.0
// File: etc_files.cc
#include "sandbox/etc_files.h"

#include <fmt/format.h>

namespace agentbox::sandbox {

std::vector<EtcFile> generatedEtcFiles(const std::string& hostname) {
  return {
      {"passwd",
       "root:x:0:0:root:/root:/usr/sbin/nologin\n"
       "agent:x:1001:1001:agentbox sandbox user:/home/agent:/bin/sh\n"
       "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"},
      {"group", "root:x:0:\nagent:x:1001:\nnogroup:x:65534:\n"},
      {"hosts", fmt::format("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                            "127.0.1.1\t{}\n",
                            hostname)},
      {"hostname", hostname + "\n"},
      {"nsswitch.conf",
       "passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\n"
       "protocols: files\nservices: files\nethers: files\nrpc: files\n"},
  };
}

}  // namespace agentbox::sandbox
