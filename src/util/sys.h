// SPDX-License-Identifier: Apache-2.0
// File: sys.h
// Typed system-call wrappers for the parent side (they may allocate: errors carry strings).
// Each retries EINTR (except close), reads errno at once and names the call and its key
// arguments in the error. Code that runs in the sandbox child between clone and exec must not
// use these: see sandbox/child.h for the allocation-free rules there.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/linux_compat.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::sys {

Result<UniqueFd> open(const std::string& path, int flags, mode_t mode = 0);
Result<UniqueFd> openAt(const UniqueFd& dir, const std::string& path, int flags, mode_t mode = 0);

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};
Result<Pipe> pipe(int flags = O_CLOEXEC);

// Reads up to buf.size() bytes; 0 means end of file. EAGAIN comes back as an error (kResource).
Result<size_t> read(int fd, std::span<std::byte> buf);
Status writeAll(int fd, std::span<const std::byte> data);
Status writeAll(int fd, std::string_view data);

Result<std::string> readFile(const std::string& path, size_t max_bytes = 1 << 20);
// One write(2) of the whole content, as /proc/<pid>/uid_map requires.
Status writeFileOnce(const std::string& path, std::string_view content);
enum class Durability {
  kRename,  // atomic rename only: survives the process dying, not the machine crashing
  kFsync,   // also fsync the file before the rename: survives a crash
};
// Writes to a temporary file beside `path` and renames it over `path`.
Status writeFileAtomic(const std::string& path, std::string_view content, mode_t mode = 0644,
                       Durability durability = Durability::kRename);

Status mkdir(const std::string& path, mode_t mode);
// mkdir -p; existing directories are fine.
Status mkdirs(const std::string& path, mode_t mode);
Result<std::string> realPath(const std::string& path);
Result<struct stat> lstat(const std::string& path);
Result<struct stat> stat(const std::string& path);
// Returns the symlink target, or an error if `path` is not a symlink.
Result<std::string> readLink(const std::string& path);
Status removeTree(const std::string& path);

// `n` bytes from the kernel's CSPRNG (getrandom(2), which waits for it to be seeded once).
Result<std::string> randomBytes(size_t n);
// clone3(2) returning 0 in the child. With CLONE_PIDFD, args.pidfd must point to an int.
Result<pid_t> clone3(compat::CloneArgs& args);
Status pidfdSendSignal(const UniqueFd& pidfd, int sig);

struct ChildExit {
  siginfo_t info{};
  struct rusage usage {};
};
// waitid(P_PIDFD) with rusage; with WNOHANG, info.si_pid == 0 means still running.
Result<ChildExit> waitPidfd(const UniqueFd& pidfd, int options);

Result<UniqueFd> signalFd(const sigset_t& mask);
Result<UniqueFd> timerFd();
Status timerArm(const UniqueFd& timer, std::chrono::milliseconds after);
Result<int> poll(std::span<struct pollfd> fds, int timeout_ms);

// flock(LOCK_EX|LOCK_NB): false when another process holds it.
Result<bool> tryLock(const UniqueFd& fd);

// The new mount API, for the parent (idmapped workspace trees).
Result<UniqueFd> openTree(const std::string& path, unsigned flags);
Status mountSetattr(const UniqueFd& tree, unsigned flags, uint64_t attr_set, int userns_fd = -1);

}  // namespace agentbox::sys
