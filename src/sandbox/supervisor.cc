// SPDX-License-Identifier: Apache-2.0
// File: supervisor.cc
// Spawn (plan, pipes, clone3, id maps, release) and the run's event loop.
#include "sandbox/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "sandbox/child_planner.h"
#include "sandbox/host_identity.h"
#include "sandbox/id_map.h"
#include "sandbox/idmapped_tree.h"
#include "util/sys.h"

namespace agentbox::sandbox {

namespace {

constexpr uint64_t kNamespaceFlags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                                     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
constexpr size_t kChunk = 64 * 1024;
constexpr auto kDrainLimit = std::chrono::seconds(5);

// The pipes between supervisor and sandbox; the *_child ends are closed after the clone.
struct Channels {
  sys::Pipe sync;
  sys::Pipe report;
  sys::Pipe in;
  sys::Pipe out;
  sys::Pipe err;
};

Result<Channels> makeChannels() {
  AGENTBOX_ASSIGN_OR_RETURN(sys::Pipe sync, sys::pipe());
  AGENTBOX_ASSIGN_OR_RETURN(sys::Pipe report, sys::pipe());
  AGENTBOX_ASSIGN_OR_RETURN(sys::Pipe in, sys::pipe());
  AGENTBOX_ASSIGN_OR_RETURN(sys::Pipe out, sys::pipe());
  AGENTBOX_ASSIGN_OR_RETURN(sys::Pipe err, sys::pipe());
  for (int fd : {in.write.get(), out.read.get(), err.read.get(), report.read.get()}) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  return Channels{std::move(sync), std::move(report), std::move(in), std::move(out),
                  std::move(err)};
}

Status writeIdMaps(pid_t pid, const IdMapPlan& ids) {
  std::string proc = fmt::format("/proc/{}/", pid);
  if (ids.deny_setgroups) {
    AGENTBOX_TRY(sys::writeFileOnce(proc + "setgroups", "deny"));
  }
  AGENTBOX_TRY(sys::writeFileOnce(proc + "uid_map", ids.uidMapText()));
  AGENTBOX_TRY(sys::writeFileOnce(proc + "gid_map", ids.gidMapText()));
  return ok();
}

sigset_t forwardedSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) {
    sigaddset(&set, sig);
  }
  return set;
}

// Blocks the forwarded signals for signalfd and ignores SIGPIPE; restores both on scope exit.
class SignalScope {
 public:
  SignalScope() {
    sigset_t set = forwardedSignals();
    ::pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ign, &old_pipe_);
  }
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;
  SignalScope(SignalScope&&) = delete;
  SignalScope& operator=(SignalScope&&) = delete;
  ~SignalScope() {
    ::sigaction(SIGPIPE, &old_pipe_, nullptr);
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }

 private:
  sigset_t old_mask_{};
  struct sigaction old_pipe_ {};
};

// The poll loop of one run. Owns the supervisor ends of every channel.
class EventLoop {
 public:
  EventLoop(const SuperviseRequest& req, Channels& ch, UniqueFd pidfd, UniqueFd sigfd,
            UniqueFd timer)
      : req_(req),
        ch_(ch),
        pidfd_(std::move(pidfd)),
        sigfd_(std::move(sigfd)),
        timer_(std::move(timer)),
        stdin_open_(req.stdin_fd >= 0) {
    if (!stdin_open_) {
      ch_.in.write.reset();
    }
  }

  Status run();
  ExitFacts& facts() { return facts_; }
  const sys::ChildExit& initExit() const { return init_exit_; }

 private:
  enum Slot { kOut, kErr, kStdin, kStdinPipe, kReport, kPid, kSig, kTimer, kSlots };
  void addFd(std::array<pollfd, kSlots>& fds, std::array<Slot, kSlots>& which, size_t& n, Slot slot,
             int fd, short events) {
    if (fd >= 0) {
      fds[n] = {fd, events, 0};
      which[n++] = slot;
    }
  }
  void readOutput(UniqueFd& fd, StreamId stream);
  void readReports();
  void pumpStdinIn();
  void pumpStdinOut();
  Status onInitExit();
  void onSignal();
  void onTimer();

