// SPDX-License-Identifier: Apache-2.0
// File: sandbox_bench.cc
// Cold start of `/bin/true` under agentbox (every layer: namespaces, new root, idmapped
// workspace, cgroups, rlimits, landlock, capabilities, seccomp, redacted output, run record),
// under agentbox without cgroups (AGENTBOX_CGROUP_ROOT pointing nowhere, --best-effort: the
// cost cgroups add), under bubblewrap given the closest equivalent flags, and plain. Each
// iteration runs the four in turn (alternating, so drift and noise hit all alike); the
// benchmark reports medians in ms and the ratios as counters, and prints a summary line.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;  // NOLINT

namespace {

std::string findBwrap() {
  for (const char* p : {"/usr/bin/bwrap", "/usr/local/bin/bwrap"}) {
    if (::access(p, X_OK) == 0) {
      return p;
    }
  }
  return "";
}

// Spawns argv with stdio on /dev/null and waits; returns wall milliseconds, or -1 on failure.
double timeSpawn(const std::vector<std::string>& args, std::vector<std::string>& env) {
  std::vector<char*> argv;
  for (const auto& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    return -1;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  auto t1 = std::chrono::steady_clock::now();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return -1;
  }
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

double median(std::vector<double> v) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<std::string> bwrapArgs(const std::string& bwrap, const std::string& ws) {
  // The same read-only binds agentbox makes, plus what bwrap offers for /proc, /dev, /tmp.
  std::vector<std::string> a = {bwrap,       "--unshare-all", "--die-with-parent",
                                "--ro-bind", "/usr",          "/usr"};
  for (const char* name : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    std::string path = std::string("/") + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      char target[256] = {};
      ssize_t n = ::readlink(path.c_str(), target, sizeof(target) - 1);
      a.insert(a.end(), {"--symlink", std::string(target, static_cast<size_t>(n)), path});
    } else {
      a.insert(a.end(), {"--ro-bind", path, path});
    }
  }
  for (const char* f : {"/etc/ld.so.cache", "/etc/ssl", "/etc/alternatives"}) {
    if (::access(f, F_OK) == 0) {
      a.insert(a.end(), {"--ro-bind", f, f});
    }
  }
  a.insert(a.end(), {"--ro-bind", ws, "/workspace", "--proc", "/proc", "--dev", "/dev", "--tmpfs",
                     "/tmp", "--tmpfs", "/home/agent", "--chdir", "/workspace", "/bin/true"});
  return a;
}

void BM_ColdStartTrue(benchmark::State& state) {
  std::string bwrap = findBwrap();
  std::filesystem::path tmp = std::filesystem::temp_directory_path();
  std::string ws = (tmp / ("agentbox-bench-ws-" + std::to_string(::getpid()))).string();
  std::string st = (tmp / ("agentbox-bench-state-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(ws);
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "AGENTBOX_STATE_DIR=" + st, "HOME=" + st};
  std::vector<std::string> agentbox = {AGENTBOX_BIN_PATH, "run", "--quiet", "--workspace", ws, "--",
                                       "/bin/true"};
  std::vector<std::string> env_nocg = env;
  env_nocg.push_back("AGENTBOX_CGROUP_ROOT=/agentbox-bench-no-such-cgroup");
  std::vector<std::string> agentbox_nocg = {AGENTBOX_BIN_PATH, "run", "--quiet", "--best-effort",
                                            "--workspace",     ws,    "--",      "/bin/true"};
  std::vector<std::string> bw = bwrapArgs(bwrap, ws);
  std::vector<std::string> plain = {"/bin/true"};
  std::vector<double> t_agentbox;
  std::vector<double> t_nocg;
  std::vector<double> t_bwrap;
  std::vector<double> t_plain;
  for (auto _ : state) {
    double a = timeSpawn(agentbox, env);
    double n = timeSpawn(agentbox_nocg, env_nocg);
    double b = bwrap.empty() ? 0 : timeSpawn(bw, env);
    double p = timeSpawn(plain, env);
    if (a < 0 || n < 0 || b < 0 || p < 0) {
      state.SkipWithError(a < 0 || n < 0 ? "agentbox run failed"
                          : b < 0        ? "bwrap failed"
                                         : "true failed");
      break;
    }
    t_agentbox.push_back(a);
    t_nocg.push_back(n);
    t_bwrap.push_back(b);
    t_plain.push_back(p);
    state.SetIterationTime((a + n + b + p) / 1000.0);
  }
  double ma = median(t_agentbox);
  double mn = median(t_nocg);
  double mb = median(t_bwrap);
  double mp = median(t_plain);
  state.counters["agentbox_ms"] = ma;
  state.counters["agentbox_no_cgroup_ms"] = mn;
  state.counters["cgroup_cost_ms"] = ma - mn;
  state.counters["bwrap_ms"] = mb;
  state.counters["true_ms"] = mp;
  if (mb > 0) {
    state.counters["ratio_agentbox_bwrap"] = ma / mb;
    state.counters["ratio_no_cgroup_bwrap"] = mn / mb;
  }
  std::printf(
      "sandbox cold start, median of %zu alternating runs: agentbox (all layers) %.2f ms, "
      "agentbox without cgroups %.2f ms (cgroups add %.2f ms), bwrap %.2f ms%s, plain /bin/true "
      "%.2f ms; ratio agentbox/bwrap %.2f, without cgroups %.2f\n",
      t_agentbox.size(), ma, mn, ma - mn, mb,
      bwrap.empty() ? " (bwrap not installed: skipped)" : "", mp, mb > 0 ? ma / mb : 0.0,
      mb > 0 ? mn / mb : 0.0);
  std::error_code ec;
  std::filesystem::remove_all(ws, ec);
  std::filesystem::remove_all(st, ec);
}
BENCHMARK(BM_ColdStartTrue)->UseManualTime()->Iterations(200)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
