// SPDX-License-Identifier: Apache-2.0
// File: policy_bench.cc
// NetRules decisions per second: 1,000 rules (exact, wildcard, port-specific; allow and deny)
// and 1,000,000 varied hosts (matching names, subdomains of wildcards, misses, upper case and
// trailing dots), side by side with the naive peer: the same normalization followed by a
// linear scan of the same rules for the most specific match. Both answer every host the same
// way (checked before timing). Prints decisions/s of each and the ratio.
//
//   build-x/bench/policy_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "policy/host_pattern.h"
#include "policy/net_rules.h"

namespace {

using agentbox::policy::HostPattern;
using agentbox::policy::NetRules;
using agentbox::policy::Network;
using agentbox::policy::NormalizedHost;

constexpr size_t kRules = 1000;
constexpr size_t kHosts = 1000000;

struct Corpus {
  Network network;
  std::vector<std::string> hosts;
  std::vector<uint16_t> ports;
};

std::string word(std::mt19937_64& rng, size_t min_len, size_t max_len) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  size_t len = min_len + rng() % (max_len - min_len + 1);
  std::string w;
  for (size_t i = 0; i < len; ++i) {
    w += kChars[rng() % (i == 0 ? 26 : 36)];
  }
  return w;
}

const Corpus& corpus() {
  static const Corpus kCorpus = [] {
    Corpus c;
    std::mt19937_64 rng(20261201);
    const char* tlds[] = {"com", "net", "org", "io", "dev"};
    std::vector<std::string> exact;
    std::vector<std::string> zones;
    c.network.mode = agentbox::policy::NetworkMode::kProxy;
    while (c.network.allow.size() + c.network.deny.size() < kRules) {
      size_t n = c.network.allow.size() + c.network.deny.size();
      std::string base = word(rng, 4, 10) + "." + tlds[rng() % 5];
      if (n % 10 < 4) {  // 40% exact names
        std::string host = word(rng, 2, 8) + "." + base;
        exact.push_back(host);
        (n % 10 == 3 ? c.network.deny : c.network.allow).push_back(host);
      } else if (n % 10 < 8) {  // 40% wildcards
        zones.push_back(base);
        (n % 10 == 7 ? c.network.deny : c.network.allow).push_back("*." + base);
      } else {  // 20% port-specific
        std::string host = word(rng, 2, 8) + "." + base;
        exact.push_back(host);
        c.network.allow.push_back(host + ":443");
      }
    }
    c.hosts.reserve(kHosts);
    for (size_t i = 0; i < kHosts; ++i) {
      unsigned kind = static_cast<unsigned>(rng() % 10);
      std::string h;
      if (kind < 3) {
        h = exact[rng() % exact.size()];
      } else if (kind < 6) {
        h = zones[rng() % zones.size()];
        for (size_t d = 1 + rng() % 3; d > 0; --d) {
          h = word(rng, 1, 12) + "." + h;
        }
      } else if (kind < 9) {
        h = word(rng, 3, 12) + "." + word(rng, 4, 10) + "." + tlds[rng() % 5];
      } else {
        h = exact[rng() % exact.size()];
        h[0] = static_cast<char>(h[0] - 'a' + 'A');  // needs lower-casing
        h += ".";                                    // and the trailing dot removed
      }
      c.hosts.push_back(std::move(h));
      c.ports.push_back(rng() % 4 == 0 ? 80 : 443);
    }
    return c;
  }();
  return kCorpus;
}

// The peer: normalize the same way, then scan every rule for the most specific match.
class NaiveRules {
 public:
  explicit NaiveRules(const Network& n) {
    for (const std::string& a : n.allow) {
      rules_.push_back({*agentbox::policy::parseHostPattern(a), false});
    }
    for (const std::string& d : n.deny) {
      rules_.push_back({*agentbox::policy::parseHostPattern(d), true});
    }
  }
  // 1 allow, 0 deny (no match is a deny).
  int decide(std::string_view raw, uint16_t port) const {
    NormalizedHost h;
    if (!agentbox::policy::normalizeHostInto(raw, h, nullptr)) {
      return 0;
    }
    const Rule* best = nullptr;
    for (const Rule& r : rules_) {
      if (!r.pattern.matches(h, port)) {
        continue;
      }
      uint32_t s = r.pattern.specificity();
      uint32_t b = best != nullptr ? best->pattern.specificity() : 0;
      if (best == nullptr || s > b || (s == b && r.deny)) {
        best = &r;
      }
    }
    return best != nullptr && !best->deny ? 1 : 0;
  }

 private:
  struct Rule {
    HostPattern pattern;
    bool deny;
  };
  std::vector<Rule> rules_;
};

const NetRules& indexed() {
  static const NetRules kRules = std::move(NetRules::build(corpus().network)).value();
  return kRules;
}

const NaiveRules& naive() {
  static const NaiveRules kNaive(corpus().network);
  return kNaive;
}

void BM_NetRulesDecide(benchmark::State& state) {
  const Corpus& c = corpus();
  const NetRules& rules = indexed();
  size_t i = 0;
  size_t allowed = 0;
  for (auto _ : state) {
    allowed += rules.decideHost(c.hosts[i], c.ports[i]).allowed() ? 1 : 0;
    i = i + 1 == kHosts ? 0 : i + 1;
  }
  benchmark::DoNotOptimize(allowed);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NetRulesDecide);

void BM_NaiveLinearScan(benchmark::State& state) {
  const Corpus& c = corpus();
  const NaiveRules& rules = naive();
  size_t i = 0;
  size_t allowed = 0;
  for (auto _ : state) {
    allowed += static_cast<size_t>(rules.decide(c.hosts[i], c.ports[i]));
    i = i + 1 == kHosts ? 0 : i + 1;
  }
  benchmark::DoNotOptimize(allowed);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NaiveLinearScan);

// Records items/s per benchmark for the ratio line.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  RatioReporter() : ConsoleReporter(OO_Tabular) {}  // no colour codes: the output is pasted
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      auto it = r.counters.find("items_per_second");
      if (it != r.counters.end()) {
        rates_[r.benchmark_name()] = it->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  double rate(const std::string& name) const {
    auto it = rates_.find(name);
    return it == rates_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, double> rates_;
};

// Both implementations must agree before their speed means anything.
bool sameAnswers() {
  const Corpus& c = corpus();
  size_t allowed = 0;
  for (size_t i = 0; i < kHosts; i += 7) {
    int fast = indexed().decideHost(c.hosts[i], c.ports[i]).allowed() ? 1 : 0;
    if (fast != naive().decide(c.hosts[i], c.ports[i])) {
      std::fprintf(stderr, "policy_bench: NetRules and the naive scan disagree on %s:%u\n",
                   c.hosts[i].c_str(), c.ports[i]);
      return false;
    }
    allowed += static_cast<size_t>(fast);
  }
  std::printf("policy_bench: %zu rules, %zu hosts; %zu of %zu sampled hosts allowed by both\n",
              corpus().network.allow.size() + corpus().network.deny.size(), kHosts, allowed,
              (kHosts + 6) / 7);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (!sameAnswers()) {
    return 1;
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  double fast = reporter.rate("BM_NetRulesDecide");
  double slow = reporter.rate("BM_NaiveLinearScan");
  if (fast > 0 && slow > 0) {
    std::printf("NetRules %.2f M decisions/s, naive linear scan %.3f M decisions/s, ratio %.1fx\n",
                fast / 1e6, slow / 1e6, fast / slow);
  }
  benchmark::Shutdown();
  return 0;
}
