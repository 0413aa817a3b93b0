// SPDX-License-Identifier: Apache-2.0
// File: cgroup_layout.h
// Where the cgroup hierarchies are mounted and where the caller sits in each, parsed from
// /proc/self/mountinfo and /proc/self/cgroup (pure functions over their text). On a v1 host
// each controller has its own mount (cpu and cpuacct may be separate); a cgroup2 mount may
// exist beside them with no controllers, which still offers cgroup.kill and cgroup.events.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace agentbox::sandbox {

struct CgroupHierarchy {
  std::string mount;  // "/sys/fs/cgroup/memory"
  std::string self;   // the caller's cgroup path in it, "/process_api/9035"
};

struct CgroupLayout {
  std::optional<CgroupHierarchy> v2;          // the cgroup2 mount, if any
  std::map<std::string, CgroupHierarchy> v1;  // controller name -> its v1 hierarchy
};

CgroupLayout parseCgroupLayout(std::string_view mountinfo, std::string_view proc_self_cgroup);

// mount + parent + name, with a parent given as a cgroup path ("/agentbox-ci").
std::string cgroupDir(const CgroupHierarchy& h, const std::string& parent, const std::string& name);

}  // namespace agentbox::sandbox
