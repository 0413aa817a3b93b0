// SPDX-License-Identifier: Apache-2.0
// File: host_facts.cc
// Reads the few facts of the host root that the mount plan mirrors.
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox_spec.h"
#include "util/sys.h"

namespace agentbox::sandbox {

HostFacts detectHostFacts() {
  HostFacts facts;
  for (const char* name : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    std::string path = std::string("/") + name;
    Result<struct stat> st = sys::lstat(path);
    if (!st.has_value()) {
      continue;
    }
    if (S_ISLNK(st->st_mode)) {
      Result<std::string> target = sys::readLink(path);
      if (target.has_value()) {
        facts.root_entries.push_back({name, *target});
      }
    } else if (S_ISDIR(st->st_mode)) {
      facts.root_entries.push_back({name, ""});
    }
  }
  // Files and trees programs need: the loader cache, TLS roots, Debian's alternatives
  // symlinks (/usr/bin/awk -> /etc/alternatives/awk), protocol and service names.
  for (const char* name : {"ld.so.cache", "protocols", "services", "mime.types"}) {
    Result<struct stat> st = sys::lstat(std::string("/etc/") + name);
    if (st.has_value() && S_ISREG(st->st_mode)) {
      facts.etc_files.emplace_back(name);
    }
  }
  for (const char* name : {"ssl", "ca-certificates", "alternatives"}) {
    Result<struct stat> st = sys::lstat(std::string("/etc/") + name);
    if (st.has_value() && S_ISDIR(st->st_mode)) {
      facts.etc_dirs.emplace_back(name);
    }
  }
  Result<std::string> tz = sys::readLink("/etc/localtime");
  if (tz.has_value()) {
    facts.localtime_target = *tz;
  }
  return facts;
}

}  // namespace agentbox::sandbox
