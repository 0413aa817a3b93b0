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
#include "policy/units.h"

namespace agentbox::policy::kinds {

namespace {

using Type = TomlValue::Type;

template <class T>
Order lowerIsTighter(const T& bound, const T& cand) {
  if (cand == bound) {
    return Order::kEqual;
  }
  return cand < bound ? Order::kTighter : Order::kLooser;
}

// Combines per-element answers: any looser element makes the whole looser.
Order subsetOrder(bool all_covered, bool same) {
  if (!all_covered) {
    return Order::kLooser;
  }
  return same ? Order::kEqual : Order::kTighter;
}

std::string renderStrings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ", ") + tomlQuote(items[i]);
  }
  return out + "]";
}

Result<uint64_t> parseDecimal(std::string_view text) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return makeError(Errc::kInvalidInput, "invalid number '{}': expected a whole number", text);
  }
  return n;
}

// Reads an array of strings, reporting non-strings; `each` validates and may rewrite.
template <class F>
std::vector<std::string> readStrings(const TomlValue& v, KeyReader& r, F each) {
  std::vector<std::string> out;
  if (v.type != Type::kArray) {
    r.error(v.pos, "expected an array of strings, found {}", v.typeName());
    return out;
  }
  for (const TomlValue& item : v.array) {
    if (item.type != Type::kString) {
      r.error(item.pos, "expected a string, found {}", item.typeName());
      continue;
    }
    std::string value = item.string_value;
    std::string problem = each(value);
    if (!problem.empty()) {
      r.error(item.pos, "{}", problem);
      continue;
    }
    out.push_back(std::move(value));
  }
  return out;
}

std::string checkPattern(std::string& text) {
  Result<HostPattern> p = parseHostPattern(text);
  return p.has_value() ? std::string() : p.error().message();
}

bool coveredByAny(const HostPattern& p, const std::vector<HostPattern>& outer) {
  return std::any_of(outer.begin(), outer.end(),
                     [&](const HostPattern& o) { return p.coveredBy(o); });
}

std::vector<HostPattern> patterns(const std::vector<std::string>& texts) {
  std::vector<HostPattern> out;
  for (const std::string& t : texts) {
    if (Result<HostPattern> p = parseHostPattern(t)) {
      out.push_back(*p);
    }
  }
  return out;
}

// Frozen comparison for values with no order.
template <class T>
Order frozen(const T& bound, const T& cand) {
  return bound == cand ? Order::kEqual : Order::kLooser;
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

KeySpec bindsKey(std::string_view path, std::string_view doc, Getter<std::vector<Bind>> get) {
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kArray) {
      r.error(v.pos, "expected an array of binds, found {}", v.typeName());
      return;
    }
    std::vector<Bind> out;
    auto absolute = [&](const TomlValue& node,
                        const std::string& text) -> std::optional<std::string> {
      std::optional<std::string> c = canonicalPath(text);
      if (!c) {
        r.error(node.pos, "expected an absolute path, found \"{}\"", text);
      }
      return c;
    };
    for (const TomlValue& item : v.array) {
      Bind b;
      if (item.type == Type::kString) {
        std::optional<std::string> c = absolute(item, item.string_value);
        if (!c) {
          continue;
        }
        b = Bind{*c, *c};
      } else if (item.type == Type::kTable) {
        const TomlValue* host = nullptr;
        const TomlValue* sandbox = nullptr;
        for (const TomlEntry& e : item.table) {
          if (e.key == "host" && e.value.type == Type::kString) {
            host = &e.value;
          } else if (e.key == "sandbox" && e.value.type == Type::kString) {
            sandbox = &e.value;
          } else {
            r.error(e.key_pos,
                    "unexpected key '{}' in a bind: expected host = \"...\" and "
                    "optionally sandbox = \"...\" (strings)",
                    e.key);
          }
        }
        if (host == nullptr) {
          r.error(item.pos, "a bind needs host = \"/absolute/path\"");
          continue;
        }
        std::optional<std::string> h = absolute(*host, host->string_value);
        std::optional<std::string> s = sandbox ? absolute(*sandbox, sandbox->string_value) : h;
        if (!h || !s) {
          continue;
        }
        b = Bind{*h, *s};
      } else {
        r.error(item.pos, "expected a path string or {{host = ..., sandbox = ...}}, found {}",
                item.typeName());
        continue;
      }
      const std::string& s = b.sandbox_path;
      if (s == "/" || pathUnder(s, "/proc") || pathUnder(s, "/dev") || s == kWorkspaceDir) {
        r.error(item.pos, "cannot bind onto {}: the sandbox owns /, /proc, /dev and /workspace", s);
        continue;
      }
      out.push_back(std::move(b));
    }
    get(p) = std::move(out);
  };
  k.compare = [get](const Policy& b, const Policy& c) {
    return frozen(cget(get, b), cget(get, c));
  };
  k.render = [get](const Policy& p) {
    std::string out = "[";
    const std::vector<Bind>& binds = cget(get, p);
    for (size_t i = 0; i < binds.size(); ++i) {
      out += i == 0 ? "" : ", ";
      if (binds[i].host_path == binds[i].sandbox_path) {
        out += tomlQuote(binds[i].host_path);
      } else {
        out += "{ host = " + tomlQuote(binds[i].host_path) +
               ", sandbox = " + tomlQuote(binds[i].sandbox_path) + " }";
      }
    }
    return out + "]";
  };
  return k;
}

