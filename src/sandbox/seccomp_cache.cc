// SPDX-License-Identifier: Apache-2.0
// File: seccomp_cache.cc
#include "sandbox/seccomp_cache.h"

#include <seccomp.h>
#include <sys/utsname.h>

#include <cstring>

namespace agentbox::sandbox {

namespace {

constexpr std::string_view kMagic = "agentbox seccomp program 1\n";
constexpr uint64_t kMaxStrings = 4096;
constexpr uint64_t kMaxStringBytes = 1 << 16;

void putU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    out += static_cast<char>((v >> (8 * i)) & 0xFFU);
  }
}

void putString(std::string& out, std::string_view s) {
  putU64(out, s.size());
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u64(uint64_t& v) {
    if (in_.size() < 8) {
      return false;
    }
    v = 0;
    for (int i = 0; i < 8; ++i) {
      v |= uint64_t{static_cast<unsigned char>(in_[static_cast<size_t>(i)])} << (8 * i);
    }
    in_.remove_prefix(8);
    return true;
  }
  bool bytes(size_t n, std::string_view& out) {
    if (in_.size() < n) {
      return false;
    }
    out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool string(std::string& out) {
    uint64_t n = 0;
    std::string_view v;
    if (!u64(n) || n > kMaxStringBytes || !bytes(static_cast<size_t>(n), v)) {
      return false;
    }
    out.assign(v);
    return true;
  }
  bool strings(std::vector<std::string>& out) {
    uint64_t n = 0;
    if (!u64(n) || n > kMaxStrings) {
      return false;
    }
    out.resize(static_cast<size_t>(n));
    for (std::string& s : out) {
      if (!string(s)) {
        return false;
      }
    }
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

std::string actionText(const SeccompAction& a) {
  return fmt::format("{}:{}", static_cast<int>(a.kind), a.errno_value);
}

}  // namespace

std::string seccompCacheKey(const SeccompRules& rules) {
  std::string key = "agentbox seccomp key 1\n";
  const scmp_version* v = seccomp_version();
  key +=
      fmt::format("libseccomp {}.{}.{} api {}\n", v->major, v->minor, v->micro, seccomp_api_get());
  struct utsname u {};
  if (::uname(&u) == 0) {
    key += fmt::format("kernel {} {} {}\n", u.sysname, u.release, u.machine);
  }
  key += fmt::format("name {}:{}\ndefault {}\nbad_arch {}\narches", rules.name.size(), rules.name,
                     actionText(rules.default_action), actionText(rules.bad_arch_action));
  for (uint32_t a : rules.arches) {
    key += fmt::format(" {}", a);
  }
  key += fmt::format("\nwarnings {}\n", rules.warnings.size());
  for (const std::string& w : rules.warnings) {
    key += fmt::format("{}:{}\n", w.size(), w);
  }
  for (const SeccompRule& r : rules.rules) {
    key += fmt::format("rule {}:{} {} {}", r.syscall.size(), r.syscall, r.nr_fallback,
                       actionText(r.action));
    for (const ArgCmp& c : r.args) {
      key += fmt::format(" [{} {} {} {}]", c.index, static_cast<int>(c.op), c.value, c.value_two);
    }
    key += '\n';
  }
  return key;
}

std::string serializeSeccompProgram(const SeccompProgram& program) {
  std::string out(kMagic);
  putString(out, program.profile_name);
  putU64(out, program.filter.size());
  for (const sock_filter& f : program.filter) {
    putU64(out, (uint64_t{f.code} << 48) | (uint64_t{f.jt} << 40) | (uint64_t{f.jf} << 32) | f.k);
  }
  putU64(out, program.notify_syscalls.size());
  for (const std::string& s : program.notify_syscalls) {
    putString(out, s);
  }
  putU64(out, program.rule_count);
  putU64(out, program.warnings.size());
  for (const std::string& s : program.warnings) {
    putString(out, s);
  }
  return out;
}

Result<SeccompProgram> parseSeccompProgram(std::string_view bytes) {
  auto bad = [](std::string_view what) {
    return makeError(Errc::kInvalidInput, "stored seccomp program: {}", what);
  };
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    return bad("wrong magic");
  }
  Reader r(bytes.substr(kMagic.size()));
  SeccompProgram p;
  uint64_t insns = 0;
  if (!r.string(p.profile_name) || !r.u64(insns)) {
    return bad("truncated");
  }
  if (insns == 0 || insns > BPF_MAXINSNS) {
    return bad("filter length out of range");
  }
  p.filter.resize(static_cast<size_t>(insns));
  for (sock_filter& f : p.filter) {
    uint64_t v = 0;
    if (!r.u64(v)) {
      return bad("truncated");
    }
    f.code = static_cast<uint16_t>(v >> 48);
    f.jt = static_cast<uint8_t>(v >> 40);
    f.jf = static_cast<uint8_t>(v >> 32);
    f.k = static_cast<uint32_t>(v);
  }
  uint64_t rule_count = 0;
  if (!r.strings(p.notify_syscalls) || !r.u64(rule_count) || !r.strings(p.warnings)) {
    return bad("truncated");
  }
  if (!r.done()) {
    return bad("trailing bytes");
  }
  p.rule_count = static_cast<size_t>(rule_count);
  return p;
}

Result<SeccompProgram> compileSeccompCached(const SeccompRules& rules, const BlobCache* cache) {
  if (cache == nullptr || !cache->load || !cache->store) {
    return compileSeccomp(rules);
  }
  std::string key = seccompCacheKey(rules);
  if (std::optional<std::string> stored = cache->load(key); stored.has_value()) {
    if (Result<SeccompProgram> p = parseSeccompProgram(*stored); p.has_value()) {
      return p;
    }
  }
  AGENTBOX_ASSIGN_OR_RETURN(SeccompProgram program, compileSeccomp(rules));
  cache->store(key, serializeSeccompProgram(program));
  return program;
}

}  // namespace agentbox::sandbox