  const SuperviseRequest& req_;
  Channels& ch_;
  UniqueFd pidfd_;
  UniqueFd sigfd_;
  UniqueFd timer_;
  bool stdin_open_;
  std::string stdin_buf_;
  bool init_done_ = false;
  std::chrono::steady_clock::time_point drain_deadline_{};
  ExitFacts facts_;
  sys::ChildExit init_exit_;
  std::array<std::byte, kChunk> buf_{};
};

void EventLoop::readOutput(UniqueFd& fd, StreamId stream) {
  Result<size_t> n = sys::read(fd.get(), buf_);
  if (!n.has_value()) {
    if (n.error().sysErrno() != EAGAIN) {
      fd.reset();
    }
    return;
  }
  if (*n == 0) {
    fd.reset();
    return;
  }
  req_.output.write(stream, std::span(buf_.data(), *n));
}

void EventLoop::readReports() {
  ChildReport report;
  while (true) {
    ssize_t n = ::read(ch_.report.read.get(), &report, sizeof(report));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      return;
    }
    if (n <= 0) {
      ch_.report.read.reset();
      return;
    }
    if (static_cast<size_t>(n) != sizeof(report) || report.magic != ChildReport::kMagic) {
      continue;  // a torn or foreign record: ignore, the wait status still decides
    }
    switch (report.kind) {
      case ChildReportKind::kSetupFailed:
        facts_.setup_failure = report;
        break;
      case ChildReportKind::kExecFailed:
        facts_.exec_failure = report;
        break;
      case ChildReportKind::kExited:
        facts_.command_wait_status = report.wait_status;
        break;
    }
  }
}

void EventLoop::pumpStdinIn() {
  char tmp[kChunk];
  ssize_t n = ::read(req_.stdin_fd, tmp, sizeof(tmp));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
    return;
  }
  if (n <= 0) {
    stdin_open_ = false;
    if (stdin_buf_.empty()) {
      ch_.in.write.reset();
    }
    return;
  }
  stdin_buf_.append(tmp, static_cast<size_t>(n));
}

void EventLoop::pumpStdinOut() {
  ssize_t n = ::write(ch_.in.write.get(), stdin_buf_.data(), stdin_buf_.size());
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
    return;
  }
  if (n < 0) {  // EPIPE: the command closed its stdin
    stdin_buf_.clear();
    stdin_open_ = false;
    ch_.in.write.reset();
    return;
  }
  stdin_buf_.erase(0, static_cast<size_t>(n));
  if (stdin_buf_.empty() && !stdin_open_) {
    ch_.in.write.reset();
  }
}

Status EventLoop::onInitExit() {
  AGENTBOX_ASSIGN_OR_RETURN(init_exit_, sys::waitPidfd(pidfd_, WEXITED));
  facts_.init_si_code = init_exit_.info.si_code;
  facts_.init_si_status = init_exit_.info.si_status;
  init_done_ = true;
  pidfd_.reset();
  timer_.reset();
  // Every process of the sandbox is gone with its pid 1; what is left in the pipes drains.
  stdin_open_ = false;
  stdin_buf_.clear();
  ch_.in.write.reset();
  drain_deadline_ = std::chrono::steady_clock::now() + kDrainLimit;
  return ok();
}

void EventLoop::onSignal() {
  struct signalfd_siginfo info {};
  while (::read(sigfd_.get(), &info, sizeof(info)) == sizeof(info)) {
    if (pidfd_.valid()) {
      // pid 1 forwards it to the command; a failure means the sandbox is already gone.
      Status ignored = sys::pidfdSendSignal(pidfd_, static_cast<int>(info.ssi_signo));
      (void)ignored;
    }
  }
}

