// GPU out of memory cannot happen on the CPU-only CI machine, so the translation into a jq::Error that names the
// settings to change is tested with the exceptions LibTorch throws: the CUDA caching allocator's
// c10::OutOfMemoryError (message text as LibTorch 1.13/2.x word it), a plain c10::Error from other CUDA paths,
// and a real failed host allocation from LibTorch's CPU allocator.
#include <QtTest/QtTest>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <new>
#include <stdexcept>

#include "common/Error.h"
#include "common/OutOfMemory.h"
#include "support/EnumName.h"

namespace {

// LibTorch's wording (c10/cuda/CUDACachingAllocator.cpp): first line of its message, then allocator statistics.
const char* kCudaOom =
    "CUDA out of memory. Tried to allocate 1.96 GiB (GPU 0; 79.15 GiB total capacity; 77.02 GiB already "
    "allocated; 1.19 GiB free; 77.10 GiB reserved in total by PyTorch)\nIf reserved memory is >> allocated memory "
    "try setting max_split_size_mb to avoid fragmentation.";

[[noreturn]] void throwCudaOom() { TORCH_CHECK_WITH(OutOfMemoryError, false, kCudaOom); }
[[noreturn]] void throwPlainCudaError() { TORCH_CHECK(false, "CUDA error: out of memory\nCUDA kernel errors ..."); }
[[noreturn]] void throwShapeError() { TORCH_CHECK(false, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"); }

}  // namespace

class TestOutOfMemory : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void recognisesLibTorchOutOfMemory_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<bool>("oom");
    QTest::newRow("c10::OutOfMemoryError (CUDA caching allocator)") << 0 << true;
    QTest::newRow("c10::Error 'CUDA error: out of memory'") << 1 << true;
    QTest::newRow("std::bad_alloc") << 2 << true;
    QTest::newRow("c10::Error, shape mismatch") << 3 << false;
    QTest::newRow("std::runtime_error") << 4 << false;
  }
  void recognisesLibTorchOutOfMemory() {
    QFETCH(int, which);
    QFETCH(bool, oom);
    try {
      switch (which) {
        case 0: throwCudaOom();
        case 1: throwPlainCudaError();
        case 2: throw std::bad_alloc();
        case 3: throwShapeError();
        default: throw std::runtime_error("something else");
      }
    } catch (const std::exception& e) {
      QCOMPARE(jq::isOutOfMemory(e), oom);
    }
  }

  void messageNamesStageAndTheSettingsToChange() {
    try {
      throwCudaOom();
    } catch (const std::exception& e) {
      const jq::Error err = jq::outOfMemoryError(e, "gptq");
      const std::string what = err.what();
      QCOMPARE(jq::test::enumName(err.kind()), jq::test::enumName(jq::ErrorKind::OutOfMemory));
      QVERIFY2(what.find("during gptq") != std::string::npos, what.c_str());
      QVERIFY2(what.find("Tried to allocate 1.96 GiB") != std::string::npos, what.c_str());
      QVERIFY2(what.find("--placement host") != std::string::npos, what.c_str());
      QVERIFY2(what.find("--batch") != std::string::npos, what.c_str());
      // Only LibTorch's first line: the allocator statistics and the C++ backtrace stay out of the user's message.
      QVERIFY2(what.find("max_split_size_mb") == std::string::npos, what.c_str());
      QVERIFY2(what.find('\n') == std::string::npos, what.c_str());
    }
  }

  void translateWrapsOnlyOutOfMemory() {
    bool translated = false;
    try {
      jq::translateOutOfMemory("eval", [] { throwCudaOom(); });
    } catch (const jq::Error& e) {
      translated = e.kind() == jq::ErrorKind::OutOfMemory;
    }
    QVERIFY(translated);
    // Other LibTorch errors pass through unchanged (the CLI reports them as LibTorch errors).
    QVERIFY_THROWS_EXCEPTION(c10::Error, jq::translateOutOfMemory("eval", [] { throwShapeError(); }));
    // A jq::Error is never re-wrapped, even one that mentions memory.
    try {
      jq::translateOutOfMemory("load", [] { throw jq::Error(jq::ErrorKind::InvalidInput, "out of memory?"); });
    } catch (const jq::Error& e) {
      QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::InvalidInput));
    }
    QCOMPARE(jq::translateOutOfMemory("x", [] { return 42; }), 42);
  }

  // Not synthetic: LibTorch's CPU allocator refusing 1 PiB (more than any machine has; overcommit refuses it).
  void realHostAllocationFailureIsRecognised() {
    bool translated = false;
    try {
      jq::translateOutOfMemory("capture", [] { return at::empty({int64_t(1) << 50}, at::kByte); });
    } catch (const jq::Error& e) {
      translated = e.kind() == jq::ErrorKind::OutOfMemory &&
                   std::string(e.what()).find("during capture") != std::string::npos;
      if (!translated) qWarning("%s", e.what());
    }
    QVERIFY(translated);
  }
};

QTEST_GUILESS_MAIN(TestOutOfMemory)
#include "tst_out_of_memory.moc"
