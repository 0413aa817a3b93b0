// SPDX-License-Identifier: Apache-2.0
// File: redact_bench.cc
// Redaction throughput, one core:
//   * in-process StreamRedactor MB/s on clean log text and on text dense with near-misses
//     (keywords, prefixes and shapes that wake rules but are not secrets), per chunk size;
//   * the short-literal scanner beside Vectorscan on the same 1-3 byte keywords, and the rules'
//     keyword database with and without them;
//   * end to end through the built `agentbox redact` on a generated 200 MB mixed log, with
//     peak RSS from wait4(2), side by side with secretlint 12 (recommended preset) on the same
//     file, and the throughput ratio. secretlint is skipped, and says so, when not installed.
// Figures and the command line are recorded in docs/performance.md (## Redaction).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "redact/builtin_rules.h"
#include "redact/rule_set.h"
#include "redact/short_literals.h"
#include "redact/stream_redactor.h"

namespace {

using namespace agentbox::redact;

// Installed by scripts/setup.sh beside the sources.
constexpr const char* kSecretlint = AGENTBOX_SOURCE_DIR "/.tools/npm/node_modules/.bin/secretlint";
constexpr size_t kInProcessBytes = 64u << 20;
constexpr size_t kEndToEndBytes = 200u << 20;

class NullSink final : public Sink {
 public:
  agentbox::Status write(std::span<const std::byte> bytes) override {
    bytes_ += bytes.size();
    return agentbox::ok();
  }
  void onFinding(const Finding&) override { ++findings_; }
  size_t bytes_ = 0;
  size_t findings_ = 0;
};

// The rule subsets measured on their own; kAll is every built-in rule, the opt-in ip-* ones
// included, plus two known secrets and a home dir; kDefault is kAll without the opt-in rules
// (what a policy without `[redaction] ip_addresses` runs).
enum class Subset : int64_t { kSecret, kCredential, kPii, kAll, kDefault };

std::shared_ptr<const RuleSet> buildRules(Subset subset) {
  RuleSetConfig config;
  for (Rule& r : builtinRules()) {
    const bool keep = subset == Subset::kAll || (subset == Subset::kDefault && !r.opt_in) ||
                      (subset == Subset::kSecret && r.rule_class == RuleClass::kSecret) ||
                      (subset == Subset::kCredential && r.rule_class == RuleClass::kCredential) ||
                      (subset == Subset::kPii && r.rule_class == RuleClass::kPii);
    if (keep) {
      config.rules.push_back(std::move(r));
    }
  }
  if (subset == Subset::kAll || subset == Subset::kDefault) {
    config.known_secrets = {"bench-known-secret-value", "hunter2-correct-horse"};
    config.home_dir = "/home/bench";
  }
  config.hmac_key = "bench-key";
  auto r = RuleSet::build(std::move(config));
  if (!r.has_value()) {
    std::fprintf(stderr, "rule set: %s\n", r.error().oneLine().c_str());
    std::abort();
  }
  return *r;
}

std::shared_ptr<const RuleSet> rules(Subset subset = Subset::kAll) {
  static const std::array<std::shared_ptr<const RuleSet>, 5> sets = {
      buildRules(Subset::kSecret), buildRules(Subset::kCredential), buildRules(Subset::kPii),
      buildRules(Subset::kAll), buildRules(Subset::kDefault)};
  return sets[static_cast<size_t>(subset)];
}

const char* const kWords[] = {"the",      "build",  "step",    "compile", "link",   "test",
                              "passed",   "failed", "warning", "module",  "cache",  "request",
                              "response", "worker", "retry",   "upload",  "import", "version"};

std::string logLine(std::mt19937_64& rng, int i) {
  std::string line = "2026-12-01T10:" + std::to_string(10 + i % 50) + ":" +
                     std::to_string(10 + i % 49) + "Z INFO worker[" + std::to_string(rng() % 64) +
                     "] ";
  for (int w = 0; w < 11; ++w) {
    line += kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
    line += ' ';
  }
  line += "id=" + std::to_string(rng() % 1000000007) + "\n";
  return line;
}

// Words that wake rules without being secrets: keywords without assignments, prefixes too
// short to be tokens, digit groups failing Luhn, '@' without a domain, base64-ish blobs.
const char* const kNearMisses[] = {
    "token count", "password reset", "ghp_short", "AKIA",       "sk-proj-x",
    "user@host",   "4111 1111 2",    "eyJhbGci",  "Bearer x",   "secret=true",
    "https://h/p", "xoxb-1",         "SKU",       "123-45-678", "api_key:",
    "-----BEGIN ", "glpat-",         "AIza",      "hvs.",       "Authorization",
};

std::string nearMissLine(std::mt19937_64& rng) {
  std::string line;
  for (int w = 0; w < 8; ++w) {
    line += kNearMisses[rng() % (sizeof(kNearMisses) / sizeof(kNearMisses[0]))];
    line += ' ';
    line += kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
    line += ' ';
  }
  line += '\n';
  return line;
}

const std::string& cleanText() {
  static const std::string text = [] {
    std::mt19937_64 rng(1);
    std::string t;
    for (int i = 0; t.size() < kInProcessBytes; ++i) {
      t += logLine(rng, i);
    }
    return t;
  }();
  return text;
}

const std::string& nearMissText() {
  static const std::string text = [] {
    std::mt19937_64 rng(2);
    std::string t;
    while (t.size() < kInProcessBytes / 4) {
      t += nearMissLine(rng);
    }
    return t;
  }();
  return text;
}

// The in-process share of the end-to-end file: 95% log lines, 5% near-miss lines, 0.1%
// real secrets (the same generator as mixed.log, below).
std::string mixedLine(std::mt19937_64& rng, int i) {
  static const char* const kSecrets[] = {
      "export GH=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\n",
      "aws_secret_access_key = 6mH38EOG+aLS8iWKfZwIWzQXUel4PNpKZfmLXE6k\n",
      "AWS_ACCESS_KEY_ID=AKIA6ZGEIW3XF4CCIFUF\n",
      "contact alice.smith@corp-mail.io\n",
      "xoxb-495288314366-764020679701-PxxxqXsTSFo6E99Xh6yqkifs\n",
      "DATABASE_URL=postgres://app:s3cr3tPa55@db.internal:5432/app\n"};
  const uint64_t r = rng() % 1000;
  if (r == 0) {
    return kSecrets[rng() % (sizeof(kSecrets) / sizeof(kSecrets[0]))];
  }
  return r < 50 ? nearMissLine(rng) : logLine(rng, i);
}

const std::string& mixedText() {
  static const std::string text = [] {
    std::mt19937_64 rng(3);
    std::string t;
    for (int i = 0; t.size() < kInProcessBytes; ++i) {
      t += mixedLine(rng, i);
    }
    return t;
  }();
  return text;
}

void runInProcess(benchmark::State& state, const std::string& text, Subset subset = Subset::kAll) {
  const size_t chunk = static_cast<size_t>(state.range(0));
  size_t max_held = 0;
  size_t findings = 0;
  for (auto _ : state) {
    auto r = StreamRedactor::open(rules(subset));
    NullSink sink;
    for (size_t pos = 0; pos < text.size(); pos += chunk) {
      if (!r->write(std::string_view(text).substr(pos, chunk), sink).has_value()) {
        state.SkipWithError("write failed");
        return;
      }
      max_held = std::max(max_held, r->heldBytes());
    }
    if (!r->finish(sink).has_value()) {
      state.SkipWithError("finish failed");
      return;
    }
    findings = sink.findings_;
    benchmark::DoNotOptimize(sink.bytes_);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["max_held_bytes"] = static_cast<double>(max_held);
  state.counters["findings"] = static_cast<double>(findings);
}

void BM_RedactCleanText(benchmark::State& state) {
  runInProcess(state, cleanText());
}
void BM_RedactNearMissText(benchmark::State& state) {
  runInProcess(state, nearMissText());
}
// Per rule class on the mixed text, 64 KiB writes: /0 secret, /1 credential, /2 pii, /3 all
// (every rule, opt-in ip-* included), /4 default (all but the opt-in rules).
void BM_RedactMixedByClass(benchmark::State& state) {
  state.SetLabel(std::array<const char*, 5>{"secret", "credential", "pii", "all", "default"}.at(
      static_cast<size_t>(state.range(1))));
  runInProcess(state, mixedText(), static_cast<Subset>(state.range(1)));
}
BENCHMARK(BM_RedactCleanText)->Arg(4096)->Arg(65536)->Arg(1 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RedactNearMissText)->Arg(4096)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RedactMixedByClass)
    ->Args({65536, 0})
    ->Args({65536, 1})
    ->Args({65536, 2})
    ->Args({65536, 3})
    ->Args({65536, 4})
    ->Unit(benchmark::kMillisecond);

// ---- the 1-3 byte keywords: the short-literal scanner and Vectorscan on the same job -------

enum class Keywords : int64_t { kShort, kOthers, kAll };

struct HsStreamDb {
  hs_database_t* db = nullptr;
  hs_scratch_t* scratch = nullptr;
};

// A streaming database of the rule keywords of the `all` set: the short-literal scanner's
// (kShort), the rest (kOthers: the rules' database as it is), or both (kAll: as it was).
HsStreamDb keywordDatabase(Keywords which) {
  const RuleSet& set = *rules(Subset::kAll);
  std::vector<bool> is_short(set.triggers().size(), false);
  for (const detail::ShortLiteral& lit : set.shortLiterals().literals()) {
    is_short[lit.trigger] = true;
  }
  std::vector<std::string> exprs;
  std::vector<unsigned> flags;
  for (size_t t = 0; t < set.triggers().size(); ++t) {
    const Trigger& tr = set.triggers()[t];
    const bool wanted = which == Keywords::kAll || (which == Keywords::kShort) == is_short[t];
    if (tr.literal.empty() || !wanted || set.rules()[tr.rule].kind != RuleKind::kRegex) {
      continue;
    }
    std::string e;
    for (char c : tr.literal) {
      static constexpr std::string_view kHex = "0123456789abcdef";
      const auto u = static_cast<unsigned char>(c);
      e += "\\x";
      e += kHex[u >> 4];
      e += kHex[u & 15U];
    }
    exprs.push_back(std::move(e));
    flags.push_back(tr.caseless ? HS_FLAG_CASELESS : 0U);
  }
  std::vector<const char*> ptrs;
  std::vector<unsigned> ids;
  for (size_t i = 0; i < exprs.size(); ++i) {
    ptrs.push_back(exprs[i].c_str());
    ids.push_back(static_cast<unsigned>(i));
  }
  HsStreamDb out;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()),
                       HS_MODE_STREAM, nullptr, &out.db, &err) != HS_SUCCESS ||
      hs_alloc_scratch(out.db, &out.scratch) != HS_SUCCESS) {
    std::fprintf(stderr, "keyword database: %s\n", err != nullptr ? err->message : "scratch");
    std::abort();
  }
  return out;
}

