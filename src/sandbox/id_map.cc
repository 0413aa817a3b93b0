// SPDX-License-Identifier: Apache-2.0
// File: id_map.cc
#include "sandbox/id_map.h"

#include <charconv>
#include <optional>

namespace agentbox::sandbox {

namespace {

std::string mapText(const std::vector<IdRange>& ranges) {
  std::string out;
  for (const IdRange& r : ranges) {
    out += fmt::format("{} {} {}\n", r.inside, r.outside, r.count);
  }
  return out;
}

bool parseU32(std::string_view s, uint32_t& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

// First "name-or-uid:start:count" entry for the caller with count >= kMinRange.
std::optional<IdRange> findSubordinate(std::string_view text, const std::string& name,
                                       uint32_t id) {
  std::string id_text = std::to_string(id);
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) {
      continue;
    }
    std::string_view who = line.substr(0, c1);
    uint32_t start = 0;
    uint32_t count = 0;
    if ((who != name && who != id_text) || !parseU32(line.substr(c1 + 1, c2 - c1 - 1), start) ||
        !parseU32(line.substr(c2 + 1), count) || count < kMinRange || start == 0) {
      continue;
    }
    return IdRange{0, start, std::min(count, kFallbackCount)};
  }
  return std::nullopt;
}

}  // namespace

std::string IdMapPlan::uidMapText() const {
  return mapText(uids);
}
std::string IdMapPlan::gidMapText() const {
  return mapText(gids);
}

Result<IdMapPlan> planIdMap(const HostIdentity& caller, std::string_view subuid,
                            std::string_view subgid) {
  IdMapPlan plan;
  if (!caller.privileged) {
    plan.uids = {{kSandboxUid, caller.uid, 1}};
    plan.gids = {{kSandboxGid, caller.gid, 1}};
    plan.deny_setgroups = true;
    plan.host_uid_of_sandbox_user = caller.uid;
    plan.host_gid_of_sandbox_user = caller.gid;
    plan.source = "caller";
    return plan;
  }
  std::optional<IdRange> u = findSubordinate(subuid, caller.user, caller.uid);
  std::optional<IdRange> g = findSubordinate(subgid, caller.user, caller.uid);
  if (u.has_value() != g.has_value()) {
    return makeError(Errc::kInvalidInput,
                     "/etc/subuid and /etc/subgid disagree for {}: one names a range of at "
                     "least {} ids, the other does not; add a matching line to both",
                     caller.user, kMinRange);
  }
  if (u.has_value()) {
    plan.source = "/etc/subuid";
  } else {
    u = g = IdRange{0, kFallbackBase, kFallbackCount};
    plan.source = fmt::format("fallback {}+{}", kFallbackBase, kFallbackCount);
  }
  plan.uids = {*u};
  plan.gids = {*g};
  plan.child_becomes_root = true;
  plan.host_uid_of_sandbox_user = u->outside + kSandboxUid;
  plan.host_gid_of_sandbox_user = g->outside + kSandboxGid;
  return plan;
}

}  // namespace agentbox::sandbox
