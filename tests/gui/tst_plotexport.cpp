// The plot layer: decimation, pooling, ticks and colours against hand-worked values, and every export
// format written to disk and read back with an independent reader (QImage, QSvgRenderer, the PDF bytes).
#include <QtTest/QtTest>
#include <QSvgRenderer>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QXYSeries>

#include <cmath>

#include "plot/ChartPlot.h"
#include "plot/ColorMap.h"
#include "plot/Decimation.h"
#include "plot/HeatmapPlot.h"
#include "plot/PlotExporter.h"
#include "support/TestData.h"

using namespace jq::ui;

namespace {

std::vector<QPointF> pts(std::initializer_list<std::pair<double, double>> l) {
  std::vector<QPointF> v;
  for (auto [x, y] : l) v.emplace_back(x, y);
  return v;
}

ChartSpec lineSpec() {
  ChartSpec s;
  s.title = "Per-channel max";
  s.xTitle = "channel";
  s.yTitle = "max |x|";
  s.logY = true;
  XYSeriesSpec a;
  a.name = "absmax";
  a.color = beforeColor();
  for (int i = 0; i < 5000; ++i) {
    a.x.push_back(i);
    a.y.push_back(1.0 + 0.5 * std::sin(i * 0.01) + (i == 1234 ? 80.0 : 0.0));
  }
  s.series.push_back(a);
  return s;
}

HeatmapData outlierHeatmap() {
  // 16 tokens × 64 channels, all 0.1 except channel 40 = 50: the outlier must survive any pooling.
  HeatmapData d;
  d.rows = 16;
  d.cols = 64;
  d.values.assign(16 * 64, 0.1f);
  for (int r = 0; r < 16; ++r) d.values[size_t(r) * 64 + 40] = 50.0f;
  d.title = "heat";
  d.xTitle = "channel";
  d.yTitle = "token";
  return d;
}

}  // namespace

