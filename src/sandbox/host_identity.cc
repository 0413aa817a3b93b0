// SPDX-License-Identifier: Apache-2.0
// File: host_identity.cc
#include "sandbox/host_identity.h"

#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <sstream>

#include "util/sys.h"

namespace agentbox::sandbox {

namespace {

constexpr int kCapSetgid = 6;
constexpr int kCapSetuid = 7;
constexpr int kCapSysAdmin = 21;

uint64_t capEff(std::string_view status) {
  size_t pos = status.find("CapEff:");
  if (pos == std::string_view::npos) {
    return 0;
  }
  std::string_view rest = status.substr(pos + 7);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
    rest.remove_prefix(1);
  }
  uint64_t caps = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), caps, 16);
  return caps;
}

bool isInitialUserNs(std::string_view uid_map) {
  std::istringstream in{std::string(uid_map)};
  uint64_t inside = 1;
  uint64_t outside = 1;
  uint64_t count = 0;
  in >> inside >> outside >> count;
  std::string more;
  in >> more;
  return in.eof() && more.empty() && inside == 0 && outside == 0 && count == 4294967295ULL;
}

}  // namespace

bool isPrivileged(std::string_view proc_status, std::string_view uid_map) {
  uint64_t caps = capEff(proc_status);
  uint64_t need = (1ULL << kCapSetgid) | (1ULL << kCapSetuid) | (1ULL << kCapSysAdmin);
  return (caps & need) == need && isInitialUserNs(uid_map);
}

Result<HostIdentity> detectHostIdentity() {
  HostIdentity id;
  id.uid = ::getuid();
  id.gid = ::getgid();
  AGENTBOX_ASSIGN_OR_RETURN(std::string status, sys::readFile("/proc/self/status"));
  AGENTBOX_ASSIGN_OR_RETURN(std::string uid_map, sys::readFile("/proc/self/uid_map"));
  id.privileged = isPrivileged(status, uid_map);
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(id.uid, &pw, buf, sizeof(buf), &found) == 0 && found != nullptr) {
    id.user = pw.pw_name;
    id.home = pw.pw_dir;
  } else {
    id.user = std::to_string(id.uid);
  }
  return id;
}

}  // namespace agentbox::sandbox
