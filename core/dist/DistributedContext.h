// One process per GPU (or per CPU rank) through PyTorch's own distributed engine, c10d: a TCPStore rendezvous
// (rank 0 serves it at masterAddr:masterPort) and a process group — ProcessGroupNCCL for CUDA ranks, Gloo for CPU
// ranks — of which the rest of the core uses three collectives: allReduceSum, broadcast, barrier.
//
// The single-process context (world 1) does nothing and costs nothing, so evaluation and calibration are written
// once for both cases: they shard their work with shardRange() and reduce with allReduceSum() unconditionally.
//
// Which backends exist is decided when the project is configured (cmake prints "JointQuant: c10d backends: ...");
// asking for one that is not built in is a jq::Error(Unsupported) at run time, naming what is available.
#pragma once

#include <ATen/ATen.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace jq {

enum class DistBackend { Auto, Gloo, Nccl };
const char* toString(DistBackend b);            // "auto", "gloo", "nccl"
DistBackend parseDistBackend(const std::string& s);  // throws jq::Error(InvalidInput)

// Backends compiled into this build ("gloo", "nccl"); empty when LibTorch has no c10d.
std::vector<std::string> availableDistBackends();

struct DistributedOptions {
  int worldSize = 1;                 // processes in the job (one per GPU)
  int rank = 0;                      // this process, 0 … worldSize−1
  int localRank = -1;                // rank on this host (picks cuda:localRank); −1 = rank (one host)
  std::string masterAddr = "127.0.0.1";
  int masterPort = 29500;
  DistBackend backend = DistBackend::Auto;  // Auto: NCCL when `device` is CUDA, else Gloo
  std::string device = "cpu";        // what the ranks compute on: "cpu" or "cuda" (any index is replaced)
  std::chrono::milliseconds timeout = std::chrono::minutes(10);  // rendezvous and each collective
};

// [begin, end) of a contiguous share of n items: rank r of w gets [r·n/w, (r+1)·n/w). Balanced to one item.
struct ShardRange {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t size() const { return end - begin; }
};
ShardRange shardRange(int64_t n, int rank, int worldSize);

// A TCP port that is free on 127.0.0.1 right now (the kernel's choice), for a local job's rendezvous.
int freeLocalPort();

class DistributedContext {
 public:
  // The world-1 context: rank 0, no communication, device from `device` ("cpu" by default).
  static const DistributedContext& single();

  // Joins the job (blocks until every rank has connected, or throws after options.timeout). worldSize 1 gives a
  // single-process context. Throws jq::Error(InvalidInput) for inconsistent options, (Unsupported) when the
  // backend is not built in, (Io) when the rendezvous or the process group fails.
  static std::unique_ptr<DistributedContext> create(const DistributedOptions& options);

  ~DistributedContext();
  DistributedContext(const DistributedContext&) = delete;
  DistributedContext& operator=(const DistributedContext&) = delete;

  int rank() const { return rank_; }
  int worldSize() const { return worldSize_; }
  int localRank() const { return localRank_; }
  bool isRoot() const { return rank_ == 0; }
  bool isDistributed() const { return worldSize_ > 1; }
  DistBackend backend() const { return backend_; }  // Auto only for the single-process context
  // Where this rank computes: cuda:localRank for NCCL ranks, the CPU for Gloo ranks (and world 1: cpu).
  at::Device device() const { return device_; }

  // This rank's contiguous share of n items (windows, calibration windows).
  ShardRange shard(int64_t n) const { return shardRange(n, rank_, worldSize_); }

  // Element-wise sum over all ranks, in place, on every rank. Any device and dtype: a tensor the backend cannot
  // take directly (a CPU tensor under NCCL, a CUDA one under Gloo, a non-contiguous one) goes through a copy.
  void allReduceSum(at::Tensor& tensor) const;
  // Sums of a few doubles (counters, loss sums) in one collective, in float64.
  void allReduceSum(std::vector<double>& values) const;
  // `tensor` on every rank becomes root's (same shape and dtype on every rank).
  void broadcast(at::Tensor& tensor, int root = 0) const;
  void barrier() const;

 private:
  struct Impl;
  DistributedContext(int rank, int worldSize, int localRank, DistBackend backend, at::Device device,
                     std::unique_ptr<Impl> impl);
  int rank_ = 0;
  int worldSize_ = 1;
  int localRank_ = 0;
  DistBackend backend_ = DistBackend::Auto;
  at::Device device_ = at::kCPU;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jq
