// SPDX-License-Identifier: Apache-2.0
// File: idmapped_tree.h
// For privileged callers: a detached, idmapped clone of the workspace in which files the
// caller owns appear owned by the sandbox user (and what the sandbox creates lands on disk
// owned by the caller). Made in the parent (open_tree + mount_setattr(MOUNT_ATTR_IDMAP)) and
// moved into place by the child. Unprivileged callers cannot create idmapped mounts (EPERM);
// their single-id map already shows their files as the sandbox user's.
#pragma once

#include <sys/types.h>

#include <utility>

#include "sandbox/id_map.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::sandbox {

// The user namespace an idmapped mount maps through: the owner's uid and gid to the sandbox
// user's host ids. A child is cloned into a new user namespace, its maps written and its ns
// file opened; it is then told to exit, and reaped when this object dies. Waiting for that
// exit on the spot cost 1.5-2.5 ms of every run here (the child must be scheduled and tear
// its namespace down); by the end of a run it has long exited, so the reap does not wait.
// One instance serves every tree of a run (the workspace and a read-only .git).
class IdmapUserns {
 public:
  static Result<IdmapUserns> create(uid_t owner_uid, gid_t owner_gid, const IdMapPlan& ids);
  IdmapUserns(IdmapUserns&& other) noexcept;
  IdmapUserns& operator=(IdmapUserns&& other) noexcept;
  IdmapUserns(const IdmapUserns&) = delete;
  IdmapUserns& operator=(const IdmapUserns&) = delete;
  ~IdmapUserns();
  int fd() const { return ns_.get(); }

 private:
  IdmapUserns(UniqueFd ns, pid_t holder) : ns_(std::move(ns)), holder_(holder) {}
  void reap();
  UniqueFd ns_;
  pid_t holder_ = -1;
  void* stack_ = nullptr;  // the holder's stack when it shares our memory (unmapped at reap)
};

struct IdmappedTreeRequest {
  const std::string& path;  // canonical host path
  uid_t owner_uid;          // on-disk owner shown as the sandbox user (the caller)
  gid_t owner_gid;
  const IdMapPlan& ids;  // where the sandbox user lands on the host
  bool read_only;
  bool is_file = false;  // a single file (no recursive clone)
  // The namespace to map through (it must map owner_uid/gid to ids' sandbox user); null
  // makes one for this tree alone.
  const IdmapUserns* userns = nullptr;
};

Result<UniqueFd> makeIdmappedTree(const IdmappedTreeRequest& request);

}  // namespace agentbox::sandbox
