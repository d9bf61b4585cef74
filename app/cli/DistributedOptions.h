// The multi-process options of `eval`, `quantize` and `compare` (one process per GPU through c10d):
//   --nproc N                 processes in the job (1 = this process alone)
//   --rank R                  this process's rank; without it, --nproc N > 1 is the launcher mode: jointquant starts
//                             N local copies of itself (ranks 0…N−1, same arguments), waits for them, forwards
//                             SIGINT/SIGTERM, and exits with the first failing rank's status
//   --local-rank R            rank on this host (picks cuda:R; default --rank)
//   --master-addr A / --master-port P   rank 0's TCPStore rendezvous (default 127.0.0.1, a free port when launching,
//                             else 29500)
//   --dist-backend B          auto (NCCL for --device cuda, Gloo for cpu), gloo or nccl
//   --dist-timeout S          seconds for the rendezvous and each collective
// Ranks other than 0 write nothing to stdout and no files (isRootRank() is false there).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "CommandLine.h"
#include "dist/DistributedContext.h"

namespace jq::cli {

// The option specs above, for a command's CommandLine.
const std::vector<OptionSpec>& distributedOptionSpecs();

// What a command does with them, right after parsing:
//   DistributedRun dist(cl);
//   if (dist.launched()) return dist.exitCode();   // launcher mode: the children did the work
//   ... dist.context() for the core, dist.isRoot() before writing anything ...
class DistributedRun {
 public:
  explicit DistributedRun(const CommandLine& cl);
  ~DistributedRun();
  DistributedRun(const DistributedRun&) = delete;
  DistributedRun& operator=(const DistributedRun&) = delete;

  bool launched() const { return launched_; }
  int exitCode() const { return exitCode_; }
  const DistributedContext& context() const;
  bool isRoot() const { return context().isRoot(); }

 private:
  bool launched_ = false;
  int exitCode_ = 0;
  std::unique_ptr<DistributedContext> context_;
};

// False in a rank other than 0 of a distributed run of this process: outputs (stdout, --json, --csv) are rank 0's.
bool isRootRank();

// Launcher mode: runs `nproc` copies of this executable (/proc/self/exe) with this process's own arguments plus
// `extraArgs` and "--rank r", each in its own process group; returns 0 or the first failing rank's exit status
// (the others are stopped), after saying on stderr which rank failed.
int launchLocalRanks(int nproc, const std::vector<std::string>& extraArgs);

}  // namespace jq::cli
