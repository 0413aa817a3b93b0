// SPDX-License-Identifier: Apache-2.0
// File: policy_file.cc
#include "policy/policy_file.h"

#include <algorithm>

#include "policy/fs_rules.h"
#include "policy/host_pattern.h"

namespace agentbox::policy {

namespace {

// Direct children (keys and sub-sections) of `section`, for "did you mean".
std::vector<std::string_view> childrenOf(std::string_view section) {
  std::vector<std::string_view> out;
  for (const KeySpec& k : keySpecs()) {
    if (k.section() == section) {
      out.push_back(k.name());
    }
  }
  for (std::string_view s : keySections()) {
    size_t dot = s.rfind('.');
    std::string_view parent = dot == std::string_view::npos ? std::string_view() : s.substr(0, dot);
    if (parent == section) {
      out.push_back(dot == std::string_view::npos ? s : s.substr(dot + 1));
    }
  }
  if (section.empty()) {
    out.emplace_back("allow_loosening");
  }
  return out;
}

// The older name of a renamed key, for messages.
std::string_view renamedNameOf(std::string_view path) {
  for (const RenamedKey& r : renamedKeys()) {
    if (r.path == path) {
      return r.old_path;
    }
  }
  return path;
}

bool isSection(std::string_view path) {
  const auto& s = keySections();
  return std::find(s.begin(), s.end(), path) != s.end();
}

std::string unknownKeyMessage(std::string_view section, std::string_view key) {
  std::string where = section.empty() ? std::string() : fmt::format(" in [{}]", section);
  std::string_view near = closestName(key, childrenOf(section));
  if (!near.empty()) {
    return fmt::format("unknown key '{}'{}; did you mean '{}'?", key, where, near);
  }
  // The right name in the wrong table: "memory" at the top level is resources.memory.
  for (const KeySpec& k : keySpecs()) {
    if (k.name() == key) {
      return fmt::format("unknown key '{}'{}; did you mean '{}' in [{}]?", key, where, k.name(),
                         k.section());
    }
  }
  return fmt::format("unknown key '{}'{}", key, where);
}

void walk(const TomlValue& table, const std::string& prefix, FileLayer& layer,
          std::vector<Diagnostic>& diags) {
  auto error = [&](TomlPos pos, std::string message) {
    diags.push_back(Diagnostic{layer.file, pos.line, pos.column, std::move(message)});
  };
  for (const TomlEntry& e : table.table) {
    std::string full = prefix.empty() ? e.key : prefix + "." + e.key;
    if (prefix.empty() && e.key == "allow_loosening") {
      if (e.value.type != TomlValue::Type::kBool) {
        error(e.value.pos, fmt::format("expected true or false, found {}", e.value.typeName()));
      } else {
        layer.allow_loosening = e.value.bool_value;
      }
      continue;
    }
    const auto& unsupported = unsupportedSections();
    if (prefix.empty() &&
        std::find(unsupported.begin(), unsupported.end(), e.key) != unsupported.end()) {
      // Name the section as written: [providers.gemini] rather than [providers].
      std::string section = e.key;
      if (e.value.type == TomlValue::Type::kTable && !e.value.table.empty() &&
          e.value.table.front().value.type == TomlValue::Type::kTable) {
        section += "." + e.value.table.front().key;
      }
      error(e.key_pos, fmt::format("[{}] is not supported yet: this agentbox has no {} settings; "
                                   "remove the section",
                                   section, e.key));
      continue;
    }
    std::string_view renamed = renamedKey(full);
    if (const KeySpec* spec = findKey(renamed.empty() ? std::string_view(full) : renamed)) {
      auto same = std::find_if(layer.settings.begin(), layer.settings.end(),
                               [&](const FileSetting& s) { return s.spec == spec; });
      if (same != layer.settings.end()) {
        // Only possible through an older name: TOML itself refuses a key set twice.
        error(e.key_pos,
              fmt::format("{} is set twice in this file (line {}; {} is the older name "
                          "of {}): keep one, under [{}]",
                          spec->path, same->key_pos.line,
                          renamed.empty() ? renamedNameOf(spec->path) : std::string_view(full),
                          spec->path, spec->section()));
        continue;
      }
      layer.settings.push_back(FileSetting{spec, e.key_pos, e.value});
      continue;
    }
    if (isSection(full)) {
      if (e.value.type != TomlValue::Type::kTable) {
        error(e.value.pos,
              fmt::format("'{}' must be a table ([{}]), found {}", full, full, e.value.typeName()));
      } else {
        walk(e.value, full, layer, diags);
      }
      continue;
    }
    error(e.key_pos, unknownKeyMessage(prefix, e.key));
  }
}

struct At {
  std::string file;
  int line = 0;
  int column = 0;
};

At positionOf(const std::map<std::string, Origin, std::less<>>& origins, std::string_view key,
              size_t index) {
  auto it = origins.find(key);
  if (it == origins.end()) {
    return {"default"};
  }
  const Origin& o = it->second;
  if (o.kind != Origin::Kind::kFile) {
    return {o.describe()};
  }
  if (index < o.elements.size()) {
    return {o.file, o.elements[index].first, o.elements[index].second};
  }
  return {o.file, o.line, o.column};
}

void checkNetwork(const Policy& p, const std::map<std::string, Origin, std::less<>>& origins,
                  std::vector<Diagnostic>& diags) {
  const Network& n = p.network;
  // Canonical allow pattern -> first index; parsed once (the lists can be long).
  std::map<std::string, size_t> allowed;
  for (size_t a = 0; a < n.allow.size(); ++a) {
    if (Result<HostPattern> ap = parseHostPattern(n.allow[a])) {
      allowed.emplace(ap->canonical(), a);
    }
  }
  std::map<std::string, size_t> pinned;
  for (size_t r = 0; r < n.resolve.size(); ++r) {
    pinned.emplace(n.resolve[r].host, r);
  }
  for (size_t d = 0; d < n.deny.size(); ++d) {
    Result<HostPattern> dp = parseHostPattern(n.deny[d]);
    if (!dp) {
      continue;
    }
    if (auto it = allowed.find(dp->canonical()); it != allowed.end()) {
      At at = positionOf(origins, "network.deny", d);
      At other = positionOf(origins, "network.allow", it->second);
      diags.push_back(Diagnostic{
          at.file, at.line, at.column,
          fmt::format("\"{}\" is both denied here and allowed at the same specificity ({}{}); "
                      "remove one of them",
                      n.deny[d], other.file,
                      other.line ? fmt::format(":{}:{}", other.line, other.column) : "")});
    }
    if (dp->kind == HostPattern::Kind::kExact && !dp->port && pinned.count(dp->host) != 0) {
      At at = positionOf(origins, "network.deny", d);
      diags.push_back(Diagnostic{at.file, at.line, at.column,
                                 fmt::format("\"{}\" is denied here but pinned by "
                                             "network.resolve, which is an explicit allow",
                                             n.deny[d])});
    }
  }
}

void checkFilesystem(const Policy& p, const std::map<std::string, Origin, std::less<>>& origins,
                     std::vector<Diagnostic>& diags) {
  const Filesystem& fs = p.filesystem;
  auto checkBinds = [&](const std::vector<Bind>& binds, std::string_view key,
                        std::string_view kind) {
    for (size_t i = 0; i < binds.size(); ++i) {
      for (const std::string& h : fs.hidden) {
        if (pathUnder(binds[i].sandbox_path, h)) {
          At at = positionOf(origins, key, i);
          diags.push_back(Diagnostic{
              at.file, at.line, at.column,
              fmt::format("{} bind {} is inside hidden path {}: a path cannot be both {} and "
                          "hidden",
                          kind, binds[i].sandbox_path, h, kind)});
        }
      }
    }
  };
  checkBinds(fs.read_write, "filesystem.read_write", "read-write");
  checkBinds(fs.read_only, "filesystem.read_only", "read-only");
  for (size_t i = 0; i < fs.read_write.size(); ++i) {
    for (const Bind& ro : fs.read_only) {
      if (ro.sandbox_path == fs.read_write[i].sandbox_path) {
        At at = positionOf(origins, "filesystem.read_write", i);
        diags.push_back(
            Diagnostic{at.file, at.line, at.column,
                       fmt::format("{} is bound both read-only and read-write", ro.sandbox_path)});
      }
    }
  }
}

}  // namespace

FileLayer parsePolicyFile(std::string_view text, std::string_view file,
                          std::vector<Diagnostic>& diags) {
  FileLayer layer;
  layer.file = std::string(file);
  std::variant<TomlValue, TomlSyntaxError> parsed = parseToml(text);
  if (const auto* err = std::get_if<TomlSyntaxError>(&parsed)) {
    diags.push_back(Diagnostic{layer.file, err->pos.line, err->pos.column, err->message});
    return layer;
  }
  walk(std::get<TomlValue>(parsed), "", layer, diags);
  return layer;
}

Origin originOf(const FileLayer& layer, const FileSetting& s) {
  Origin o;
  o.kind = Origin::Kind::kFile;
  o.file = layer.file;
  o.line = s.key_pos.line;
  o.column = s.key_pos.column;
  for (const TomlValue& item : s.value.array) {
    o.elements.emplace_back(item.pos.line, item.pos.column);
  }
  return o;
}

void checkContradictions(const Policy& p, const std::map<std::string, Origin, std::less<>>& origins,
                         std::vector<Diagnostic>& diags) {
  checkNetwork(p, origins, diags);
  checkFilesystem(p, origins, diags);
}

}  // namespace agentbox::policy
