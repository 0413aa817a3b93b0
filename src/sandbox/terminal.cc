// SPDX-License-Identifier: Apache-2.0
// File: terminal.cc
#include "sandbox/terminal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/sys.h"

namespace agentbox::sandbox {

Result<PtyPair> openPty(int size_from) {
  int m = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) {
    return Error::sys(errno, "posix_openpt");
  }
  UniqueFd master(m);
  if (::grantpt(m) != 0 || ::unlockpt(m) != 0) {
    return Error::sys(errno, "grantpt/unlockpt");
  }
  char name[128] = {};
  if (::ptsname_r(m, name, sizeof(name)) != 0) {
    return Error::sys(errno, "ptsname_r");
  }
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd slave, sys::open(name, O_RDWR | O_NOCTTY));
  AGENTBOX_TRY(copyWindowSize(size_from, m));
  return PtyPair{std::move(master), std::move(slave)};
}

Status copyWindowSize(int from, int to) {
  struct winsize ws {};
  if (::ioctl(from, TIOCGWINSZ, &ws) != 0) {
    return Error::sys(errno, "ioctl(TIOCGWINSZ)");
  }
  if (::ioctl(to, TIOCSWINSZ, &ws) != 0) {
    return Error::sys(errno, "ioctl(TIOCSWINSZ)");
  }
  return ok();
}

Result<RawTerminal> RawTerminal::enter(int fd) {
  struct termios saved {};
  if (::tcgetattr(fd, &saved) != 0) {
    return Error::sys(errno, "tcgetattr");
  }
  struct termios raw = saved;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd, TCSAFLUSH, &raw) != 0) {
    return Error::sys(errno, "tcsetattr(raw)");
  }
  return RawTerminal(fd, saved);
}

RawTerminal::~RawTerminal() {
  if (fd_ >= 0) {
    ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
}

}  // namespace agentbox::sandbox
