// Rotation calibration: losses against hand-worked values, gradients against central finite differences
// in float64, orthogonality under training, the behaviour of the three R1 modes on synthetic heavy-tailed
// activations with planted outlier channels, reproducibility and cancellation.
#include <QtTest/QtTest>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <functional>
#include <vector>

#include "calib/OrthogonalParam.h"
#include "calib/R1Calibrator.h"
#include "calib/R2Calibrator.h"
#include "calib/RotationInit.h"
#include "calib/RotationLoss.h"
#include "common/Error.h"

namespace {

// Laplace(0, 1) activations [rows, channels] with the given channels scaled up (planted outliers).
at::Tensor plantedOutliers(int64_t rows, int64_t channels, const std::vector<int64_t>& outliers, double scale,
                           uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor u = at::rand({rows, channels}, gen, at::kDouble) - 0.5;
  at::Tensor x = -at::sign(u) * at::log1p(-2.0 * u.abs());
  for (int64_t c : outliers) x.select(1, c).mul_(scale);
  return x.to(at::kFloat);
}

// Layers that disagree: each has its own outlier channels.
std::vector<at::Tensor> differingLayers(int layers, int64_t rows, int64_t channels, uint64_t seed) {
  std::vector<at::Tensor> out;
  for (int l = 0; l < layers; ++l)
    out.push_back(plantedOutliers(rows, channels, {(3 * l) % channels, (11 * l + 5) % channels}, 12.0 + 4.0 * l,
                                  seed + uint64_t(l)));
  return out;
}

// ‖RᵀR − I‖∞ as the induced norm (largest absolute row sum), the stricter reading of the bound; per matrix
// of a batch, the largest.
double maxOrthogonalityError(const at::Tensor& r) {
  const at::Tensor rd = r.to(at::kDouble);
  const at::Tensor eye = at::eye(r.size(-1), rd.options());
  return (at::matmul(rd.transpose(-2, -1), rd) - eye).abs().sum(-1).max().item<double>();
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

jq::RotationTrainSettings smallSettings() {
  jq::RotationTrainSettings s;
  s.itemRows = 8;
  s.batchItems = 16;
  s.subsetFraction = 1.0;
  s.epochs = 10;
  s.optimizer = jq::OptimizerKind::Adam;
  s.lr = 0.01;
  return s;
}

}  // namespace

class TestCalib : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void whipLossOfHandWorkedCase() {
    // R = [[0.6, -0.8], [0.8, 0.6]]; x1 = (1, 2) -> y1 = (0.6 + 1.6, -0.8 + 1.2) = (2.2, 0.4);
    // x2 = (-3, 0.5) -> y2 = (-1.8 + 0.4, 2.4 + 0.3) = (-1.4, 2.7).
    const at::Tensor x = at::tensor({1.0, 2.0, -3.0, 0.5}, at::kDouble).view({2, 2});
    const at::Tensor r = at::tensor({0.6, -0.8, 0.8, 0.6}, at::kDouble).view({2, 2});
    const double expected = ((std::exp(-2.2) + std::exp(-0.4)) + (std::exp(-1.4) + std::exp(-2.7))) / 2.0;
    QVERIFY(std::fabs(jq::whipLoss(at::matmul(x, r)).item<double>() - expected) < 1e-12);
  }

  void swdLossOfHandWorkedCases() {
    // One channel {-1, 1}: RMS 1, b = √3, quantiles ∓√3/2. W2² = ∫(F⁻¹ − G⁻¹)² = 2 − √3 (worked by hand).
    const at::Tensor y1 = at::tensor({-1.0, 1.0}, at::kDouble).view({2, 1});
    QVERIFY(std::fabs(jq::swdUniformLoss(y1).item<double>() - (2.0 - std::sqrt(3.0))) < 1e-12);
    // Two channels {1, -1} and {-3, 3}: RMS √5, b = √15, midpoint quantiles ∓b/2, remainder b²/12 = 1.25.
    const at::Tensor y2 = at::tensor({1.0, -3.0, -1.0, 3.0}, at::kDouble).view({2, 2});
    const double h = std::sqrt(15.0) / 2.0;
    const double expected = ((1.0 - h) * (1.0 - h) + (3.0 - h) * (3.0 - h)) / 2.0 + 1.25;
    QVERIFY(std::fabs(jq::swdUniformLoss(y2).item<double>() - expected) < 1e-12);
    // A batch of items is the mean of the items.
    const at::Tensor both = at::stack({at::cat({y1, y1}, 1), y2});
    const double mean2 = ((2.0 - std::sqrt(3.0)) + expected) / 2.0;
    QVERIFY(std::fabs(jq::swdUniformLoss(both).item<double>() - mean2) < 1e-12);
  }