class TestPlotExport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void decimateMinMax_data() {
    QTest::addColumn<double>("xMin");
    QTest::addColumn<double>("xMax");
    QTest::addColumn<int>("columns");
    QTest::addColumn<std::vector<QPointF>>("expected");
    // y = 0 5 -1 2 9 | 3 3 -4 1 0 at x = 0..9; two columns split at x = 4.5.
    QTest::newRow("two columns") << 0.0 << 9.0 << 2 << pts({{2, -1}, {4, 9}, {5, 3}, {7, -4}});
    // Window [3, 6] in one column, plus the nearest neighbour outside on each side.
    QTest::newRow("window") << 3.0 << 6.0 << 1 << pts({{2, -1}, {3, 2}, {4, 9}, {7, -4}});
    // Few enough points: returned as they are.
    QTest::newRow("passthrough") << 0.0 << 9.0 << 5
                                 << pts({{0, 0}, {1, 5}, {2, -1}, {3, 2}, {4, 9}, {5, 3}, {6, 3}, {7, -4}, {8, 1}, {9, 0}});
  }
  void decimateMinMax() {
    QFETCH(double, xMin);
    QFETCH(double, xMax);
    QFETCH(int, columns);
    QFETCH(std::vector<QPointF>, expected);
    const std::vector<double> x{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const std::vector<double> y{0, 5, -1, 2, 9, 3, 3, -4, 1, 0};
    QCOMPARE(jq::ui::decimateMinMax(x, y, columns, xMin, xMax), expected);
  }

  void decimationKeepsASingleSpike() {
    std::vector<double> x(100000), y(100000);
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = double(i);
      y[i] = std::sin(double(i));
    }
    y[54321] = 1000.0;
    const auto out = jq::ui::decimateMinMax(x, y, 500);
    QVERIFY(out.size() <= 1002);
    QVERIFY(std::any_of(out.begin(), out.end(), [](const QPointF& p) { return p.x() == 54321 && p.y() == 1000; }));
  }

  void maxPoolKeepsLargestMagnitude() {
    // [[1,-7,2,0],[3,1,-1,5]] → 1×2: max |.| over columns {0,1} and {2,3}.
    const std::vector<float> v{1, -7, 2, 0, 3, 1, -1, 5};
    QCOMPARE(maxPool(v, 2, 4, 0, 2, 0, 4, 1, 2), (std::vector<float>{7, 5}));
    QCOMPARE(maxPool(v, 2, 4, 1, 2, 2, 4, 5, 5), (std::vector<float>{1, 5}));   // window, never upsampled
  }

  void niceTicks_data() {
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    QTest::addColumn<int>("maxTicks");
    QTest::addColumn<std::vector<double>>("expected");
    QTest::newRow("0..10 by 2") << 0.0 << 10.0 << 6 << std::vector<double>{0, 2, 4, 6, 8, 10};
    QTest::newRow("0..10 by 5") << 0.0 << 10.0 << 5 << std::vector<double>{0, 5, 10};
    QTest::newRow("channels") << 0.0 << 4095.0 << 5 << std::vector<double>{0, 1000, 2000, 3000, 4000};
  }
  void niceTicks() {
    QFETCH(double, lo);
    QFETCH(double, hi);
    QFETCH(int, maxTicks);
    QFETCH(std::vector<double>, expected);
    const auto t = jq::ui::niceTicks(lo, hi, maxTicks);
    QCOMPARE(t.size(), expected.size());
    for (size_t i = 0; i < t.size(); ++i) QVERIFY(std::abs(t[i] - expected[i]) < 1e-9);
  }

  void negativeTicksAreRounded() {
    const auto t = jq::ui::niceTicks(-0.3, 0.7, 6);   // step 0.2: -0.2 0 0.2 0.4 0.6
    QCOMPARE(int(t.size()), 5);
    QVERIFY(std::abs(t[0] + 0.2) < 1e-12);
    QCOMPARE(t[1], 0.0);
    QVERIFY(std::abs(t[4] - 0.6) < 1e-12);
  }

  void viridisAnchors() {
    const ColorMap m = ColorMap::viridis();
    QCOMPARE(m.at(0.0), QColor("#440154"));
    QCOMPARE(m.at(1.0), QColor("#fde725"));
    // t = 0.5 lies halfway between anchors 4 (#26828e) and 5 (#1f9e89): (34.5, 144, 139.5) rounded half up.
    QCOMPARE(m.at(0.5), QColor(35, 144, 140));
    QCOMPARE(m.table().size(), 256);
    QCOMPARE(ColorMap::normalize(10.0, 1.0, 100.0, true), 0.5);
    QCOMPARE(ColorMap::normalize(0.0, 1.0, 100.0, true), 0.0);   // log scales clamp non-positive values
    QCOMPARE(ColorMap::normalize(3.0, 2.0, 6.0, false), 0.25);
  }

  void csvQuotesOnlyWhatNeedsIt() {
    CsvTable t;
    t.header = {"a", "b,c"};
    t.rows.push_back({"x\"y", "1"});
    t.rows.push_back({"line\nbreak", ""});
    QCOMPARE(PlotExporter::toCsv(t), QString("a,\"b,c\"\n\"x\"\"y\",1\n\"line\nbreak\",\n"));
  }

  void formatFromSuffix() {
    QVERIFY(PlotExporter::formatFor("a/b.PNG") == ExportFormat::Png);
    QVERIFY(PlotExporter::formatFor("b.svg") == ExportFormat::Svg);
    QVERIFY(PlotExporter::formatFor("b.pdf") == ExportFormat::Pdf);
    QVERIFY(PlotExporter::formatFor("b.csv") == ExportFormat::Csv);
    QVERIFY_THROWS_EXCEPTION(std::exception, PlotExporter::formatFor("b.jpg"));
  }

  void exportFigure_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<QSize>("pixels");
    QTest::addColumn<int>("dpi");
    for (const char* kind : {"chart", "heatmap"}) {
      QTest::addRow("%s png 800x500@100", kind) << kind << "png" << QSize(800, 500) << 100;
      QTest::addRow("%s png 1600x1000@300", kind) << kind << "png" << QSize(1600, 1000) << 300;
      QTest::addRow("%s svg", kind) << kind << "svg" << QSize(1200, 900) << 150;
      QTest::addRow("%s pdf", kind) << kind << "pdf" << QSize(800, 500) << 100;
    }
  }
  void exportFigure() {
    QFETCH(QString, kind);
    QFETCH(QString, suffix);
    QFETCH(QSize, pixels);
    QFETCH(int, dpi);
    ChartPlot chart;
    chart.setSpec(lineSpec());
    HeatmapPlot heat;
    heat.setData(outlierHeatmap());
    PlotWidget& plot = kind == "chart" ? static_cast<PlotWidget&>(chart) : static_cast<PlotWidget&>(heat);
    ExportOptions o;
    o.pixels = pixels;
    o.dpi = dpi;
    o.font = QFont("DejaVu Serif", 9);
    const QString path = QString::fromStdString(jq::test::tempDir()) + "/fig-" + kind + "." + suffix;
    PlotExporter::exportPlot(plot, path, o);
    QVERIFY(QFile::exists(path));
    if (qEnvironmentVariableIsSet("JQ_KEEP_EXPORTS"))   // to look at the figures by eye
      QFile::copy(path, qEnvironmentVariable("JQ_KEEP_EXPORTS") + "/" + QFileInfo(path).fileName() + "-" + QString::number(pixels.width()) + "." + suffix);
    // Physical size shared by all formats: pixels / dpi inches = pixels·96/dpi layout units = ·72/dpi points.
    const QSizeF inches(double(pixels.width()) / dpi, double(pixels.height()) / dpi);
    if (suffix == "png") {
      QImage img(path);
      QVERIFY(!img.isNull());
      QCOMPARE(img.size(), pixels);
      QCOMPARE(qRound(img.dotsPerMeterX() * 0.0254), dpi);
      if (kind == "heatmap") {
        // The outlier channel is drawn in the top colour of the map; everything else is near the bottom.
        const QColor top = ColorMap::viridis().at(1.0);
        int hits = 0;
        for (int y = 0; y < img.height(); y += 4)
          for (int x = 0; x < img.width(); ++x)
            if (img.pixelColor(x, y) == top) ++hits;
        QVERIFY2(hits > 0, "the outlier column is missing from the exported heatmap");
      } else {
        int dark = 0;
        for (int y = 0; y < img.height(); y += 2)
          for (int x = 0; x < img.width(); x += 2)
            if (qGray(img.pixel(x, y)) < 128) ++dark;
        QVERIFY2(dark > 100, "the exported chart is blank");
      }
    } else if (suffix == "svg") {
      QSvgRenderer svg(path);
      QVERIFY(svg.isValid());
      QCOMPARE(svg.viewBoxF().width(), inches.width() * 96.0);
      QCOMPARE(svg.viewBoxF().height(), inches.height() * 96.0);
      const QByteArray bytes = jq::test::readFile(path.toStdString()).c_str();
      QVERIFY2(bytes.contains("DejaVu Serif"), "the chosen font is not used in the SVG");
      QVERIFY(bytes.contains("<text") || bytes.contains("<path"));
    } else {
      const std::string bytes = jq::test::readFile(path.toStdString());
      QVERIFY(bytes.rfind("%PDF-", 0) == 0);
      QVERIFY(bytes.find("/Type /Page\n") != std::string::npos || bytes.find("/Type /Page ") != std::string::npos ||
              bytes.find("/Type/Page") != std::string::npos);
      QVERIFY2(bytes.find("DejaVuSerif") != std::string::npos, "the chosen font is not embedded in the PDF");
      // MediaBox in points (1/72 inch).
      const auto at = bytes.find("/MediaBox");
      QVERIFY(at != std::string::npos);
      const QString box = QString::fromStdString(bytes.substr(at, 60)).section('[', 1).section(']', 0, 0);
      const QStringList nums = box.simplified().split(' ');
      QCOMPARE(nums.size(), 4);
      QVERIFY(std::abs(nums[2].toDouble() - inches.width() * 72.0) < 1.0);
      QVERIFY(std::abs(nums[3].toDouble() - inches.height() * 72.0) < 1.0);
    }
  }

  void exportCsvHasFullData() {
    ChartPlot chart;
    chart.setSpec(lineSpec());
    const QString path = QString::fromStdString(jq::test::tempDir()) + "/data.csv";
    PlotExporter::exportPlot(chart, path, {});
    const QStringList lines = QString::fromStdString(jq::test::readFile(path.toStdString())).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5001);   // header + every point, not the decimated ones
    QCOMPARE(lines[0], QString("series,channel,max |x|"));
    QCOMPARE(lines[1235], QString("absmax,1234,%1").arg(1.0 + 0.5 * std::sin(12.34) + 80.0, 0, 'g', 8));
  }

  void exportToMissingFolderFailsClearly() {
    ChartPlot chart;
    chart.setSpec(lineSpec());
    try {
      PlotExporter::exportPlot(chart, "/nonexistent-jq/fig.png", {});
      QFAIL("expected an error");
    } catch (const std::exception& e) {
      QVERIFY(QString(e.what()).contains("/nonexistent-jq/fig.png"));
    }
  }

  void onScreenChartIsDecimated() {
    ChartPlot chart;
    chart.resize(600, 400);
    chart.setSpec(lineSpec());
    auto* series = qobject_cast<QXYSeries*>(chart.chart()->series().first());
    QVERIFY(series);
    // 5000 points never reach the screen one by one, and the single spike survives the reduction.
    QVERIFY2(series->count() < 5000, qPrintable(QString::number(series->count())));
    const auto points = series->points();
    QVERIFY(std::any_of(points.begin(), points.end(), [](const QPointF& p) { return p.y() > 80; }));
  }

  void logAxisClampsNonPositiveValues() {
    ChartSpec s;
    s.logY = true;
    XYSeriesSpec a;
    a.name = "with zeros";
    a.x = {0, 1, 2, 3};
    a.y = {0.0, -1.0, 10.0, 100.0};
    s.series.push_back(a);
    ChartPlot chart;
    chart.setSpec(s);
    auto* series = qobject_cast<QXYSeries*>(chart.chart()->series().first());
    for (const auto& p : series->points()) QVERIFY(p.y() > 0);
    auto* axis = qobject_cast<QLogValueAxis*>(chart.chart()->axes(Qt::Vertical).first());
    QVERIFY(axis);
    QCOMPARE(axis->labelFormat(), QString("%g"));
    QVERIFY(axis->min() > 0);
  }

  void areaSeriesLinesDieWithTheChart() {
    // QAreaSeries does not own its upper and lower line series; the chart must still free them (found by LSan).
    ChartSpec s;
    XYSeriesSpec a;
    a.name = "area";
    a.style = XYSeriesSpec::Style::Area;
    a.x = {0, 1, 2, 3};
    a.y = {1.0, 3.0, 2.0, 4.0};
    s.series.push_back(a);
    QChart* chart = buildChart(s, 200, std::nullopt, false);
    auto* area = qobject_cast<QAreaSeries*>(chart->series().first());
    QVERIFY(area);
    QPointer<QLineSeries> upper = area->upperSeries(), lower = area->lowerSeries();
    QVERIFY(upper && lower);
    QVERIFY(upper->count() > 0);
    delete chart;
    QVERIFY(!upper);
    QVERIFY(!lower);
  }
};

QTEST_MAIN(TestPlotExport)
#include "tst_plotexport.moc"
