// SPDX-License-Identifier: Apache-2.0
// File: seccomp_docker.cc
// Adapter: the only file that uses nlohmann::json for seccomp profiles. Exceptions (the
// library's and the local SchemaError) never leave this file: parseDockerProfile() turns
// them into an Error with the byte offset and what was expected.
#include "sandbox/seccomp_docker.h"

#include <seccomp.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sandbox/seccomp_builtin.h"

namespace agentbox::sandbox {
namespace {

using nlohmann::json;

// A step into the document: an object key, or an array index when key is empty.
struct PathSeg {
  std::string key;
  size_t index = 0;
};
using JsonPath = std::vector<PathSeg>;

struct SchemaError {
  JsonPath path;
  std::string expected;
  std::string got;
};

std::string pathString(const JsonPath& path) {
  std::string out;
  for (const PathSeg& s : path) {
    if (s.key.empty()) {
      out += fmt::format("[{}]", s.index);
    } else {
      out += (out.empty() ? "" : ".") + s.key;
    }
  }
  return out.empty() ? "(top level)" : out;
}

JsonPath child(const JsonPath& p, std::string key) {
  JsonPath out = p;
  out.push_back({std::move(key), 0});
  return out;
}
JsonPath child(const JsonPath& p, size_t index) {
  JsonPath out = p;
  out.push_back({"", index});
  return out;
}

// --- byte offset of a value in an already well-formed document ---
size_t skipWs(std::string_view t, size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) {
    ++i;
  }
  return i;
}
size_t skipString(std::string_view t, size_t i) {  // t[i] == '"'
  for (++i; i < t.size() && t[i] != '"'; ++i) {
    i += t[i] == '\\' ? 1 : 0;
  }
  return i + 1;
}
size_t skipValue(std::string_view t, size_t i) {
  i = skipWs(t, i);
  if (i >= t.size()) {
    return i;
  }
  if (t[i] == '"') {
    return skipString(t, i);
  }
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    for (; i < t.size(); ++i) {
      if (t[i] == '"') {
        i = skipString(t, i) - 1;
      } else if (t[i] == '{' || t[i] == '[') {
        ++depth;
      } else if ((t[i] == '}' || t[i] == ']') && --depth == 0) {
        return i + 1;
      }
    }
    return i;
  }
  while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' &&
         std::isspace(static_cast<unsigned char>(t[i])) == 0) {
    ++i;
  }
  return i;
}
// Moves from a container's opening bracket to the start of its child `seg`.
size_t stepInto(std::string_view t, size_t i, const PathSeg& seg) {
  const bool is_obj = t[i] == '{';
  size_t n = 0;
  for (i = skipWs(t, i + 1); i < t.size() && t[i] != '}' && t[i] != ']';) {
    if (is_obj) {
      const size_t key_end = skipString(t, i);
      const std::string key = json::parse(t.substr(i, key_end - i)).get<std::string>();
      i = skipWs(t, skipWs(t, key_end) + 1);  // past ':'
      if (key == seg.key) {
        return i;
      }
    } else if (n++ == seg.index) {
      return i;
    }
    i = skipWs(t, skipValue(t, i));
    i = skipWs(t, i < t.size() && t[i] == ',' ? i + 1 : i);
  }
  return i;
}
size_t locate(std::string_view t, const JsonPath& path) noexcept {
  size_t i = skipWs(t, 0);
  try {
    for (const PathSeg& seg : path) {
      if (i >= t.size() || (t[i] != '{' && t[i] != '[')) {
        break;
      }
      i = stepInto(t, i, seg);
    }
  } catch (const json::exception&) {
    // Only reached on a key the parser accepted but this scanner misread; keep the offset.
  }
  return i;
}

// --- schema ---
std::string typeOf(const json& v) {
  return v.is_string() ? fmt::format("\"{}\"", v.get<std::string>()) : std::string(v.type_name());
}

