// SPDX-License-Identifier: Apache-2.0
// File: supervisor.cc
// Spawn (plan, pipes, clone3, id maps, release) and the run's event loop.
#include "sandbox/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <future>

#include "sandbox/cgroups.h"
#include "sandbox/child_planner.h"
#include "sandbox/host_identity.h"
#include "sandbox/id_map.h"
#include "sandbox/idmapped_tree.h"
#include "sandbox/landlock_policy.h"
#include "sandbox/landlock_rules.h"
#include "sandbox/seccomp_compile.h"
#include "sandbox/seccomp_notify.h"
#include "sandbox/seccomp_policy.h"
#include "sandbox/shared_host.h"
#include "sandbox/terminal.h"
#include "util/sys.h"
#include "util/sys_harden.h"

namespace agentbox::sandbox {

namespace {

// The cgroup namespace is unshared by the child once it sits in its run cgroup (on v1 it
// moves itself there after the clone), so that the run cgroup is the root it sees.
constexpr uint64_t kNamespaceFlags =
    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
constexpr size_t kChunk = 64 * 1024;
// RLIMIT_FSIZE: no single file the command writes may pass 4 GiB.
constexpr uint64_t kFileSizeCap = uint64_t{4} << 30;
constexpr auto kDrainLimit = std::chrono::seconds(5);
constexpr auto kSampleInterval = std::chrono::milliseconds(2);

// The pipes between supervisor and sandbox; the *_child ends are closed after the clone.
struct Channels {
  UniqueFd seccomp_parent;  // receives the seccomp listener fd (SCM_RIGHTS)
  UniqueFd seccomp_child;
  UniqueFd proxy_parent;  // receives the proxy's listening sockets (proxy mode only)
  UniqueFd proxy_child;
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
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return Error::sys(errno, "socketpair(seccomp listener)");
  }
  return Channels{UniqueFd(sv[0]), UniqueFd(sv[1]), UniqueFd(),
                  UniqueFd(),      std::move(sync), std::move(report),
                  std::move(in),   std::move(out),  std::move(err)};
}

Status addProxyChannel(Channels& ch) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return Error::sys(errno, "socketpair(proxy listeners)");
  }
  ch.proxy_parent = UniqueFd(sv[0]);
  ch.proxy_child = UniqueFd(sv[1]);
  return ok();
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
  EventLoop(const SuperviseRequest& req, Channels& ch, RunCgroups& cgroups, UniqueFd pidfd,
            UniqueFd sigfd, UniqueFd timer)
      : req_(req),
        ch_(ch),
        cgroups_(cgroups),
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
  std::vector<Violation> takeViolations() { return std::move(violations_.list); }
  uint64_t suppressedViolations() const {
    return notifier_.has_value() ? notifier_->suppressed() : 0;
  }
  void watchSeccomp(UniqueFd sock, std::string profile, OnViolation on_violation) {
    listener_sock_ = std::move(sock);
    violations_ = Violations("seccomp:" + profile);
    on_violation_ = on_violation;
  }
  std::vector<std::string> notes;
  void setPtyMaster(int fd) { pty_master_ = fd; }
  bool outputTruncated() const { return output_dropped_; }
  void watchProxy(UniqueFd sock) { proxy_sock_ = std::move(sock); }
  const sys::ChildExit& initExit() const { return init_exit_; }

 private:
  enum Slot {
    kOut,
    kErr,
    kStdin,
    kStdinPipe,
    kReport,
    kPid,
    kSig,
    kTimer,
    kListener,
    kNotify,
    kProxy,
    kSlots
  };
  void addFd(std::array<pollfd, kSlots>& fds, std::array<Slot, kSlots>& which, size_t& n, Slot slot,
             int fd, short events) {
    if (fd >= 0) {
      fds[n] = {fd, events, 0};
      which[n++] = slot;
    }
  }
  void readOutput(UniqueFd& fd, StreamId stream);
  // 100 ms (cgroup sampling), or sooner when the output sink has a flush deadline.
  int pollTimeoutMs() const {
    auto deadline = req_.output.nextDeadline();
    if (!deadline.has_value()) {
      return 100;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    *deadline - std::chrono::steady_clock::now())
                    .count();
    return static_cast<int>(std::clamp<long long>(left + 1, 0, 100));
  }
  void readReports();
  // The pids count for the record's peak, at most every kSampleInterval (each sample opens a
  // cgroup file; a chatty command wakes the loop for every chunk it writes).
  void sampleCgroups() {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_sample_) {
      cgroups_.sample();
      next_sample_ = now + kSampleInterval;
    }
  }
  void pumpStdinIn();
  void pumpStdinOut();
  Status onInitExit();
  void onSignal();
  void onTimer();
  void onListener();
  void onNotify();
  void onProxyListeners();
  void killSandbox();

  // Turns seccomp notifications into run-record violations.
  class Violations : public ViolationSink {
   public:
    explicit Violations(std::string rule) : rule_(std::move(rule)) {}
    void onSyscallViolation(const SyscallViolation& v) override {
      list.push_back({"syscall", v.detail.empty() ? v.syscall : v.syscall + "(" + v.detail + ")",
                      rule_, v.time, v.pid});
    }
    std::vector<Violation> list;

   private:
    std::string rule_;
  };

  const SuperviseRequest& req_;
  Channels& ch_;
  RunCgroups& cgroups_;
  uint64_t output_bytes_ = 0;
  bool output_dropped_ = false;
  UniqueFd pidfd_;
  UniqueFd sigfd_;
  UniqueFd timer_;
  bool stdin_open_;
  std::string stdin_buf_;
  bool init_done_ = false;
  // The listener hangs up once no task under the filter is left (the command's tree is gone,
  // pid 1 is still exiting): no notification can come after that, and polling a hung-up fd
  // would spin until pid 1's exit is seen.
  bool notify_hung_up_ = false;
  std::chrono::steady_clock::time_point next_sample_{};
  std::chrono::steady_clock::time_point drain_deadline_{};
  ExitFacts facts_;
  sys::ChildExit init_exit_;
  UniqueFd listener_sock_;
  UniqueFd proxy_sock_;
  std::vector<UniqueFd> proxy_listeners_;
  std::optional<SeccompNotifier> notifier_;
  Violations violations_{"seccomp"};
  OnViolation on_violation_ = OnViolation::kDeny;
  int pty_master_ = -1;
  // Not zeroed: read(2) fills what is used. Zeroing 64 KiB of stack was 16 page faults of
  // every run, most of them for a command that writes nothing.
  std::array<std::byte, kChunk> buf_;  // NOLINT(cppcoreguidelines-pro-type-member-init)
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
  // Past the output limit the rest is read and dropped (so the command never blocks on a
  // full pipe), with one marker line.
  uint64_t limit = req_.policy.resources.output_limit_bytes;
  size_t keep = output_bytes_ >= limit ? 0 : std::min<uint64_t>(*n, limit - output_bytes_);
  output_bytes_ += *n;
  if (keep > 0) {
    req_.output.write(stream, std::span(buf_.data(), keep));
  }
  if (keep < *n && !output_dropped_) {
    output_dropped_ = true;
    std::string marker = fmt::format(
        "\nagentbox: output limit of {} bytes reached; further output of this run is dropped\n",
        limit);
    req_.output.write(StreamId::kStderr, std::as_bytes(std::span(marker.data(), marker.size())));
  }
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
    if (info.ssi_signo == SIGWINCH && pty_master_ >= 0) {
      // The pty's new size makes the kernel signal the sandbox's foreground job itself.
      Status ignored = copyWindowSize(req_.stdin_fd, pty_master_);
      (void)ignored;
      continue;
    }
    if (pidfd_.valid()) {
      // pid 1 forwards it to the command; a failure means the sandbox is already gone.
      Status ignored = sys::pidfdSendSignal(pidfd_, static_cast<int>(info.ssi_signo));
      (void)ignored;
    }
  }
}

