// SPDX-License-Identifier: Apache-2.0
// File: loader.cc
// Layer merging with the tightening-only rule. Each binding file leaves, per key it set, a
// snapshot of the policy after it; every later change of that key is compared with the
// snapshot (tightening is transitive, so the latest binding snapshot is the one to beat).
#include "policy/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "policy/keys.h"
#include "policy/policy_file.h"
#include "policy/units.h"

namespace agentbox::policy {

namespace {

constexpr size_t kMaxPolicyBytes = 1 << 20;
constexpr std::string_view kLooseningHint =
    "a policy file's settings may only be tightened unless that file sets allow_loosening = true";

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }  // NOLINT(cert-err33-c): read-only
};

// nullopt when the file does not exist and `optional` is set.
Result<std::optional<std::string>> readPolicyFile(const std::string& path, bool optional) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rbe"));
  if (!f) {
    int err = errno;
    if (optional && err == ENOENT) {
      return std::optional<std::string>{};
    }
    return Error::sys(err, fmt::format("cannot read policy file {}", path));
  }
  std::string text;
  char buf[8192];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxPolicyBytes) {
      return makeError(Errc::kInvalidInput, "policy file {} is larger than 1 MiB", path);
    }
  }
  if (std::ferror(f.get()) != 0) {
    return Error::sys(EIO, fmt::format("cannot read policy file {}", path));
  }
  return std::optional<std::string>{std::move(text)};
}

Error fromDiagnostics(const std::vector<Diagnostic>& diags, std::string_view file, Errc code) {
  std::string msg = diags.front().toString();
  if (diags.size() > 1) {
    msg += fmt::format(" (and {} more; run 'agentbox policy check {}')", diags.size() - 1, file);
  }
  return Error(code, msg);
}

struct Constraint {
  std::shared_ptr<const Policy> snapshot;
  Origin origin;
};

class Merger {
 public:
  explicit Merger(const RedactionCatalogue* catalogue) : catalogue_(catalogue) {
    for (const KeySpec& k : keySpecs()) {
      origins_.emplace(std::string(k.path), Origin{});
    }
    origins_.emplace("runtime.state_dir", Origin{});
    origins_.emplace("runtime.cgroup_root", Origin{});
  }

  // Reads one file layer; with `check_only`, errors are collected instead of returned.
  Status applyFile(std::string_view text, const std::string& file,
                   std::vector<Diagnostic>* collect = nullptr) {
    std::vector<Diagnostic> diags;
    bool loosening = false;
    FileLayer layer = parsePolicyFile(text, file, diags);
    Policy next = policy_;
    KeyReader reader(file, diags, catalogue_);
    for (const FileSetting& s : layer.settings) {
      s.spec->from_toml(s.value, next, reader);
    }
    for (const FileSetting& s : layer.settings) {
      if (const Constraint* c = constraintFor(s.spec->path);
          c != nullptr && s.spec->compare(*c->snapshot, next) == Order::kLooser) {
        loosening = true;
        diags.push_back(Diagnostic{
            file, s.key_pos.line, s.key_pos.column,
            fmt::format("{} = {} loosens {} set by {}; {}", s.spec->path, s.spec->render(next),
                        s.spec->render(*c->snapshot), c->origin.describe(), kLooseningHint)});
      }
    }
    if (collect != nullptr) {
      collect->insert(collect->end(), diags.begin(), diags.end());
    } else if (!diags.empty()) {
      return fromDiagnostics(diags, file, loosening ? Errc::kDenied : Errc::kInvalidInput);
    }
    policy_ = std::move(next);
    auto snapshot = std::make_shared<const Policy>(policy_);
    for (const FileSetting& s : layer.settings) {
      Origin o = originOf(layer, s);
      if (!layer.allow_loosening) {
        constraints_[std::string(s.spec->path)] = Constraint{snapshot, o};
      }
      origins_[std::string(s.spec->path)] = std::move(o);
    }
    files_.push_back(file);
    return ok();
  }

