// SPDX-License-Identifier: Apache-2.0
// File: key_tables.cc
// The table-valued keys: [network.http], [network.resolve], [network.rate], and sandbox.env.
#include <algorithm>
#include <charconv>

#include "policy/host_pattern.h"
#include "policy/key_kinds.h"

namespace agentbox::policy::kinds {

namespace {

using Type = TomlValue::Type;

bool validMethod(std::string_view m) {
  return !m.empty() && m.size() <= 32 &&
         std::all_of(m.begin(), m.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool validEnvName(std::string_view n) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) {
    return false;
  }
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "a/b" is under prefix "a/" when it starts with it.
bool extendsAny(const std::string& prefix, const std::vector<std::string>& outer) {
  if (outer.empty()) {
    return true;  // no prefixes: any path
  }
  return std::any_of(outer.begin(), outer.end(),
                     [&](const std::string& o) { return prefix.compare(0, o.size(), o) == 0; });
}

std::string quoteList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ", ") + tomlQuote(items[i]);
  }
  return out + "]";
}

void readHttpRule(const TomlEntry& e, HttpRule& rule, KeyReader& r) {
  for (const TomlEntry& f : e.value.table) {
    if (f.key != "methods" && f.key != "paths") {
      r.error(f.key_pos, "unknown key '{}' in a network.http rule: expected methods, paths", f.key);
      continue;
    }
    if (f.value.type != Type::kArray) {
      r.error(f.value.pos, "expected an array of strings, found {}", f.value.typeName());
      continue;
    }
    for (const TomlValue& item : f.value.array) {
      if (item.type != Type::kString) {
        r.error(item.pos, "expected a string, found {}", item.typeName());
      } else if (f.key == "methods" && !validMethod(item.string_value)) {
        r.error(item.pos, "invalid HTTP method \"{}\": use upper case, e.g. \"GET\"",
                item.string_value);
      } else if (f.key == "paths" &&
                 (item.string_value.empty() || item.string_value.front() != '/')) {
        r.error(item.pos, "a path prefix must start with '/', found \"{}\"", item.string_value);
      } else {
        (f.key == "methods" ? rule.methods : rule.path_prefixes).push_back(item.string_value);
      }
    }
  }
}

}  // namespace

KeySpec httpKey() {
  KeySpec k;
  k.path = "network.http";
  k.doc = "plain-HTTP rules per host pattern: { methods = [\"GET\"], paths = [\"/simple/\"] }";
  k.from_toml = [](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kTable) {
      r.error(v.pos, "expected a table of host pattern = {{ methods, paths }}, found {}",
              v.typeName());
      return;
    }
    std::vector<HttpRule> rules;
    for (const TomlEntry& e : v.table) {
      if (Result<HostPattern> hp = parseHostPattern(e.key); !hp) {
        r.error(e.key_pos, "{}", hp.error().message());
        continue;
      }
      if (e.value.type != Type::kTable) {
        r.error(e.value.pos, "expected {{ methods = [...], paths = [...] }}, found {}",
                e.value.typeName());
        continue;
      }
      HttpRule rule;
      rule.host = e.key;
      readHttpRule(e, rule, r);
      rules.push_back(std::move(rule));
    }
    p.network.http = std::move(rules);
  };
  // Tighter: each old host keeps a rule with fewer methods and narrower prefixes.
  k.compare = [](const Policy& b, const Policy& c) {
    bool all = true;
    for (const HttpRule& old : b.network.http) {
      auto it = std::find_if(c.network.http.begin(), c.network.http.end(),
                             [&](const HttpRule& n) { return n.host == old.host; });
      if (it == c.network.http.end()) {
        all = false;
        break;
      }
      bool methods_ok =
          old.methods.empty() ||
          (!it->methods.empty() &&
           std::all_of(it->methods.begin(), it->methods.end(), [&](const auto& m) {
             return std::find(old.methods.begin(), old.methods.end(), m) != old.methods.end();
           }));
      bool paths_ok =
          (old.path_prefixes.empty() || !it->path_prefixes.empty()) &&
          std::all_of(it->path_prefixes.begin(), it->path_prefixes.end(),
                      [&](const auto& pp) { return extendsAny(pp, old.path_prefixes); });
      all = all && methods_ok && paths_ok;
    }
    return !all ? Order::kLooser
                : (b.network.http == c.network.http ? Order::kEqual : Order::kTighter);
  };
  k.render = [](const Policy& p) {
    std::string out = "{";
    for (size_t i = 0; i < p.network.http.size(); ++i) {
      const HttpRule& rule = p.network.http[i];
      out += (i == 0 ? " " : ", ") + tomlKey(rule.host) +
             " = { methods = " + quoteList(rule.methods) +
             ", paths = " + quoteList(rule.path_prefixes) + " }";
    }
    return out + (p.network.http.empty() ? "}" : " }");
  };
  return k;
}