namespace {

// A set of strings where more entries is tighter (hidden paths, deny globs).
KeySpec supersetKey(std::string_view path, std::string_view doc,
                    Getter<std::vector<std::string>> get, std::string (*each)(std::string&)) {
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get, each](const TomlValue& v, Policy& p, KeyReader& r) {
    get(p) = readStrings(v, r, each);
  };
  k.compare = [get](const Policy& b, const Policy& c) {
    const auto& bound = cget(get, b);
    const auto& cand = cget(get, c);
    bool all = std::all_of(bound.begin(), bound.end(), [&](const std::string& s) {
      return std::find(cand.begin(), cand.end(), s) != cand.end();
    });
    std::set<std::string> sb(bound.begin(), bound.end());
    std::set<std::string> sc(cand.begin(), cand.end());
    return subsetOrder(all, sb == sc);
  };
  k.render = [get](const Policy& p) { return renderStrings(cget(get, p)); };
  return k;
}

}  // namespace

KeySpec pathSetKey(std::string_view path, std::string_view doc,
                   Getter<std::vector<std::string>> get) {
  return supersetKey(
      path, doc, get, +[](std::string& s) -> std::string {
        std::optional<std::string> c = canonicalPath(s);
        if (!c) {
          return fmt::format("expected an absolute sandbox path, found \"{}\"", s);
        }
        s = *c;
        return {};
      });
}

KeySpec globSetKey(std::string_view path, std::string_view doc,
                   Getter<std::vector<std::string>> get) {
  return supersetKey(
      path, doc, get, +[](std::string& s) -> std::string {
        if (s.empty() || s.find('\0') != std::string::npos) {
          return "expected a non-empty glob pattern";
        }
        while (s.size() > 1 && s.back() == '/') {
          s.pop_back();  // "secrets/" names the directory; a match covers its subtree anyway
        }
        return {};
      });
}

KeySpec portsKey(std::string_view path, std::string_view doc,
                 Getter<std::optional<std::vector<uint16_t>>> get) {
  KeySpec k;
  k.path = path;
  k.doc = doc;
  k.from_toml = [get](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kArray) {
      r.error(v.pos, "expected an array of port numbers, found {}", v.typeName());
      return;
    }
    std::vector<uint16_t> ports;
    for (const TomlValue& item : v.array) {
      if (item.type != Type::kInteger || item.int_value < 1 || item.int_value > 65535) {
        r.error(item.pos, "expected a port number 1..65535");
        continue;
      }
      ports.push_back(static_cast<uint16_t>(item.int_value));
    }
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    get(p) = std::move(ports);
  };
  k.compare = [get](const Policy& b, const Policy& c) {
    const auto& bound = cget(get, b);
    const auto& cand = cget(get, c);
    if (!bound) {
      return cand ? Order::kTighter : Order::kEqual;  // absent = every port
    }
    if (!cand) {
      return Order::kLooser;
    }
    bool all = std::includes(bound->begin(), bound->end(), cand->begin(), cand->end());
    return subsetOrder(all, *bound == *cand);
  };
  k.render = [get](const Policy& p) -> std::string {
    const auto& ports = cget(get, p);
    if (!ports) {
      return {};
    }
    std::string out = "[";
    for (size_t i = 0; i < ports->size(); ++i) {
      out += fmt::format("{}{}", i == 0 ? "" : ", ", (*ports)[i]);
    }
    return out + "]";
  };
  return k;
}