int countHit(unsigned /*id*/, unsigned long long /*from*/, unsigned long long /*to*/,
             unsigned /*flags*/, void* ctx) {
  ++*static_cast<size_t*>(ctx);
  return 0;
}

// The mixed text in 64 KiB writes: /0 the short-literal scanner on its 24 keywords, /1
// Vectorscan on the same keywords (the peer for this job), /2 Vectorscan on the other keywords
// (the rules' database now), /3 Vectorscan on all of them (the rules' database before).
void BM_ShortKeywords(benchmark::State& state) {
  const std::string& text = mixedText();
  const int64_t which = state.range(0);
  state.SetLabel(std::array<const char*, 4>{"short-literal scanner", "vectorscan, same keywords",
                                            "vectorscan, the other keywords",
                                            "vectorscan, all keywords"}
                     .at(static_cast<size_t>(which)));
  constexpr size_t kChunk = 65536;
  static double scanner_seconds = 0;  // per pass of /0, for /1's ratio (rows run in order)
  size_t hits = 0;
  const auto t0 = std::chrono::steady_clock::now();
  if (which == 0) {
    detail::ShortLiteralScanner scanner(rules(Subset::kAll)->shortLiterals());
    std::vector<detail::TriggerHit> out;
    for (auto _ : state) {
      scanner.reset();
      hits = 0;
      for (size_t pos = 0; pos < text.size(); pos += kChunk) {
        out.clear();
        scanner.scan(text.data() + pos, std::min(kChunk, text.size() - pos), pos, out);
        hits += out.size();
      }
    }
  } else {
    static const std::array<HsStreamDb, 3> dbs = {keywordDatabase(Keywords::kShort),
                                                  keywordDatabase(Keywords::kOthers),
                                                  keywordDatabase(Keywords::kAll)};
    const HsStreamDb& db = dbs.at(static_cast<size_t>(which - 1));
    for (auto _ : state) {
      hits = 0;
      hs_stream_t* stream = nullptr;
      if (hs_open_stream(db.db, 0, &stream) != HS_SUCCESS) {
        state.SkipWithError("hs_open_stream failed");
        return;
      }
      for (size_t pos = 0; pos < text.size(); pos += kChunk) {
        hs_scan_stream(stream, text.data() + pos,
                       static_cast<unsigned>(std::min(kChunk, text.size() - pos)), 0, db.scratch,
                       &countHit, &hits);
      }
      hs_close_stream(stream, db.scratch, &countHit, &hits);
    }
  }
  const double per_pass =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
      static_cast<double>(state.iterations());
  if (which == 0) {
    scanner_seconds = per_pass;
  } else if (which == 1 && scanner_seconds > 0) {
    state.counters["ratio_vectorscan_scanner"] = per_pass / scanner_seconds;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["hits"] = static_cast<double>(hits);
}
BENCHMARK(BM_ShortKeywords)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

// ---- end to end -------------------------------------------------------------------------

struct ProcessRun {
  double seconds = 0;
  long max_rss_kb = 0;
  int status = -1;
};

// Peak RSS from wait4(2) counts what a child had before exec, and a child forked from this
// process would start with its hundreds of MB of test data. So children are spawned by a
// small "spawner" forked at startup, before any data exists.
struct Spawner {
  int to_child = -1;
  int from_child = -1;
};

Spawner& spawner() {
  static Spawner s;
  return s;
}

void writeString(int fd, const std::string& v) {
  const uint32_t n = static_cast<uint32_t>(v.size());
  (void)!::write(fd, &n, sizeof(n));
  (void)!::write(fd, v.data(), v.size());
}

bool readExact(int fd, void* p, size_t n) {
  auto* c = static_cast<char*>(p);
  while (n > 0) {
    ssize_t r = ::read(fd, c, n);
    if (r <= 0) {
      return false;
    }
    c += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool readString(int fd, std::string& v) {
  uint32_t n = 0;
  if (!readExact(fd, &n, sizeof(n))) {
    return false;
  }
  v.resize(n);
  return readExact(fd, v.data(), n);
}

ProcessRun spawnAndWait(const std::vector<std::string>& argv, const std::string& in,
                        const std::string& cwd) {
  const auto t0 = std::chrono::steady_clock::now();
  ProcessRun run;
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd_in = ::open(in.empty() ? "/dev/null" : in.c_str(), O_RDONLY | O_CLOEXEC);
    int fd_null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(fd_in, STDIN_FILENO);
    ::dup2(fd_null, STDOUT_FILENO);
    ::dup2(fd_null, STDERR_FILENO);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      ::_exit(126);
    }
    // The redaction key goes into the benchmark's own state dir, not the caller's.
    ::setenv("AGENTBOX_STATE_DIR", (cwd + "/state").c_str(), 1);
    std::vector<char*> args;
    for (const std::string& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  if (pid > 0 && ::wait4(pid, &status, 0, &ru) == pid) {
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run.max_rss_kb = ru.ru_maxrss;
    run.status = status;
  }
  return run;
}

[[noreturn]] void spawnerLoop(int in_fd, int out_fd) {
  while (true) {
    std::string count_s;
    if (!readString(in_fd, count_s)) {
      ::_exit(0);
    }
    std::vector<std::string> argv(std::stoul(count_s));
    for (std::string& a : argv) {
      (void)readString(in_fd, a);
    }
    std::string in;
    std::string cwd;
    (void)readString(in_fd, in);
    (void)readString(in_fd, cwd);
    ProcessRun run = spawnAndWait(argv, in, cwd);
    (void)!::write(out_fd, &run, sizeof(run));
  }
}

void startSpawner() {
  int down[2];
  int up[2];
  if (::pipe2(down, O_CLOEXEC) != 0 || ::pipe2(up, O_CLOEXEC) != 0) {
    std::abort();
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(down[1]);
    ::close(up[0]);
    spawnerLoop(down[0], up[1]);
  }
  ::close(down[0]);
  ::close(up[1]);
  spawner() = {down[1], up[0]};
}

std::optional<ProcessRun> runProcess(const std::vector<std::string>& argv, const std::string& in,
                                     const std::string& cwd) {
  const Spawner& s = spawner();
  writeString(s.to_child, std::to_string(argv.size()));
  for (const std::string& a : argv) {
    writeString(s.to_child, a);
  }
  writeString(s.to_child, in);
  writeString(s.to_child, cwd);
  ProcessRun run;
  if (!readExact(s.from_child, &run, sizeof(run)) || run.status < 0) {
    return std::nullopt;
  }
  return run;
}

struct EndToEnd {
  std::string dir;
  std::string log;
  size_t bytes = 0;
  std::optional<double> agentbox_mbps;
  std::optional<double> secretlint_mbps;
};

std::optional<EndToEnd>& e2eSlot() {
  static std::optional<EndToEnd> slot;
  return slot;
}

// Generates the mixed log on first use (only when an end-to-end benchmark runs).
EndToEnd& e2e() {
  std::optional<EndToEnd>& slot = e2eSlot();
  if (slot) {
    return *slot;
  }
  slot = [] {
    EndToEnd x;
    char tmpl[] = "/tmp/agentbox-redact-bench-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      std::abort();
    }
    x.dir = tmpl;
    x.log = x.dir + "/mixed.log";
    std::ofstream out(x.log, std::ios::binary);
    std::mt19937_64 rng(3);
    for (int i = 0; x.bytes < kEndToEndBytes; ++i) {
      const std::string line = mixedLine(rng, i);
      out << line;
      x.bytes += line.size();
    }
    std::ofstream(x.dir + "/.secretlintrc.json")
        << R"({"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]})";
    return x;
  }();
  return *slot;
}

