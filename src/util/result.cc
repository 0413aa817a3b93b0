// SPDX-License-Identifier: Apache-2.0
// File: result.cc
// Error rendering and errno classification.
#include "util/result.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace agentbox {

std::string_view errcName(Errc code) {
  switch (code) {
    case Errc::kInvalidInput:
      return "invalid-input";
    case Errc::kDenied:
      return "denied";
    case Errc::kUnsupported:
      return "unsupported";
    case Errc::kPermission:
      return "permission";
    case Errc::kNotFound:
      return "not-found";
    case Errc::kIo:
      return "io";
    case Errc::kTimeout:
      return "timeout";
    case Errc::kResource:
      return "resource";
    case Errc::kInternal:
      return "internal";
  }
  return "internal";
}

namespace {

Errc errcFromErrno(int err) {
  switch (err) {
    case EPERM:
    case EACCES:
      return Errc::kPermission;
    case ENOENT:
    case ESRCH:
      return Errc::kNotFound;
    case ENOSYS:
    case EOPNOTSUPP:
    case EAFNOSUPPORT:
      return Errc::kUnsupported;
    case EINVAL:
      return Errc::kInvalidInput;
    case ENOMEM:
    case EMFILE:
    case ENFILE:
    case ENOSPC:
    case EAGAIN:
    case EDQUOT:
      return Errc::kResource;
    case ETIMEDOUT:
      return Errc::kTimeout;
    default:
      return Errc::kIo;
  }
}

}  // namespace

Error Error::sys(int err, std::string call, SourceLoc where) {
  Error e(errcFromErrno(err), std::move(call), where);
  e.errno_ = err;
  return e;
}

std::string Error::oneLine() const {
  std::string out;
  for (auto it = context_.rbegin(); it != context_.rend(); ++it) {
    out += *it;
    out += ": ";
  }
  out += message_;
  if (errno_ != 0) {
    // strerrorname_np and strerrordesc_np are thread-safe, unlike strerror.
    const char* name = strerrorname_np(errno_);
    const char* desc = strerrordesc_np(errno_);
    out += fmt::format(": {} ({})", name != nullptr ? name : "E?", desc != nullptr ? desc : "?");
  }
  if (!hint_.empty()) {
    out += "; ";
    out += hint_;
  }
  return out;
}

void checkFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "agentbox: internal error: CHECK(%s) failed at %s:%d\n", expr, file, line);
  std::abort();
}

}  // namespace agentbox
