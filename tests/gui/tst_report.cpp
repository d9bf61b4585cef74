// The run report (ui/report): a small run file is written here with RunFileWriter, with numbers chosen so that
// everything the report derives can be worked out by hand; the report is rendered to PDF, HTML and PNG pages
// and read back as files. No model is involved (the statistics are in the file).
#include <QtTest/QtTest>

#include <ATen/ATen.h>

#include <QFile>
#include <QRegularExpression>

#include <cmath>
#include <limits>

#include "common/Error.h"
#include "io/RunFile.h"
#include "report/ReportBuilder.h"
#include "support/TestData.h"

using namespace jq::ui;

namespace {

at::Tensor vec(std::vector<double> v) { return at::tensor(v, at::kDouble); }

// Two layers of q_proj statistics before/after, three methods evaluated on one data set, one learned curve.
std::string writeRun(const std::string& name) {
  const std::string path = jq::test::tempDir() + "/" + name;
  jq::RunFileWriter w(path);
  w.setConfigJson(R"({"model": "/nonexistent/model", "methods": ["fp", "rtn", "joint"], "seqlen": 64,
                      "datasets": [{"path": "/data/wikitext-2-raw/wiki.test.raw", "format": "raw"}],
                      "r1": {"lr": 0.0015, "epochs": 10}})");
  w.setMetricsJson(R"([{"method": "fp", "seconds": {"eval": 3.0}},
                       {"method": "rtn", "seconds": {"quantize": 1.5, "eval": 3.0}},
                       {"method": "joint", "seconds": {"capture": 2.0, "calibrate.R1": 4.25, "eval": 3.0},
                        "start_loss": 0.9, "final_loss": 0.7, "mean_quant_error": 0.0123,
                        "layer_loss": [0.75, 0.65], "layer_loss_start": [0.95, 0.85],
                        "layer_quant_error": [0.01, 0.0146]}])");
  w.addPerplexity({"fp", "wiki.test.raw", 12.3456, 64});
  w.addPerplexity({"rtn", "wiki.test.raw", 1234.5, 64});
  w.addPerplexity({"joint", "wiki.test.raw", 15.251, 64});
  w.setCurve("joint/R1", {{0, 1, 2, 3}, {0.9, 0.8, 0.75, 0.7}});
  w.setCurve("joint/R2/layer_00", {{0, 1}, {0.5, 0.4}});   // an R2 curve: not an R1 curve
  w.setR1(at::eye(4, at::kDouble));
  for (int layer = 0; layer < 2; ++layer) {
    // Before: channel absmax {1, 2, 3, 40} -> median 2.5, max/median 16; after: {5, 5, 5, 6} -> 1.2.
    // Layer 1 before: {1, 1, 1, 50} -> median 1, ratio 50 (the worst site).
    w.setModuleStats("before", layer, "q_proj",
                     {{"absmax", layer == 0 ? vec({1, 2, 3, 40}) : vec({1, 1, 1, 50})},
                      {"kurtosis", vec({3, 5, std::numeric_limits<double>::quiet_NaN(), 4})},
                      {"hist", at::tensor(std::vector<int64_t>{1, 10, 100, 10, 1}, at::kLong)},
                      {"hist_edges", vec({-40, -24, -8, 8, 24, 40})}});
    w.setModuleStats("after", layer, "q_proj",
                     {{"absmax", vec({5, 5, 5, 6})},
                      {"kurtosis", vec({3, 3, 3, 3})},
                      {"hist", at::tensor(std::vector<int64_t>{5, 50, 60, 5, 2}, at::kLong)},
                      {"hist_edges", vec({-6, -3.6, -1.2, 1.2, 3.6, 6})}});
  }
  w.commit();
  return path;
}

int pdfPages(const QByteArray& pdf) {
  // Every page object is "/Type /Page" (the page tree is "/Type /Pages").
  return int(pdf.count("/Type /Page\n") + pdf.count("/Type /Page ") + pdf.count("/Type /Page/") +
             pdf.count("/Type /Page>"));
}

}  // namespace