void EventLoop::killSandbox() {
  cgroups_.killAll();
  if (pidfd_.valid()) {
    Status ignored = sys::pidfdSendSignal(pidfd_, SIGKILL);
    (void)ignored;
  }
}

void EventLoop::onListener() {
  Result<UniqueFd> fd = receiveSeccompListener(listener_sock_.get());
  listener_sock_.reset();  // one listener per run; EOF or error alike end this channel
  if (!fd.has_value()) {
    if (fd.error().code() != Errc::kNotFound) {
      notes.push_back("seccomp listener not received: " + fd.error().oneLine());
    }
    return;
  }
  Result<SeccompNotifier> n =
      SeccompNotifier::create(std::move(*fd), {.on_violation = on_violation_});
  if (!n.has_value()) {
    notes.push_back("seccomp violations are not reported: " + n.error().oneLine());
    return;
  }
  notifier_.emplace(std::move(*n));
}

void EventLoop::onNotify() {
  Status s = notifier_->handleReady(violations_);
  if (!s.has_value()) {
    notes.push_back("seccomp notification: " + s.error().oneLine());
    notifier_.reset();
    return;
  }
  if (notifier_->killRequested() && !facts_.killed_for_violation) {
    facts_.killed_for_violation = true;
    killSandbox();
  }
}