  // One value from an environment variable or a flag. `label` names it in errors.
  Status applyString(std::string_view key, std::string_view text, Origin origin,
                     const std::string& label) {
    const KeySpec* spec = findKey(key);
    AGENTBOX_CHECK(spec != nullptr && spec->from_string);
    Policy next = policy_;
    if (Status s = spec->from_string(text, next); !s) {
      return makeError(Errc::kInvalidInput, "{}: {}", label, s.error().message());
    }
    if (const Constraint* c = constraintFor(key);
        c != nullptr && spec->compare(*c->snapshot, next) == Order::kLooser) {
      return makeError(Errc::kDenied, "{} loosens {} = {} set by {}; {}", label, key,
                       spec->render(*c->snapshot), c->origin.describe(), kLooseningHint);
    }
    policy_ = std::move(next);
    origins_[std::string(key)] = std::move(origin);
    return ok();
  }

  Status applyEnvironment(const std::map<std::string, std::string>& env);
  Status applyFlags(const std::vector<FlagValue>& flags,
                    const std::map<std::string, std::string>& env);

  void setRuntime(std::string state_dir, Origin state_origin, std::string cgroup_root,
                  Origin cgroup_origin) {
    policy_.runtime.state_dir = std::move(state_dir);
    policy_.runtime.cgroup_root = std::move(cgroup_root);
    origins_["runtime.state_dir"] = std::move(state_origin);
    origins_["runtime.cgroup_root"] = std::move(cgroup_origin);
  }

  void contradictions(std::vector<Diagnostic>& diags) const {
    checkContradictions(policy_, origins_, diags);
  }

  LoadedPolicy finish() && { return LoadedPolicy{policy_, std::move(origins_), std::move(files_)}; }

 private:
  const Constraint* constraintFor(std::string_view key) const {
    auto it = constraints_.find(std::string(key));
    return it == constraints_.end() ? nullptr : &it->second;
  }

  const RedactionCatalogue* catalogue_;  // may be null
  Policy policy_;
  std::map<std::string, Origin, std::less<>> origins_;
  std::map<std::string, Constraint> constraints_;
  std::vector<std::string> files_;
};

Origin envOrigin(std::string_view name) {
  Origin o;
  o.kind = Origin::Kind::kEnv;
  o.name = std::string(name);
  return o;
}

Origin flagOrigin(std::string_view flag) {
  Origin o;
  o.kind = Origin::Kind::kFlag;
  o.name = std::string(flag);
  return o;
}

const std::string* envValue(const std::map<std::string, std::string>& env, std::string_view name) {
  auto it = env.find(std::string(name));
  // An empty variable counts as unset: CI systems export VAR="" to mean "no value".
  return (it == env.end() || it->second.empty()) ? nullptr : &it->second;
}

struct EnvBinding {
  std::string_view var;
  std::string_view key;
  bool milliseconds;  // EXECUTION_TIMEOUT_MS: a bare number of milliseconds
};

constexpr EnvBinding kEnvBindings[] = {
    {"CONTAINER_ISOLATION", "sandbox.isolation", false},
    {"CONTAINER_MEMORY_LIMIT", "resources.memory", false},
    {"CONTAINER_CPU_LIMIT", "resources.cpus", false},
    {"EXECUTION_TIMEOUT_MS", "resources.timeout", true},
    {"FF_CURSOR_AUTOFIX", "flags.cursor_autofix", false},
    {"OUTPUT_SANITIZATION", "redaction.enabled", false},
    {"SECRET_REDACTION", "redaction.secrets", false},
    {"AUDIT_ALL_OPERATIONS", "flags.audit_all_operations", false},
};

