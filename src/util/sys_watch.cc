// SPDX-License-Identifier: Apache-2.0
// File: sys_watch.cc
#include "util/sys_watch.h"

#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

namespace agentbox::sys {

Result<UniqueFd> inotifyInit() {
  int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) {
    return Error::sys(errno, "inotify_init1");
  }
  return UniqueFd(fd);
}

Result<int> inotifyAddWatch(const UniqueFd& inotify, const std::string& path, uint32_t mask) {
  int wd = ::inotify_add_watch(inotify.get(), path.c_str(), mask);
  if (wd < 0) {
    return Error::sys(errno, "inotify_add_watch(" + path + ")");
  }
  return wd;
}

Result<UniqueFd> eventFd() {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) {
    return Error::sys(errno, "eventfd");
  }
  return UniqueFd(fd);
}

Status eventFdSignal(const UniqueFd& fd) {
  uint64_t one = 1;
  while (::write(fd.get(), &one, sizeof(one)) < 0) {
    if (errno != EINTR) {
      return Error::sys(errno, "write(eventfd)");
    }
  }
  return ok();
}

}  // namespace agentbox::sys
