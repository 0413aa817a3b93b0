// SPDX-License-Identifier: Apache-2.0
// File: policy_robots_bench.cc
// robots.txt: compile a generated 500-rule (~15 KB) file and match 100,000 varied URLs, then
// run the same file and URLs through the peers a user can install here (npm robots-parser
// under node, Python's urllib.robotparser, Debian's python3-protego), each timing itself
// the same way, and print per-operation figures and ratios. A peer that is missing is
// reported as skipped.
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "policy/robots.h"
#include "policy/robots_parse.h"

namespace {

using agentbox::policy::Robots;
// Process CPU time, like the peers (node process.cpuUsage, Python time.process_time_ns).
struct CpuClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<CpuClock>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return time_point(duration(ts.tv_sec * 1000000000LL + ts.tv_nsec));
  }
};
using Clock = CpuClock;

constexpr const char* kAgent = "agentbox";
constexpr const char* kOrigin = "https://www.example.com";
constexpr int kRules = 500;
constexpr int kUrls = 100000;

constexpr const char* kWords[] = {"products", "category", "search",  "account",  "cart",
                                  "checkout", "blog",     "news",    "help",     "api",
                                  "static",   "media",    "user",    "admin",    "wiki",
                                  "forum",    "tag",      "archive", "download", "private"};
constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);
constexpr const char* kParams[] = {"sessionid", "sort", "ref", "utm_source", "page", "filter"};
constexpr const char* kExts[] = {"pdf", "zip", "gif", "json", "xml", "csv"};

std::string word(std::mt19937& rng) {
  return kWords[rng() % kWordCount];
}

// A site-like file: a big `*` group (what agentbox gets) and another crawler's group, with
// comments, Sitemap and Crawl-delay lines, directory rules, Allow overrides, `*` and `$`
// patterns and a few non-ASCII paths.
std::string makeRobotsTxt() {
  std::mt19937 rng(15);
  std::string out =
      "# robots.txt for www.example.com\n"
      "# Crawlers: please respect the rules below; contact webmaster@example.com for access.\n"
      "Sitemap: https://www.example.com/sitemap.xml\n"
      "Sitemap: https://www.example.com/sitemap-products.xml\n"
      "Sitemap: https://www.example.com/sitemap-blog.xml\n\n";
  out += "User-agent: otherbot\nCrawl-delay: 10\n";
  const int other = 40;
  for (int i = 0; i < other; ++i) {
    out += "Disallow: /" + word(rng) + "/" + word(rng) + "/" + std::to_string(rng() % 1000) + "/\n";
  }
  out += "\nUser-agent: *\nCrawl-delay: 2.5\n";
  for (int i = 0; i < kRules - other; ++i) {
    const std::string w1 = word(rng);
    const std::string w2 = word(rng);
    const std::string n = std::to_string(rng() % 50);
    switch (i % 20) {
      case 0:
        out += std::string("Disallow: /*?") + kParams[rng() % 6] + "=\n";
        break;
      case 1:
        out += std::string("Disallow: /*.") + kExts[rng() % 6] + "$\n";
        break;
      case 2:
        out += "Disallow: /" + w1 + "/*/" + w2 + "\n";
        break;
      case 3:
        out += "Allow: /" + w1 + "/" + w2 + "-" + n + "/*.html$\n";
        break;
      case 4:
        out += "Disallow: /caf\xC3\xA9/" + w1 + "-" + n + "/\n";
        break;
      case 5:
      case 6:
      case 7:
        out += "Allow: /" + w1 + "/" + w2 + "-" + n + "/public/\n";
        break;
      case 10:
        out += "Disallow: /" + w1 + "/" + w2 + "/" + word(rng) + "-" + n + "/\n";
        break;
      case 19:
        out += "Disallow: /" + w1 + "/" + w2 + "-" + n + "/edit?action=\n";
        break;
      case 8:
        out += "Disallow: /" + w1 + "-" + n + "\n";
        break;
      case 9:
        out += "# section " + n + "\n";
        [[fallthrough]];
      default:
        out += "Disallow: /" + w1 + "/" + w2 + "-" + n + "/\n";
        break;
    }
  }
  return out;
}

