// SPDX-License-Identifier: Apache-2.0
// File: cgroup_layout.cc
#include "sandbox/cgroup_layout.h"

#include <sstream>
#include <vector>

namespace agentbox::sandbox {

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      end = s.size();
    }
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

CgroupLayout parseCgroupLayout(std::string_view mountinfo, std::string_view proc_self_cgroup) {
  // /proc/self/cgroup: "hierarchy-id:controller,list:/path"; "0::/path" is cgroup2.
  std::map<std::string, std::string> self_v1;
  std::optional<std::string> self_v2;
  for (const std::string& line : split(proc_self_cgroup, '\n')) {
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string::npos) {
      continue;
    }
    std::string controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string path = line.substr(c2 + 1);
    if (line.substr(0, c1) == "0" && controllers.empty()) {
      self_v2 = path;
      continue;
    }
    for (const std::string& c : split(controllers, ',')) {
      self_v1[c] = path;
    }
  }
  // mountinfo: "id parent dev root mountpoint opts [optional...] - fstype source superopts".
  CgroupLayout layout;
  for (const std::string& line : split(mountinfo, '\n')) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) {
      continue;
    }
    std::istringstream pre(line.substr(0, dash));
    std::string id, parent, dev, root, mountpoint;
    pre >> id >> parent >> dev >> root >> mountpoint;
    std::istringstream post(line.substr(dash + 3));
    std::string fstype, source, superopts;
    post >> fstype >> source >> superopts;
    if (root != "/") {
      continue;  // a bind of a sub-cgroup (containers): paths would not line up
    }
    if (fstype == "cgroup2" && self_v2.has_value() && !layout.v2.has_value()) {
      layout.v2 = CgroupHierarchy{mountpoint, *self_v2};
    } else if (fstype == "cgroup") {
      for (const std::string& opt : split(superopts, ',')) {
        auto it = self_v1.find(opt);
        if (it != self_v1.end() && layout.v1.count(opt) == 0) {
          layout.v1[opt] = CgroupHierarchy{mountpoint, it->second};
        }
      }
    }
  }
  return layout;
}

std::string cgroupDir(const CgroupHierarchy& h, const std::string& parent,
                      const std::string& name) {
  std::string dir = h.mount;
  if (parent != "/") {
    dir += parent;
  }
  return dir + "/" + name;
}

}  // namespace agentbox::sandbox
