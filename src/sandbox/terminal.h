// SPDX-License-Identifier: Apache-2.0
// File: terminal.h
// Interactive runs: when agentbox's stdin is a terminal the sandbox gets its own
// pseudo-terminal (like `docker run -it`): the caller's terminal goes raw for the run and is
// restored on every exit path that runs destructors (normal end, errors, forwarded signals;
// not SIGKILL), and the window size follows the caller's (at start and on SIGWINCH).
#pragma once

#include <termios.h>

#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::sandbox {

struct PtyPair {
  UniqueFd master;  // agentbox's side: output to read, input to write
  UniqueFd slave;   // the command's stdin, stdout and stderr (and controlling terminal)
};

// A new pty pair whose window size is copied from `size_from` (a terminal fd).
Result<PtyPair> openPty(int size_from);
// Copies the window size of `from` (the caller's terminal) to `to` (the pty master).
Status copyWindowSize(int from, int to);

// Puts a terminal in raw mode; the destructor restores the saved settings.
class RawTerminal {
 public:
  static Result<RawTerminal> enter(int fd);
  RawTerminal(RawTerminal&& other) noexcept : fd_(other.fd_), saved_(other.saved_) {
    other.fd_ = -1;
  }
  RawTerminal& operator=(RawTerminal&&) = delete;
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  ~RawTerminal();

 private:
  RawTerminal(int fd, const struct termios& saved) : fd_(fd), saved_(saved) {}
  int fd_;
  struct termios saved_;
};

}  // namespace agentbox::sandbox
