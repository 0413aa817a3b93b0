// SPDX-License-Identifier: Apache-2.0
// File: key_kinds.cc
#include "policy/key_kinds.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "policy/cidr.h"
#include "policy/fs_rules.h"
#include "policy/host_pattern.h"
#include "policy/key_helpers.h"
#include "policy/units.h"

namespace agentbox::policy::kinds {

using namespace helpers;  // NOLINT(google-build-using-namespace): this library's own helpers

namespace {

template <class T>
Order lowerIsTighter(const T& bound, const T& cand) {
  if (cand == bound) {
    return Order::kEqual;
  }
  return cand < bound ? Order::kTighter : Order::kLooser;
}

Result<uint64_t> parseDecimal(std::string_view text) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return makeError(Errc::kInvalidInput, "invalid number '{}': expected a whole number", text);
  }
  return n;
}

}  // namespace

std::string validToken(std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return "expected a product token of 1..64 characters";
  }
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) {
      return "expected a product token (letters, digits and !#$%&'*+-.^_`|~, no spaces or '/')";
    }
  }
  return {};
}

std::string validProfile(std::string_view text) {
  if (text == "default" || (!text.empty() && text.front() == '/')) {
    return {};
  }
  return "expected \"default\" or an absolute path to a Docker/OCI seccomp JSON profile";
}

std::string validHostname(std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return "expected a host name of 1..64 characters";
  }
  size_t label = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (label == 0 || text[i - 1] == '-') {
        return "invalid host name: empty label or label ending in '-'";
      }
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c == '-' && label > 0);
    if (!ok) {
      return "invalid host name: use letters, digits and '-' (RFC 1123)";
    }
    ++label;
  }
  if (label == 0 || text.back() == '-') {
    return "invalid host name: empty label or label ending in '-'";
  }
  return {};
}

KeySpec sizeKey(std::string_view path, std::string_view doc, Getter<uint64_t> get, uint64_t min,
                uint64_t max) {
  auto check = [path, min, max](uint64_t bytes, std::string_view text) -> Status {
    if (bytes < min || bytes > max) {
      return makeError(Errc::kInvalidInput, "{} = {} is out of range: expected {}..{}", path, text,
                       formatSize(min), formatSize(max));
    }
    return ok();
  };
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get, check](const TomlValue& v, Policy& p, KeyReader& r) {
    uint64_t bytes = 0;
    std::string text;
    if (v.type == Type::kString) {
      Result<uint64_t> n = parseSize(v.string_value);
      if (!n) {
        r.error(v.pos, "{}", n.error().message());
        return;
      }
      bytes = *n;
      text = tomlQuote(v.string_value);
    } else if (v.type == Type::kInteger && v.int_value >= 0) {
      bytes = static_cast<uint64_t>(v.int_value);
      text = std::to_string(v.int_value);
    } else {
      r.error(v.pos, "expected a size (bytes, or a string like \"512m\"), found {}",
              v.type == Type::kInteger ? "a negative integer" : v.typeName());
      return;
    }
    if (Status s = check(bytes, text); !s) {
      r.error(v.pos, "{}", s.error().message());
      return;
    }
    get(p) = bytes;
  };
  k.from_string = [get, check](std::string_view text, Policy& p) -> Status {
    AGENTBOX_ASSIGN_OR_RETURN(uint64_t bytes, parseSize(text));
    AGENTBOX_TRY(check(bytes, text));
    get(p) = bytes;
    return ok();
  };
  k.compare = [get](const Policy& b, const Policy& c) {
    return lowerIsTighter(cget(get, b), cget(get, c));
  };
  k.render = [get](const Policy& p) { return tomlQuote(formatSize(cget(get, p))); };
  return k;
}

KeySpec durationKey(std::string_view path, std::string_view doc, Getter<uint64_t> get) {
  constexpr uint64_t kMaxMs = uint64_t{366} * 24 * 3600 * 1000;  // a year: beyond is a typo
  auto check = [path](uint64_t ms, std::string_view text) -> Status {
    if (ms > kMaxMs) {
      return makeError(Errc::kInvalidInput, "{} = {} is out of range: expected at most 8784h", path,
                       text);
    }
    return ok();
  };
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get, check](const TomlValue& v, Policy& p, KeyReader& r) {
    uint64_t ms = 0;
    std::string text;
    if (v.type == Type::kString) {
      Result<uint64_t> n = parseDurationMs(v.string_value);
      if (!n) {
        r.error(v.pos, "{}", n.error().message());
        return;
      }
      ms = *n;
      text = tomlQuote(v.string_value);
    } else if (v.type == Type::kInteger && v.int_value >= 0 &&
               v.int_value <= static_cast<int64_t>(kMaxMs / 1000)) {
      ms = static_cast<uint64_t>(v.int_value) * 1000;
      text = std::to_string(v.int_value);
    } else {
      r.error(v.pos, "expected a duration (seconds, or a string like \"90s\", \"1m30s\"), found {}",
              v.type == Type::kInteger ? "an out-of-range integer" : v.typeName());
      return;
    }
    if (Status s = check(ms, text); !s) {
      r.error(v.pos, "{}", s.error().message());
      return;
    }
    get(p) = ms;
  };
  k.from_string = [get, check](std::string_view text, Policy& p) -> Status {
    AGENTBOX_ASSIGN_OR_RETURN(uint64_t ms, parseDurationMs(text));
    AGENTBOX_TRY(check(ms, text));
    get(p) = ms;
    return ok();
  };
  k.compare = [get](const Policy& b, const Policy& c) {
    // 0 means no limit: the loosest value of all.
    auto key = [](uint64_t ms) { return ms == 0 ? UINT64_MAX : ms; };
    return lowerIsTighter(key(cget(get, b)), key(cget(get, c)));
  };
  k.render = [get](const Policy& p) { return tomlQuote(formatDurationMs(cget(get, p))); };
  return k;
}