KeySpec resolveKey() {
  KeySpec k;
  k.path = "network.resolve";
  k.doc =
      "pinned addresses, like curl --resolve: \"api.test\" = \"127.0.0.1\" or \"127.0.0.1:8080\"";
  k.from_toml = [](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kTable) {
      r.error(v.pos, "expected a table of host = \"address[:port]\", found {}", v.typeName());
      return;
    }
    std::vector<ResolveEntry> out;
    for (const TomlEntry& e : v.table) {
      Result<NormalizedHost> host = normalizeHost(e.key);
      if (!host || host->isIp()) {
        r.error(e.key_pos, "network.resolve keys are host names, found \"{}\"", e.key);
        continue;
      }
      if (e.value.type != Type::kString) {
        r.error(e.value.pos, "expected \"address\" or \"address:port\", found {}",
                e.value.typeName());
        continue;
      }
      std::string_view text = e.value.string_value;
      std::string_view addr = text;
      std::optional<uint16_t> port;
      size_t colon = text.rfind(':');
      bool bracketed = !text.empty() && text.front() == '[';
      if (bracketed || (colon != std::string_view::npos && text.find(':') == colon)) {
        size_t close = bracketed ? text.find(']') : colon - 1;
        addr = bracketed ? text.substr(1, close == std::string_view::npos ? 0 : close - 1)
                         : text.substr(0, colon);
        std::string_view rest =
            bracketed ? (close == std::string_view::npos ? "" : text.substr(close + 1))
                      : text.substr(colon);
        if (!rest.empty()) {
          unsigned n = 0;
          auto [ptr, ec] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), n);
          if (rest.front() != ':' || ec != std::errc() || ptr != rest.data() + rest.size() ||
              n == 0 || n > 65535) {
            r.error(e.value.pos, "invalid port in \"{}\": expected 1..65535", text);
            continue;
          }
          port = static_cast<uint16_t>(n);
        }
      }
      std::optional<IpAddress> ip = parseIpStrict(addr);
      if (!ip) {
        r.error(e.value.pos,
                "expected an IP address, found \"{}\" (IPv6 with a port: "
                "\"[::1]:8080\")",
                text);
        continue;
      }
      out.push_back(ResolveEntry{std::string(host->text()), ip->toString(), port});
    }
    p.network.resolve = std::move(out);
  };
  k.compare = [](const Policy& b, const Policy& c) {
    return b.network.resolve == c.network.resolve ? Order::kEqual : Order::kLooser;
  };
  k.render = [](const Policy& p) {
    std::string out = "{";
    for (size_t i = 0; i < p.network.resolve.size(); ++i) {
      const ResolveEntry& e = p.network.resolve[i];
      bool v6 = e.address.find(':') != std::string::npos;
      std::string target = e.address;
      if (e.port) {
        target = v6 ? fmt::format("[{}]:{}", e.address, *e.port)
                    : fmt::format("{}:{}", e.address, *e.port);
      }
      out += (i == 0 ? " " : ", ") + tomlKey(e.host) + " = " + tomlQuote(target);
    }
    return out + (p.network.resolve.empty() ? "}" : " }");
  };
  return k;
}

