// SPDX-License-Identifier: Apache-2.0
// File: sys.cc
#include "util/sys.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

namespace agentbox::sys {

namespace {

template <class F>
auto retryEintr(F f) {
  decltype(f()) r;
  do {
    r = f();
  } while (r == -1 && errno == EINTR);
  return r;
}

}  // namespace

Result<UniqueFd> open(const std::string& path, int flags, mode_t mode) {
  int fd = retryEintr([&] { return ::open(path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) {
    return Error::sys(errno, fmt::format("open({})", path));
  }
  return UniqueFd(fd);
}

Result<UniqueFd> openAt(const UniqueFd& dir, const std::string& path, int flags, mode_t mode) {
  int fd = retryEintr([&] { return ::openat(dir.get(), path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) {
    return Error::sys(errno, fmt::format("openat({})", path));
  }
  return UniqueFd(fd);
}

Result<Pipe> pipe(int flags) {
  int fds[2];
  if (::pipe2(fds, flags | O_CLOEXEC) != 0) {
    return Error::sys(errno, "pipe2");
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<size_t> read(int fd, std::span<std::byte> buf) {
  ssize_t n = retryEintr([&] { return ::read(fd, buf.data(), buf.size()); });
  if (n < 0) {
    return Error::sys(errno, fmt::format("read(fd {})", fd));
  }
  return static_cast<size_t>(n);
}

Status writeAll(int fd, std::span<const std::byte> data) {
  while (!data.empty()) {
    ssize_t n = retryEintr([&] { return ::write(fd, data.data(), data.size()); });
    if (n < 0) {
      return Error::sys(errno, fmt::format("write(fd {})", fd));
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return ok();
}

Status writeAll(int fd, std::string_view data) {
  return writeAll(fd, std::as_bytes(std::span(data.data(), data.size())));
}

Result<std::string> readFile(const std::string& path, size_t max_bytes) {
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd fd, open(path, O_RDONLY));
  // A regular file is read straight into a string of its size, plus one byte so that the end
  // shows in the same pass: no bounce buffer, and no regrowth that copies what was read (the
  // cached rule database is ~110 KiB: three copies were ~80 page faults per run). Files that
  // report no size (/proc) start at 16 KiB and grow.
  constexpr size_t kFirstChunk = 16384;
  size_t capacity = kFirstChunk;
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    capacity = std::min(static_cast<size_t>(st.st_size), max_bytes) + 1;
  }
  std::string out(capacity, '\0');
  size_t used = 0;
  while (true) {
    if (used == out.size()) {
      out.resize(std::min(std::max(out.size() * 2, kFirstChunk), max_bytes + 1));
    }
    std::span<std::byte> room(reinterpret_cast<std::byte*>(out.data()) + used, out.size() - used);
    AGENTBOX_ASSIGN_OR_RETURN(size_t n, read(fd.get(), room).context("read {}", path));
    if (n == 0) {
      out.resize(used);
      return out;
    }
    used += n;
    if (used > max_bytes) {
      return makeError(Errc::kResource, "{} is larger than {} bytes", path, max_bytes);
    }
  }
}

Status writeFileOnce(const std::string& path, std::string_view content) {
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd fd, open(path, O_WRONLY));
  ssize_t n = retryEintr([&] { return ::write(fd.get(), content.data(), content.size()); });
  if (n < 0) {
    return Error::sys(errno, fmt::format("write({})", path));
  }
  if (static_cast<size_t>(n) != content.size()) {
    return makeError(Errc::kIo, "short write to {}", path);
  }
  return ok();
}

Status writeFileAtomic(const std::string& path, std::string_view content, mode_t mode,
                       Durability durability) {
  std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  {
    AGENTBOX_ASSIGN_OR_RETURN(UniqueFd fd, open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode));
    AGENTBOX_TRY(writeAll(fd.get(), content).context("write {}", tmp));
    if (durability == Durability::kFsync && ::fsync(fd.get()) != 0) {
      return Error::sys(errno, fmt::format("fsync({})", tmp));
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Error::sys(err, fmt::format("rename({}, {})", tmp, path));
  }
  return ok();
}

Status mkdir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0) {
    return Error::sys(errno, fmt::format("mkdir({})", path));
  }
  return ok();
}

Status mkdirs(const std::string& path, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return Error::sys(ec.value(), fmt::format("mkdir -p {}", path));
  }
  if (::chmod(path.c_str(), mode) != 0) {
    return Error::sys(errno, fmt::format("chmod({})", path));
  }
  return ok();
}

Result<std::string> realPath(const std::string& path) {
  char* p = ::realpath(path.c_str(), nullptr);
  if (p == nullptr) {
    return Error::sys(errno, fmt::format("realpath({})", path));
  }
  std::string out(p);
  ::free(p);  // NOLINT: realpath's contract
  return out;
}

Result<struct stat> lstat(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return Error::sys(errno, fmt::format("lstat({})", path));
  }
  return st;
}

Result<struct stat> stat(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error::sys(errno, fmt::format("stat({})", path));
  }
  return st;
}

Result<std::string> readLink(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) {
    return Error::sys(errno, fmt::format("readlink({})", path));
  }
  return std::string(buf, static_cast<size_t>(n));
}