std::vector<std::string> makeUrls() {
  std::mt19937 rng(9309);
  std::vector<std::string> urls;
  urls.reserve(kUrls);
  for (int i = 0; i < kUrls; ++i) {
    std::string path = "/" + word(rng) + "/";
    switch (rng() % 10) {
      case 0:
        path += std::to_string(rng() % 100000);
        break;
      case 1:
        path = "/" + word(rng) + "-" + std::to_string(rng() % 60) + "/index.html";
        break;
      case 2:
        path = "/caf%C3%A9/" + word(rng) + "-" + std::to_string(rng() % 50) + "/menu";
        break;
      default:
        path += word(rng) + "-" + std::to_string(rng() % 50) + "/";
        path += rng() % 3 == 0 ? "public/" : "";
        path += "item-" + std::to_string(rng() % 10000);
        path += std::string(".") + (rng() % 4 == 0 ? kExts[rng() % 6] : "html");
        break;
    }
    if (rng() % 4 == 0) {
      path += std::string("?") + kParams[rng() % 6] + "=" + std::to_string(rng() % 100);
    }
    if (rng() % 20 == 0) {
      path += "#section-2";
    }
    urls.push_back(kOrigin + path);
  }
  return urls;
}

const std::string& robotsTxt() {
  static const std::string body = makeRobotsTxt();
  return body;
}

const std::vector<std::string>& urls() {
  static const std::vector<std::string> list = makeUrls();
  return list;
}

void BM_RobotsCompile(benchmark::State& state) {
  const std::string& body = robotsTxt();
  for (auto _ : state) {
    Robots r = Robots::compile(body, kAgent);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations());
  state.counters["rules"] = static_cast<double>(Robots::compile(body, kAgent).ruleCount());
}
BENCHMARK(BM_RobotsCompile);

// The line layer alone, to show how compile time splits.
void BM_RobotsLexOnly(benchmark::State& state) {
  const std::string& body = robotsTxt();
  for (auto _ : state) {
    agentbox::policy::RobotsLexer lex(body);
    agentbox::policy::RobotsRecord rec;
    size_t n = 0;
    while (lex.next(rec)) {
      ++n;
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_RobotsLexOnly);

void BM_RobotsMatch(benchmark::State& state) {
  const Robots r = Robots::compile(robotsTxt(), kAgent);
  const std::vector<std::string>& list = urls();
  size_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string& url = list[i];
    benchmark::DoNotOptimize(r.allowed(url));
    bytes += url.size();
    i = i + 1 == list.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_RobotsMatch);

void BM_RobotsMatchByScan(benchmark::State& state) {  // the same without the prefix index
  const Robots r = Robots::compile(robotsTxt(), kAgent);
  const std::vector<std::string>& list = urls();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(r.checkByScanForTest(list[i]).allowed);
    i = i + 1 == list.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RobotsMatchByScan);

// ---- side-by-side run with the peers ---------------------------------------------------

// Each peer reads robots.txt and urls.txt, parses the file `reps` times (mean per parse),
// then checks every URL once after a warm-up pass, and prints three lines. Everyone is timed
// in process CPU time, so that other load on the machine does not skew the ratios.
constexpr const char* kNodePeer = R"JS(
const robotsParser = require(process.argv[2]);
const fs = require('fs');
const body = fs.readFileSync(process.argv[3], 'utf8');
const urls = fs.readFileSync(process.argv[4], 'utf8').split('\n').filter(Boolean);
const url = 'https://www.example.com/robots.txt';
const reps = 200;
const cpuNs = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
let t0 = cpuNs();
let r;
for (let i = 0; i < reps; i++) r = robotsParser(url, body);
const parseNs = (cpuNs() - t0) / reps;
for (const u of urls) r.isAllowed(u, 'agentbox');
t0 = cpuNs();
let allowed = 0;
for (const u of urls) if (r.isAllowed(u, 'agentbox')) allowed++;
const matchNs = (cpuNs() - t0) / urls.length;
console.log('parse_ns ' + parseNs + '\nmatch_ns ' + matchNs + '\nallowed ' + allowed);
)JS";

constexpr const char* kUrllibPeer = R"PY(
import sys, time, urllib.robotparser
body = open(sys.argv[1], encoding='utf-8').read()
urls = [u for u in open(sys.argv[2], encoding='utf-8').read().split('\n') if u]
reps = 20
t0 = time.process_time_ns()
for _ in range(reps):
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(body.splitlines())
parse_ns = (time.process_time_ns() - t0) / reps
t0 = time.process_time_ns()
allowed = sum(1 for u in urls if rp.can_fetch('agentbox', u))
match_ns = (time.process_time_ns() - t0) / len(urls)
print(f'parse_ns {parse_ns}\nmatch_ns {match_ns}\nallowed {allowed}')
)PY";