void EventLoop::onTimer() {
  uint64_t expirations = 0;
  if (::read(timer_.get(), &expirations, sizeof(expirations)) <= 0) {
    return;
  }
  facts_.timed_out = true;
  // SIGKILL to pid 1 tears the whole pid namespace down: nothing in the sandbox survives.
  Status ignored = sys::pidfdSendSignal(pidfd_, SIGKILL);
  (void)ignored;
  timer_.reset();
}

Status EventLoop::run() {
  while (true) {
    bool streams_open = ch_.out.read.valid() || ch_.err.read.valid() || ch_.report.read.valid();
    if (init_done_ && (!streams_open || std::chrono::steady_clock::now() > drain_deadline_)) {
      return ok();
    }
    std::array<pollfd, kSlots> fds{};
    std::array<Slot, kSlots> which{};
    size_t n = 0;
    addFd(fds, which, n, kOut, ch_.out.read.get(), POLLIN);
    addFd(fds, which, n, kErr, ch_.err.read.get(), POLLIN);
    addFd(fds, which, n, kReport, ch_.report.read.get(), POLLIN);
    if (stdin_open_ && stdin_buf_.empty() && ch_.in.write.valid()) {
      addFd(fds, which, n, kStdin, req_.stdin_fd, POLLIN);
    }
    if (!stdin_buf_.empty() && ch_.in.write.valid()) {
      addFd(fds, which, n, kStdinPipe, ch_.in.write.get(), POLLOUT);
    }
    addFd(fds, which, n, kPid, pidfd_.get(), POLLIN);
    addFd(fds, which, n, kSig, sigfd_.get(), POLLIN);
    addFd(fds, which, n, kTimer, timer_.get(), POLLIN);
    AGENTBOX_ASSIGN_OR_RETURN(int ready,
                              sys::poll(std::span(fds.data(), n), init_done_ ? 100 : -1));
    if (ready <= 0) {
      continue;
    }
    for (size_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      switch (which[i]) {
        case kOut:
          readOutput(ch_.out.read, StreamId::kStdout);
          break;
        case kErr:
          readOutput(ch_.err.read, StreamId::kStderr);
          break;
        case kReport:
          readReports();
          break;
        case kStdin:
          pumpStdinIn();
          break;
        case kStdinPipe:
          pumpStdinOut();
          break;
        case kPid:
          AGENTBOX_TRY(onInitExit());
          break;
        case kSig:
          onSignal();
          break;
        case kTimer:
          onTimer();
          break;
        case kSlots:
          break;
      }
    }
  }
}

std::vector<LayerStatus> layerReport(const IdMapPlan& ids, bool idmapped) {
  std::vector<LayerStatus> layers;
  layers.push_back({"namespaces", true, "user, mount, pid, net, ipc, uts, cgroup", ""});
  layers.push_back({"uid-map", true,
                    fmt::format("sandbox 1001:1001 = host {}:{} ({})", ids.host_uid_of_sandbox_user,
                                ids.host_gid_of_sandbox_user, ids.source),
                    ""});
  layers.push_back({"read-only-root", true, "tmpfs root, read-only binds of /usr and /etc", ""});
  layers.push_back({"idmapped-workspace", idmapped, idmapped ? "caller's files as 1001" : "",
                    idmapped ? "" : "not needed: the id map shows the caller's files as 1001"});
  for (const char* name : {"capabilities", "seccomp", "landlock"}) {
    layers.push_back({name, false, "", "not built yet (issue #12)"});
  }
  layers.push_back({"cgroups", false, "", "not built yet (issue #13)"});
  return layers;
}

}  // namespace