Status Merger::applyEnvironment(const std::map<std::string, std::string>& env) {
  if (const std::string* v = envValue(env, "SANDBOX_ENABLED")) {
    Result<bool> enabled = parseEnvBool(*v);
    if (!enabled) {
      return makeError(Errc::kInvalidInput, "env SANDBOX_ENABLED: {}", enabled.error().message());
    }
    if (!*enabled) {
      return makeError(Errc::kDenied,
                       "env SANDBOX_ENABLED={} is refused: agentbox never runs a command "
                       "unsandboxed; unset SANDBOX_ENABLED",
                       *v);
    }
  }
  for (const EnvBinding& b : kEnvBindings) {
    const std::string* v = envValue(env, b.var);
    if (v == nullptr) {
      continue;
    }
    std::string text = *v;
    std::string label = fmt::format("env {}={}", b.var, *v);
    if (b.milliseconds) {
      bool digits =
          !text.empty() && text.size() <= 15 &&
          std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        return makeError(Errc::kInvalidInput, "{}: expected a whole number of milliseconds", label);
      }
      text += "ms";
    }
    AGENTBOX_TRY(applyString(b.key, text, envOrigin(b.var), label));
  }
  return ok();
}

struct FlagBinding {
  std::string_view flag;
  std::string_view key;
};

constexpr FlagBinding kFlagBindings[] = {
    {"--memory", "resources.memory"},
    {"--cpus", "resources.cpus"},
    {"--pids", "resources.pids"},
    {"--nofile", "resources.nofile"},
    {"--output-limit", "resources.output_limit"},
    {"--tmp-size", "resources.tmp_size"},
    {"--timeout", "resources.timeout"},
    {"--mode", "filesystem.mode"},
    {"--hostname", "sandbox.hostname"},
    {"--best-effort", "sandbox.isolation"},
    {"--allow-git-write", "filesystem.allow_git_write"},
    {"--env", "sandbox.env"},
};

// The string a flag feeds its key and the label errors name it by. Switches (no value) map
// to their key's value; `--env NAME` takes NAME's value from the caller's environment.
Status flagText(const FlagValue& f, const std::map<std::string, std::string>& env,
                std::string& text, std::string& label) {
  text = f.value;
  label = fmt::format("flag {} {}", f.flag, f.value);
  const std::pair<std::string_view, std::string_view> kSwitches[] = {
      {"--best-effort", "best-effort"}, {"--allow-git-write", "true"}};
  for (const auto& [flag, value] : kSwitches) {
    if (f.flag == flag) {
      if (!f.value.empty()) {
        return makeError(Errc::kInvalidInput, "flag {} takes no value", flag);
      }
      text = std::string(value);
      label = "flag " + f.flag;
      return ok();
    }
  }
  if (f.flag != "--env") {
    return ok();
  }
  size_t eq = f.value.find('=');
  std::string name = f.value.substr(0, eq);
  label = fmt::format("flag --env {}", name);  // never echo a value: it may be a secret
  if (eq == std::string::npos) {
    auto it = env.find(name);
    if (it == env.end()) {
      return makeError(Errc::kInvalidInput,
                       "flag --env {}: {} is not set in the environment; pass NAME=VALUE", name,
                       name);
    }
    text = name + "=" + it->second;
  }
  return ok();
}

Status Merger::applyFlags(const std::vector<FlagValue>& flags,
                          const std::map<std::string, std::string>& env) {
  for (const FlagValue& f : flags) {
    const auto* b = std::find_if(std::begin(kFlagBindings), std::end(kFlagBindings),
                                 [&](const FlagBinding& c) { return c.flag == f.flag; });
    if (b == std::end(kFlagBindings)) {
      return makeError(Errc::kInvalidInput, "flag {} is not a policy flag", f.flag);
    }
    std::string text;
    std::string label;
    AGENTBOX_TRY(flagText(f, env, text, label));
    AGENTBOX_TRY(applyString(b->key, text, flagOrigin(f.flag), label));
  }
  return ok();
}

bool isInside(const std::filesystem::path& file, const std::filesystem::path& dir) {
  auto f = file.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++f) {
    if (d->empty()) {
      continue;  // trailing separator
    }
    if (f == file.end() || *f != *d) {
      return false;
    }
  }
  return true;
}

