// SPDX-License-Identifier: Apache-2.0
// File: egress_proxy.cc
// The loop thread, the listeners and the accept loop; sessions do the rest.
#include "proxy/egress_proxy.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <optional>
#include <thread>

#include "proxy/session.h"

namespace agentbox::proxy {

struct EgressProxy::Impl {
  Impl(const ProxyOptions& options, EventSink& sink) : ctx(io, options, sink) {}

  void accept(const std::shared_ptr<tcp::acceptor>& acceptor);
  void closeEverything();

  // `ctx` is declared before `io` so that it outlives it: the io_context's destructor
  // destroys pending handlers, and with them sessions that still reach into the context.
  // (It only stores a reference to `io` while `io` is being constructed.)
  ProxyContext ctx;
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors;  // loop thread only
  std::thread thread;
};

void EgressProxy::Impl::accept(const std::shared_ptr<tcp::acceptor>& acceptor) {
  acceptor->async_accept([this, acceptor](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) {
      return;
    }
    if (!ec) {
      std::make_shared<Session>(ctx, std::move(socket))->start();
    } else if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
      // Out of fds: back off briefly rather than spin on the pending connection.
      auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(50));
      timer->async_wait([this, acceptor, timer](boost::system::error_code) { accept(acceptor); });
      return;
    }
    accept(acceptor);
  });
}

void EgressProxy::Impl::closeEverything() {
  for (auto& a : acceptors) {
    boost::system::error_code ignored;
    a->close(ignored);
  }
  acceptors.clear();
  std::vector<Session*> sessions(ctx.live.begin(), ctx.live.end());
  for (Session* s : sessions) {
    s->shutdown();
  }
}

EgressProxy::EgressProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EgressProxy::~EgressProxy() {
  stop();
}

Result<std::unique_ptr<EgressProxy>> EgressProxy::create(const ProxyOptions& options,
                                                         EventSink& sink) {
  if (options.max_connections == 0) {
    return makeError(Errc::kInvalidInput, "network.max_connections must be at least 1");
  }
  return std::unique_ptr<EgressProxy>(new EgressProxy(std::make_unique<Impl>(options, sink)));
}

Status EgressProxy::start() {
  if (impl_->thread.joinable()) {
    return makeError(Errc::kInternal, "egress proxy started twice");
  }
  impl_->work.emplace(impl_->io.get_executor());
  // The loop thread takes no signals: SIGINT and friends belong to the command, and the
  // supervisor reads them from its signalfd, which only works while no thread accepts them.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  try {
    impl_->thread = std::thread([impl = impl_.get()] {
      pthread_setname_np(pthread_self(), "agentbox-proxy");
      impl->io.run();
    });
  } catch (const std::system_error& e) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return makeError(Errc::kResource, "cannot start the egress proxy thread: {}", e.what());
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok();
}

Status EgressProxy::addListener(UniqueFd listening) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getsockname(listening.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return Error::sys(errno, "getsockname(proxy listener)");
  }
  if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) {
    return makeError(Errc::kInvalidInput, "proxy listener is not a TCP socket");
  }
  tcp protocol = ss.ss_family == AF_INET ? tcp::v4() : tcp::v6();
  int fd = listening.release();
  asio::post(impl_->io, [impl = impl_.get(), protocol, fd] {
    auto acceptor = std::make_shared<tcp::acceptor>(impl->io);
    boost::system::error_code ec;
    acceptor->assign(protocol, fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    impl->acceptors.push_back(acceptor);
    impl->accept(acceptor);
  });
  return ok();
}

void EgressProxy::stop() {
  if (!impl_ || !impl_->thread.joinable()) {
    return;
  }
  // Sessions record what is in flight and close; a getaddrinfo still running on asio's
  // resolver thread is not waited for (io.stop()).
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->closeEverything();
    impl->work.reset();
    impl->io.stop();
  });
  impl_->thread.join();
}

void EgressProxy::updateNetwork(NetworkUpdate update) {
  if (!impl_ || !impl_->thread.joinable() || update.rules == nullptr) {
    return;
  }
  asio::post(impl_->io, [impl = impl_.get(), u = std::move(update)]() mutable {
    ProxyContext& c = impl->ctx;
    c.rules = std::move(u.rules);
    c.rate = std::move(u.rate);
    c.robots = std::move(u.robots);
    // The user-agent or the rules robots.txt is fetched through may have changed.
    c.robots_cache.clear();
    ++c.stats.updates;
  });
}

ProxyStats EgressProxy::stats() const {
  return impl_->ctx.stats;
}

}  // namespace agentbox::proxy