Result<RunResult> supervise(const SuperviseRequest& req) {
  if (req.target.argv.empty()) {
    return makeError(Errc::kInvalidInput, "no command given; usage: agentbox run -- CMD [ARGS...]");
  }
  AGENTBOX_ASSIGN_OR_RETURN(HostIdentity me, detectHostIdentity());
  std::string subuid = sys::readFile("/etc/subuid").value_or(std::string());
  std::string subgid = sys::readFile("/etc/subgid").value_or(std::string());
  AGENTBOX_ASSIGN_OR_RETURN(IdMapPlan ids, planIdMap(me, subuid, subgid));
  UniqueFd ws_tree;
  if (me.privileged) {
    AGENTBOX_ASSIGN_OR_RETURN(
        ws_tree, makeIdmappedTree(
                     {.path = req.target.workspace,
                      .owner_uid = me.uid,
                      .owner_gid = me.gid,
                      .ids = ids,
                      .read_only = req.policy.filesystem.mode == policy::WorkspaceMode::kReadOnly})
                     .context("workspace {}", req.target.workspace));
  }
  HostFacts host = detectHostFacts();
  ChildPlan plan = planChild({.policy = req.policy,
                              .target = req.target,
                              .host = host,
                              .ids = ids,
                              .workspace_tree_fd = ws_tree.get()});
  AGENTBOX_ASSIGN_OR_RETURN(Channels ch, makeChannels());
  plan.sync_fd = ch.sync.read.get();
  plan.report_fd = ch.report.write.get();
  plan.stdin_fd = ch.in.read.get();
  plan.stdout_fd = ch.out.write.get();
  plan.stderr_fd = ch.err.write.get();
  plan.keep_fds = {plan.sync_fd, plan.report_fd, plan.stdin_fd, plan.stdout_fd, plan.stderr_fd};
  if (ws_tree.valid()) {
    plan.keep_fds.push_back(ws_tree.get());
  }
  std::sort(plan.keep_fds.begin(), plan.keep_fds.end());

  SignalScope signals;
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd sigfd, sys::signalFd(forwardedSignals()));
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd timer, sys::timerFd());
  auto started = std::chrono::steady_clock::now();
  int pidfd_raw = -1;
  compat::CloneArgs args{};
  args.flags = kNamespaceFlags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd_raw);
  args.exit_signal = SIGCHLD;
  Result<pid_t> cloned = sys::clone3(args);
  if (!cloned.has_value()) {
    return std::move(cloned).error().withHint(
        "this host does not allow new user namespaces for this user; run 'agentbox doctor'");
  }
  if (*cloned == 0) {
    runChild(plan);
  }
  pid_t pid = *cloned;
  UniqueFd pidfd(pidfd_raw);
  ch.sync.read.reset();
  ch.report.write.reset();
  ch.in.read.reset();
  ch.out.write.reset();
  ch.err.write.reset();
  ws_tree.reset();
  if (Status maps = writeIdMaps(pid, ids); !maps.has_value()) {
    Status ignored = sys::pidfdSendSignal(pidfd, SIGKILL);
    (void)ignored;
    Result<sys::ChildExit> reaped = sys::waitPidfd(pidfd, WEXITED);
    (void)reaped;
    return std::move(maps).error().addContext("cannot write the sandbox's id maps");
  }
  if (req.on_started) {
    req.on_started(pid);
  }
  if (req.policy.resources.timeout_ms > 0) {
    AGENTBOX_TRY(sys::timerArm(timer, std::chrono::milliseconds(req.policy.resources.timeout_ms)));
  }
  // The write end stays open for the whole run: the child reads a hang-up as our death.
  AGENTBOX_TRY(sys::writeAll(ch.sync.write.get(), "g"));

  EventLoop loop(req, ch, std::move(pidfd), std::move(sigfd), std::move(timer));
  AGENTBOX_TRY(loop.run());
  req.output.finish();
  RunResult result = classifyExit(loop.facts());
  result.wall_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - started)
                                             .count());
  const struct rusage& ru = loop.initExit().usage;
  result.cpu_ms = static_cast<uint64_t>((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                                        (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
  result.peak_memory_bytes = static_cast<uint64_t>(ru.ru_maxrss) * 1024;
  result.layers = layerReport(ids, me.privileged);
  return result;
}

}  // namespace agentbox::sandbox
