// SPDX-License-Identifier: Apache-2.0
// File: policy_watcher.h
// Watches the --policy file of a running `agentbox run` for changes. inotify watches the
// file's directory, not the file: an editor's atomic replace (write a temp file, rename it
// over the old one) and a re-pointed symlink are seen as well as an in-place write. When the
// path is a symlink, the directory of the file it points to is watched too.
//
// Threading: start() spawns one thread (every signal blocked: signals belong to the command
// and the supervisor's signalfd); `on_change` runs on it, once per burst of events that name
// the file, after the burst has been quiet for 100 ms. The destructor stops and joins it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "util/result.h"
#include "util/unique_fd.h"

namespace agentbox::app {

class PolicyWatcher {
 public:
  // Errors (kIo, kResource) when inotify or the thread cannot be set up.
  static Result<std::unique_ptr<PolicyWatcher>> start(const std::string& policy_path,
                                                      std::function<void()> on_change);
  PolicyWatcher(const PolicyWatcher&) = delete;
  PolicyWatcher& operator=(const PolicyWatcher&) = delete;
  PolicyWatcher(PolicyWatcher&&) = delete;
  PolicyWatcher& operator=(PolicyWatcher&&) = delete;
  ~PolicyWatcher();

 private:
  PolicyWatcher() = default;
  void loop();
  bool namesOurFile(const char* events, size_t len) const;

  struct Watch {
    int wd;
    std::string name;  // file name inside the watched directory
  };
  UniqueFd inotify_;
  UniqueFd stop_;
  std::vector<Watch> watches_;
  std::function<void()> on_change_;
  std::thread thread_;
};

}  // namespace agentbox::app
