// SPDX-License-Identifier: Apache-2.0
// File: slow_writer.cc
// End-to-end test of `agentbox redact` against a slow writer (issue 16).
//   slow_writer [--delay-ms N] TEXT      prints TEXT one byte every N ms (default 100)
//   slow_writer --check AGENTBOX         runs `slow_writer TEXT | AGENTBOX redact`, reads the
//                                        output as it arrives and checks that the secret never
//                                        appears and that text before it was released by the
//                                        50 ms idle flush long before the writer finished.
// Exit 0 on success, 1 with a reason on stderr.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kText =
    "progress: 42%; here: 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 done\n";
constexpr const char* kSecretBody = "Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IL";

int writeSlowly(const std::string& text, int delay_ms) {
  for (char c : text) {
    if (::write(STDOUT_FILENO, &c, 1) != 1) {
      return 1;
    }
    ::usleep(static_cast<useconds_t>(delay_ms) * 1000);
  }
  return 0;
}

int fail(const std::string& why) {
  std::fprintf(stderr, "slow_writer: FAIL: %s\n", why.c_str());
  return 1;
}

// True if `out` contains any 6-byte piece of the secret body.
bool leaks(const std::string& out) {
  const std::string body = kSecretBody;
  for (size_t i = 0; i + 6 <= body.size(); ++i) {
    if (out.find(body.substr(i, 6)) != std::string::npos) {
      return true;
    }
  }
  return false;
}

int check(const char* self, const char* agentbox) {
  char state_dir[] = "/tmp/agentbox-slow-writer-XXXXXX";
  if (::mkdtemp(state_dir) == nullptr) {
    return fail("mkdtemp");
  }
  int a[2];
  int b[2];
  if (::pipe2(a, O_CLOEXEC) != 0 || ::pipe2(b, O_CLOEXEC) != 0) {
    return fail("pipe2");
  }
  const auto t0 = Clock::now();
  pid_t writer = ::fork();
  if (writer == 0) {
    ::dup2(a[1], STDOUT_FILENO);
    ::execl(self, self, kText, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pid_t redactor = ::fork();
  if (redactor == 0) {
    ::dup2(a[0], STDIN_FILENO);
    ::dup2(b[1], STDOUT_FILENO);
    ::setenv("AGENTBOX_STATE_DIR", state_dir, 1);
    ::execl(agentbox, agentbox, "redact", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(a[0]);
  ::close(a[1]);
  ::close(b[1]);
  std::string out;
  double first_output_s = -1;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(b[0], buf, sizeof(buf));
    if (n <= 0) {
      break;
    }
    if (first_output_s < 0) {
      first_output_s = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    out.append(buf, static_cast<size_t>(n));
    if (leaks(out)) {
      return fail("secret bytes reached the output: " + out);
    }
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - t0).count();
  int ws = 0;
  int rs = 0;
  ::waitpid(writer, &ws, 0);
  ::waitpid(redactor, &rs, 0);
  std::string cleanup = std::string("rm -rf ") + state_dir;
  (void)std::system(cleanup.c_str());
  if (!WIFEXITED(rs) || WEXITSTATUS(rs) != 0) {
    return fail("agentbox redact did not exit 0");
  }
  if (out.find("here: [REDACTED:github-pat:") == std::string::npos ||
      out.find(" done\n") == std::string::npos) {
    return fail("unexpected output: " + out);
  }
  // The writer needs ~2.1 s for the 21 bytes before the secret and ~6.8 s in all. Without the
  // idle flush nothing would be written before end of input (the text is shorter than the
  // engine's tail hold).
  if (first_output_s < 0 || first_output_s > total_s - 3.0) {
    return fail("no output before the writer finished: first output at " +
                std::to_string(first_output_s) + " s of " + std::to_string(total_s) + " s");
  }
  std::printf("slow_writer: ok: first output after %.2f s, input done after %.2f s\n",
              first_output_s, total_s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  if (argc == 3 && std::strcmp(argv[1], "--check") == 0) {
    return check(argv[0], argv[2]);
  }
  int delay_ms = 100;
  int i = 1;
  if (argc >= 4 && std::strcmp(argv[1], "--delay-ms") == 0) {
    delay_ms = std::atoi(argv[2]);
    i = 3;
  }
  if (i + 1 != argc) {
    std::fprintf(stderr, "usage: slow_writer [--delay-ms N] TEXT | slow_writer --check AGENTBOX\n");
    return 2;
  }
  return writeSlowly(argv[i], delay_ms);
}
