// SPDX-License-Identifier: Apache-2.0
// File: idmapped_tree.cc
#include "sandbox/idmapped_tree.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <optional>
#include <utility>

#include "util/sys.h"

namespace agentbox::sandbox {

Result<IdmapUserns> IdmapUserns::create(uid_t owner_uid, gid_t owner_gid, const IdMapPlan& ids) {
  AGENTBOX_ASSIGN_OR_RETURN(sys::Pipe hold, sys::pipe());
  compat::CloneArgs args{};
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  AGENTBOX_ASSIGN_OR_RETURN(pid_t pid, sys::clone3(args).context("user namespace for idmap"));
  if (pid == 0) {
    char byte = 0;
    ::close(hold.write.release());
    ssize_t ignored = ::read(hold.read.get(), &byte, 1);  // returns at EOF
    (void)ignored;
    ::_exit(0);
  }
  hold.read.reset();
  IdmapUserns out(UniqueFd(), pid);  // from here ~IdmapUserns reaps the holder
  std::string proc = fmt::format("/proc/{}/", pid);
  Result<UniqueFd> ns = [&]() -> Result<UniqueFd> {
    AGENTBOX_TRY(sys::writeFileOnce(
        proc + "uid_map", fmt::format("{} {} 1\n", owner_uid, ids.host_uid_of_sandbox_user)));
    AGENTBOX_TRY(sys::writeFileOnce(
        proc + "gid_map", fmt::format("{} {} 1\n", owner_gid, ids.host_gid_of_sandbox_user)));
    return sys::open(proc + "ns/user", O_RDONLY);
  }();
  hold.write.reset();  // the holder exits now (failed or not); the ns lives on through ns_
  AGENTBOX_ASSIGN_OR_RETURN(out.ns_, std::move(ns));
  return out;
}

IdmapUserns::IdmapUserns(IdmapUserns&& other) noexcept
    : ns_(std::move(other.ns_)), holder_(std::exchange(other.holder_, -1)) {}

IdmapUserns& IdmapUserns::operator=(IdmapUserns&& other) noexcept {
  if (this != &other) {
    reap();
    ns_ = std::move(other.ns_);
    holder_ = std::exchange(other.holder_, -1);
  }
  return *this;
}

IdmapUserns::~IdmapUserns() {
  reap();
}

void IdmapUserns::reap() {
  if (holder_ <= 0) {
    return;
  }
  // create() closed the pipe's write end before it returned: the holder has exited or will.
  int status = 0;
  while (::waitpid(holder_, &status, 0) < 0 && errno == EINTR) {
  }
  holder_ = -1;
}

Result<UniqueFd> makeIdmappedTree(const IdmappedTreeRequest& request) {
  std::optional<IdmapUserns> own;
  if (request.userns == nullptr) {
    AGENTBOX_ASSIGN_OR_RETURN(
        IdmapUserns made, IdmapUserns::create(request.owner_uid, request.owner_gid, request.ids));
    own.emplace(std::move(made));
  }
  const IdmapUserns& userns = request.userns != nullptr ? *request.userns : *own;
  unsigned recursive = request.is_file ? 0U : static_cast<unsigned>(AT_RECURSIVE);
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd tree,
                            sys::openTree(request.path, OPEN_TREE_CLONE | recursive));
  uint64_t attrs = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (request.read_only) {
    attrs |= MOUNT_ATTR_RDONLY;
  }
  AGENTBOX_TRY(sys::mountSetattr(tree, recursive, attrs, userns.fd())
                   .context("idmapped mount of {}", request.path));
  return tree;
}

}  // namespace agentbox::sandbox
