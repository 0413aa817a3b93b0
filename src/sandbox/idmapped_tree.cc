// SPDX-License-Identifier: Apache-2.0
// File: idmapped_tree.cc
#include "sandbox/idmapped_tree.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "util/sys.h"

namespace agentbox::sandbox {

namespace {

// A user namespace fd with the given maps: a child is cloned into a new user ns and waits
// on a pipe while we write its maps and open its ns file, then exits.
Result<UniqueFd> userNamespaceFd(const std::string& uid_map, const std::string& gid_map) {
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
  auto reap = [&] {
    hold.write.reset();
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  };
  std::string proc = fmt::format("/proc/{}/", pid);
  Status maps = sys::writeFileOnce(proc + "uid_map", uid_map);
  if (maps.has_value()) {
    maps = sys::writeFileOnce(proc + "gid_map", gid_map);
  }
  if (!maps.has_value()) {
    reap();
    return std::move(maps).error();
  }
  Result<UniqueFd> ns = sys::open(proc + "ns/user", O_RDONLY);
  reap();
  return ns;
}

}  // namespace

Result<UniqueFd> makeIdmappedTree(const IdmappedTreeRequest& request) {
  std::string uid_map =
      fmt::format("{} {} 1\n", request.owner_uid, request.ids.host_uid_of_sandbox_user);
  std::string gid_map =
      fmt::format("{} {} 1\n", request.owner_gid, request.ids.host_gid_of_sandbox_user);
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd userns, userNamespaceFd(uid_map, gid_map));
  unsigned recursive = request.is_file ? 0U : static_cast<unsigned>(AT_RECURSIVE);
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd tree,
                            sys::openTree(request.path, OPEN_TREE_CLONE | recursive));
  uint64_t attrs = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (request.read_only) {
    attrs |= MOUNT_ATTR_RDONLY;
  }
  AGENTBOX_TRY(sys::mountSetattr(tree, recursive, attrs, userns.get())
                   .context("idmapped mount of {}", request.path));
  return tree;
}

}  // namespace agentbox::sandbox
