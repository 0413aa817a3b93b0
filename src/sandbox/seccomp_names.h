// SPDX-License-Identifier: Apache-2.0
// File: seccomp_names.h
// Pure helpers that turn a seccomp notification's (arch, nr, args) into text for the run
// record: the syscall's name and a rendering of the arguments that can be read without
// touching the target's memory.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace agentbox::sandbox {

// "mount", or "syscall_<nr>" if neither libseccomp nor agentbox's table knows the number.
// `arch` is an AUDIT_ARCH_* value as found in seccomp_data.arch.
std::string syscallName(uint32_t arch, int nr);

// The arguments worth showing for a violation, decoded where their meaning is plain
// integers: clone flags, socket family/type/protocol, ioctl request, personality. Pointer
// arguments are shown as addresses only: the target's memory can change under a reader
// (TOCTOU), so nothing is dereferenced. Examples: "flags=CLONE_NEWUSER|CLONE_NEWNS",
// "family=AF_PACKET type=SOCK_RAW protocol=768", "request=TIOCSTI".
std::string describeSyscallArgs(std::string_view name, const std::array<uint64_t, 6>& args);

}  // namespace agentbox::sandbox