// The sandbox sends one listening socket per message and closes its end after the last.
void EventLoop::onProxyListeners() {
  int fd = -1;
  int err = sys_harden::recvFd(proxy_sock_.get(), &fd);
  if (err == 0) {
    proxy_listeners_.emplace_back(fd);
    return;
  }
  proxy_sock_.reset();
  if (err != EBADMSG) {
    notes.push_back("proxy listeners: recvmsg: " + std::string(strerrordesc_np(err)));
  }
  if (!proxy_listeners_.empty() && req_.on_proxy_listeners) {
    req_.on_proxy_listeners(std::move(proxy_listeners_));
  }
  proxy_listeners_.clear();
}

void EventLoop::onTimer() {
  uint64_t expirations = 0;
  if (::read(timer_.get(), &expirations, sizeof(expirations)) <= 0) {
    return;
  }
  facts_.timed_out = true;
  // SIGKILL to pid 1 tears the whole pid namespace down; the cgroup kill catches anything
  // that might be on its way out of it.
  cgroups_.killAll();
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
    addFd(fds, which, n, kListener, listener_sock_.get(), POLLIN);
    addFd(fds, which, n, kProxy, proxy_sock_.get(), POLLIN);
    if (notifier_.has_value() && !init_done_ && !notify_hung_up_) {
      addFd(fds, which, n, kNotify, notifier_->fd(), POLLIN);
    }
    AGENTBOX_ASSIGN_OR_RETURN(int ready, sys::poll(std::span(fds.data(), n), pollTimeoutMs()));
    if (!init_done_) {
      sampleCgroups();
    }
    req_.output.onIdle(std::chrono::steady_clock::now());
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
        case kListener:
          onListener();
          break;
        case kNotify:
          if ((fds[i].revents & POLLIN) == 0) {
            notify_hung_up_ = true;  // POLLHUP (or POLLERR): the filter has no task left
            break;
          }
          onNotify();
          break;
        case kProxy:
          onProxyListeners();
          break;
        case kSlots:
          break;
      }
    }
  }
}

struct Prepared {
  HostIdentity me;
  IdMapPlan ids;
  std::optional<IdmapUserns> idmap_userns;  // privileged callers: shared by every tree
  UniqueFd ws_tree;
  std::vector<UniqueFd> extra_trees;  // privileged callers: trees made here, moved by the child
  std::vector<ExtraMount> extra;
  std::vector<HiddenPath> hidden;
  std::optional<RunCgroups> cgroups;
  SeccompProgram seccomp;
  LandlockPlan landlock;
  std::vector<std::string> warnings;
  // Best-effort without user namespaces (shared_host.h): why, and the run's temp dir.
  bool shared_host = false;
  int clone_errno = 0;
  RunTempDir tmp;
};

