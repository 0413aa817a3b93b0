// SPDX-License-Identifier: Apache-2.0
// File: probe.cc
// A static test program run inside the sandbox by the integration tests. Each subcommand
// tries one thing and prints "ok" or "errno NAME" so the test asserts specific evidence.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int report(int rc) {
  if (rc == 0) {
    std::puts("ok");
  } else {
    std::printf("errno %s\n", strerrorname_np(errno));
  }
  return 0;
}

int tcpConnect(const char* host, const char* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(port)));
  ::inet_pton(AF_INET, host, &addr.sin_addr);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  return report(rc);
}

int abstractConnect(const char* name) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t len = std::strlen(name);
  std::memcpy(addr.sun_path + 1, name, len);  // leading NUL: the abstract namespace
  auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + len);
  return report(::connect(fd, reinterpret_cast<sockaddr*>(&addr), size));
}

int shmAttach(const char* id) {
  void* p = ::shmat(std::atoi(id), nullptr, SHM_RDONLY);
  return report(p == reinterpret_cast<void*>(-1) ? -1 : 0);
}

int ids() {
  uid_t r = 0, e = 0, s = 0;
  ::getresuid(&r, &e, &s);
  std::printf("ruid=%u euid=%u suid=%u\n", r, e, s);
  return 0;
}

// Makes `n` denied syscalls (unshare) as fast as it can: a flood of seccomp violations.
int flood(const char* n) {
  long count = std::atol(n);
  long denied = 0;
  for (long i = 0; i < count; ++i) {
    if (::unshare(CLONE_NEWUSER) != 0 && errno == EPERM) {
      ++denied;
    }
  }
  std::printf("denied=%ld\n", denied);
  return 0;
}

int session() {
  std::printf("sid=%d pid=%d pgid=%d\n", ::getsid(0), ::getpid(), ::getpgid(0));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "tcp" && argc == 4) {
    return tcpConnect(argv[2], argv[3]);
  }
  if (cmd == "abstract" && argc == 3) {
    return abstractConnect(argv[2]);
  }
  if (cmd == "shm" && argc == 3) {
    return shmAttach(argv[2]);
  }
  if (cmd == "session") {
    return session();
  }
  if (cmd == "ids") {
    return ids();
  }
  if (cmd == "flood" && argc == 3) {
    return flood(argv[2]);
  }
  std::fprintf(stderr,
               "usage: probe tcp HOST PORT | abstract NAME | shm ID | session | ids | flood N\n");
  return 2;
}
