#include "dist/DistributedContext.h"

#include <torch/version.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>

#include "common/Error.h"
#include "common/Log.h"

// Which c10d pieces this build has. CMake (cmake/JqDistributed.cmake) defines JQ_HAVE_C10D_* after finding the
// headers; __has_include keeps a build that misdetects them compiling (the backend is then reported absent).
#if defined(JQ_HAVE_C10D) && __has_include(<torch/csrc/distributed/c10d/TCPStore.hpp>)
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#define JQ_C10D_STORE 1
#endif

#if defined(JQ_C10D_STORE) && defined(JQ_HAVE_C10D_GLOO) && __has_include(<gloo/algorithm.h>) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>)
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO  // the header is empty without it (PyTorch's own builds define it, Debian's CMake files do not)
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#define JQ_C10D_GLOO 1
#endif

#if defined(JQ_C10D_STORE) && defined(JQ_HAVE_C10D_NCCL) && __has_include(<nccl.h>) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#define JQ_C10D_NCCL 1
#endif

namespace jq {

const char* toString(DistBackend b) {
  switch (b) {
    case DistBackend::Auto: return "auto";
    case DistBackend::Gloo: return "gloo";
    case DistBackend::Nccl: return "nccl";
  }
  return "auto";
}

DistBackend parseDistBackend(const std::string& s) {
  for (DistBackend b : {DistBackend::Auto, DistBackend::Gloo, DistBackend::Nccl})
    if (s == toString(b)) return b;
  throw Error(ErrorKind::InvalidInput, "unknown distributed backend '" + s + "' (expected auto, gloo, nccl)");
}

std::vector<std::string> availableDistBackends() {
  std::vector<std::string> out;
#ifdef JQ_C10D_GLOO
  out.push_back("gloo");
#endif
#ifdef JQ_C10D_NCCL
  out.push_back("nccl");
#endif
  return out;
}

ShardRange shardRange(int64_t n, int rank, int worldSize) {
  if (worldSize < 1 || rank < 0 || rank >= worldSize)
    throw Error(ErrorKind::Internal, "shardRange: rank " + std::to_string(rank) + " of " + std::to_string(worldSize));
  return {n * rank / worldSize, n * (rank + 1) / worldSize};
}

int freeLocalPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error(ErrorKind::Io, "cannot open a socket to find a free port");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (!ok) throw Error(ErrorKind::Io, "cannot find a free TCP port on 127.0.0.1");
  return ntohs(a.sin_port);
}

// The process group behind a context, type-erased: the c10d classes differ between LibTorch 1.13 (ProcessGroup
// subclasses) and 2.x (Backend subclasses), but allreduce/broadcast on the backend object exist in both.
struct DistributedContext::Impl {
#ifdef JQ_C10D_STORE
  c10::intrusive_ptr<c10d::Store> store;
#endif
  at::Device commDevice = at::kCPU;  // where the backend takes tensors
  std::function<void(std::vector<at::Tensor>&)> allreduce;
  std::function<void(std::vector<at::Tensor>&, int)> broadcast;
};