bool isUnder(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

// The host path behind a sandbox path: the workspace, an extra bind, or the same path.
std::string hostPathOf(const std::string& sandbox_path, const std::string& workspace,
                       const std::vector<ExtraMount>& extra) {
  if (isUnder(sandbox_path, "/workspace")) {
    return workspace + sandbox_path.substr(std::string("/workspace").size());
  }
  for (const ExtraMount& m : extra) {
    if (isUnder(sandbox_path, m.sandbox_path)) {
      return m.host_path + sandbox_path.substr(m.sandbox_path.size());
    }
  }
  return sandbox_path;
}

// Extra binds of the policy, the .git guard and hidden paths. Privileged callers get trees
// made here (the child, root only inside its user namespace, cannot traverse e.g. /root).
Status planExtraMounts(const SuperviseRequest& req, Prepared& p) {
  const policy::Filesystem& fs = req.policy.filesystem;
  if (!fs.deny.empty()) {
    // Never pretend: the glob patterns are decided by policy::FsRules, but the sandbox has no
    // mount or landlock rule for them yet.
    if (req.policy.sandbox.isolation == policy::Isolation::kStrict) {
      return makeError(Errc::kUnsupported,
                       "filesystem.deny is not enforced inside the sandbox yet ({} pattern{})",
                       fs.deny.size(), fs.deny.size() == 1 ? "" : "s")
          .withHint(
              "mask the paths with filesystem.hidden instead, or pass --best-effort to run "
              "without them");
    }
    p.warnings.push_back(
        "best-effort: filesystem.deny patterns are not enforced inside the "
        "sandbox; use filesystem.hidden");
  }
  auto add = [&](const std::string& host, const std::string& sandbox, bool ro) -> Status {
    AGENTBOX_ASSIGN_OR_RETURN(struct stat st, sys::stat(host).context("bind {}", host));
    ExtraMount m{host, sandbox.empty() ? host : sandbox, ro, !S_ISDIR(st.st_mode), -1};
    if (p.me.privileged) {
      unsigned flags = OPEN_TREE_CLONE | (m.is_file ? 0U : static_cast<unsigned>(AT_RECURSIVE));
      AGENTBOX_ASSIGN_OR_RETURN(UniqueFd tree, sys::openTree(host, flags));
      AGENTBOX_TRY(
          sys::mountSetattr(tree, m.is_file ? 0 : AT_RECURSIVE,
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (ro ? MOUNT_ATTR_RDONLY : 0))
              .context("bind {}", host));
      m.tree_fd = tree.get();
      p.extra_trees.push_back(std::move(tree));
    }
    p.extra.push_back(std::move(m));
    return ok();
  };
  for (const policy::Bind& b : fs.read_only) {
    AGENTBOX_TRY(add(b.host_path, b.sandbox_path, true));
  }
  for (const policy::Bind& b : fs.read_write) {
    AGENTBOX_TRY(add(b.host_path, b.sandbox_path, false));
  }
  // In write mode .git stays read-only: a planted hook or an edited .git/config would run
  // code on the host at the next git command. A mount point cannot be renamed, removed or
  // replaced by a `.git` file with `gitdir:`, and its contents are read-only.
  std::string git = req.target.workspace + "/.git";
  Result<struct stat> git_st = sys::lstat(git);
  if (fs.mode == policy::WorkspaceMode::kWrite && !fs.allow_git_write && git_st.has_value() &&
      (S_ISDIR(git_st->st_mode) || S_ISREG(git_st->st_mode))) {
    ExtraMount m{git, "/workspace/.git", true, S_ISREG(git_st->st_mode), -1};
    if (p.me.privileged) {
      AGENTBOX_ASSIGN_OR_RETURN(UniqueFd tree, makeIdmappedTree({.path = git,
                                                                 .owner_uid = p.me.uid,
                                                                 .owner_gid = p.me.gid,
                                                                 .ids = p.ids,
                                                                 .read_only = true,
                                                                 .is_file = m.is_file,
                                                                 .userns = &*p.idmap_userns}));
      m.tree_fd = tree.get();
      p.extra_trees.push_back(std::move(tree));
    }
    p.extra.push_back(std::move(m));
  }
  for (const std::string& h : fs.hidden) {
    Result<struct stat> st = sys::stat(hostPathOf(h, req.target.workspace, p.extra));
    if (!st.has_value()) {
      continue;  // nothing there to hide
    }
    p.hidden.push_back({h, S_ISDIR(st->st_mode)});
  }
  return ok();
}

// Landlock is a required layer: strict refuses on a kernel without it.
Status planHardening(const SuperviseRequest& req, Prepared& p,
                     std::future<Result<SeccompProgram>>& seccomp) {
  AGENTBOX_ASSIGN_OR_RETURN(
      p.seccomp, seccomp.get().context("seccomp profile {}", req.policy.seccomp.profile));
  for (const std::string& w : p.seccomp.warnings) {
    p.warnings.push_back(w);
  }
  AGENTBOX_ASSIGN_OR_RETURN(int abi, detectLandlockAbi());
  LandlockRequest lr =
      p.shared_host ? sharedHostLandlockRequest(req.policy, req.target.workspace, p.tmp.path())
                    : landlockRequestForPolicy(req.policy);
  p.landlock = planLandlock(lr, abi);
  if (!p.landlock.enabled && p.shared_host) {
    return makeError(Errc::kUnsupported,
                     "neither user namespaces nor landlock are available: nothing would confine "
                     "the command's files and network")
        .withHint("run 'agentbox doctor' for the fix");
  }
  if (!p.landlock.enabled) {
    if (req.policy.sandbox.isolation == policy::Isolation::kStrict) {
      return makeError(Errc::kUnsupported, "landlock is not available on this kernel")
          .withHint("enable CONFIG_SECURITY_LANDLOCK and lsm=landlock, or pass --best-effort");
    }
    p.warnings.push_back(
        "best-effort: landlock is not available; file and port rules rely on "
        "mounts only");
  }
  for (const std::string& m : p.landlock.missing) {
    p.warnings.push_back("landlock ABI " + std::to_string(abi) + " cannot give: " + m);
  }
  return ok();
}

Result<RunCgroups> makeCgroups(const policy::Policy& policy, const std::string& name) {
  std::string mountinfo = sys::readFile("/proc/self/mountinfo").value_or(std::string());
  std::string self = sys::readFile("/proc/self/cgroup").value_or(std::string());
  CgroupLayout layout = parseCgroupLayout(mountinfo, self);
  const policy::Resources& r = policy.resources;
  return RunCgroups::create(
      {.layout = layout,
       .parent = policy.runtime.cgroup_root,
       .name = name,
       .limits = {.memory_bytes = r.memory_bytes, .cpus = r.cpus, .pids = r.pids}});
}

// Resource limits are a required layer: strict refuses without a usable cgroup; best-effort
// falls back to rlimits and says which limits are weaker.
Status planLimits(const SuperviseRequest& req, Prepared& p, ChildPlan& plan) {
  const policy::Resources& r = req.policy.resources;
  plan.rlimits = {{RLIMIT_NOFILE, r.nofile},
                  {RLIMIT_CORE, 0},
                  {RLIMIT_FSIZE, static_cast<rlim_t>(kFileSizeCap)}};
  if (p.cgroups->version() != CgroupVersion::kNone) {
    return ok();
  }
  if (req.policy.sandbox.isolation == policy::Isolation::kStrict) {
    return makeError(Errc::kUnsupported,
                     "cannot enforce the memory, cpu and pids limits: no usable cgroup ({})",
                     p.cgroups->whyNone())
        .withHint(
            "run as root, delegate a cgroup subtree to this user and set "
            "AGENTBOX_CGROUP_ROOT (docs/limits.md), or pass --best-effort");
  }
  plan.rlimits.push_back({RLIMIT_AS, static_cast<rlim_t>(r.memory_bytes)});
  plan.rlimits.push_back({RLIMIT_NPROC, r.pids});
  p.warnings.push_back(
      "best-effort: no usable cgroup (" + p.cgroups->whyNone() +
      "); memory is RLIMIT_AS per process (allocations fail with ENOMEM instead of an oom kill), "
      "processes are RLIMIT_NPROC, CPU time is not limited, and the timeout kills by pid "
      "namespace only");
  return ok();
}

std::vector<LayerStatus> sharedHostLayers(const Prepared& p) {
  std::vector<LayerStatus> layers;
  const char* name = strerrorname_np(p.clone_errno);
  std::string why = fmt::format("user namespaces unavailable (clone3: {})",
                                name != nullptr ? name : std::to_string(p.clone_errno));
  layers.push_back({"namespaces", false, "", why + "; the host's namespaces are shared"});
  layers.push_back({"uid-map", false, "", "the command runs as the caller"});
  layers.push_back({"read-only-root", false, "",
                    "no mount namespace: landlock allows reading system directories, /etc and "
                    "/proc, writing only " +
                        p.tmp.path() + " (and the workspace in write mode)"});
  layers.push_back({"capabilities", true, "all sets empty; no_new_privs", ""});
  layers.push_back({"seccomp", true,
                    fmt::format("profile={} rules={} default=EPERM; no AF_UNIX, UDP or host IPC",
                                p.seccomp.profile_name, p.seccomp.rule_count),
                    ""});
  layers.push_back({"landlock", p.landlock.enabled, p.landlock.describe(), ""});
  bool cg = p.cgroups->version() != CgroupVersion::kNone;
  layers.push_back(
      {"cgroups", cg, cg ? p.cgroups->describe() : "", cg ? "" : p.cgroups->whyNone()});
  layers.push_back({"rlimits", true,
                    cg ? "nofile, core=0, fsize" : "nofile, core=0, fsize, as, nproc (best-effort)",
                    ""});
  return layers;
}

std::vector<LayerStatus> layerReport(const Prepared& p) {
  if (p.shared_host) {
    return sharedHostLayers(p);
  }
  std::vector<LayerStatus> layers;
  layers.push_back({"namespaces", true, "user, mount, pid, net, ipc, uts, cgroup", ""});
  layers.push_back(
      {"uid-map", true,
       fmt::format("sandbox 1001:1001 = host {}:{} ({})", p.ids.host_uid_of_sandbox_user,
                   p.ids.host_gid_of_sandbox_user, p.ids.source),
       ""});
  layers.push_back({"read-only-root", true, "tmpfs root, read-only binds of /usr and /etc", ""});
  bool idmapped = p.me.privileged;
  layers.push_back({"idmapped-workspace", idmapped, idmapped ? "caller's files as 1001" : "",
                    idmapped ? "" : "not needed: the id map shows the caller's files as 1001"});
  layers.push_back({"capabilities", true,
                    "all sets empty; securebits NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED, "
                    "NO_CAP_AMBIENT_RAISE locked; no_new_privs",
                    ""});
  layers.push_back(
      {"seccomp", true,
       fmt::format("profile={} rules={} notify={} default=EPERM", p.seccomp.profile_name,
                   p.seccomp.rule_count, p.seccomp.notify_syscalls.size()),
       ""});
  layers.push_back({"landlock", p.landlock.enabled, p.landlock.enabled ? p.landlock.describe() : "",
                    p.landlock.enabled ? "" : "not available on this kernel"});
  bool cg = p.cgroups->version() != CgroupVersion::kNone;
  layers.push_back(
      {"cgroups", cg, cg ? p.cgroups->describe() : "", cg ? "" : p.cgroups->whyNone()});
  layers.push_back({"rlimits", true,
                    cg ? "nofile, core=0, fsize" : "nofile, core=0, fsize, as, nproc (best-effort)",
                    ""});
  return layers;
}

Result<Prepared> prepare(const SuperviseRequest& req) {
  Prepared p;
  // Creating the cgroups is the longest step here: it runs beside the identity, id map and
  // workspace tree steps (PendingCgroups), if the caller has not started it already. On an
  // early return the thread is waited for, and the cgroups it made are removed.
  std::optional<PendingCgroups> own_cgroups;
  PendingCgroups* cgroups = req.cgroups;
  if (cgroups == nullptr) {
    cgroups = &own_cgroups.emplace(req.policy, req.cgroup_name);
  }
  AGENTBOX_ASSIGN_OR_RETURN(p.me, detectHostIdentity());
  std::string subuid = sys::readFile("/etc/subuid").value_or(std::string());
  std::string subgid = sys::readFile("/etc/subgid").value_or(std::string());
  AGENTBOX_ASSIGN_OR_RETURN(p.ids, planIdMap(p.me, subuid, subgid));
  // Strict finds out at clone time (and refuses); best-effort asks first, so that it can
  // plan a run that shares the host's namespaces instead.
  if (req.policy.sandbox.isolation == policy::Isolation::kBestEffort) {
    if (int err = sandboxNamespacesErrno(); err != 0) {
      AGENTBOX_TRY(checkSharedHostPolicy(req.policy, req.target.workspace, p.me.privileged));
      p.shared_host = true;
      p.clone_errno = err;
      AGENTBOX_ASSIGN_OR_RETURN(p.tmp, RunTempDir::create());
      for (const std::string& m : sharedHostMissingLayers(err)) {
        p.warnings.push_back("best-effort: " + m);
      }
    }
  }
  // libseccomp takes milliseconds for the built-in profile: compile it on another thread
  // while the workspace tree and the cgroups are made.
  std::future<Result<SeccompProgram>> seccomp =
      std::async(std::launch::async, [&req, shared = p.shared_host] {
        return seccompProgramForPolicy(req.policy, shared, req.seccomp_cache);
      });
  if (p.me.privileged) {
    AGENTBOX_ASSIGN_OR_RETURN(IdmapUserns userns, IdmapUserns::create(p.me.uid, p.me.gid, p.ids));
    p.idmap_userns.emplace(std::move(userns));
    AGENTBOX_ASSIGN_OR_RETURN(
        p.ws_tree, makeIdmappedTree(
                       {.path = req.target.workspace,
                        .owner_uid = p.me.uid,
                        .owner_gid = p.me.gid,
                        .ids = p.ids,
                        .read_only = req.policy.filesystem.mode == policy::WorkspaceMode::kReadOnly,
                        .userns = &*p.idmap_userns})
                       .context("workspace {}", req.target.workspace));
  }
  AGENTBOX_ASSIGN_OR_RETURN(RunCgroups cg, cgroups->take());
  p.cgroups.emplace(std::move(cg));
  AGENTBOX_TRY(planExtraMounts(req, p));
  AGENTBOX_TRY(planHardening(req, p, seccomp));
  return p;
}

// clone3 into the namespaces (and, on v2, straight into the run's cgroup).
Result<pid_t> cloneSandbox(Prepared& p, const ChildPlan& plan, int& pidfd_raw) {
  compat::CloneArgs args{};
  args.flags = (p.shared_host ? 0 : kNamespaceFlags) | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd_raw);
  args.exit_signal = SIGCHLD;
  if (p.cgroups->cloneIntoFd() >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(p.cgroups->cloneIntoFd());
  }
  Result<pid_t> cloned = sys::clone3(args);
  if (!cloned.has_value() && (args.flags & CLONE_INTO_CGROUP) != 0 &&
      p.cgroups->version() != CgroupVersion::kV2) {
    // The controller-less cgroup2 was only for kill/events: run without it, and say so.
    p.cgroups->dropV2(cloned.error().oneLine());
    args.flags &= ~CLONE_INTO_CGROUP;
    args.cgroup = 0;
    cloned = sys::clone3(args);
  }
  if (!cloned.has_value()) {
    int err = cloned.error().sysErrno();
    std::string why = err == ENOSPC  ? "user namespaces are exhausted or disabled here "
                                       "(sysctl user.max_user_namespaces)"
                      : err == EPERM ? "this user may not create namespaces here (a sysctl, "
                                       "AppArmor's userns restriction, or a container's seccomp "
                                       "profile)"
                                     : "the kernel refused the sandbox's namespaces";
    return Error(Errc::kUnsupported,
                 "cannot create the sandbox's namespaces: " + why + ": " + cloned.error().oneLine())
        .withHint("run 'agentbox doctor' for the fix");
  }
  if (*cloned == 0) {
    runChild(plan);
  }
  return cloned;
}