// The agent can write the workspace and the state dir: a policy there could be edited by
// the very agent it constrains. Symlinks are resolved first (weakly_canonical).
Status refuseInside(const std::string& policy_path, const std::string& dir, std::string_view what) {
  if (dir.empty()) {
    return ok();
  }
  std::error_code ec;
  std::filesystem::path file = std::filesystem::weakly_canonical(policy_path, ec);
  if (ec) {
    return Error::sys(ec.value(), fmt::format("cannot resolve --policy {}", policy_path));
  }
  std::filesystem::path root = std::filesystem::weakly_canonical(dir, ec);
  if (ec) {
    return Error::sys(ec.value(), fmt::format("cannot resolve the {} {}", what, dir));
  }
  if (isInside(file, root)) {
    return makeError(Errc::kDenied,
                     "--policy {} is inside the {} {} (resolved: {}): the agent could edit its own "
                     "policy; keep the policy file outside it",
                     policy_path, what, dir, file.string());
  }
  return ok();
}

}  // namespace

std::string Origin::describe() const {
  switch (kind) {
    case Kind::kDefault:
      return "default";
    case Kind::kFile:
      return fmt::format("{}:{}", file, line);
    case Kind::kEnv:
      return "env " + name;
    case Kind::kFlag:
      return "flag " + name;
  }
  return "default";
}

const Origin& LoadedPolicy::originOf(std::string_view key) const {
  static const Origin kDefault{};
  auto it = origins.find(key);
  return it == origins.end() ? kDefault : it->second;
}

const std::vector<std::string_view>& policyEnvironmentVariables() {
  static const std::vector<std::string_view> kVars = {
      "SANDBOX_ENABLED",     "CONTAINER_ISOLATION",  "CONTAINER_MEMORY_LIMIT",
      "CONTAINER_CPU_LIMIT", "EXECUTION_TIMEOUT_MS", "FF_CURSOR_AUTOFIX",
      "OUTPUT_SANITIZATION", "SECRET_REDACTION",     "AUDIT_ALL_OPERATIONS",
      "AGENTBOX_STATE_DIR",  "AGENTBOX_CGROUP_ROOT"};
  return kVars;
}

Result<std::string> resolveStateDir(const std::map<std::string, std::string>& env) {
  if (const std::string* v = envValue(env, "AGENTBOX_STATE_DIR")) {
    if (v->front() != '/') {
      return makeError(Errc::kInvalidInput, "env AGENTBOX_STATE_DIR={}: expected an absolute path",
                       *v);
    }
    return *v;
  }
  if (const std::string* v = envValue(env, "XDG_STATE_HOME"); v != nullptr && v->front() == '/') {
    return *v + "/agentbox";
  }
  if (const std::string* home = envValue(env, "HOME"); home != nullptr && home->front() == '/') {
    return *home + "/.local/state/agentbox";
  }
  return makeError(Errc::kInvalidInput,
                   "cannot find a state dir: set AGENTBOX_STATE_DIR or HOME to an absolute path");
}

namespace {

struct RuntimeSettings {
  std::string state_dir;
  Origin state_origin;
  std::string cgroup_root;
  Origin cgroup_origin;
};

Result<RuntimeSettings> runtimeSettings(const LoadRequest& request) {
  const auto& env = request.environment;
  RuntimeSettings r;
  r.state_dir = request.state_dir;
  if (r.state_dir.empty()) {
    AGENTBOX_ASSIGN_OR_RETURN(r.state_dir, resolveStateDir(env));
  }
  if (envValue(env, "AGENTBOX_STATE_DIR") != nullptr) {
    r.state_origin = envOrigin("AGENTBOX_STATE_DIR");
  }
  if (const std::string* v = envValue(env, "AGENTBOX_CGROUP_ROOT")) {
    if (v->front() != '/') {
      return makeError(Errc::kInvalidInput,
                       "env AGENTBOX_CGROUP_ROOT={}: expected an absolute path", *v);
    }
    r.cgroup_root = *v;
    r.cgroup_origin = envOrigin("AGENTBOX_CGROUP_ROOT");
  }
  return r;
}

Status applyFiles(const LoadRequest& request, const std::string& state_dir, Merger& merger) {
  AGENTBOX_ASSIGN_OR_RETURN(std::optional<std::string> system_text,
                            readPolicyFile(request.system_policy_path, true));
  if (system_text) {
    AGENTBOX_TRY(merger.applyFile(*system_text, request.system_policy_path));
  }
  if (!request.user_policy_path) {
    return ok();
  }
  const std::string& path = *request.user_policy_path;
  AGENTBOX_TRY(refuseInside(path, request.workspace_dir, "workspace"));
  AGENTBOX_TRY(refuseInside(path, state_dir, "state dir"));
  AGENTBOX_ASSIGN_OR_RETURN(std::optional<std::string> text, readPolicyFile(path, false));
  return merger.applyFile(*text, path);
}

}  // namespace