const json* member(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string getString(const json& v, const JsonPath& p) {
  if (!v.is_string()) {
    throw SchemaError{p, "a string", typeOf(v)};
  }
  return v.get<std::string>();
}

uint64_t getUnsigned(const json& v, const JsonPath& p, uint64_t max) {
  if (!v.is_number_unsigned() || v.get<uint64_t>() > max) {
    throw SchemaError{p, fmt::format("an unsigned integer <= {}", max),
                      v.is_number() ? v.dump() : typeOf(v)};
  }
  return v.get<uint64_t>();
}

std::vector<std::string> getStrings(const json& v, const JsonPath& p) {
  if (!v.is_array()) {
    throw SchemaError{p, "an array of strings", typeOf(v)};
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    out.push_back(getString(v[i], child(p, i)));
  }
  return out;
}

SeccompAction parseAction(const json& v, const json* errno_ret, const JsonPath& p,
                          const JsonPath& errno_path) {
  static constexpr std::pair<const char*, SeccompActionKind> kActions[] = {
      {"SCMP_ACT_ALLOW", SeccompActionKind::kAllow},
      {"SCMP_ACT_ERRNO", SeccompActionKind::kErrno},
      {"SCMP_ACT_NOTIFY", SeccompActionKind::kNotify},
      {"SCMP_ACT_KILL", SeccompActionKind::kKillThread},
      {"SCMP_ACT_KILL_THREAD", SeccompActionKind::kKillThread},
      {"SCMP_ACT_KILL_PROCESS", SeccompActionKind::kKillProcess},
      {"SCMP_ACT_TRAP", SeccompActionKind::kTrap},
      {"SCMP_ACT_TRACE", SeccompActionKind::kTrace},
      {"SCMP_ACT_LOG", SeccompActionKind::kLog},
  };
  const std::string name = getString(v, p);
  for (const auto& [token, kind] : kActions) {
    if (name == token) {
      // Docker's rule: ERRNO and TRACE without errnoRet mean EPERM.
      const uint32_t err = errno_ret != nullptr
                               ? static_cast<uint32_t>(getUnsigned(*errno_ret, errno_path, 4095))
                               : EPERM;
      return {kind,
              (kind == SeccompActionKind::kErrno || kind == SeccompActionKind::kTrace) ? err : 0};
    }
  }
  throw SchemaError{p,
                    "one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_NOTIFY, SCMP_ACT_KILL, "
                    "SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_TRACE, "
                    "SCMP_ACT_LOG",
                    typeOf(v)};
}

ArgCmp parseArg(const json& v, const JsonPath& p) {
  static constexpr std::pair<const char*, ArgOp> kOps[] = {
      {"SCMP_CMP_NE", ArgOp::kNe},
      {"SCMP_CMP_LT", ArgOp::kLt},
      {"SCMP_CMP_LE", ArgOp::kLe},
      {"SCMP_CMP_EQ", ArgOp::kEq},
      {"SCMP_CMP_GE", ArgOp::kGe},
      {"SCMP_CMP_GT", ArgOp::kGt},
      {"SCMP_CMP_MASKED_EQ", ArgOp::kMaskedEq},
  };
  if (!v.is_object()) {
    throw SchemaError{p, "an object {index, value, valueTwo, op}", typeOf(v)};
  }
  ArgCmp cmp;
  const json* index = member(v, "index");
  const json* value = member(v, "value");
  const json* op = member(v, "op");
  if (index == nullptr || value == nullptr || op == nullptr) {
    throw SchemaError{p, "members \"index\", \"value\" and \"op\"", "an object without them"};
  }
  cmp.index = static_cast<unsigned>(getUnsigned(*index, child(p, "index"), 5));
  cmp.value = getUnsigned(*value, child(p, "value"), UINT64_MAX);
  if (const json* two = member(v, "valueTwo")) {
    cmp.value_two = getUnsigned(*two, child(p, "valueTwo"), UINT64_MAX);
  }
  const std::string op_name = getString(*op, child(p, "op"));
  const auto it = std::find_if(std::begin(kOps), std::end(kOps),
                               [&](const auto& o) { return op_name == o.first; });
  if (it == std::end(kOps)) {
    throw SchemaError{child(p, "op"), "one of SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ",
                      typeOf(*op)};
  }
  cmp.op = it->second;
  return cmp;
}

KernelVersion getKernel(const json& v, const JsonPath& p) {
  const std::string s = getString(v, p);
  const KernelVersion k = parseKernelVersion(s);
  if (k.major == 0) {
    throw SchemaError{p, "a kernel version like \"4.8\"", typeOf(v)};
  }
  return k;
}

// What one `includes` or `excludes` clause says about this host.
struct ClauseFacts {
  bool arch_listed = false;      // arches is non-empty and names ctx.arch
  bool arches_given = false;     // arches is non-empty
  bool all_caps_held = true;     // every listed cap is held (true for none listed)
  bool any_cap_held = false;     // some listed cap is held
  bool kernel_given = false;     // minKernel present
  bool kernel_at_least = false;  // running kernel >= minKernel
};

ClauseFacts readClause(const json& clause, const JsonPath& p, const DockerProfileContext& ctx) {
  if (!clause.is_object()) {
    throw SchemaError{p, "an object {caps, arches, minKernel}", typeOf(clause)};
  }
  ClauseFacts f;
  if (const json* a = member(clause, "arches")) {
    const auto arches = getStrings(*a, child(p, "arches"));
    f.arches_given = !arches.empty();
    f.arch_listed = std::find(arches.begin(), arches.end(), ctx.arch) != arches.end();
  }
  if (const json* c = member(clause, "caps")) {
    const auto caps = getStrings(*c, child(p, "caps"));
    auto held = [&](const std::string& cap) {
      return std::find(ctx.caps.begin(), ctx.caps.end(), cap) != ctx.caps.end();
    };
    f.all_caps_held = std::all_of(caps.begin(), caps.end(), held);
    f.any_cap_held = std::any_of(caps.begin(), caps.end(), held);
  }
  if (const json* k = member(clause, "minKernel")) {
    f.kernel_given = true;
    f.kernel_at_least = ctx.kernel >= getKernel(*k, child(p, "minKernel"));
  }
  return f;
}

// Docker's semantics: includes must all hold (every cap held, arch listed, kernel new
// enough); excludes drop the rule if any of theirs holds.
bool conditionsHold(const json& entry, const JsonPath& p, const DockerProfileContext& ctx) {
  if (const json* ex = member(entry, "excludes")) {
    const ClauseFacts f = readClause(*ex, child(p, "excludes"), ctx);
    if (f.arch_listed || f.any_cap_held || (f.kernel_given && f.kernel_at_least)) {
      return false;
    }
  }
  if (const json* in = member(entry, "includes")) {
    const ClauseFacts f = readClause(*in, child(p, "includes"), ctx);
    if ((f.arches_given && !f.arch_listed) || !f.all_caps_held ||
        (f.kernel_given && !f.kernel_at_least)) {
      return false;
    }
  }
  return true;
}

void parseSyscallEntry(const json& entry, const JsonPath& p, const DockerProfileContext& ctx,
                       SeccompRules& out) {
  if (!entry.is_object()) {
    throw SchemaError{p, "an object {names, action, args, ...}", typeOf(entry)};
  }
  std::vector<std::string> names;
  if (const json* n = member(entry, "names")) {
    names = getStrings(*n, child(p, "names"));
  }
  if (const json* n = member(entry, "name")) {
    names.push_back(getString(*n, child(p, "name")));
  }
  const json* action = member(entry, "action");
  if (action == nullptr) {
    throw SchemaError{p, "a member \"action\"", "an object without it"};
  }
  const SeccompAction act =
      parseAction(*action, member(entry, "errnoRet"), child(p, "action"), child(p, "errnoRet"));
  std::vector<ArgCmp> args;
  if (const json* a = member(entry, "args")) {
    if (!a->is_array()) {
      throw SchemaError{child(p, "args"), "an array of argument comparisons", typeOf(*a)};
    }
    for (size_t i = 0; i < a->size(); ++i) {
      args.push_back(parseArg((*a)[i], child(child(p, "args"), i)));
    }
  }
  if (const json* c = member(entry, "comment")) {
    getString(*c, child(p, "comment"));
  }
  if (!conditionsHold(entry, p, ctx)) {
    return;
  }
  // As runc: comparisons on one argument index cannot be AND-ed by libseccomp, so such a
  // list becomes one rule per comparison (OR).
  std::vector<int> per_index(6, 0);
  for (const ArgCmp& a : args) {
    ++per_index[a.index];
  }
  const bool split = std::any_of(per_index.begin(), per_index.end(), [](int n) { return n > 1; });
  for (const std::string& name : names) {
    if (split) {
      for (const ArgCmp& a : args) {
        out.rules.push_back({name, -1, act, {a}});
      }
    } else {
      out.rules.push_back({name, -1, act, args});
    }
  }
}

uint32_t resolveArch(const std::string& token, const JsonPath& p, SeccompRules& out) {
  std::string lower = token.rfind("SCMP_ARCH_", 0) == 0 ? token.substr(10) : token;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
  if (arch == 0) {
    out.warnings.push_back(fmt::format("seccomp profile {}: {}: unknown architecture {} skipped",
                                       out.name, pathString(p), token));
  }
  return arch;
}

using ArchTokens = std::vector<std::pair<std::string, JsonPath>>;

// archMap: only the entry of the architecture we run on counts, with its sub-architectures.
void archMapTokens(const json& map, SeccompRules& out, ArchTokens& tokens) {
  const JsonPath p{{"archMap", 0}};
  if (!map.is_array()) {
    throw SchemaError{p, "an array of {architecture, subArchitectures}", typeOf(map)};
  }
  const uint32_t native = seccomp_arch_native();
  for (size_t i = 0; i < map.size(); ++i) {
    const json& e = map[i];
    const JsonPath ep = child(p, i);
    const json* arch = e.is_object() ? member(e, "architecture") : nullptr;
    if (arch == nullptr) {
      throw SchemaError{ep, "an object with \"architecture\"", typeOf(e)};
    }
    const std::string main = getString(*arch, child(ep, "architecture"));
    if (resolveArch(main, child(ep, "architecture"), out) != native) {
      continue;
    }
    tokens.emplace_back(main, child(ep, "architecture"));
    if (const json* subs = member(e, "subArchitectures")) {
      const JsonPath sp = child(ep, "subArchitectures");
      const auto names = getStrings(*subs, sp);
      for (size_t j = 0; j < names.size(); ++j) {
        tokens.emplace_back(names[j], child(sp, j));
      }
    }
  }
}

void parseArches(const json& doc, SeccompRules& out) {
  ArchTokens tokens;
  if (const json* a = member(doc, "architectures")) {
    const JsonPath p{{"architectures", 0}};
    auto names = getStrings(*a, p);
    for (size_t i = 0; i < names.size(); ++i) {
      tokens.emplace_back(names[i], child(p, i));
    }
  }
  if (const json* m = member(doc, "archMap")) {
    archMapTokens(*m, out, tokens);
  }
  for (const auto& [token, path] : tokens) {
    if (uint32_t arch = resolveArch(token, path, out); arch != 0) {
      out.arches.push_back(arch);
    }
  }
}

SeccompRules parseDocument(const json& doc, std::string_view name,
                           const DockerProfileContext& ctx) {
  if (!doc.is_object()) {
    throw SchemaError{{}, "an object {defaultAction, syscalls, ...}", typeOf(doc)};
  }
  SeccompRules out;
  out.name = std::string(name);
  const json* def = member(doc, "defaultAction");
  if (def == nullptr) {
    throw SchemaError{{}, "a member \"defaultAction\"", "an object without it"};
  }
  out.default_action = parseAction(*def, member(doc, "defaultErrnoRet"), {{"defaultAction", 0}},
                                   {{"defaultErrnoRet", 0}});
  parseArches(doc, out);
  if (const json* s = member(doc, "syscalls")) {
    const JsonPath p{{"syscalls", 0}};
    if (!s->is_array()) {
      throw SchemaError{p, "an array of syscall rules", typeOf(*s)};
    }
    for (size_t i = 0; i < s->size(); ++i) {
      parseSyscallEntry((*s)[i], child(p, i), ctx, out);
    }
  }
  return out;
}

std::string lineCol(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  const size_t line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n');
  const size_t last_nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const size_t col =
      last_nl == std::string_view::npos || offset == 0 ? offset + 1 : offset - last_nl;
  return fmt::format("line {}, column {}", line, col);
}

}  // namespace

