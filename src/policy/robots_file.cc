// SPDX-License-Identifier: Apache-2.0
// File: robots_file.cc
#include "policy/robots_file.h"

#include <cerrno>
#include <cstdio>
#include <memory>

#include "policy/robots_parse.h"

namespace agentbox::policy {

namespace {

struct FileClose {
  void operator()(std::FILE* f) const { static_cast<void>(std::fclose(f)); }
};
using File = std::unique_ptr<std::FILE, FileClose>;

}  // namespace

Result<std::string> readRobotsFile(const std::string& path) {
  // "e": O_CLOEXEC, so the descriptor never leaks into a child.
  File f(std::fopen(path.c_str(), "rbe"));
  if (!f) {
    return Error::sys(errno, fmt::format("open({})", path));
  }
  std::string out(kRobotsMaxBytes + 1, '\0');
  size_t got = 0;
  while (got < out.size()) {
    const size_t n = std::fread(out.data() + got, 1, out.size() - got, f.get());
    if (n == 0) {
      if (std::ferror(f.get()) != 0) {
        return Error::sys(errno, fmt::format("read({})", path));
      }
      break;
    }
    got += n;
  }
  out.resize(got);
  return out;
}

}  // namespace agentbox::policy