void killAndReap(const UniqueFd& pidfd) {
  Status ignored = sys::pidfdSendSignal(pidfd, SIGKILL);
  (void)ignored;
  Result<sys::ChildExit> reaped = sys::waitPidfd(pidfd, WEXITED);
  (void)reaped;
}

void fillUsage(RunResult& result, const Prepared& p, const sys::ChildExit& init) {
  const struct rusage& ru = init.usage;
  result.cpu_ms = static_cast<uint64_t>((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                                        (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
  result.peak_memory_bytes = static_cast<uint64_t>(ru.ru_maxrss) * 1024;
  if (p.cgroups->version() == CgroupVersion::kNone) {
    return;
  }
  CgroupStats st = p.cgroups->stats();
  result.limits_enforced = true;
  result.cpu_ms = st.cpu_usage_ns / 1000000;
  if (st.peak_memory_bytes > 0) {
    result.peak_memory_bytes = st.peak_memory_bytes;
  }
  result.peak_pids = st.peak_pids;
  result.pids_limit_hits = st.pids_limit_hits;
  if (st.oom_kills > 0 && result.outcome != Outcome::kSetupError) {
    // The memory limit ended (part of) the run: DESIGN.md's `oom`, exit 137.
    result.outcome = Outcome::kOom;
    result.exit_code = 137;
    result.signal.reset();
    result.error =
        "the memory limit was hit and the kernel killed a process of the run (oom); "
        "raise it with --memory if the command needs more";
  }
}

}  // namespace

PendingCgroups::PendingCgroups(const policy::Policy& policy, std::string name)
    : name_(std::move(name)), made_(std::async(std::launch::async, [&policy, name = name_] {
        return makeCgroups(policy, name);
      })) {}

Result<RunResult> supervise(const SuperviseRequest& req) {
  if (req.target.argv.empty()) {
    return makeError(Errc::kInvalidInput, "no command given; usage: agentbox run -- CMD [ARGS...]");
  }
  AGENTBOX_ASSIGN_OR_RETURN(Prepared p, prepare(req));
  HostFacts host = detectHostFacts();
  ChildPlan plan = planChild({.policy = req.policy,
                              .target = req.target,
                              .host = host,
                              .ids = p.ids,
                              .workspace_tree_fd = p.ws_tree.get(),
                              .extra = p.extra,
                              .hidden = p.hidden});
  AGENTBOX_TRY(planLimits(req, p, plan));
  if (p.shared_host) {
    adaptPlanForSharedHost(plan, req.target.workspace, p.tmp.path());
  }
  AGENTBOX_ASSIGN_OR_RETURN(Channels ch, makeChannels());
  if (req.policy.network.mode == policy::NetworkMode::kProxy) {
    if (!req.on_proxy_listeners) {
      return makeError(Errc::kUnsupported,
                       "network.mode = \"proxy\" needs the egress proxy, which this caller does "
                       "not provide")
          .withHint("use network.mode = \"none\"");
    }
    AGENTBOX_TRY(addProxyChannel(ch));
    plan.proxy_sock = ch.proxy_child.get();
    plan.proxy_port = kProxyPort;
  }
  plan.sync_fd = ch.sync.read.get();
  plan.report_fd = ch.report.write.get();
  plan.stdin_fd = ch.in.read.get();
  plan.stdout_fd = ch.out.write.get();
  plan.stderr_fd = ch.err.write.get();
  // An interactive caller (stdin is a terminal) gets a pseudo-terminal: one stream, its own
  // line discipline (Ctrl-C becomes SIGINT inside), the caller's window size.
  std::optional<PtyPair> pty;
  if (req.stdin_fd >= 0 && ::isatty(req.stdin_fd) == 1) {
    AGENTBOX_ASSIGN_OR_RETURN(PtyPair pair, openPty(req.stdin_fd));
    pty.emplace(std::move(pair));
    plan.stdin_fd = plan.stdout_fd = plan.stderr_fd = pty->slave.get();
    plan.controlling_tty = true;
  }
  plan.seccomp_sock = ch.seccomp_child.get();
  plan.seccomp = &p.seccomp;
  plan.landlock = p.landlock.enabled ? &p.landlock : nullptr;
  plan.keep_fds = {plan.sync_fd,   plan.report_fd, plan.stdin_fd,
                   plan.stdout_fd, plan.stderr_fd, plan.seccomp_sock};
  if (plan.proxy_sock >= 0) {
    plan.keep_fds.push_back(plan.proxy_sock);
  }
  if (p.ws_tree.valid()) {
    plan.keep_fds.push_back(p.ws_tree.get());
  }
  AGENTBOX_ASSIGN_OR_RETURN(std::vector<UniqueFd> join_fds, p.cgroups->openJoinFiles());
  for (const UniqueFd& fd : join_fds) {
    plan.cgroup_join_fds.push_back(fd.get());
    plan.keep_fds.push_back(fd.get());
  }
  for (const UniqueFd& t : p.extra_trees) {
    plan.keep_fds.push_back(t.get());
  }
  std::sort(plan.keep_fds.begin(), plan.keep_fds.end());
  plan.keep_fds.erase(std::unique(plan.keep_fds.begin(), plan.keep_fds.end()), plan.keep_fds.end());

  SignalScope signals;
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd sigfd, sys::signalFd(forwardedSignals()));
  AGENTBOX_ASSIGN_OR_RETURN(UniqueFd timer, sys::timerFd());
  auto started = std::chrono::steady_clock::now();
  int pidfd_raw = -1;
  AGENTBOX_ASSIGN_OR_RETURN(pid_t pid, cloneSandbox(p, plan, pidfd_raw));
  UniqueFd pidfd(pidfd_raw);
  ch.sync.read.reset();
  ch.report.write.reset();
  ch.in.read.reset();
  ch.out.write.reset();
  ch.err.write.reset();
  ch.seccomp_child.reset();
  ch.proxy_child.reset();
  p.ws_tree.reset();
  p.extra_trees.clear();
  join_fds.clear();
  std::optional<RawTerminal> raw;
  if (pty.has_value()) {
    // The pty master replaces the pipes: output is read from it, input written to it.
    pty->slave.reset();
    ch.in.read.reset();
    ch.err.read.reset();
    ch.out.read = UniqueFd(::fcntl(pty->master.get(), F_DUPFD_CLOEXEC, 3));
    ch.in.write = UniqueFd(::fcntl(pty->master.get(), F_DUPFD_CLOEXEC, 3));
    ::fcntl(pty->master.get(), F_SETFL, ::fcntl(pty->master.get(), F_GETFL) | O_NONBLOCK);
    AGENTBOX_ASSIGN_OR_RETURN(RawTerminal r, RawTerminal::enter(req.stdin_fd));
    raw.emplace(std::move(r));
  }
  // The child is in its cgroups from its first step (v2: cloned into it; v1: it wrote "0" to
  // the tasks files before waiting here), so nothing it or the command does is unlimited.
  // First sync byte: the id maps are written, the child builds the sandbox while on_started
  // runs. Second byte: the command may start.
  Status joined =
      p.shared_host ? ok() : writeIdMaps(pid, p.ids).context("cannot write the sandbox's id maps");
  if (joined.has_value()) {
    joined = sys::writeAll(ch.sync.write.get(), "m");
  }
  if (!joined.has_value()) {
    killAndReap(pidfd);
    return std::move(joined).error();
  }
  // Everything the layer report reads is settled once the clone is done (dropV2 included).
  std::vector<LayerStatus> layers = layerReport(p);
  if (req.on_started) {
    if (Status s = req.on_started(pid, p.cgroups->dirs(), layers); !s.has_value()) {
      killAndReap(pidfd);
      return std::move(s).error();
    }
  }
  if (req.policy.resources.timeout_ms > 0) {
    AGENTBOX_TRY(sys::timerArm(timer, std::chrono::milliseconds(req.policy.resources.timeout_ms)));
  }
  // The write end stays open for the whole run: the child reads a hang-up as our death.
  AGENTBOX_TRY(sys::writeAll(ch.sync.write.get(), "g"));

  EventLoop loop(req, ch, *p.cgroups, std::move(pidfd), std::move(sigfd), std::move(timer));
  if (pty.has_value()) {
    loop.setPtyMaster(pty->master.get());
  }
  if (ch.proxy_parent.valid()) {
    loop.watchProxy(std::move(ch.proxy_parent));
  }
  loop.watchSeccomp(std::move(ch.seccomp_parent), p.seccomp.profile_name,
                    notifierOptionsForPolicy(req.policy).on_violation);
  AGENTBOX_TRY(loop.run());
  req.output.finish();
  RunResult result = classifyExit(loop.facts());
  result.wall_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - started)
                                             .count());
  fillUsage(result, p, loop.initExit());
  result.output_truncated = loop.outputTruncated();
  result.layers = std::move(layers);
  result.violations = loop.takeViolations();
  result.violations_suppressed = loop.suppressedViolations();
  result.warnings = p.warnings;
  for (const std::string& n : loop.notes) {
    result.warnings.push_back(n);
  }
  for (const std::string& n : p.cgroups->notes()) {
    result.warnings.push_back(n);
  }
  return result;
}

}  // namespace agentbox::sandbox