KernelVersion parseKernelVersion(std::string_view release) {
  KernelVersion k;
  size_t i = 0;
  auto number = [&](int& out) {
    const size_t start = i;
    long v = 0;
    while (i < release.size() && std::isdigit(static_cast<unsigned char>(release[i])) != 0 &&
           v < 100000) {
      v = v * 10 + (release[i++] - '0');
    }
    out = static_cast<int>(v);
    return i > start;
  };
  if (!number(k.major) || i >= release.size() || release[i++] != '.' || !number(k.minor)) {
    return {};
  }
  return k;
}

Result<KernelVersion> runningKernelVersion() {
  utsname u{};
  if (::uname(&u) < 0) {
    return Error::sys(errno, "uname");
  }
  return parseKernelVersion(u.release);
}

Result<DockerProfileContext> hostDockerProfileContext() {
  DockerProfileContext ctx;
  AGENTBOX_ASSIGN_OR_RETURN(ctx.kernel, runningKernelVersion());
#if defined(__x86_64__)
  ctx.arch = "amd64";
#elif defined(__aarch64__)
  ctx.arch = "arm64";
#else
  ctx.arch = "unknown";
#endif
  return ctx;
}

Result<SeccompRules> parseDockerProfile(std::string_view text, std::string_view name,
                                        const DockerProfileContext& context) {
  try {
    const json doc = json::parse(text.begin(), text.end());
    SeccompRules rules = parseDocument(doc, name, context);
    if (context.mandatory_guard) {
      applyMandatoryGuard(rules);
    }
    return rules;
  } catch (const json::parse_error& e) {
    // e.what(): "[json.exception.parse_error.101] parse error at line L, column C: <what>"
    std::string what = e.what();
    if (size_t pos = what.find(": "); pos != std::string::npos && what.find("column") < pos) {
      what = what.substr(pos + 2);
    } else if (size_t br = what.find("] "); br != std::string::npos) {
      what = what.substr(br + 2);
    }
    const size_t offset = e.byte == 0 ? 0 : e.byte - 1;
    return makeError(Errc::kInvalidInput, "seccomp profile {}: byte {} ({}): {}", name, offset,
                     lineCol(text, offset), what);
  } catch (const SchemaError& e) {
    const size_t offset = locate(text, e.path);
    return makeError(Errc::kInvalidInput,
                     "seccomp profile {}: byte {} ({}): {}: expected {}, got {}", name, offset,
                     lineCol(text, offset), pathString(e.path), e.expected, e.got);
  } catch (const json::out_of_range& e) {
    // The lexer's number overflow (406) carries no position; the message quotes the
    // literal, which locates it: "number overflow parsing '1e999'".
    const std::string what = e.what();
    const size_t q = what.find('\'');
    const size_t q2 = q == std::string::npos ? q : what.find('\'', q + 1);
    const std::string literal = q2 == std::string::npos ? "" : what.substr(q + 1, q2 - q - 1);
    const size_t found = literal.empty() ? std::string_view::npos : text.find(literal);
    const size_t offset = found == std::string_view::npos ? 0 : found;
    return makeError(Errc::kInvalidInput,
                     "seccomp profile {}: byte {} ({}): number {} out of range; expected an "
                     "integer of at most 64 bits",
                     name, offset, lineCol(text, offset), literal);
  } catch (const json::exception& e) {
    return makeError(Errc::kInvalidInput, "seccomp profile {}: byte 0 (line 1, column 1): {}", name,
                     e.what());
  }
}

Result<SeccompRules> loadDockerProfile(const std::string& path,
                                       const DockerProfileContext& context) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::sys(errno, fmt::format("open({})", path));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    return Error::sys(errno, fmt::format("read({})", path));
  }
  return parseDockerProfile(buf.str(), path, context);
}

}  // namespace agentbox::sandbox