KeySpec rateKey() {
  KeySpec k;
  k.path = "network.rate";
  k.doc = "per-domain token buckets: \"*.example.com\" = { requests_per_minute = 60, burst = 10 }";
  k.from_toml = [](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kTable) {
      r.error(v.pos, "expected a table of pattern = {{ requests_per_minute, burst }}, found {}",
              v.typeName());
      return;
    }
    std::vector<RateRule> out;
    for (const TomlEntry& e : v.table) {
      if (Result<HostPattern> hp = parseHostPattern(e.key); !hp) {
        r.error(e.key_pos, "{}", hp.error().message());
        continue;
      }
      if (e.value.type != Type::kTable) {
        r.error(e.value.pos, "expected {{ requests_per_minute = N, burst = N }}, found {}",
                e.value.typeName());
        continue;
      }
      RateRule rule{e.key, 0, 0};
      for (const TomlEntry& f : e.value.table) {
        uint32_t* field = f.key == "requests_per_minute" ? &rule.requests_per_minute
                          : f.key == "burst"             ? &rule.burst
                                                         : nullptr;
        if (field == nullptr) {
          r.error(f.key_pos,
                  "unknown key '{}' in a network.rate rule: expected "
                  "requests_per_minute, burst",
                  f.key);
        } else if (f.value.type != Type::kInteger || f.value.int_value < 1 ||
                   f.value.int_value > 1000000) {
          r.error(f.value.pos, "{} must be an integer 1..1000000", f.key);
        } else {
          *field = static_cast<uint32_t>(f.value.int_value);
        }
      }
      if (rule.requests_per_minute == 0 || rule.burst == 0) {
        r.error(e.value.pos, "network.rate \"{}\" needs both requests_per_minute and burst", e.key);
        continue;
      }
      out.push_back(std::move(rule));
    }
    p.network.rate = std::move(out);
  };
  // Tighter: every old pattern keeps a rule with lower or equal rate and burst.
  k.compare = [](const Policy& b, const Policy& c) {
    bool all = std::all_of(b.network.rate.begin(), b.network.rate.end(), [&](const RateRule& o) {
      return std::any_of(c.network.rate.begin(), c.network.rate.end(), [&](const RateRule& n) {
        return n.pattern == o.pattern && n.requests_per_minute <= o.requests_per_minute &&
               n.burst <= o.burst;
      });
    });
    return !all ? Order::kLooser
                : (b.network.rate == c.network.rate ? Order::kEqual : Order::kTighter);
  };
  k.render = [](const Policy& p) {
    std::string out = "{";
    for (size_t i = 0; i < p.network.rate.size(); ++i) {
      const RateRule& rule = p.network.rate[i];
      out += fmt::format("{}{} = {{ requests_per_minute = {}, burst = {} }}", i == 0 ? " " : ", ",
                         tomlKey(rule.pattern), rule.requests_per_minute, rule.burst);
    }
    return out + (p.network.rate.empty() ? "}" : " }");
  };
  return k;
}

KeySpec envKey() {
  KeySpec k;
  k.path = "sandbox.env";
  k.doc = "extra variables for the command: [\"NAME=VALUE\"]";
  auto parse = [](std::string_view text, Policy& p) -> Status {
    size_t eq = text.find('=');
    std::string_view name = text.substr(0, eq);
    if (eq == std::string_view::npos || !validEnvName(name)) {
      return makeError(Errc::kInvalidInput,
                       "invalid variable '{}': expected NAME=VALUE with NAME of letters, digits "
                       "and '_'",
                       text);
    }
    std::vector<EnvVar>& env = p.sandbox.env;
    auto it = std::find_if(env.begin(), env.end(), [&](const EnvVar& e) { return e.name == name; });
    EnvVar var{std::string(name), std::string(text.substr(eq + 1))};
    if (it != env.end()) {
      *it = std::move(var);
    } else {
      env.push_back(std::move(var));
    }
    return ok();
  };
  k.from_toml = [parse](const TomlValue& v, Policy& p, KeyReader& r) {
    if (v.type != Type::kArray) {
      r.error(v.pos, "expected an array of \"NAME=VALUE\" strings, found {}", v.typeName());
      return;
    }
    p.sandbox.env.clear();
    for (const TomlValue& item : v.array) {
      if (item.type != Type::kString) {
        r.error(item.pos, "expected a string, found {}", item.typeName());
      } else if (Status s = parse(item.string_value, p); !s) {
        r.error(item.pos, "{}", s.error().message());
      }
    }
  };
  k.from_string = parse;
  // Names a binding file set keep their values; new names may be added.
  k.compare = [](const Policy& b, const Policy& c) {
    bool all = std::all_of(b.sandbox.env.begin(), b.sandbox.env.end(), [&](const EnvVar& o) {
      return std::find(c.sandbox.env.begin(), c.sandbox.env.end(), o) != c.sandbox.env.end();
    });
    return !all ? Order::kLooser
                : (b.sandbox.env == c.sandbox.env ? Order::kEqual : Order::kTighter);
  };
  k.render = [](const Policy& p) {
    std::vector<std::string> items;
    for (const EnvVar& e : p.sandbox.env) {
      items.push_back(e.name + "=" + e.value);
    }
    return quoteList(items);
  };
  return k;
}

}  // namespace agentbox::policy::kinds
