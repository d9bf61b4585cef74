// The three collectives of DistributedContext with two ranks in one process (two threads, each its own TCPStore
// client and Gloo process group over loopback), and the world-1 context that does nothing. The expected values are
// sums and copies written out by hand, not computed by the code under test.
#include <QtTest/QtTest>

#include <array>
#include <exception>
#include <thread>

#include "common/Error.h"
#include "dist/DistributedContext.h"
#include "support/ExpectError.h"

namespace {
bool haveGloo() {
  for (const auto& b : jq::availableDistBackends())
    if (b == "gloo") return true;
  return false;
}

// Runs fn(ctx) on two ranks (threads) of a fresh Gloo job; rethrows the first failure.
template <class Fn>
void onTwoRanks(Fn fn) {
  const int port = jq::freeLocalPort();
  std::array<std::exception_ptr, 2> errors;
  auto body = [&](int rank) {
    try {
      jq::DistributedOptions o;
      o.worldSize = 2;
      o.rank = rank;
      o.masterPort = port;
      o.timeout = std::chrono::seconds(60);
      auto ctx = jq::DistributedContext::create(o);
      fn(*ctx);
    } catch (...) {
      errors[size_t(rank)] = std::current_exception();
    }
  };
  std::thread t1(body, 1);
  body(0);
  t1.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}
}  // namespace

class TestDistributedContext : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void shardRangesCoverEveryItemOnce() {
    // 10 items over 3 ranks: [0,3) [3,6) [6,10); 1 item over 2 ranks: [0,0) [0,1).
    QCOMPARE(jq::shardRange(10, 0, 3).begin, int64_t(0));
    QCOMPARE(jq::shardRange(10, 0, 3).end, int64_t(3));
    QCOMPARE(jq::shardRange(10, 1, 3).end, int64_t(6));
    QCOMPARE(jq::shardRange(10, 2, 3).begin, int64_t(6));
    QCOMPARE(jq::shardRange(10, 2, 3).end, int64_t(10));
    QCOMPARE(jq::shardRange(1, 0, 2).size(), int64_t(0));
    QCOMPARE(jq::shardRange(1, 1, 2).size(), int64_t(1));
  }

  void singleProcessContextDoesNothing() {
    const jq::DistributedContext& s = jq::DistributedContext::single();
    QCOMPARE(s.worldSize(), 1);
    QVERIFY(s.isRoot());
    at::Tensor t = at::tensor({1.5, -2.0}, at::kDouble);
    s.allReduceSum(t);
    s.broadcast(t, 0);
    s.barrier();
    QCOMPARE(t[0].item<double>(), 1.5);
    QCOMPARE(t[1].item<double>(), -2.0);
    QCOMPARE(s.shard(7).size(), int64_t(7));
  }

  void badOptionsAreClearErrors() {
    jq::DistributedOptions o;
    o.worldSize = 2;
    o.rank = 2;
    jq::test::expectError([&] { jq::DistributedContext::create(o); }, jq::ErrorKind::InvalidInput, "", "--rank 2");
    o.rank = 0;
    o.backend = jq::DistBackend::Nccl;  // NCCL needs CUDA ranks
    jq::test::expectError([&] { jq::DistributedContext::create(o); }, jq::ErrorKind::InvalidInput, "", "nccl");
    QVERIFY_EXCEPTION_THROWN(jq::parseDistBackend("mpi"), jq::Error);
  }

  void twoRanksAllReduceBroadcastBarrier() {
    if (!haveGloo()) QSKIP("this LibTorch build has no Gloo backend");
    std::array<std::vector<double>, 2> seen;
    onTwoRanks([&](const jq::DistributedContext& ctx) {
      const int r = ctx.rank();
      // float32, in place: rank 0 holds [1, 2, 3], rank 1 holds [10, 20, 30] → [11, 22, 33] on both.
      at::Tensor f = r == 0 ? at::tensor({1.f, 2.f, 3.f}) : at::tensor({10.f, 20.f, 30.f});
      ctx.allReduceSum(f);
      // A non-contiguous view goes through a copy and lands back in place: column 0 of [[r+1, 7], [2(r+1), 7]].
      at::Tensor m = at::tensor({double(r + 1), 7.0, double(2 * (r + 1)), 7.0}, at::kDouble).reshape({2, 2});
      at::Tensor col = m.select(1, 0);
      ctx.allReduceSum(col);
      std::vector<double> counters{double(r), 0.5};
      ctx.allReduceSum(counters);
      // broadcast from rank 1: [5, 6] replaces rank 0's zeros.
      at::Tensor b = r == 1 ? at::tensor({5.0, 6.0}, at::kDouble) : at::zeros({2}, at::kDouble);
      ctx.broadcast(b, 1);
      ctx.barrier();
      std::vector<double> out{double(ctx.worldSize())};
      for (int i = 0; i < 3; ++i) out.push_back(f[i].item<double>());
      out.push_back(m[0][0].item<double>());
      out.push_back(m[1][0].item<double>());
      out.push_back(m[0][1].item<double>());
      out.push_back(counters[0]);
      out.push_back(counters[1]);
      out.push_back(b[0].item<double>());
      out.push_back(b[1].item<double>());
      seen[size_t(r)] = out;
    });
    const std::vector<double> expected{2, 11, 22, 33, 3, 6, 7, 1, 1.0, 5, 6};
    QCOMPARE(seen[0], expected);
    QCOMPARE(seen[1], expected);
  }
};

QTEST_GUILESS_MAIN(TestDistributedContext)
#include "tst_distributed_context.moc"
