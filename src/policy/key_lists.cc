// SPDX-License-Identifier: Apache-2.0
// File: key_lists.cc
// The list-valued keys: binds, hidden paths, deny globs, ports, allow/deny host patterns and
// cidr_deny, with their "narrower is tighter" comparisons.
#include <algorithm>
#include <set>

#include "policy/cidr.h"
#include "policy/fs_rules.h"
#include "policy/key_helpers.h"
#include "policy/key_kinds.h"

namespace agentbox::policy::kinds {

using namespace helpers;  // NOLINT(google-build-using-namespace): this library's own helpers

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

std::string validRuleId(std::string_view id) {
  bool ok = !id.empty() && id.size() <= 64 && id.front() != '-' &&
            std::all_of(id.begin(), id.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            });
  return ok ? std::string() : "expected a rule id of 1..64 lower-case letters, digits and '-'";
}

KeySpec disabledRulesKey() {
  KeySpec k;
  k.path = "redaction.disable";
  k.doc = "built-in rule ids switched off, e.g. [\"email\"] (docs/redaction.md lists them)";
  k.from_toml = [](const TomlValue& v, Policy& p, KeyReader& r) {
    const RedactionCatalogue* cat = r.catalogue();
    std::vector<std::string> ids = readStrings(v, r, [cat](std::string& id) -> std::string {
      if (std::string problem = validRuleId(id); !problem.empty()) {
        return fmt::format("redaction.disable \"{}\": {}", id, problem);
      }
      if (cat == nullptr) {
        return {};
      }
      const std::vector<std::string>& builtin = cat->builtinIds();
      if (std::find(builtin.begin(), builtin.end(), id) != builtin.end()) {
        return {};
      }
      std::vector<std::string_view> names(builtin.begin(), builtin.end());
      std::string_view near = closestName(id, names);
      return fmt::format("redaction.disable: no built-in rule \"{}\"{}", id,
                         near.empty() ? std::string("; the ids are listed in docs/redaction.md")
                                      : fmt::format("; did you mean \"{}\"?", near));
    });
    std::vector<std::string> unique;
    for (std::string& id : ids) {
      if (std::find(unique.begin(), unique.end(), id) == unique.end()) {
        unique.push_back(std::move(id));
      }
    }
    p.redaction.disable = std::move(unique);
  };
  // Fewer disabled rules redact more: tighter when every newly disabled id was disabled before.
  k.compare = [](const Policy& b, const Policy& c) {
    const auto& bound = b.redaction.disable;
    const auto& cand = c.redaction.disable;
    bool all = std::all_of(cand.begin(), cand.end(), [&](const std::string& id) {
      return std::find(bound.begin(), bound.end(), id) != bound.end();
    });
    std::set<std::string> sb(bound.begin(), bound.end());
    std::set<std::string> sc(cand.begin(), cand.end());
    return subsetOrder(all, sb == sc);
  };
  k.render = [](const Policy& p) { return renderStrings(p.redaction.disable); };
  return k;
}

}  // namespace agentbox::policy::kinds