KeySpec countKey(std::string_view path, std::string_view doc, Getter<uint32_t> get, uint32_t min,
                 uint32_t max) {
  auto check = [path, min, max](uint64_t n) -> Status {
    if (n < min || n > max) {
      return makeError(Errc::kInvalidInput, "{} = {} is out of range: expected {}..{}", path, n,
                       min, max);
    }
    return ok();
  };
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get, check](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kInteger) {
      r.error(v.pos, "expected an integer, found {}", v.typeName());
      return;
    }
    if (v.int_value < 0) {
      r.error(v.pos, "expected a positive integer, found {}", v.int_value);
      return;
    }
    if (Status s = check(static_cast<uint64_t>(v.int_value)); !s) {
      r.error(v.pos, "{}", s.error().message());
      return;
    }
    get(p) = static_cast<uint32_t>(v.int_value);
  };
  k.from_string = [get, check](std::string_view text, Policy& p) -> Status {
    AGENTBOX_ASSIGN_OR_RETURN(uint64_t n, parseDecimal(text));
    AGENTBOX_TRY(check(n));
    get(p) = static_cast<uint32_t>(n);
    return ok();
  };
  k.compare = [get](const Policy& b, const Policy& c) {
    return lowerIsTighter(cget(get, b), cget(get, c));
  };
  k.render = [get](const Policy& p) { return std::to_string(cget(get, p)); };
  return k;
}

KeySpec cpusKey(std::string_view path, std::string_view doc, Getter<double> get) {
  auto check = [path](double cpus) -> Status {
    if (!(cpus >= 0.01 && cpus <= 1024)) {
      return makeError(Errc::kInvalidInput, "{} = {} is out of range: expected 0.01..1024", path,
                       cpus);
    }
    return ok();
  };
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get, check](const TomlValue& v, Policy& p, KeyReader& r) {
    double cpus = 0;
    if (v.type == Type::kFloat) {
      cpus = v.float_value;
    } else if (v.type == Type::kInteger) {
      cpus = static_cast<double>(v.int_value);
    } else {
      r.error(v.pos, "expected a number of cores (e.g. 0.5, 2), found {}", v.typeName());
      return;
    }
    if (Status s = check(cpus); !s) {
      r.error(v.pos, "{}", s.error().message());
      return;
    }
    get(p) = cpus;
  };
  k.from_string = [get, check](std::string_view text, Policy& p) -> Status {
    // Strict decimal: digits with an optional fraction; no sign, exponent, inf or nan.
    size_t dot = text.find('.');
    bool ok_syntax = !text.empty() && text.front() != '.' && text.back() != '.' &&
                     text.find('.', dot == std::string_view::npos ? text.size() : dot + 1) ==
                         std::string_view::npos &&
                     std::all_of(text.begin(), text.end(),
                                 [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    double cpus = 0;
    if (ok_syntax) {
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), cpus);
      ok_syntax = ec == std::errc() && ptr == text.data() + text.size();
    }
    if (!ok_syntax) {
      return makeError(Errc::kInvalidInput, "invalid CPU count '{}': expected cores like 0.5 or 2",
                       text);
    }
    AGENTBOX_TRY(check(cpus));
    get(p) = cpus;
    return ok();
  };
  k.compare = [get](const Policy& b, const Policy& c) {
    return lowerIsTighter(cget(get, b), cget(get, c));
  };
  k.render = [get](const Policy& p) { return fmt::format("{}", cget(get, p)); };
  return k;
}

KeySpec boolKey(std::string_view path, std::string_view doc, Getter<bool> get, bool tight) {
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kBool) {
      r.error(v.pos, "expected true or false, found {}", v.typeName());
      return;
    }
    get(p) = v.bool_value;
  };
  k.from_string = [get](std::string_view text, Policy& p) -> Status {
    AGENTBOX_ASSIGN_OR_RETURN(bool b, parseEnvBool(text));
    get(p) = b;
    return ok();
  };
  k.compare = [get, tight](const Policy& b, const Policy& c) {
    if (cget(get, b) == cget(get, c)) {
      return Order::kEqual;
    }
    return cget(get, c) == tight ? Order::kTighter : Order::kLooser;
  };
  k.render = [get](const Policy& p) { return std::string(cget(get, p) ? "true" : "false"); };
  return k;
}

KeySpec frozenStringKey(std::string_view path, std::string_view doc, Getter<std::string> get,
                        StringCheck check) {
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get, check](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kString) {
      r.error(v.pos, "expected a string, found {}", v.typeName());
      return;
    }
    if (std::string problem = check(v.string_value); !problem.empty()) {
      r.error(v.pos, "{}", problem);
      return;
    }
    get(p) = v.string_value;
  };
  k.from_string = [get, check, path](std::string_view text, Policy& p) -> Status {
    if (std::string problem = check(text); !problem.empty()) {
      return makeError(Errc::kInvalidInput, "invalid {} '{}': {}", path, text, problem);
    }
    get(p) = std::string(text);
    return ok();
  };
  k.compare = [get](const Policy& b, const Policy& c) {
    return frozen(cget(get, b), cget(get, c));
  };
  k.render = [get](const Policy& p) { return tomlQuote(cget(get, p)); };
  return k;
}

}  // namespace agentbox::policy::kinds