Result<LoadedPolicy> load(const LoadRequest& request) {
  AGENTBOX_ASSIGN_OR_RETURN(RuntimeSettings runtime, runtimeSettings(request));
  Merger merger(request.redaction_catalogue.get());
  AGENTBOX_TRY(applyFiles(request, runtime.state_dir, merger));
  AGENTBOX_TRY(merger.applyEnvironment(request.environment));
  AGENTBOX_TRY(merger.applyFlags(request.flags, request.environment));
  merger.setRuntime(runtime.state_dir, runtime.state_origin, runtime.cgroup_root,
                    runtime.cgroup_origin);
  std::vector<Diagnostic> diags;
  merger.contradictions(diags);
  if (!diags.empty()) {
    return fromDiagnostics(diags, diags.front().file, Errc::kInvalidInput);
  }
  return std::move(merger).finish();
}

std::vector<Diagnostic> checkPolicyText(std::string_view text, std::string_view file_name,
                                        const RedactionCatalogue* catalogue) {
  Merger merger(catalogue);
  std::vector<Diagnostic> diags;
  std::string file(file_name);
  (void)merger.applyFile(text, file, &diags);
  if (diags.empty()) {
    merger.contradictions(diags);
  }
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return diags;
}

Result<std::vector<Diagnostic>> checkPolicyFile(const std::string& path,
                                                const RedactionCatalogue* catalogue) {
  AGENTBOX_ASSIGN_OR_RETURN(std::optional<std::string> text, readPolicyFile(path, false));
  std::vector<Diagnostic> diags = checkPolicyText(*text, path, catalogue);
  if (!diags.empty()) {
    return diags;
  }
  Result<LoadedPolicy> loaded = loadText(*text, path, catalogue);
  if (!loaded.has_value()) {  // check and load agree (the fuzz target holds them to it)
    return loaded.error();
  }
  return looseningNotes(*loaded);
}

Result<LoadedPolicy> loadText(std::string_view text, std::string_view file_name,
                              const RedactionCatalogue* catalogue) {
  Merger merger(catalogue);
  AGENTBOX_TRY(merger.applyFile(text, std::string(file_name)));
  std::vector<Diagnostic> diags;
  merger.contradictions(diags);
  if (!diags.empty()) {
    return fromDiagnostics(diags, file_name, Errc::kInvalidInput);
  }
  return std::move(merger).finish();
}

std::vector<Diagnostic> looseningNotes(const LoadedPolicy& loaded) {
  const Policy kDefaults;
  std::vector<Diagnostic> notes;
  for (const KeySpec& k : keySpecs()) {
    const Origin& o = loaded.originOf(k.path);
    if (o.kind != Origin::Kind::kFile || k.compare(kDefaults, loaded.policy) != Order::kLooser) {
      continue;
    }
    std::string value = k.render(loaded.policy);
    std::string was = k.render(kDefaults);
    notes.push_back(Diagnostic{
        .file = o.file,
        .line = o.line,
        .column = o.column,
        .message = fmt::format("{} = {} loosens the built-in default {}", k.path,
                               value.empty() ? "(absent)" : value, was.empty() ? "(absent)" : was),
        .note = true});
  }
  return notes;
}

}  // namespace agentbox::policy