Status removeTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) {
    return Error::sys(ec.value(), fmt::format("rm -r {}", path));
  }
  return ok();
}

Result<std::string> randomBytes(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(out.data() + got, n - got, 0);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      return Error::sys(r < 0 ? errno : EIO, "getrandom");
    }
    got += static_cast<size_t>(r);
  }
  return out;
}

Result<pid_t> clone3(compat::CloneArgs& args) {
  long r = ::syscall(SYS_clone3, &args, sizeof(args));
  if (r < 0) {
    return Error::sys(errno, fmt::format("clone3(flags={:#x})", args.flags));
  }
  return static_cast<pid_t>(r);
}

Status pidfdSendSignal(const UniqueFd& pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) != 0) {
    return Error::sys(errno, fmt::format("pidfd_send_signal({})", sig));
  }
  return ok();
}

Result<ChildExit> waitPidfd(const UniqueFd& pidfd, int options) {
  ChildExit out;
  long r = retryEintr(
      [&] { return ::syscall(SYS_waitid, P_PIDFD, pidfd.get(), &out.info, options, &out.usage); });
  if (r < 0) {
    return Error::sys(errno, "waitid(P_PIDFD)");
  }
  return out;
}

Result<UniqueFd> signalFd(const sigset_t& mask) {
  int fd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) {
    return Error::sys(errno, "signalfd");
  }
  return UniqueFd(fd);
}

Result<UniqueFd> timerFd() {
  int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (fd < 0) {
    return Error::sys(errno, "timerfd_create");
  }
  return UniqueFd(fd);
}

Status timerArm(const UniqueFd& timer, std::chrono::milliseconds after) {
  struct itimerspec spec {};
  spec.it_value.tv_sec = after.count() / 1000;
  spec.it_value.tv_nsec = (after.count() % 1000) * 1000000;
  if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) {
    spec.it_value.tv_nsec = 1;  // zero would disarm
  }
  if (::timerfd_settime(timer.get(), 0, &spec, nullptr) != 0) {
    return Error::sys(errno, "timerfd_settime");
  }
  return ok();
}

Result<int> poll(std::span<struct pollfd> fds, int timeout_ms) {
  int r = ::poll(fds.data(), fds.size(), timeout_ms);
  if (r < 0) {
    if (errno == EINTR) {
      return 0;
    }
    return Error::sys(errno, "poll");
  }
  return r;
}

Result<bool> tryLock(const UniqueFd& fd) {
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
    return true;
  }
  if (errno == EWOULDBLOCK) {
    return false;
  }
  return Error::sys(errno, "flock");
}

Result<UniqueFd> openTree(const std::string& path, unsigned flags) {
  int fd =
      static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, path.c_str(), flags | OPEN_TREE_CLOEXEC));
  if (fd < 0) {
    return Error::sys(errno, fmt::format("open_tree({})", path));
  }
  return UniqueFd(fd);
}

Status mountSetattr(const UniqueFd& tree, unsigned flags, uint64_t attr_set, int userns_fd) {
  struct mount_attr attr {};
  attr.attr_set = attr_set;
  attr.userns_fd = userns_fd >= 0 ? static_cast<uint64_t>(userns_fd) : 0;
  if (::syscall(SYS_mount_setattr, tree.get(), "", flags | AT_EMPTY_PATH, &attr, sizeof(attr)) !=
      0) {
    return Error::sys(errno, fmt::format("mount_setattr(attr={:#x})", attr_set));
  }
  return ok();
}

}  // namespace agentbox::sys