void reportProcess(benchmark::State& state, const ProcessRun& run, size_t bytes) {
  state.SetIterationTime(run.seconds);
  state.counters["MB/s"] = static_cast<double>(bytes) / 1e6 / run.seconds;
  state.counters["peak_rss_MB"] = static_cast<double>(run.max_rss_kb) / 1024.0;
  state.counters["file_MB"] = static_cast<double>(bytes) / 1e6;
}

void BM_EndToEndAgentboxRedact(benchmark::State& state) {
  EndToEnd& e = e2e();
  for (auto _ : state) {
    auto run = runProcess({AGENTBOX_BIN_PATH, "redact"}, e.log, e.dir);  // stdin -> /dev/null
    if (!run || !WIFEXITED(run->status) || WEXITSTATUS(run->status) != 0) {
      state.SkipWithError("agentbox redact failed");
      return;
    }
    reportProcess(state, *run, e.bytes);
    e.agentbox_mbps = static_cast<double>(e.bytes) / 1e6 / run->seconds;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * e.bytes));
}

void BM_EndToEndSecretlint(benchmark::State& state) {
  EndToEnd& e = e2e();
  if (::access(kSecretlint, X_OK) != 0) {
    state.SkipWithError("secretlint 12 not installed: peer skipped");
    return;
  }
  for (auto _ : state) {
    // mask-result writes the masked file: the same job as `agentbox redact`.
    auto run = runProcess({kSecretlint, "--secretlintrc", e.dir + "/.secretlintrc.json",
                           "--format=mask-result", "--output", e.dir + "/secretlint.out", e.log},
                          "", e.dir);
    // secretlint exits 1 when it found something, which it should on this file.
    if (!run || !WIFEXITED(run->status) || WEXITSTATUS(run->status) > 1) {
      state.SkipWithError("secretlint failed");
      return;
    }
    reportProcess(state, *run, e.bytes);
    e.secretlint_mbps = static_cast<double>(e.bytes) / 1e6 / run->seconds;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * e.bytes));
}

BENCHMARK(BM_EndToEndAgentboxRedact)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_EndToEndSecretlint)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace

int main(int argc, char** argv) {
  startSpawner();  // first, while this process is still small
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!e2eSlot()) {
    return 0;
  }
  EndToEnd& e = *e2eSlot();
  if (e.agentbox_mbps && e.secretlint_mbps) {
    std::printf(
        "end to end on %.0f MB: agentbox redact %.1f MB/s, secretlint %.1f MB/s, "
        "ratio %.1fx\n",
        static_cast<double>(e.bytes) / 1e6, *e.agentbox_mbps, *e.secretlint_mbps,
        *e.agentbox_mbps / *e.secretlint_mbps);
  } else if (e.agentbox_mbps) {
    std::printf(
        "end to end: agentbox redact %.1f MB/s; secretlint %s\n", *e.agentbox_mbps,
        ::access(kSecretlint, X_OK) == 0 ? "not run (filtered out)" : "skipped (not installed)");
  }
  std::string cleanup = "rm -rf " + e.dir;
  return std::system(cleanup.c_str()) == 0 ? 0 : 1;
}
