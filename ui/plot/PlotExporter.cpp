#include "plot/PlotExporter.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileInfo>
#include <QMimeData>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>

#include "common/Error.h"

namespace jq::ui {
namespace {

QString csvField(const QString& s) {
  if (!s.contains(',') && !s.contains('"') && !s.contains('\n') && !s.contains('\r')) return s;
  QString q = s;
  q.replace('"', QStringLiteral("\"\""));
  return '"' + q + '"';
}

[[noreturn]] void ioError(const QString& path, const QString& what) {
  throw jq::Error(jq::ErrorKind::Io, what.toStdString(), {path.toStdString(), {}, {}});
}

}  // namespace

ExportFormat PlotExporter::formatFor(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == "png") return ExportFormat::Png;
  if (suffix == "svg") return ExportFormat::Svg;
  if (suffix == "pdf") return ExportFormat::Pdf;
  if (suffix == "csv") return ExportFormat::Csv;
  throw jq::Error(jq::ErrorKind::InvalidInput, "unknown figure format '" + suffix.toStdString() +
                  "' (use .png, .svg, .pdf or .csv)", {path.toStdString(), {}, {}});
}

QSizeF PlotExporter::layoutSize(const ExportOptions& o) {
  const double dpi = o.dpi > 0 ? o.dpi : kLayoutDpi;
  return QSizeF(o.pixels.width() * kLayoutDpi / dpi, o.pixels.height() * kLayoutDpi / dpi);
}

QImage PlotExporter::renderImage(PlotWidget& plot, const ExportOptions& o) {
  QImage image(o.pixels, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  const QSizeF logical = layoutSize(o);
  {
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    // Painted at the image's default (screen) DPI so point sizes match the logical layout, then scaled.
    p.scale(o.pixels.width() / logical.width(), o.pixels.height() / logical.height());
    plot.renderPlot(p, QRectF(QPointF(0, 0), logical), o.font);
  }
  const int dpm = int(std::lround(o.dpi / 0.0254));
  image.setDotsPerMeterX(dpm);
  image.setDotsPerMeterY(dpm);
  return image;
}

QString PlotExporter::toCsv(const CsvTable& table) {
  QString out;
  QTextStream s(&out);
  auto line = [&](const QStringList& cells) {
    for (int i = 0; i < cells.size(); ++i) {
      if (i) s << ',';
      s << csvField(cells[i]);
    }
    s << '\n';
  };
  line(table.header);
  for (const auto& r : table.rows) line(r);
  s.flush();
  return out;
}

void PlotExporter::exportPlot(PlotWidget& plot, const QString& path, const ExportOptions& options) {
  exportPlot(plot, path, formatFor(path), options);
}

void PlotExporter::exportPlot(PlotWidget& plot, const QString& path, ExportFormat format, const ExportOptions& o) {
  const QSizeF logical = layoutSize(o);
  switch (format) {
    case ExportFormat::Png: {
      QSaveFile f(path);
      if (!f.open(QIODevice::WriteOnly)) ioError(path, "cannot write the figure: " + f.errorString());
      if (!renderImage(plot, o).save(&f, "PNG") || !f.commit()) ioError(path, "cannot write the figure: " + f.errorString());
      return;
    }
    case ExportFormat::Svg: {
      QSaveFile f(path);
      if (!f.open(QIODevice::WriteOnly)) ioError(path, "cannot write the figure: " + f.errorString());
      QSvgGenerator svg;
      svg.setOutputDevice(&f);
      svg.setResolution(int(kLayoutDpi));
      svg.setSize(logical.toSize());
      svg.setViewBox(QRectF(QPointF(0, 0), logical));
      svg.setTitle(plot.plotTitle());
      svg.setDescription(QStringLiteral("JointQuant Workbench"));
      {
        QPainter p(&svg);
        if (!p.isActive()) ioError(path, "cannot start the SVG drawing");
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(QRectF(QPointF(0, 0), logical), Qt::white);
        plot.renderPlot(p, QRectF(QPointF(0, 0), logical), o.font);
      }
      if (!f.commit()) ioError(path, "cannot write the figure: " + f.errorString());
      return;
    }
    case ExportFormat::Pdf: {
      QSaveFile f(path);
      if (!f.open(QIODevice::WriteOnly)) ioError(path, "cannot write the figure: " + f.errorString());
      {
        QPdfWriter pdf(&f);
        pdf.setCreator(QStringLiteral("JointQuant Workbench"));
        pdf.setTitle(plot.plotTitle());
        pdf.setResolution(int(kLayoutDpi));
        const double dpi = o.dpi > 0 ? o.dpi : kLayoutDpi;
        const QSizeF mm(o.pixels.width() / dpi * 25.4, o.pixels.height() / dpi * 25.4);
        pdf.setPageSize(QPageSize(mm, QPageSize::Millimeter, QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter p(&pdf);
        if (!p.isActive()) ioError(path, "cannot start the PDF drawing");
        p.setRenderHint(QPainter::Antialiasing);
        const QRectF page(QPointF(0, 0), QSizeF(pdf.width(), pdf.height()));
        p.fillRect(page, Qt::white);
        p.scale(page.width() / logical.width(), page.height() / logical.height());
        plot.renderPlot(p, QRectF(QPointF(0, 0), logical), o.font);
      }
      if (!f.commit()) ioError(path, "cannot write the figure: " + f.errorString());
      return;
    }
    case ExportFormat::Csv: {
      QSaveFile f(path);
      if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) ioError(path, "cannot write the data: " + f.errorString());
      f.write(toCsv(plot.csvTable()).toUtf8());
      if (!f.commit()) ioError(path, "cannot write the data: " + f.errorString());
      return;
    }
  }
}

void PlotExporter::copyToClipboard(PlotWidget& plot, const ExportOptions& options) {
  auto* mime = new QMimeData;
  mime->setImageData(renderImage(plot, options));
  mime->setText(toCsv(plot.csvTable()));
  QApplication::clipboard()->setMimeData(mime);
}

}  // namespace jq::ui
