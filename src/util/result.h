// SPDX-License-Identifier: Apache-2.0
// File: result.h
// The one error type of agentbox (`Error`) and `Result<T>`, a subset of std::expected's API
// (GCC 12 has no <expected> in C++20 mode), plus the AGENTBOX_TRY / ASSIGN_OR_RETURN macros.
#pragma once

#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace agentbox {

// What kind of failure; callers branch on this, users read the message.
enum class Errc {
  kInvalidInput,  // the user gave something malformed (flag, file, value)
  kDenied,        // a policy said no
  kUnsupported,   // the kernel or host lacks a feature
  kPermission,    // the OS refused (EPERM/EACCES)
  kNotFound,      // a named thing does not exist
  kIo,            // read/write/syscall failure not covered above
  kTimeout,       // a deadline passed
  kResource,      // out of memory, fds, space
  kInternal,      // a bug; should never reach a user
};

std::string_view errcName(Errc code);

// std::source_location breaks clang-14 with libstdc++ 12: use the builtins instead.
struct SourceLoc {
  static constexpr SourceLoc here(const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    return {f, l};
  }
  const char* file;
  int line;
};

// An error: code, errno (0 if none), message, and context added on the way up.
// oneLine() renders "outer context: inner context: message: ERRNO (strerror)".
class Error {
 public:
  Error(Errc code, std::string message, SourceLoc where = SourceLoc::here())
      : code_(code), message_(std::move(message)), where_(where) {}

  // An error from a failed system call; the code is derived from errno.
  static Error sys(int err, std::string call, SourceLoc where = SourceLoc::here());

  [[nodiscard]] Errc code() const { return code_; }
  [[nodiscard]] int sysErrno() const { return errno_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] SourceLoc where() const { return where_; }
  // Hint for the user on how to fix it ("run 'agentbox doctor'"); empty if none.
  [[nodiscard]] const std::string& hint() const { return hint_; }

  Error& addContext(std::string ctx) {
    context_.push_back(std::move(ctx));
    return *this;
  }
  Error& withHint(std::string hint) {
    hint_ = std::move(hint);
    return *this;
  }

  [[nodiscard]] std::string oneLine() const;

 private:
  Errc code_;
  int errno_ = 0;
  std::string message_;
  std::vector<std::string> context_;  // innermost first
  std::string hint_;
  SourceLoc where_;
};

namespace detail {
struct ErrorTag {};
}  // namespace detail

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool has_value() const {
    return v_.index() == 0;
  }  // NOLINT(readability-identifier-naming)
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  template <class U>
  T value_or(U&& fallback) const& {  // NOLINT(readability-identifier-naming)
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

  // Adds context to an error; a value passes through.
  template <class... Args>
  Result&& context(fmt::format_string<Args...> f, Args&&... args) && {
    if (!has_value()) {
      std::get<1>(v_).addContext(fmt::format(f, std::forward<Args>(args)...));
    }
    return std::move(*this);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  [[nodiscard]] bool has_value() const { return ok_; }  // NOLINT(readability-identifier-naming)
  explicit operator bool() const { return ok_; }
  void value() const {}
  [[nodiscard]] const Error& error() const& { return err_; }
  Error&& error() && { return std::move(err_); }

  template <class... Args>
  Result&& context(fmt::format_string<Args...> f, Args&&... args) && {
    if (!ok_) {
      err_.addContext(fmt::format(f, std::forward<Args>(args)...));
    }
    return std::move(*this);
  }

 private:
  Error err_{Errc::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok() {
  return {};
}

template <class... Args>
Error makeError(Errc code, fmt::format_string<Args...> f, Args&&... args) {
  return Error(code, fmt::format(f, std::forward<Args>(args)...));
}

// Aborts with the location: only for bugs, never for environment failures.
[[noreturn]] void checkFailed(const char* expr, const char* file, int line);

}  // namespace agentbox

#define AGENTBOX_INTERNAL_CONCAT_INNER(a, b) a##b
#define AGENTBOX_INTERNAL_CONCAT(a, b) AGENTBOX_INTERNAL_CONCAT_INNER(a, b)

// Returns the error of a Result/Status expression from the enclosing function.
#define AGENTBOX_TRY(expr)                            \
  do {                                                \
    auto agentbox_try_result_ = (expr);               \
    if (!agentbox_try_result_.has_value()) {          \
      return std::move(agentbox_try_result_).error(); \
    }                                                 \
  } while (0)

// NOLINTBEGIN(bugprone-macro-parentheses): `lhs` is a declaration, `tmp` a name
#define AGENTBOX_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr) \
  auto tmp = (expr);                                       \
  if (!tmp.has_value()) {                                  \
    return std::move(tmp).error();                         \
  }                                                        \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

// `AGENTBOX_ASSIGN_OR_RETURN(UniqueFd fd, sys::open(...));`
#define AGENTBOX_ASSIGN_OR_RETURN(lhs, expr) \
  AGENTBOX_INTERNAL_ASSIGN_OR_RETURN(AGENTBOX_INTERNAL_CONCAT(agentbox_aor_, __LINE__), lhs, expr)

#define AGENTBOX_CHECK(cond)                              \
  do {                                                    \
    if (!(cond)) {                                        \
      ::agentbox::checkFailed(#cond, __FILE__, __LINE__); \
    }                                                     \
  } while (0)