  void gradientMatchesFiniteDifferences_data() {
    QTest::addColumn<int>("loss");
    QTest::addColumn<int>("orth");
    QTest::newRow("whip, QR-Orth") << int(jq::RotationLoss::Whip) << int(jq::Orthogonalization::QrOrth);
    QTest::newRow("whip, Cayley") << int(jq::RotationLoss::Whip) << int(jq::Orthogonalization::Cayley);
    QTest::newRow("swd, QR-Orth") << int(jq::RotationLoss::SwdUniform) << int(jq::Orthogonalization::QrOrth);
    QTest::newRow("swd, Cayley") << int(jq::RotationLoss::SwdUniform) << int(jq::Orthogonalization::Cayley);
  }
  void gradientMatchesFiniteDifferences() {
    QFETCH(int, loss);
    QFETCH(int, orth);
    const int64_t n = 6;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(42);
    const at::Tensor x = at::randn({20, n}, gen, at::kDouble) * 1.5;
    // A generic point: a non-orthogonal Z for QR-Orth, a non-zero skew part for Cayley.
    const at::Tensor z0 = orth == int(jq::Orthogonalization::QrOrth)
                              ? at::eye(n, at::kDouble) + 0.3 * at::randn({n, n}, gen, at::kDouble)
                              : 0.5 * at::randn({n, n}, gen, at::kDouble);
    auto f = [&](const at::Tensor& z) {
      const at::Tensor r = orth == int(jq::Orthogonalization::QrOrth) ? jq::qrOrth(z) : jq::cayley(z);
      return jq::rotationLoss(jq::RotationLoss(loss), at::matmul(x, r));
    };
    at::Tensor z = z0.clone().requires_grad_(true);
    f(z).backward();
    const at::Tensor grad = z.grad().clone();
    const double h = 1e-6;
    double worst = 0, scale = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        at::NoGradGuard noGrad;
        at::Tensor zp = z0.clone(), zm = z0.clone();
        zp[i][j] += h;
        zm[i][j] -= h;
        const double fd = (f(zp).item<double>() - f(zm).item<double>()) / (2 * h);
        worst = std::max(worst, std::fabs(fd - grad[i][j].item<double>()));
        scale = std::max(scale, std::fabs(fd));
      }
    QVERIFY2(scale > 1e-3, "the gradient should not vanish at a generic point");
    QVERIFY2(worst <= 1e-7 * std::max(1.0, scale), qPrintable(QString("max |autograd - FD| = %1").arg(worst)));
  }

  void parameterisationsAreOrthogonalAtTheStart() {
    // Random-sign Hadamard: entries ±1/√n, orthogonal (also for 12 = a Paley order, not a power of two);
    // QR-Orth leaves an orthogonal start unchanged; Cayley's Z = 0 is the start.
    jq::SeededRng rng(3);
    const at::Tensor start = jq::randomSignHadamard(16, rng, at::kDouble);
    QVERIFY(at::allclose(start.abs(), at::full({16, 16}, 0.25, at::kDouble)));
    QVERIFY(maxOrthogonalityError(start) < 1e-14);
    const at::Tensor h12 = jq::randomSignHadamard(12, rng, at::kDouble);
    QVERIFY(at::allclose(h12.abs(), at::full({12, 12}, 1.0 / std::sqrt(12.0), at::kDouble)));
    QVERIFY(maxOrthogonalityError(h12) < 1e-14);
    QVERIFY(at::allclose(jq::qrOrth(start), start, 0, 1e-12));
    QVERIFY(at::allclose(jq::OrthogonalParam(jq::Orthogonalization::Cayley, start).current(), start, 0, 1e-12));
    const at::Tensor random = jq::randomOrthogonal(16, rng, at::kDouble);
    QVERIFY(maxOrthogonalityError(random) < 1e-12);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::randomSignHadamard(7, rng));  // no Hadamard matrix of odd order > 2
  }

  void staysOrthogonalAfterFiftySteps_data() {
    QTest::addColumn<int>("orth");
    QTest::addColumn<int>("optimizer");
    QTest::addColumn<double>("lr");
    QTest::newRow("QR-Orth, SGD") << int(jq::Orthogonalization::QrOrth) << int(jq::OptimizerKind::Sgd) << 0.05;
    QTest::newRow("Cayley, SGD") << int(jq::Orthogonalization::Cayley) << int(jq::OptimizerKind::Sgd) << 0.05;
    QTest::newRow("QR-Orth, Adam") << int(jq::Orthogonalization::QrOrth) << int(jq::OptimizerKind::Adam) << 0.02;
    QTest::newRow("Cayley, Adam") << int(jq::Orthogonalization::Cayley) << int(jq::OptimizerKind::Adam) << 0.02;
  }
  void staysOrthogonalAfterFiftySteps() {
    QFETCH(int, orth);
    QFETCH(int, optimizer);
    QFETCH(double, lr);
    jq::R1Settings settings;
    settings.train = smallSettings();
    settings.train.orthogonalization = jq::Orthogonalization(orth);
    settings.train.optimizer = jq::OptimizerKind(optimizer);
    settings.train.lr = lr;
    settings.train.batchItems = 10;  // 50 items per epoch -> 5 steps x 10 epochs
    const std::vector<at::Tensor> data{plantedOutliers(50 * 8, 32, {4, 17}, 20.0, 1)};
    const jq::R1Result res = jq::R1Calibrator(settings).run(data);
    QCOMPARE(res.curve.size(), size_t(50));
    QCOMPARE(res.r1.scalar_type(), at::kFloat);
    QVERIFY2(maxOrthogonalityError(res.r1) <= 1e-5, qPrintable(QString::number(maxOrthogonalityError(res.r1))));
    jq::SeededRng rng(settings.train.seed);
    const at::Tensor start = jq::randomSignHadamard(32, rng);
    QVERIFY2((res.r1 - start).abs().max().item<double>() > 0.05, "training should have moved R1");
  }

  void lossDecreasesFromHadamardStart_data() {
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("loss");
    QTest::addColumn<bool>("dartquantDefaults");
    QTest::newRow("dartquant, whip, published settings") << int(jq::R1Mode::DartQuant) << int(jq::RotationLoss::Whip) << true;
    QTest::newRow("dartquant, whip") << int(jq::R1Mode::DartQuant) << int(jq::RotationLoss::Whip) << false;
    QTest::newRow("independent, whip") << int(jq::R1Mode::Independent) << int(jq::RotationLoss::Whip) << false;
    QTest::newRow("joint, whip") << int(jq::R1Mode::Joint) << int(jq::RotationLoss::Whip) << false;
    QTest::newRow("dartquant, swd") << int(jq::R1Mode::DartQuant) << int(jq::RotationLoss::SwdUniform) << false;
    QTest::newRow("joint, swd") << int(jq::R1Mode::Joint) << int(jq::RotationLoss::SwdUniform) << false;
  }
  void lossDecreasesFromHadamardStart() {
    QFETCH(int, mode);
    QFETCH(int, loss);
    QFETCH(bool, dartquantDefaults);
    jq::R1Settings settings;
    settings.mode = jq::R1Mode(mode);
    if (!dartquantDefaults) settings.train = smallSettings();
    settings.train.itemRows = 8;
    settings.train.loss = jq::RotationLoss(loss);
    const std::vector<at::Tensor> data = differingLayers(3, 64 * 8, 32, 100);
    const jq::R1Result res = jq::R1Calibrator(settings).run(data);
    QCOMPARE(res.layerLoss.size(), size_t(3));
    if (settings.mode == jq::R1Mode::Independent) {
      // Greedy: R1_0 is layer 0's own optimum from the Hadamard start, the final R1 is the last layer's.
      QVERIFY2(res.layerOwnLoss[0] < res.layerLossStart[0],
               qPrintable(QString("%1 -> %2").arg(res.layerLossStart[0]).arg(res.layerOwnLoss[0])));
      QVERIFY2(res.layerLoss[2] < res.layerLossStart[2],
               qPrintable(QString("%1 -> %2").arg(res.layerLossStart[2]).arg(res.layerLoss[2])));
      QCOMPARE(res.layerOwnLoss[2], res.layerLoss[2]);
    } else {
      QVERIFY2(sum(res.layerLoss) < sum(res.layerLossStart),
               qPrintable(QString("%1 -> %2").arg(sum(res.layerLossStart)).arg(sum(res.layerLoss))));
    }
    for (const auto& q : res.layerQuant) QVERIFY(q.mse() > 0 && std::isfinite(q.mse()));
  }

  void jointBeatsIndependentLastOnTheSum() {
    const std::vector<at::Tensor> data = differingLayers(4, 64 * 8, 32, 7);
    jq::R1Settings settings;
    settings.train = smallSettings();
    settings.train.subsetFraction = 0.5;
    settings.mode = jq::R1Mode::Joint;
    const jq::R1Result joint = jq::R1Calibrator(settings).run(data);
    settings.mode = jq::R1Mode::Independent;
    const jq::R1Result independent = jq::R1Calibrator(settings).run(data);
    QCOMPARE(independent.perLayerR1.size(), size_t(4));
    QVERIFY(at::equal(independent.r1, independent.perLayerR1.back()));

    const auto jointEval = jq::evaluateR1(joint.r1, data, settings.train);
    const auto lastEval = jq::evaluateR1(independent.r1, data, settings.train);
    double jointSum = 0, lastSum = 0;
    for (size_t l = 0; l < 4; ++l) {
      jointSum += jointEval[l].loss;
      lastSum += lastEval[l].loss;
      QVERIFY(std::fabs(jointEval[l].loss - joint.layerLoss[l]) <= 1e-6 * joint.layerLoss[l]);
    }
    QVERIFY2(jointSum <= lastSum, qPrintable(QString("joint %1, independent-last %2").arg(jointSum).arg(lastSum)));
  }

  void seededRunsAreBitIdentical() {
    const std::vector<at::Tensor> data = differingLayers(2, 32 * 8, 16, 9);
    jq::R1Settings settings;
    settings.train = smallSettings();
    settings.train.seed = 1234;
    settings.train.subsetFraction = 0.5;
    const jq::R1Result a = jq::R1Calibrator(settings).run(data);
    const jq::R1Result b = jq::R1Calibrator(settings).run(data);
    QVERIFY(at::equal(a.r1, b.r1));
    QCOMPARE(a.curve.size(), b.curve.size());
    for (size_t i = 0; i < a.curve.size(); ++i) QCOMPARE(a.curve[i].loss, b.curve[i].loss);
    settings.train.seed = 1235;
    const jq::R1Result c = jq::R1Calibrator(settings).run(data);
    QVERIFY(!at::equal(a.r1, c.r1));
  }

  void cosineScheduleFollowsItsFormula() {
    // CosineAnnealingLR(T_max = epochs, eta_min = 0) stepped per epoch: lr_e = lr·(1 + cos(π·e/E))/2.
    jq::R1Settings settings;
    settings.train = smallSettings();
    settings.train.cosineSchedule = true;
    settings.train.epochs = 4;
    settings.train.lr = 0.008;
    const jq::R1Result res = jq::R1Calibrator(settings).run({plantedOutliers(16 * 8, 16, {2}, 10.0, 5)});
    QCOMPARE(res.curve.size(), size_t(4));  // 16 items, batch 16: one step per epoch
    const double pi = std::acos(-1.0);
    const double expected[4] = {0.008, 0.004 * (1 + std::cos(pi / 4)), 0.004, 0.004 * (1 + std::cos(3 * pi / 4))};
    for (int e = 0; e < 4; ++e) QVERIFY(std::fabs(res.curve[size_t(e)].lr - expected[e]) < 1e-15);
  }

  void accumulationWaitsForItsLastBatch() {
    // Two mini-batches with accumulationSteps 3: no optimizer step ever happens, R1 stays the start.
    jq::R1Settings settings;
    settings.train = smallSettings();
    settings.train.epochs = 1;
    settings.train.batchItems = 8;
    settings.train.accumulationSteps = 3;
    const std::vector<at::Tensor> data{plantedOutliers(16 * 8, 16, {2}, 10.0, 5)};
    const jq::R1Result res = jq::R1Calibrator(settings).run(data);
    QCOMPARE(res.curve.size(), size_t(2));
    // (QR of the unchanged start reproduces it to float rounding only.)
    QVERIFY(std::fabs(res.layerLoss[0] - res.layerLossStart[0]) <= 1e-6 * res.layerLossStart[0]);
    settings.train.accumulationSteps = 2;
    const double stepped = jq::R1Calibrator(settings).run(data).layerLoss[0];
    QVERIFY(std::fabs(stepped - res.layerLossStart[0]) > 1e-4 * res.layerLossStart[0]);
  }

  void chunkingDoesNotChangeTheResult() {
    // One item per forward/backward chunk gives the gradient of the whole batch (up to float rounding).
    const std::vector<at::Tensor> data = differingLayers(2, 16 * 8, 16, 8);
    jq::R1Settings settings;
    settings.mode = jq::R1Mode::Joint;
    settings.train = smallSettings();
    settings.train.optimizer = jq::OptimizerKind::Sgd;
    settings.train.lr = 0.01;
    settings.train.epochs = 3;
    const jq::R1Result whole = jq::R1Calibrator(settings).run(data);
    settings.train.chunkRows = settings.train.itemRows;
    const jq::R1Result chunked = jq::R1Calibrator(settings).run(data);
    QVERIFY(whole.layerLoss[0] != whole.layerLossStart[0]);  // training did move R1
    QVERIFY(at::allclose(whole.r1, chunked.r1, 0, 1e-5));
  }

  void cancellationStopsTheRun_data() {
    QTest::addColumn<int>("mode");
    QTest::newRow("dartquant") << int(jq::R1Mode::DartQuant);
    QTest::newRow("independent") << int(jq::R1Mode::Independent);
    QTest::newRow("joint") << int(jq::R1Mode::Joint);
  }
  void cancellationStopsTheRun() {
    QFETCH(int, mode);
    const std::vector<at::Tensor> data = differingLayers(2, 32 * 8, 16, 4);
    jq::R1Settings settings;
    settings.mode = jq::R1Mode(mode);
    settings.train = smallSettings();
    jq::JobContext job;
    int events = 0;
    std::string series;
    job.progress = [&](const jq::ProgressEvent& e) {
      if (!e.series.empty()) {
        ++events;
        series = e.series;
        QVERIFY(std::isfinite(e.value));
      }
      if (events == 3) job.cancel.cancel();
    };
    try {
      jq::R1Calibrator(settings).run(data, job);
      QFAIL("a cancelled run must throw");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::Cancelled);
    }
    QCOMPARE(events, 3);
    QCOMPARE(series, std::string(jq::toString(jq::R1Mode(mode))) + "/R1");
  }

  void rotateHeadsUsesTheGroupOfEachHead() {
    // 4 heads, 2 KV groups, head_dim 2: heads 0,1 use group 0; heads 2,3 use group 1.
    const at::Tensor r = at::stack({at::tensor({0.0, 1.0, -1.0, 0.0}, at::kDouble).view({2, 2}),
                                    at::tensor({0.6, -0.8, 0.8, 0.6}, at::kDouble).view({2, 2})});
    const at::Tensor x = at::arange(1, 9, at::kDouble).view({1, 8});  // heads (1,2) (3,4) (5,6) (7,8)
    const at::Tensor y = jq::rotateHeads(x, r, 4);
    // (a, b)·[[0, 1], [-1, 0]] = (-b, a);  (a, b)·[[0.6, -0.8], [0.8, 0.6]] = (0.6a + 0.8b, -0.8a + 0.6b).
    const std::vector<double> expected{-2, 1, -4, 3, 0.6 * 5 + 0.8 * 6, -0.8 * 5 + 0.6 * 6, 0.6 * 7 + 0.8 * 8,
                                       -0.8 * 7 + 0.6 * 8};
    for (int64_t i = 0; i < 8; ++i) QVERIFY(std::fabs(y[0][i].item<double>() - expected[size_t(i)]) < 1e-12);
  }

  void r2CalibrationLowersTheLossPerLayer() {
    // o_proj inputs of 2 layers: 8 heads of 8 dims, 4 KV groups, outliers inside some heads.
    std::vector<at::Tensor> data{plantedOutliers(32 * 8, 64, {3, 21, 40}, 15.0, 21),
                                 plantedOutliers(32 * 8, 64, {9, 50}, 25.0, 22)};
    jq::R2Settings settings;
    settings.numHeads = 8;
    settings.numKvHeads = 4;
    settings.train.itemRows = 8;
    settings.train.batchItems = 8;
    settings.train.optimizer = jq::OptimizerKind::Adam;
    settings.train.lr = 0.01;
    jq::JobContext job;
    std::string lastSeries;
    job.progress = [&](const jq::ProgressEvent& e) {
      if (!e.series.empty()) lastSeries = e.series;
    };
    const jq::R2Result res = jq::R2Calibrator(settings).run(data, job);
    QCOMPARE(lastSeries, std::string("R2/layer_01"));
    QCOMPARE(res.rotations.size(), size_t(2));
    for (size_t l = 0; l < 2; ++l) {
      QCOMPARE(res.rotations[l].sizes().vec(), (std::vector<int64_t>{4, 8, 8}));
      QVERIFY(maxOrthogonalityError(res.rotations[l]) <= 1e-5);
      QVERIFY2(res.layerLoss[l] < res.layerLossStart[l],
               qPrintable(QString("layer %1: %2 -> %3").arg(l).arg(res.layerLossStart[l]).arg(res.layerLoss[l])));
      QVERIFY(std::fabs(jq::evaluateR2(res.rotations[l], data[l], settings).loss - res.layerLoss[l]) <=
              1e-6 * res.layerLoss[l]);
    }
    // The published defaults: lr 1e-3, all items each epoch, accumulation 2.
    const jq::R2Settings defaults;
    QCOMPARE(defaults.train.lr, 1e-3);
    QCOMPARE(defaults.train.subsetFraction, 1.0);
    QCOMPARE(defaults.train.accumulationSteps, 2);
  }

  void badDataIsRejectedWithItsLayer() {
    jq::R1Settings settings;
    settings.train.itemRows = 8;
    const std::vector<at::Tensor> data{at::zeros({16, 8}), at::zeros({12, 8})};
    try {
      jq::R1Calibrator(settings).run(data);
      QFAIL("12 rows are not a multiple of 8");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::InvalidInput);
      QVERIFY(e.context().layer && *e.context().layer == 1);
    }
    settings.train.batchItems = 0;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::R1Calibrator{settings});
    QVERIFY(jq::parseR1Mode("joint") == jq::R1Mode::Joint);
    QVERIFY(jq::parseRotationLoss(jq::toString(jq::RotationLoss::SwdUniform)) == jq::RotationLoss::SwdUniform);
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::parseOptimizerKind("lbfgs"));
  }

  void defaultsAreDartQuants() {
    const jq::R1Settings s;
    QVERIFY(s.mode == jq::R1Mode::DartQuant);
    QCOMPARE(s.train.lr, 1.5e-3);
    QCOMPARE(s.train.momentum, 0.9);
    QCOMPARE(s.train.epochs, 10);
    QCOMPARE(s.train.batchItems, 64);
    QCOMPARE(s.train.subsetFraction, 0.1);
    QCOMPARE(s.train.accumulationSteps, 1);
    QVERIFY(s.train.optimizer == jq::OptimizerKind::Sgd);
    QVERIFY(s.train.init == jq::RotationInit::Hadamard);
  }
};

QTEST_GUILESS_MAIN(TestCalib)
#include "tst_calib.moc"
