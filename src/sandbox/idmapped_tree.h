// SPDX-License-Identifier: Apache-2.0
// File: idmapped_tree.h
// For privileged callers: a detached, idmapped clone of the workspace in which files the
// caller owns appear owned by the sandbox user (and what the sandbox creates lands on disk
// owned by the caller). Made in the parent (open_tree + mount_setattr(MOUNT_ATTR_IDMAP)) and
// moved into place by the child. Unprivileged callers cannot create idmapped mounts (EPERM);
// their single-id map already shows their files as the sandbox user's.
#pragma once

#include <sys/types.h>

#include "sandbox/id_map.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::sandbox {

struct IdmappedTreeRequest {
  const std::string& path;  // canonical host path
  uid_t owner_uid;          // on-disk owner shown as the sandbox user (the caller)
  gid_t owner_gid;
  const IdMapPlan& ids;  // where the sandbox user lands on the host
  bool read_only;
  bool is_file = false;  // a single file (no recursive clone)
};

Result<UniqueFd> makeIdmappedTree(const IdmappedTreeRequest& request);

}  // namespace agentbox::sandbox