constexpr const char* kProtegoPeer = R"PY(
import sys, time
from protego import Protego
body = open(sys.argv[1], encoding='utf-8').read()
urls = [u for u in open(sys.argv[2], encoding='utf-8').read().split('\n') if u]
reps = 20
t0 = time.process_time_ns()
for _ in range(reps):
    rp = Protego.parse(body)
parse_ns = (time.process_time_ns() - t0) / reps
for u in urls[:1000]:
    rp.can_fetch(u, 'agentbox')  # protego compiles patterns lazily: warm up
t0 = time.process_time_ns()
allowed = sum(1 for u in urls if rp.can_fetch(u, 'agentbox'))
match_ns = (time.process_time_ns() - t0) / len(urls)
print(f'parse_ns {parse_ns}\nmatch_ns {match_ns}\nallowed {allowed}')
)PY";

struct Figures {
  double parse_ns = 0;
  double match_ns = 0;
  long allowed = 0;
};

bool writeFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  return static_cast<bool>(f);
}

bool runPeer(const std::string& cmd, Figures& out, std::string& why) {
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    why = "popen failed";
    return false;
  }
  std::string text;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) {
    text.append(buf, n);
  }
  const int status = pclose(pipe);
  int found = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end == std::string::npos ? end : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (std::sscanf(line.c_str(), "parse_ns %lf", &out.parse_ns) == 1 ||
        std::sscanf(line.c_str(), "match_ns %lf", &out.match_ns) == 1 ||
        std::sscanf(line.c_str(), "allowed %ld", &out.allowed) == 1) {
      ++found;
    }
  }
  if (status != 0 || found != 3) {
    why = "exit " + std::to_string(status) + ": " + text.substr(0, 300);
    return false;
  }
  return true;
}

Figures measureOurs() {
  const std::string& body = robotsTxt();
  Figures f;
  constexpr int kReps = 2000;
  auto t0 = Clock::now();
  for (int i = 0; i < kReps; ++i) {
    Robots r = Robots::compile(body, kAgent);
    benchmark::DoNotOptimize(r);
  }
  f.parse_ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kReps;
  const Robots r = Robots::compile(body, kAgent);
  for (const std::string& u : urls()) {  // warm-up pass, as the peers do
    benchmark::DoNotOptimize(r.allowed(u));
  }
  t0 = Clock::now();
  for (const std::string& u : urls()) {
    f.allowed += r.allowed(u) ? 1 : 0;
  }
  f.match_ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() /
               static_cast<double>(urls().size());
  return f;
}

