#include "DistributedOptions.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "common/Error.h"

namespace jq::cli {

namespace {

bool gRoot = true;

std::vector<std::string> ownArguments() {
  // The whole original command line (global options and command included), as the kernel recorded it.
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  size_t start = 0;
  while (start < all.size()) {
    const size_t end = all.find('\0', start);
    out.push_back(all.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (out.empty()) throw Error(ErrorKind::Io, "cannot read this process's arguments (/proc/self/cmdline)");
  return out;
}

std::atomic<int> gForwardSignal{0};
extern "C" void onLauncherSignal(int sig) { gForwardSignal.store(sig); }

}  // namespace

const std::vector<OptionSpec>& distributedOptionSpecs() {
  static const std::vector<OptionSpec> specs = {
      {"nproc", "N", "processes (one per GPU); without --rank, start N local ranks of this command", "1"},
      {"rank", "R", "this process's rank in a job started by hand (0..nproc-1)", ""},
      {"local-rank", "R", "rank on this host: computes on cuda:R (default: --rank)", ""},
      {"master-addr", "A", "address of rank 0's rendezvous (TCPStore)", "127.0.0.1"},
      {"master-port", "P", "port of rank 0's rendezvous (default: a free port when launching, else 29500)", ""},
      {"dist-backend", "B", "auto (nccl for cuda, gloo for cpu), gloo or nccl", "auto"},
      {"dist-timeout", "S", "seconds for the rendezvous and each collective", "600"},
  };
  return specs;
}

bool isRootRank() { return gRoot; }

DistributedRun::DistributedRun(const CommandLine& cl) {
  const int64_t nproc = cl.getInt("nproc");
  if (nproc < 1 || nproc > 1024) throw Error(ErrorKind::InvalidInput, "--nproc must be between 1 and 1024");
  if (nproc == 1 && !cl.has("rank")) return;  // one process: the single-process context
  if (!cl.has("rank")) {
    std::vector<std::string> extra;
    if (!cl.has("master-port")) extra = {"--master-port", std::to_string(freeLocalPort())};
    exitCode_ = launchLocalRanks(int(nproc), extra);
    launched_ = true;
    return;
  }
  DistributedOptions o;
  o.worldSize = int(nproc);
  o.rank = int(cl.getInt("rank"));
  o.localRank = cl.has("local-rank") ? int(cl.getInt("local-rank")) : -1;
  o.masterAddr = cl.get("master-addr");
  o.masterPort = cl.has("master-port") ? int(cl.getInt("master-port")) : 29500;
  o.backend = parseDistBackend(cl.get("dist-backend"));
  o.device = cl.get("device").rfind("cuda", 0) == 0 ? "cuda" : cl.get("device");
  o.timeout = std::chrono::milliseconds(int64_t(cl.getDouble("dist-timeout") * 1000.0));
  if (o.rank != 0) {
    // Only rank 0 speaks on stdout; the others keep stderr for errors.
    gRoot = false;
    const int devNull = ::open("/dev/null", O_WRONLY);
    if (devNull >= 0) {
      std::fflush(stdout);
      ::dup2(devNull, STDOUT_FILENO);
      ::close(devNull);
    }
  }
  context_ = DistributedContext::create(o);
}

DistributedRun::~DistributedRun() = default;

const DistributedContext& DistributedRun::context() const {
  return context_ ? *context_ : DistributedContext::single();
}

int launchLocalRanks(int nproc, const std::vector<std::string>& extraArgs) {
  std::vector<std::string> base = ownArguments();
  base.insert(base.end(), extraArgs.begin(), extraArgs.end());
  std::vector<pid_t> pids(size_t(nproc), -1);
  std::fflush(stdout);
  std::fflush(stderr);

  struct sigaction sa {}, oldInt{}, oldTerm{};
  sa.sa_handler = onLauncherSignal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &oldInt);
  ::sigaction(SIGTERM, &sa, &oldTerm);

  auto stopAll = [&](int sig) {
    for (pid_t p : pids)
      if (p > 0) ::kill(p, sig);
  };
  for (int r = 0; r < nproc; ++r) {
    std::vector<std::string> args = base;
    args.push_back("--rank");
    args.push_back(std::to_string(r));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
      stopAll(SIGTERM);
      throw Error(ErrorKind::Io, std::string("cannot start rank ") + std::to_string(r) + ": " + std::strerror(errno));
    }
    if (pid == 0) {
      ::setpgid(0, 0);  // the launcher forwards signals; a terminal's Ctrl-C must not reach the ranks twice
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      ::execv("/proc/self/exe", argv.data());
      std::fprintf(stderr, "jointquant: cannot run /proc/self/exe for rank %d: %s\n", r, std::strerror(errno));
      ::_exit(127);
    }
    pids[size_t(r)] = pid;
  }

  int firstFailure = 0, failedRank = -1, running = nproc;
  bool forwarded = false;
  while (running > 0) {
    if (const int sig = gForwardSignal.exchange(0)) {
      stopAll(sig);
      forwarded = true;
    }
    int status = 0;
    const pid_t done = ::waitpid(-1, &status, 0);
    if (done < 0) {
      if (errno == EINTR) continue;
      break;
    }
    int rank = -1;
    for (int r = 0; r < nproc; ++r)
      if (pids[size_t(r)] == done) rank = r;
    if (rank < 0) continue;
    pids[size_t(rank)] = -1;
    --running;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0 && firstFailure == 0) {
      firstFailure = code;
      failedRank = rank;
      // The others would wait for the failed rank in their next collective until the timeout: stop them now.
      stopAll(SIGTERM);
    }
  }
  ::sigaction(SIGINT, &oldInt, nullptr);
  ::sigaction(SIGTERM, &oldTerm, nullptr);
  if (firstFailure != 0 && !forwarded)
    std::fprintf(stderr, "jointquant: rank %d of %d failed (exit status %d); the other ranks were stopped\n",
                 failedRank, nproc, firstFailure);
  return firstFailure;
}

}  // namespace jq::cli
