// SPDX-License-Identifier: Apache-2.0
// File: policy_watcher.cc
#include "app/policy_watcher.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/inotify.h>

#include <array>
#include <cstring>
#include <filesystem>

#include "util/sys.h"
#include "util/sys_watch.h"

namespace agentbox::app {

namespace {

constexpr int kSettleMs = 100;
constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM;

}  // namespace

Result<std::unique_ptr<PolicyWatcher>> PolicyWatcher::start(const std::string& policy_path,
                                                            std::function<void()> on_change) {
  std::unique_ptr<PolicyWatcher> w(new PolicyWatcher());
  w->on_change_ = std::move(on_change);
  AGENTBOX_ASSIGN_OR_RETURN(w->inotify_, sys::inotifyInit());
  AGENTBOX_ASSIGN_OR_RETURN(w->stop_, sys::eventFd());
  std::filesystem::path given = std::filesystem::absolute(policy_path);
  std::vector<std::filesystem::path> paths = {given};
  if (Result<std::string> real = sys::realPath(given.string());
      real.has_value() && *real != given.string()) {
    paths.emplace_back(*real);
  }
  for (const std::filesystem::path& p : paths) {
    AGENTBOX_ASSIGN_OR_RETURN(int wd,
                              sys::inotifyAddWatch(w->inotify_, p.parent_path().string(), kMask)
                                  .context("watching policy file {}", policy_path));
    w->watches_.push_back({.wd = wd, .name = p.filename().string()});
  }
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  try {
    w->thread_ = std::thread([raw = w.get()] {
      pthread_setname_np(pthread_self(), "agentbox-policy");
      raw->loop();
    });
  } catch (const std::system_error& e) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return makeError(Errc::kResource, "cannot start the policy watcher thread: {}", e.what());
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return w;
}

PolicyWatcher::~PolicyWatcher() {
  if (thread_.joinable()) {
    Status s = sys::eventFdSignal(stop_);
    (void)s;  // cannot fail for a valid eventfd short of overflow
    thread_.join();
  }
}

bool PolicyWatcher::namesOurFile(const char* events, size_t len) const {
  size_t off = 0;
  bool ours = false;
  while (off + sizeof(inotify_event) <= len) {
    inotify_event ev{};
    std::memcpy(&ev, events + off, sizeof(ev));
    std::string_view name(events + off + sizeof(inotify_event), ev.len);
    name = name.substr(0, name.find('\0'));
    for (const Watch& w : watches_) {
      ours = ours || (ev.wd == w.wd && name == w.name) || (ev.mask & IN_Q_OVERFLOW) != 0;
    }
    off += sizeof(inotify_event) + ev.len;
  }
  return ours;
}

void PolicyWatcher::loop() {
  alignas(inotify_event) std::array<char, size_t{16} * 1024> buf{};
  bool pending = false;
  while (true) {
    std::array<pollfd, 2> fds = {pollfd{inotify_.get(), POLLIN, 0}, pollfd{stop_.get(), POLLIN, 0}};
    Result<int> n = sys::poll(fds, pending ? kSettleMs : -1);
    if (!n.has_value() || (fds[1].revents & POLLIN) != 0) {
      return;
    }
    if (*n == 0) {  // quiet for kSettleMs after a change: the writer is done
      if (pending) {
        pending = false;
        on_change_();
      }
      continue;
    }
    Result<size_t> got =
        sys::read(inotify_.get(), std::as_writable_bytes(std::span(buf.data(), buf.size())));
    if (got.has_value() && namesOurFile(buf.data(), *got)) {
      pending = true;
    }
  }
}

}  // namespace agentbox::app