class TestReport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void readsTheRunFile() {
    ReportReadOptions o;
    o.computeMissingStats = false;
    const ReportRun run = readReportRun(QString::fromStdString(writeRun("read.h5")), o, {});
    QCOMPARE(run.name, QStringLiteral("read"));
    QCOMPARE(run.methods, (QStringList{"fp", "rtn", "joint"}));
    QCOMPARE(run.rotationMethod, QStringLiteral("joint"));   // the last calibrated method stores its R1
    QCOMPARE(int(run.perplexities.size()), 3);
    QCOMPARE(run.perplexities[0].dataset, QStringLiteral("wikitext-2-raw/wiki.test.raw"));
    QCOMPARE(int(run.curves.size()), 1);   // R2 curves are left out
    QCOMPARE(run.curves[0].method, QStringLiteral("joint"));
    const ReportMethodMetrics* joint = run.metricsOf("joint");
    QVERIFY(joint);
    QCOMPARE(joint->seconds, 6.25);       // 2.0 + 4.25, evaluation excluded
    QCOMPARE(run.metricsOf("fp")->seconds, 0.0);
    const ReportSiteStats* b0 = run.site("before", 0, "q_proj");
    QVERIFY(b0);
    QCOMPARE(b0->absmaxMax(), 40.0);
    QCOMPARE(b0->outlierRatio(), 16.0);   // 40 / median(1, 2, 3, 40) = 40 / 2.5
    QCOMPARE(b0->kurtosisMean(), 4.0);    // mean of 3, 5, 4 (NaN skipped)
    QCOMPARE(run.site("after", 1, "q_proj")->outlierRatio(), 1.2);
    QCOMPARE(int(b0->histEdges.size()), 6);
    bool hasLr = false;
    for (const auto& [k, v] : run.settings) hasLr = hasLr || (k == "r1.lr" && v == "0.0015");
    QVERIFY(hasLr);
  }

  void writes_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("pdf") << "report.pdf";
    QTest::newRow("html") << "report.html";
    QTest::newRow("png pages") << "report-%d.png";
  }

  void writes() {
    QFETCH(QString, file);
    ReportReadOptions o;
    o.computeMissingStats = false;
    ReportBuilder builder(o);
    builder.addRun(QString::fromStdString(writeRun("run-a.h5")));
    const ReportDocument doc = builder.build();
    QVERIFY(doc.pageCount() > 1);
    const QString out = QString::fromStdString(jq::test::tempDir()) + "/" + file;
    const QStringList written = builder.write(out, 40);
    QVERIFY(!written.isEmpty());
    QFile f(written.first());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    if (file.endsWith(".pdf")) {
      QVERIFY(bytes.startsWith("%PDF-"));
      QCOMPARE(pdfPages(bytes), doc.pageCount());
    } else if (file.endsWith(".html")) {
      const QString html = QString::fromUtf8(bytes);
      // The perplexity table, formatted by hand: two decimals.
      QVERIFY(html.contains("<td class=\"num\">12.35</td>"));
      QVERIFY(html.contains("<td class=\"num\">1234.50</td>"));
      QVERIFY(html.contains("<td class=\"num\">15.25</td>"));
      QVERIFY(html.contains("<svg"));
      QVERIFY(html.count("<svg") >= 4);
      // Outlier summary of layer 0 before/after: 16.0 and 1.2 (max/median), kurtosis 4.00 and 3.00.
      QVERIFY(html.contains(QRegularExpression(
          "<td>q_proj</td><td class=\"num\">0</td><td class=\"num\">40</td><td class=\"num\">6</td>"
          "<td class=\"num\">16.0</td><td class=\"num\">1.2</td><td class=\"num\">4.00</td><td class=\"num\">3.00</td>")));
      // Titles name the data set actually used, not a fixed one.
      QVERIFY(html.contains("Perplexity by method (wikitext-2-raw/wiki.test.raw)"));
      QVERIFY(html.contains("layer 1 q_proj input"));   // the worst site: ratio 50
      QVERIFY(html.contains("r1.lr"));
    } else {
      QCOMPARE(written.size(), doc.pageCount());
      const QImage page(written.first());
      // A4 at 40 dpi: 8.27 × 11.69 in.
      QCOMPARE(page.width(), int(std::lround(210.0 / 25.4 * 40)));
      QCOMPARE(page.height(), int(std::lround(297.0 / 25.4 * 40)));
    }
  }

  void severalRunsShareTheTables() {
    ReportReadOptions o;
    o.computeMissingStats = false;
    ReportBuilder builder(o);
    builder.addRun(QString::fromStdString(writeRun("first.h5")));
    builder.addRun(QString::fromStdString(writeRun("second.h5")));
    const QString out = QString::fromStdString(jq::test::tempDir()) + "/two.html";
    builder.write(out);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString html = QString::fromUtf8(f.readAll());
    QVERIFY(html.contains("<th class=\"num\">Perplexity (first)</th><th class=\"num\">Perplexity (second)</th>"));
  }

  void errors_data() {
    QTest::addColumn<QString>("run");
    QTest::addColumn<QString>("out");
    QTest::addColumn<int>("kind");
    QTest::newRow("missing run file") << "/nonexistent/run.h5" << "r.pdf" << int(jq::ErrorKind::NotFound);
    QTest::newRow("not a run file") << "notarun.h5" << "r.pdf" << int(jq::ErrorKind::InvalidInput);
    QTest::newRow("unknown format") << "" << "r.docx" << int(jq::ErrorKind::InvalidInput);
  }

  void errors() {
    QFETCH(QString, run);
    QFETCH(QString, out);
    QFETCH(int, kind);
    const QString dir = QString::fromStdString(jq::test::tempDir());
    if (run == "notarun.h5") {
      QFile f(dir + "/" + run);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("this is not HDF5");
      run = f.fileName();
    }
    try {
      ReportBuilder builder;
      builder.addRun(run.isEmpty() ? QString::fromStdString(writeRun("ok.h5")) : run);
      builder.write(dir + "/" + out);
      QFAIL("expected a jq::Error");
    } catch (const jq::Error& e) {
      QCOMPARE(int(e.kind()), kind);
      QVERIFY(!std::string(e.what()).empty());
    }
  }
};

QTEST_MAIN(TestReport)
#include "tst_report.moc"