std::string python() {
  // Debian's python3 has python3-protego; a pyenv shim earlier on PATH may not.
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

void runPeers() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "robots-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::printf("robots peers: cannot create a temp dir; all peers skipped\n");
    return;
  }
  const std::filesystem::path dir = tmpl;
  std::string url_text;
  for (const std::string& u : urls()) {
    url_text += u + "\n";
  }
  const std::filesystem::path robots_path = dir / "robots.txt";
  const std::filesystem::path urls_path = dir / "urls.txt";
  writeFile(robots_path, robotsTxt());
  writeFile(urls_path, url_text);
  writeFile(dir / "node_peer.js", kNodePeer);
  writeFile(dir / "urllib_peer.py", kUrllibPeer);
  writeFile(dir / "protego_peer.py", kProtegoPeer);

  const Figures ours = measureOurs();
  std::printf(
      "\nrobots.txt side by side (process CPU time): %zu-byte file, %d rules (%zu for "
      "'%s'), %zu URLs\n",
      robotsTxt().size(), kRules, Robots::compile(robotsTxt(), kAgent).ruleCount(), kAgent,
      urls().size());
  std::printf("%-28s %14s %14s %10s %12s %12s\n", "implementation", "parse (us)", "match (ns)",
              "allowed", "parse ratio", "match ratio");
  std::printf("%-28s %14.2f %14.1f %10ld %12s %12s\n", "agentbox Robots", ours.parse_ns / 1e3,
              ours.match_ns, ours.allowed, "1.0x", "1.0x");

  const char* tools = std::getenv("AGENTBOX_NPM_TOOLS");
  const std::filesystem::path root = std::filesystem::path(__FILE__).parent_path().parent_path();
  const std::filesystem::path npm =
      tools != nullptr ? std::filesystem::path(tools) : root / ".tools/npm";
  const std::filesystem::path robots_parser = npm / "node_modules/robots-parser";
  struct Peer {
    const char* name;
    std::string cmd;
    std::string missing;  // non-empty: skip with this reason
  };
  const std::string py = python();
  std::vector<Peer> peers;
  peers.push_back(
      {"robots-parser 3.0.1 (node)",
       "node " + (dir / "node_peer.js").string() + " " + robots_parser.string() + " " +
           robots_path.string() + " " + urls_path.string(),
       std::filesystem::exists(robots_parser)
           ? (std::system("node --version >/dev/null 2>&1") == 0 ? "" : "node not found")
           : "not installed at " + robots_parser.string()});
  peers.push_back({"urllib.robotparser (python)",
                   py + " " + (dir / "urllib_peer.py").string() + " " + robots_path.string() + " " +
                       urls_path.string(),
                   std::system((py + " -c 'import urllib.robotparser' 2>/dev/null").c_str()) == 0
                       ? ""
                       : "python3 not found"});
  peers.push_back({"protego (python3-protego)",
                   py + " " + (dir / "protego_peer.py").string() + " " + robots_path.string() +
                       " " + urls_path.string(),
                   std::system((py + " -c 'import protego' 2>/dev/null").c_str()) == 0
                       ? ""
                       : "python3-protego not installed"});
  for (const Peer& p : peers) {
    if (!p.missing.empty()) {
      std::printf("%-28s skipped: %s\n", p.name, p.missing.c_str());
      continue;
    }
    Figures f;
    std::string why;
    if (!runPeer(p.cmd, f, why)) {
      std::printf("%-28s skipped: failed (%s)\n", p.name, why.c_str());
      continue;
    }
    std::printf("%-28s %14.2f %14.1f %10ld %11.1fx %11.1fx\n", p.name, f.parse_ns / 1e3, f.match_ns,
                f.allowed, f.parse_ns / ours.parse_ns, f.match_ns / ours.match_ns);
  }
  std::printf(
      "ratios are peer time / agentbox time; 'allowed' differs where peers read the\n"
      "RFC differently (percent-encoding, '$' and '*', first-match semantics).\n");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  if (const char* dump = std::getenv("ROBOTS_BENCH_DUMP")) {  // for profiling by hand
    writeFile(std::filesystem::path(dump) / "robots.txt", robotsTxt());
    std::string text;
    for (const std::string& u : urls()) {
      text += u + "\n";
    }
    writeFile(std::filesystem::path(dump) / "urls.txt", text);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (std::getenv("ROBOTS_BENCH_NO_PEERS") == nullptr) {
    runPeers();
  }
  return 0;
}
