#include "Interrupt.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

namespace jq::cli {
namespace {

// Only a lock-free atomic may be written from a signal handler. CancellationToken's flag is a std::atomic<bool>;
// where that is lock-free (every platform we build for) the handler cancels the token itself, otherwise a watcher
// thread polls the plain sig_atomic_t the handler sets and cancels for it.
constexpr bool kCancelInHandler = std::atomic<bool>::is_always_lock_free;

const CancellationToken* gToken = nullptr;        // set before the handlers are installed, never changed after
volatile std::sig_atomic_t gSignal = 0;           // the first signal received, 0 while none

const char kIntMessage[] = "\njointquant: interrupted (SIGINT), cancelling; press Ctrl-C again to stop at once\n";
const char kTermMessage[] = "\njointquant: terminated (SIGTERM), cancelling; a second signal stops at once\n";

extern "C" void onInterrupt(int sig) {
  if (gSignal != 0) {
    // The second signal: its default action (terminate) right away. Atomic writes may leave a temporary
    // `<name>.tmp-*` beside the output, never a partial output file.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  gSignal = sig;
  if constexpr (kCancelInHandler) gToken->cancel();
  const bool isInt = sig == SIGINT;
  const ssize_t ignored = ::write(STDERR_FILENO, isInt ? kIntMessage : kTermMessage,
                                  isInt ? sizeof kIntMessage - 1 : sizeof kTermMessage - 1);
  (void)ignored;
}

}  // namespace

const CancellationToken& interruptToken() {
  static const CancellationToken token;
  return token;
}

void installInterruptHandlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  gToken = &interruptToken();
  if constexpr (!kCancelInHandler) {
    std::thread([] {
      while (gSignal == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      gToken->cancel();
    }).detach();
  }
  struct sigaction sa {};
  sa.sa_handler = onInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // a blocking read or write goes on; the job stops at its next cancellation check
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    // A signal ignored when we were started (nohup, `cmd &` in a non-interactive shell) stays ignored.
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

int cancelledExitCode() { return gSignal != 0 ? 128 + int(gSignal) : 130; }

}  // namespace jq::cli