namespace {

std::string availableText() {
  std::string s;
  for (const auto& b : availableDistBackends()) s += (s.empty() ? "" : ", ") + b;
  return s.empty() ? "none (this LibTorch build has no c10d backends)" : s;
}

[[noreturn]] void notBuilt(DistBackend b) {
  throw Error(ErrorKind::Unsupported, std::string("the c10d backend '") + toString(b) +
                                          "' is not built into this jointquant (available: " + availableText() +
                                          "); rebuild against a LibTorch that ships its headers");
}

template <class Fn>
void guarded(const std::string& what, int rank, Fn&& fn) {
  try {
    fn();
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Error(ErrorKind::Io, what + " failed on rank " + std::to_string(rank) + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Error(ErrorKind::Io, what + " failed on rank " + std::to_string(rank) + ": " + e.what());
  }
}

bool isLoopback(const std::string& addr) { return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1"; }

}  // namespace

DistributedContext::DistributedContext(int rank, int worldSize, int localRank, DistBackend backend, at::Device device,
                                       std::unique_ptr<Impl> impl)
    : rank_(rank), worldSize_(worldSize), localRank_(localRank), backend_(backend), device_(device),
      impl_(std::move(impl)) {}

DistributedContext::~DistributedContext() = default;

const DistributedContext& DistributedContext::single() {
  static const DistributedContext s(0, 1, 0, DistBackend::Auto, at::kCPU, nullptr);
  return s;
}

std::unique_ptr<DistributedContext> DistributedContext::create(const DistributedOptions& o) {
  if (o.worldSize < 1) throw Error(ErrorKind::InvalidInput, "--nproc must be at least 1");
  if (o.rank < 0 || o.rank >= o.worldSize)
    throw Error(ErrorKind::InvalidInput,
                "--rank " + std::to_string(o.rank) + " is outside 0.." + std::to_string(o.worldSize - 1));
  if (o.masterPort < 1 || o.masterPort > 65535)
    throw Error(ErrorKind::InvalidInput, "--master-port " + std::to_string(o.masterPort) + " is not a TCP port");
  const bool cuda = o.device.rfind("cuda", 0) == 0;
  if (!cuda && o.device != "cpu")
    throw Error(ErrorKind::InvalidInput, "distributed runs compute on cpu or cuda, not '" + o.device + "'");
  const int localRank = o.localRank >= 0 ? o.localRank : o.rank;
  DistBackend backend = o.backend == DistBackend::Auto ? (cuda ? DistBackend::Nccl : DistBackend::Gloo) : o.backend;
  if (backend == DistBackend::Nccl && !cuda)
    throw Error(ErrorKind::InvalidInput, "the nccl backend needs --device cuda");
  if (backend == DistBackend::Gloo && cuda)
    throw Error(ErrorKind::Unsupported, "the gloo backend is used for CPU ranks only here; use nccl with --device cuda");
  at::Device device = at::kCPU;
  if (cuda) {
    if (!at::hasCUDA()) throw Error(ErrorKind::Unsupported, "--device cuda requested but this build or machine has no CUDA");
    device = at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(localRank));
  }
  if (o.worldSize == 1)
    return std::unique_ptr<DistributedContext>(new DistributedContext(0, 1, 0, DistBackend::Auto, device, nullptr));

#ifndef JQ_C10D_STORE
  notBuilt(backend);
#else
  auto impl = std::make_unique<Impl>();
  guarded("rendezvous at " + o.masterAddr + ":" + std::to_string(o.masterPort), o.rank, [&] {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(o.masterPort);
    so.isServer = o.rank == 0;
    so.numWorkers = static_cast<std::size_t>(o.worldSize);
    so.waitWorkers = true;
    so.timeout = o.timeout;
    impl->store = c10::make_intrusive<c10d::TCPStore>(o.masterAddr, so);
  });
  if (backend == DistBackend::Gloo) {
#ifndef JQ_C10D_GLOO
    notBuilt(backend);
#else
    guarded("creating the Gloo process group", o.rank, [&] {
      auto opts = c10d::ProcessGroupGloo::Options::create(o.timeout);
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      if (isLoopback(o.masterAddr))
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else if (ifname && *ifname)
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, o.rank, o.worldSize, opts);
      impl->commDevice = at::kCPU;
      impl->allreduce = [pg](std::vector<at::Tensor>& v) { pg->allreduce(v)->wait(); };
      impl->broadcast = [pg](std::vector<at::Tensor>& v, int root) {
        c10d::BroadcastOptions bo;
        bo.rootRank = root;
        pg->broadcast(v, bo)->wait();
      };
    });
#endif
  } else {
#ifndef JQ_C10D_NCCL
    notBuilt(backend);
#else
    guarded("creating the NCCL process group", o.rank, [&] {
      if (localRank >= int(at::getNumGPUs()))
        throw Error(ErrorKind::InvalidInput, "local rank " + std::to_string(localRank) + " has no GPU (" +
                                                 std::to_string(at::getNumGPUs()) + " visible)");
      c10::cuda::set_device(static_cast<c10::DeviceIndex>(localRank));
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = o.timeout;
      auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl->store, o.rank, o.worldSize, opts);
      impl->commDevice = device;
      impl->allreduce = [pg](std::vector<at::Tensor>& v) { pg->allreduce(v)->wait(); };
      impl->broadcast = [pg](std::vector<at::Tensor>& v, int root) {
        c10d::BroadcastOptions bo;
        bo.rootRank = root;
        pg->broadcast(v, bo)->wait();
      };
    });
#endif
  }
  auto ctx = std::unique_ptr<DistributedContext>(
      new DistributedContext(o.rank, o.worldSize, localRank, backend, device, std::move(impl)));
  // The first collective also checks that every rank joined with the same world size.
  ctx->barrier();
  JQ_INFO("rank " << o.rank << "/" << o.worldSize << " joined (" << toString(backend) << ", " << device.str() << ")");
  return ctx;
#endif
}

void DistributedContext::allReduceSum(at::Tensor& tensor) const {
  if (worldSize_ == 1) return;
  at::NoGradGuard noGrad;
  const bool direct = tensor.device() == impl_->commDevice && tensor.is_contiguous();
  at::Tensor buffer = direct ? tensor : tensor.to(impl_->commDevice).contiguous();
  std::vector<at::Tensor> v{buffer};
  guarded("all-reduce", rank_, [&] { impl_->allreduce(v); });
  if (!direct) tensor.copy_(buffer);
}

void DistributedContext::allReduceSum(std::vector<double>& values) const {
  if (worldSize_ == 1 || values.empty()) return;
  at::Tensor t = at::tensor(at::ArrayRef<double>(values), at::kDouble);
  allReduceSum(t);
  t = t.to(at::kCPU).contiguous();
  for (size_t i = 0; i < values.size(); ++i) values[i] = t.data_ptr<double>()[i];
}

void DistributedContext::broadcast(at::Tensor& tensor, int root) const {
  if (worldSize_ == 1) return;
  at::NoGradGuard noGrad;
  const bool direct = tensor.device() == impl_->commDevice && tensor.is_contiguous();
  at::Tensor buffer = direct ? tensor : tensor.to(impl_->commDevice).contiguous();
  std::vector<at::Tensor> v{buffer};
  guarded("broadcast", rank_, [&] { impl_->broadcast(v, root); });
  if (!direct) tensor.copy_(buffer);
}

void DistributedContext::barrier() const {
  if (worldSize_ == 1) return;
  // A one-element all-reduce rather than the backends' barrier(): NCCL's barrier guesses a device per rank,
  // this one runs where this rank's tensors live.
  at::Tensor t = at::ones({1}, at::TensorOptions().dtype(at::kFloat).device(impl_->commDevice));
  std::vector<at::Tensor> v{t};
  guarded("barrier", rank_, [&] { impl_->allreduce(v); });
  (void)t.item<float>();
}

}  // namespace jq
