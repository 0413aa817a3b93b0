// SPDX-License-Identifier: Apache-2.0
// File: host_identity.cc
#include "sandbox/host_identity.h"

#include <linux/capability.h>
#include <pwd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
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

bool isPrivilegedWith(uint64_t effective_caps, std::string_view uid_map) {
  uint64_t need = (1ULL << kCapSetgid) | (1ULL << kCapSetuid) | (1ULL << kCapSysAdmin);
  return (effective_caps & need) == need && isInitialUserNs(uid_map);
}

bool isPrivileged(std::string_view proc_status, std::string_view uid_map) {
  return isPrivilegedWith(capEff(proc_status), uid_map);
}

Result<HostIdentity> detectHostIdentity() {
  HostIdentity id;
  id.uid = ::getuid();
  id.gid = ::getgid();
  // capget(2) gives the calling thread's effective set, which /proc/self/status prints as
  // CapEff (formatting that file cost ~20 us of every run's start).
  __user_cap_header_struct header{.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  if (::syscall(SYS_capget, &header, data.data()) != 0) {
    return Error::sys(errno, "capget");
  }
  uint64_t effective = data[0].effective | (uint64_t{data[1].effective} << 32);
  AGENTBOX_ASSIGN_OR_RETURN(std::string uid_map, sys::readFile("/proc/self/uid_map"));
  id.privileged = isPrivilegedWith(effective, uid_map);
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
