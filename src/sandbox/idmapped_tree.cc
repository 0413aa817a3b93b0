// SPDX-License-Identifier: Apache-2.0
// File: idmapped_tree.cc
#include "sandbox/idmapped_tree.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>
#include <utility>

#include "util/clone_on_stack.h"
#include "util/sys.h"

namespace agentbox::sandbox {

namespace {

// The holder's two pipe ends, kept at the low end of its stack mapping (it grows down from
// the top): with CLONE_VM it must not touch the creator's objects.
struct HolderFds {
  int read_fd;
  int write_fd;
};
constexpr size_t kHolderStackBytes = size_t{64} << 10;

// Runs in the new user namespace until the creator closes the pipe: raw fds only, no heap.
int holdNamespace(void* arg) {
  const auto* fds = static_cast<const HolderFds*>(arg);
  ::close(fds->write_fd);  // our copy: EOF comes when the creator closes its own
  char byte = 0;
  while (::read(fds->read_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  return 0;
}

// The holder shares our memory where it can (CLONE_VM, on its own stack): a fork would copy
// the page tables of a process whose other threads are busy building the run, and make them
// fault on every page they write next. Returns the pid or -errno; *stack is set when one was
// mapped, and must stay mapped until the holder is reaped.
long cloneHolder(const sys::Pipe& hold, void** stack) {
  compat::CloneArgs args{};
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  if constexpr (sys::kCloneOnStackSupported) {
    void* mem = ::mmap(nullptr, kHolderStackBytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mem != MAP_FAILED) {
      *stack = mem;
      auto* fds = static_cast<HolderFds*>(mem);
      fds->read_fd = hold.read.get();
      fds->write_fd = hold.write.get();
      args.flags |= CLONE_VM;
      args.stack = reinterpret_cast<uint64_t>(mem);
      args.stack_size = kHolderStackBytes;
      return sys::cloneOnStack(args, &holdNamespace, fds);
    }
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof(args));
  if (pid == 0) {
    HolderFds fds{hold.read.get(), hold.write.get()};
    ::_exit(holdNamespace(&fds));
  }
  return pid < 0 ? -errno : pid;
}

}  // namespace

Result<IdmapUserns> IdmapUserns::create(uid_t owner_uid, gid_t owner_gid, const IdMapPlan& ids) {
  AGENTBOX_ASSIGN_OR_RETURN(sys::Pipe hold, sys::pipe());
  void* stack = nullptr;
  long pid = cloneHolder(hold, &stack);
  if (pid < 0) {
    if (stack != nullptr) {
      ::munmap(stack, kHolderStackBytes);
    }
    return Error::sys(static_cast<int>(-pid), "clone3(CLONE_NEWUSER)")
        .addContext("user namespace for idmap");
  }
  hold.read.reset();
  IdmapUserns out(UniqueFd(), static_cast<pid_t>(pid));  // from here ~IdmapUserns reaps it
  out.stack_ = stack;
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
    : ns_(std::move(other.ns_)),
      holder_(std::exchange(other.holder_, -1)),
      stack_(std::exchange(other.stack_, nullptr)) {}

IdmapUserns& IdmapUserns::operator=(IdmapUserns&& other) noexcept {
  if (this != &other) {
    reap();
    ns_ = std::move(other.ns_);
    holder_ = std::exchange(other.holder_, -1);
    stack_ = std::exchange(other.stack_, nullptr);
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
  if (stack_ != nullptr) {  // only now is nothing running on it
    ::munmap(stack_, kHolderStackBytes);
    stack_ = nullptr;
  }
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
