// SPDX-License-Identifier: Apache-2.0
// File: sandbox_harden_bench.cc
// Cost of the hardening layers: compiling the seccomp filter in the parent, and applying
// each layer (capability drop, landlock, seccomp install + listener hand-off) in a forked
// child, timed inside the child around the apply call only (manual time).
//   build-*/bench/sandbox_harden_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <string>

#include "sandbox/capabilities.h"
#include "sandbox/landlock_rules.h"
#include "sandbox/seccomp_builtin.h"
#include "sandbox/seccomp_cache.h"
#include "sandbox/seccomp_compile.h"
#include "sandbox/seccomp_docker.h"
#include "sandbox/seccomp_notify.h"
#include "util/sys_harden.h"

namespace agentbox::sandbox {
namespace {

int64_t nowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

void BM_CompileBuiltinSeccomp(benchmark::State& state) {
  size_t insns = 0;
  for (auto _ : state) {
    auto p = compileSeccomp(builtinSeccompRules());
    if (!p) {
      state.SkipWithError(p.error().oneLine().c_str());
      return;
    }
    insns = p->filter.size();
    benchmark::DoNotOptimize(p->filter.data());
  }
  state.counters["bpf_insns"] = static_cast<double>(insns);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompileBuiltinSeccomp)->Unit(benchmark::kMicrosecond);

// What every run does with a warm state dir: the rules as data, their cache key, the stored
// program parsed back (an in-memory store here, so the file read and HMAC are not in it).
void BM_BuiltinSeccompFromCache(benchmark::State& state) {
  std::map<std::string, std::string, std::less<>> stored;
  BlobCache cache{
      .load = [&](std::string_view key) -> std::optional<std::string> {
        auto it = stored.find(key);
        return it == stored.end() ? std::nullopt : std::optional<std::string>(it->second);
      },
      .store = [&](std::string_view key,
                   std::string_view bytes) { stored[std::string(key)] = std::string(bytes); },
  };
  if (auto warm = compileSeccompCached(builtinSeccompRules(), &cache); !warm) {
    state.SkipWithError(warm.error().oneLine().c_str());
    return;
  }
  for (auto _ : state) {
    auto p = compileSeccompCached(builtinSeccompRules(), &cache);
    benchmark::DoNotOptimize(p->filter.data());
  }
  state.counters["entries"] = static_cast<double>(stored.size());
}
BENCHMARK(BM_BuiltinSeccompFromCache)->Unit(benchmark::kMicrosecond);

void BM_LoadAndCompileContainersCommon(benchmark::State& state) {
  auto ctx = hostDockerProfileContext();
  if (!ctx || access("/usr/share/containers/seccomp.json", R_OK) != 0) {
    state.SkipWithError("no /usr/share/containers/seccomp.json");
    return;
  }
  for (auto _ : state) {
    auto rules = loadDockerProfile("/usr/share/containers/seccomp.json", *ctx);
    auto p = rules ? compileSeccomp(*rules) : Result<SeccompProgram>(rules.error());
    if (!p) {
      state.SkipWithError(p.error().oneLine().c_str());
      return;
    }
    benchmark::DoNotOptimize(p->filter.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoadAndCompileContainersCommon)->Unit(benchmark::kMicrosecond);

void BM_PlanLandlock(benchmark::State& state) {
  const LandlockRequest req = sandboxLandlockRequest(true);
  for (auto _ : state) {
    LandlockPlan plan = planLandlock(req, 7);
    benchmark::DoNotOptimize(plan.paths.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PlanLandlock)->Unit(benchmark::kMicrosecond);

// Forks; the child times `apply` and writes the nanoseconds (or -errno) to a pipe.
void timeInChild(benchmark::State& state, const std::function<int()>& apply,
                 const std::function<void(pid_t)>& parent_side = {}) {
  for (auto _ : state) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
      state.SkipWithError("pipe2");
      return;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      const int64_t t0 = nowNs();
      const int err = apply();
      const int64_t ns = err == 0 ? nowNs() - t0 : -err;
      (void)!write(p[1], &ns, sizeof(ns));
      _exit(0);
    }
    close(p[1]);
    if (parent_side) {
      parent_side(pid);
    }
    int64_t ns = 0;
    const bool got = read(p[0], &ns, sizeof(ns)) == sizeof(ns);
    close(p[0]);
    waitpid(pid, nullptr, 0);
    if (!got || ns < 0) {
      state.SkipWithError(("apply failed, errno " + std::to_string(-ns)).c_str());
      return;
    }
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ApplyCapabilityDrop(benchmark::State& state) {
  timeInChild(state, [] { return dropCapabilities(); });
}
BENCHMARK(BM_ApplyCapabilityDrop)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_ApplyLandlock(benchmark::State& state) {
  auto abi = detectLandlockAbi();
  if (!abi || *abi == 0) {
    state.SkipWithError("landlock unavailable");
    return;
  }
  const LandlockPlan plan = planLandlock(sandboxLandlockRequest(true), *abi);
  timeInChild(state, [&] { return applyLandlock(plan); });
  state.counters["abi"] = *abi;
  state.counters["path_rules"] = static_cast<double>(plan.paths.size());
}
BENCHMARK(BM_ApplyLandlock)->UseManualTime()->Unit(benchmark::kMicrosecond);

// seccomp install with NEW_LISTENER plus sending the listener over a socketpair: exactly
// the child's last step. The parent receives the fd as the supervisor would.
void BM_ApplySeccompBuiltin(benchmark::State& state) {
  auto program = compileSeccomp(builtinSeccompRules());
  if (!program) {
    state.SkipWithError(program.error().oneLine().c_str());
    return;
  }
  int sock[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) != 0) {
    state.SkipWithError("socketpair");
    return;
  }
  timeInChild(
      state,
      [&] {
        if (int err = sys_harden::setNoNewPrivs(); err != 0) {
          return err;
        }
        return installSeccompAndSendListener(*program, sock[1]);
      },
      [&](pid_t) {
        auto fd = receiveSeccompListener(sock[0]);
        benchmark::DoNotOptimize(fd);
      });
  close(sock[0]);
  close(sock[1]);
}
BENCHMARK(BM_ApplySeccompBuiltin)->UseManualTime()->Unit(benchmark::kMicrosecond);

// All three in the order of the child's checklist: landlock, capabilities (+no_new_privs),
// seccomp last.
void BM_ApplyAllLayers(benchmark::State& state) {
  auto program = compileSeccomp(builtinSeccompRules());
  auto abi = detectLandlockAbi();
  if (!program || !abi) {
    state.SkipWithError("setup");
    return;
  }
  const LandlockPlan plan = planLandlock(sandboxLandlockRequest(true), *abi);
  int sock[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) != 0) {
    state.SkipWithError("socketpair");
    return;
  }
  timeInChild(
      state,
      [&] {
        if (int err = applyLandlock(plan); err != 0) {
          return err;
        }
        if (int err = dropCapabilities(); err != 0) {
          return err;
        }
        return installSeccompAndSendListener(*program, sock[1]);
      },
      [&](pid_t) {
        auto fd = receiveSeccompListener(sock[0]);
        benchmark::DoNotOptimize(fd);
      });
  close(sock[0]);
  close(sock[1]);
}
BENCHMARK(BM_ApplyAllLayers)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace agentbox::sandbox

BENCHMARK_MAIN();