KeySpec allowListKey() {
  KeySpec k;
  k.path = "network.allow";
  k.doc = "host patterns the proxy may reach: \"example.com\", \"*.googleapis.com\", \"host:443\"";
  k.from_toml = [](const TomlValue& v, Policy& p, KeyReader& r) {
    p.network.allow = readStrings(v, r, checkPattern);
  };
  // Narrower: every new pattern lies inside an old one.
  k.compare = [](const Policy& b, const Policy& c) {
    std::vector<HostPattern> bound = patterns(b.network.allow);
    std::vector<HostPattern> cand = patterns(c.network.allow);
    bool all = std::all_of(cand.begin(), cand.end(),
                           [&](const HostPattern& p) { return coveredByAny(p, bound); });
    bool back = std::all_of(bound.begin(), bound.end(),
                            [&](const HostPattern& p) { return coveredByAny(p, cand); });
    return subsetOrder(all, back);
  };
  k.render = [](const Policy& p) { return renderStrings(p.network.allow); };
  return k;
}

KeySpec denyListKey() {
  KeySpec k;
  k.path = "network.deny";
  k.doc = "host patterns never reached; the most specific pattern wins, deny wins ties";
  k.from_toml = [](const TomlValue& v, Policy& p, KeyReader& r) {
    p.network.deny = readStrings(v, r, checkPattern);
  };
  // Wider: every old pattern is still denied by some new one.
  k.compare = [](const Policy& b, const Policy& c) {
    std::vector<HostPattern> bound = patterns(b.network.deny);
    std::vector<HostPattern> cand = patterns(c.network.deny);
    bool all = std::all_of(bound.begin(), bound.end(),
                           [&](const HostPattern& p) { return coveredByAny(p, cand); });
    bool back = std::all_of(cand.begin(), cand.end(),
                            [&](const HostPattern& p) { return coveredByAny(p, bound); });
    return subsetOrder(all, back);
  };
  k.render = [](const Policy& p) { return renderStrings(p.network.deny); };
  return k;
}

KeySpec cidrKey() {
  KeySpec k;
  k.path = "network.cidr_deny";
  k.doc = "address ranges the proxy never connects to, checked after DNS";
  k.from_toml = [](const TomlValue& v, Policy& p, KeyReader& r) {
    p.network.cidr_deny = readStrings(
        v, r, +[](std::string& s) -> std::string {
          Result<CidrRange> c = parseCidr(s);
          return c.has_value() ? std::string() : c.error().message();
        });
  };
  k.compare = [](const Policy& b, const Policy& c) {
    auto ranges = [](const std::vector<std::string>& v) {
      std::vector<CidrRange> out;
      for (const std::string& s : v) {
        if (Result<CidrRange> r = parseCidr(s)) {
          out.push_back(*r);
        }
      }
      return out;
    };
    auto covered = [](const std::vector<CidrRange>& inner, const std::vector<CidrRange>& outer) {
      return std::all_of(inner.begin(), inner.end(), [&](const CidrRange& i) {
        return std::any_of(outer.begin(), outer.end(),
                           [&](const CidrRange& o) { return o.covers(i); });
      });
    };
    std::vector<CidrRange> bound = ranges(b.network.cidr_deny);
    std::vector<CidrRange> cand = ranges(c.network.cidr_deny);
    return subsetOrder(covered(bound, cand), covered(cand, bound));
  };
  k.render = [](const Policy& p) { return renderStrings(p.network.cidr_deny); };
  return k;
}

}  // namespace agentbox::policy::kinds
