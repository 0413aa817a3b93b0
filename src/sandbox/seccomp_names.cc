// SPDX-License-Identifier: Apache-2.0
// File: seccomp_names.cc
// Syscall naming (libseccomp's table plus the numbers newer than it) and argument rendering.
#include "sandbox/seccomp_names.h"

#include <fmt/format.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string_view>
#include <utility>

namespace agentbox::sandbox {
namespace {

// x86_64 numbers past libseccomp 2.5.4's table.
constexpr std::pair<int, const char*> kNewerX8664[] = {
    {457, "statmount"},         {458, "listmount"},        {459, "lsm_get_self_attr"},
    {460, "lsm_set_self_attr"}, {461, "lsm_list_modules"}, {462, "mseal"},
    {463, "setxattrat"},        {464, "getxattrat"},       {465, "listxattrat"},
    {466, "removexattrat"},     {467, "open_tree_attr"},   {468, "file_getattr"},
    {469, "file_setattr"},
};

uint32_t scmpArchOf(uint32_t audit_arch) {
  // libseccomp's SCMP_ARCH_* tokens are the AUDIT_ARCH_* values.
  return audit_arch;
}

std::string cloneFlags(uint64_t flags) {
  constexpr std::pair<uint64_t, const char*> kNames[] = {
      {CLONE_NEWNS, "CLONE_NEWNS"},     {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
      {CLONE_NEWUTS, "CLONE_NEWUTS"},   {CLONE_NEWIPC, "CLONE_NEWIPC"},
      {CLONE_NEWUSER, "CLONE_NEWUSER"}, {CLONE_NEWPID, "CLONE_NEWPID"},
      {CLONE_NEWNET, "CLONE_NEWNET"},   {CLONE_VM, "CLONE_VM"},
      {CLONE_THREAD, "CLONE_THREAD"},   {CLONE_FILES, "CLONE_FILES"},
      {CLONE_FS, "CLONE_FS"},           {CLONE_SIGHAND, "CLONE_SIGHAND"},
  };
  std::string out;
  uint64_t rest = flags;
  for (const auto& [bit, name] : kNames) {
    if ((flags & bit) != 0) {
      out += out.empty() ? "" : "|";
      out += name;
      rest &= ~bit;
    }
  }
  if (rest != 0) {
    out += fmt::format("{}{:#x}", out.empty() ? "" : "|", rest);
  }
  return out.empty() ? "0" : out;
}

std::string familyName(uint64_t family) {
  switch (family) {
    case AF_UNIX:
      return "AF_UNIX";
    case AF_INET:
      return "AF_INET";
    case AF_INET6:
      return "AF_INET6";
    case AF_NETLINK:
      return "AF_NETLINK";
    case AF_PACKET:
      return "AF_PACKET";
    case AF_KEY:
      return "AF_KEY";
    case AF_ALG:
      return "AF_ALG";
    case AF_VSOCK:
      return "AF_VSOCK";
    case AF_BLUETOOTH:
      return "AF_BLUETOOTH";
    case AF_CAN:
      return "AF_CAN";
    case AF_XDP:
      return "AF_XDP";
    default:
      return fmt::format("{}", family);
  }
}

std::string typeName(uint64_t type) {
  std::string base;
  switch (type & 0xf) {
    case SOCK_STREAM:
      base = "SOCK_STREAM";
      break;
    case SOCK_DGRAM:
      base = "SOCK_DGRAM";
      break;
    case SOCK_RAW:
      base = "SOCK_RAW";
      break;
    case SOCK_SEQPACKET:
      base = "SOCK_SEQPACKET";
      break;
    case SOCK_PACKET:
      base = "SOCK_PACKET";
      break;
    default:
      base = fmt::format("{}", type & 0xf);
      break;
  }
  return base;
}

std::string ioctlName(uint64_t request) {
  switch (request & 0xffffffffULL) {
    case TIOCSTI:
      return "TIOCSTI";
    case TIOCLINUX:
      return "TIOCLINUX";
    default:
      return fmt::format("{:#x}", request);
  }
}

}  // namespace

std::string syscallName(uint32_t arch, int nr) {
  if (char* name = seccomp_syscall_resolve_num_arch(scmpArchOf(arch), nr); name != nullptr) {
    std::string out(name);
    std::free(name);  // NOLINT(cppcoreguidelines-no-malloc): libseccomp allocates with malloc
    return out;
  }
  if (arch == AUDIT_ARCH_X86_64) {
    for (const auto& [num, name] : kNewerX8664) {
      if (num == nr) {
        return name;
      }
    }
  }
  return fmt::format("syscall_{}", nr);
}

std::string describeSyscallArgs(std::string_view name, const std::array<uint64_t, 6>& args) {
  if (name == "clone" || name == "unshare") {
    return "flags=" + cloneFlags(args[0]);
  }
  if (name == "setns") {
    return fmt::format("fd={} nstype={}", static_cast<int>(args[0]), cloneFlags(args[1]));
  }
  if (name == "socket") {
    return fmt::format("family={} type={} protocol={}", familyName(args[0]), typeName(args[1]),
                       static_cast<int>(args[2]));
  }
  if (name == "ioctl") {
    return fmt::format("fd={} request={}", static_cast<int>(args[0]), ioctlName(args[1]));
  }
  if (name == "personality") {
    return fmt::format("persona={:#x}", args[0]);
  }
  if (name == "ptrace") {
    return fmt::format("request={} pid={}", static_cast<long>(args[0]), static_cast<int>(args[1]));
  }
  return fmt::format("args=[{:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}]", args[0], args[1], args[2],
                     args[3], args[4], args[5]);
}

}  // namespace agentbox::sandbox
