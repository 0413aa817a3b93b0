// SPDX-License-Identifier: Apache-2.0
// File: sys_watch.h
// inotify and eventfd wrappers (for watching the policy file during a run). Like sys.h:
// close-on-exec, EINTR retried, errors name the call and its arguments.
#pragma once

#include <cstdint>
#include <string>

#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::sys {

// inotify_init1(IN_CLOEXEC | IN_NONBLOCK).
Result<UniqueFd> inotifyInit();
// inotify_add_watch; returns the watch descriptor.
Result<int> inotifyAddWatch(const UniqueFd& inotify, const std::string& path, uint32_t mask);
// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), and adding 1 to its counter.
Result<UniqueFd> eventFd();
Status eventFdSignal(const UniqueFd& fd);

}  // namespace agentbox::sys
