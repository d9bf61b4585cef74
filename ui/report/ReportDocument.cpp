#include "report/ReportDocument.h"

#include <QBuffer>
#include <QFontMetricsF>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/Error.h"

namespace jq::ui {
namespace {

constexpr double kMarginX = 60.0, kMarginTop = 56.0, kMarginBottom = 64.0;
constexpr double kChartGap = 10.0;
constexpr double kCellPad = 6.0;

[[noreturn]] void ioError(const QString& path, const QString& what) {
  throw jq::Error(jq::ErrorKind::Io, what.toStdString(), {path.toStdString(), {}, {}});
}

// Text is measured on a 96 dpi image, the resolution every output is painted at before scaling.
const QPaintDevice* measureDevice() {
  static const QImage device(1, 1, QImage::Format_ARGB32_Premultiplied);
  return &device;
}

QString html(const QString& s) { return s.toHtmlEscaped(); }

// One chart as an <svg> element (no XML prolog), `width` × `height` logical units.
QString chartSvg(const ChartSpec& spec, double width, double height, const QFont& font) {
  QBuffer buffer;
  buffer.open(QIODevice::WriteOnly);
  QSvgGenerator svg;
  svg.setOutputDevice(&buffer);
  svg.setResolution(96);
  svg.setSize(QSizeF(width, height).toSize());
  svg.setViewBox(QRectF(0, 0, width, height));
  svg.setTitle(spec.title);
  {
    QPainter p(&svg);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(QRectF(0, 0, width, height), Qt::white);
    renderChart(spec, p, QRectF(0, 0, width, height), font);
  }
  QString text = QString::fromUtf8(buffer.data());
  const int start = text.indexOf(QLatin1String("<svg"));
  return start >= 0 ? text.mid(start) : text;
}

}  // namespace

ReportDocument::ReportDocument(QString title, QString subtitle)
    : title_(std::move(title)), subtitle_(std::move(subtitle)), font_(QStringLiteral("DejaVu Sans"), 9) {}

void ReportDocument::setFont(const QFont& font) {
  font_ = font;
  pages_.clear();
}

void ReportDocument::addHeading(const QString& text) {
  ReportBlock b;
  b.kind = ReportBlock::Kind::Heading;
  b.text = text;
  blocks_.push_back(std::move(b));
  pages_.clear();
}

void ReportDocument::addParagraph(const QString& text) {
  ReportBlock b;
  b.kind = ReportBlock::Kind::Paragraph;
  b.text = text;
  blocks_.push_back(std::move(b));
  pages_.clear();
}

void ReportDocument::addTable(const QString& caption, const QStringList& header, std::vector<QStringList> rows,
                              std::vector<bool> alignRight) {
  ReportBlock b;
  b.kind = ReportBlock::Kind::Table;
  b.text = caption;
  b.header = header;
  b.rows = std::move(rows);
  b.alignRight = std::move(alignRight);
  b.alignRight.resize(size_t(header.size()), false);
  blocks_.push_back(std::move(b));
  pages_.clear();
}

void ReportDocument::addFigure(const QString& caption, std::vector<ChartSpec> charts, int columns, double chartHeight) {
  if (charts.empty()) return;
  ReportBlock b;
  b.kind = ReportBlock::Kind::Figure;
  b.text = caption;
  b.charts = std::move(charts);
  b.columns = std::max(1, columns);
  b.chartHeight = chartHeight;
  blocks_.push_back(std::move(b));
  pages_.clear();
}

void ReportDocument::addPageBreak() {
  ReportBlock b;
  b.kind = ReportBlock::Kind::PageBreak;
  blocks_.push_back(std::move(b));
  pages_.clear();
}

QSizeF ReportDocument::pageSize() { return QPageSize(QPageSize::A4).size(QPageSize::Inch) * 96.0; }

QFont ReportDocument::headingFont() const {
  QFont f = font_;
  f.setPointSizeF(font_.pointSizeF() * 1.45);
  f.setBold(true);
  return f;
}

QFont ReportDocument::titleFont() const {
  QFont f = font_;
  f.setPointSizeF(font_.pointSizeF() * 2.2);
  f.setBold(true);
  return f;
}

QFont ReportDocument::captionFont() const {
  QFont f = font_;
  f.setItalic(true);
  return f;
}

double ReportDocument::rowHeight() const { return std::ceil(QFontMetricsF(font_, measureDevice()).height() * 1.45); }

double ReportDocument::textHeight(const QString& text, const QFont& font, double width) const {
  if (text.isEmpty()) return 0.0;
  const QFontMetricsF fm(font, measureDevice());
  return fm.boundingRect(QRectF(0, 0, width, 1e6), Qt::TextWordWrap, text).height();
}

double ReportDocument::captionHeight(const ReportBlock& b) const {
  const double w = pageSize().width() - 2 * kMarginX;
  return b.text.isEmpty() ? 0.0 : textHeight(b.text, captionFont(), w) + 6.0;
}

std::vector<double> ReportDocument::columnWidths(const ReportBlock& b, double width) const {
  QFont bold = font_;
  bold.setBold(true);
  const QFontMetricsF fm(font_, measureDevice()), fb(bold, measureDevice());
  std::vector<double> w(size_t(b.header.size()), 0.0);
  for (int c = 0; c < b.header.size(); ++c) w[size_t(c)] = fb.horizontalAdvance(b.header[c]) + 2 * kCellPad;
  for (const auto& r : b.rows)
    for (int c = 0; c < std::min<int>(int(r.size()), b.header.size()); ++c)
      w[size_t(c)] = std::max(w[size_t(c)], fm.horizontalAdvance(r[c]) + 2 * kCellPad);
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  if (total > width) {
    // Too wide: columns narrower than their share keep their width, the others share what is left (and elide).
    double fixed = 0.0;
    int wide = 0;
    const double share = width / double(w.size());
    for (double x : w) (x <= share ? fixed += x : ++wide);
    const double rest = wide ? (width - fixed) / wide : 0.0;
    for (double& x : w)
      if (x > share) x = rest;
  }
  return w;
}

const std::vector<ReportDocument::Page>& ReportDocument::pages() const {
  if (!pages_.empty()) return pages_;
  const QSizeF page = pageSize();
  const double width = page.width() - 2 * kMarginX;
  const double bottom = page.height() - kMarginBottom;
  pages_.push_back({});
  double y = kMarginTop + textHeight(title_, titleFont(), width) + 6.0 + textHeight(subtitle_, font_, width) + 18.0;
  auto newPage = [&] {
    pages_.push_back({});
    y = kMarginTop;
  };
  auto fresh = [&] { return pages_.back().empty(); };
  const double rh = rowHeight();
  // Height of the smallest piece of a block that may start a page (to keep headings with what follows).
  auto firstPiece = [&](size_t i) -> double {
    if (i >= blocks_.size()) return 0.0;
    const ReportBlock& b = blocks_[i];
    switch (b.kind) {
      case ReportBlock::Kind::Paragraph: return textHeight(b.text, font_, width);
      case ReportBlock::Kind::Table: return captionHeight(b) + 3 * rh;
      case ReportBlock::Kind::Figure: return b.chartHeight + (b.charts.size() <= size_t(b.columns) ? captionHeight(b) : 0.0);
      default: return 0.0;
    }
  };
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const ReportBlock& b = blocks_[i];
    switch (b.kind) {
      case ReportBlock::Kind::PageBreak:
        if (!fresh()) newPage();
        break;
      case ReportBlock::Kind::Heading: {
        const double space = fresh() && pages_.size() > 1 ? 0.0 : 10.0;
        const double h = textHeight(b.text, headingFont(), width) + 8.0;
        if (!fresh() && y + space + h + firstPiece(i + 1) > bottom) newPage();
        y += fresh() && pages_.size() > 1 ? 0.0 : space;
        pages_.back().push_back({i, y, 0, 0, false});
        y += h;
        break;
      }
      case ReportBlock::Kind::Paragraph: {
        const double h = textHeight(b.text, font_, width);
        if (!fresh() && y + h > bottom) newPage();
        pages_.back().push_back({i, y, 0, 0, false});
        y += h + 8.0;
        break;
      }
      case ReportBlock::Kind::Table: {
        const double ch = captionHeight(b);
        const int rows = int(b.rows.size());
        if (!fresh() && y + ch + 2 * rh > bottom) newPage();
        int r = 0;
        bool first = true;
        do {
          const double top = y + (first ? ch : 0.0) + rh;
          const int n = std::min(rows - r, std::max(1, int((bottom - top) / rh)));
          pages_.back().push_back({i, y, r, std::max(0, n), first});
          y = top + rh * std::max(0, n) + 12.0;
          r += std::max(0, n);
          first = false;
          if (r < rows) newPage();
        } while (r < rows);
        break;
      }
      case ReportBlock::Kind::Figure: {
        const double ch = captionHeight(b);
        const int chartRows = int((b.charts.size() + size_t(b.columns) - 1) / size_t(b.columns));
        for (int k = 0; k < chartRows; ++k) {
          const bool last = k == chartRows - 1;
          const double h = b.chartHeight + (last ? ch : 0.0);
          if (!fresh() && y + h > bottom) newPage();
          pages_.back().push_back({i, y, k, 1, last});
          y += h + (last ? 12.0 : kChartGap);
        }
        break;
      }
    }
  }
  if (pages_.size() > 1 && pages_.back().empty()) pages_.pop_back();
  return pages_;
}

int ReportDocument::pageCount() const { return int(pages().size()); }

void ReportDocument::paintTable(QPainter& p, const ReportBlock& b, const Placed& at, double left, double width) const {
  const double rh = rowHeight();
  double y = at.y;
  if (at.withCaption && !b.text.isEmpty()) {
    p.setFont(captionFont());
    p.setPen(QColor("#333333"));
    p.drawText(QRectF(left, y, width, 1e6), Qt::TextWordWrap, b.text);
    y += captionHeight(b);
  } else if (!at.withCaption) {
    p.setFont(captionFont());
    p.setPen(QColor("#666666"));
    const QFontMetricsF fm(captionFont(), measureDevice());
    p.drawText(QRectF(left, y - rh, width, rh), Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(b.text + QLatin1Char(' ') + continued_, Qt::ElideMiddle, width));
  }
  const auto widths = columnWidths(b, width);
  const double tableWidth = std::accumulate(widths.begin(), widths.end(), 0.0);
  QFont bold = font_;
  bold.setBold(true);
  auto drawRow = [&](const QStringList& cells, double top, bool header) {
    p.setFont(header ? bold : font_);
    const QFontMetricsF fm(p.font(), measureDevice());
    double x = left;
    for (int c = 0; c < b.header.size(); ++c) {
      const double w = widths[size_t(c)];
      const QString text = fm.elidedText(c < cells.size() ? cells[c] : QString(), Qt::ElideMiddle, w - 2 * kCellPad);
      const Qt::Alignment align = (b.alignRight[size_t(c)] ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter;
      p.drawText(QRectF(x + kCellPad, top, w - 2 * kCellPad, rh), align, text);
      x += w;
    }
  };
  p.fillRect(QRectF(left, y, tableWidth, rh), QColor("#e6ebf2"));
  p.setPen(QColor("#111111"));
  drawRow(b.header, y, true);
  y += rh;
  for (int r = 0; r < at.count; ++r) {
    if (r % 2 == 1) p.fillRect(QRectF(left, y, tableWidth, rh), QColor("#f5f6f8"));
    p.setPen(QColor("#111111"));
    drawRow(b.rows[size_t(at.first + r)], y, false);
    y += rh;
  }
  p.setPen(QPen(QColor("#8a94a3"), 0.8));
  p.drawLine(QPointF(left, at.y + (at.withCaption ? captionHeight(b) : 0.0) + rh), QPointF(left + tableWidth, at.y + (at.withCaption ? captionHeight(b) : 0.0) + rh));
  p.drawLine(QPointF(left, y), QPointF(left + tableWidth, y));
}

void ReportDocument::paintPage(QPainter& p, int index) const {
  const auto& all = pages();
  if (index < 0 || index >= int(all.size())) return;
  const QSizeF page = pageSize();
  const double width = page.width() - 2 * kMarginX;
  p.save();
  p.setRenderHint(QPainter::Antialiasing);
  p.setRenderHint(QPainter::TextAntialiasing);
  p.fillRect(QRectF(QPointF(0, 0), page), Qt::white);
  if (index == 0) {
    double y = kMarginTop;
    p.setPen(QColor("#111111"));
    p.setFont(titleFont());
    const double th = textHeight(title_, titleFont(), width);
    p.drawText(QRectF(kMarginX, y, width, th), Qt::TextWordWrap, title_);
    y += th + 6.0;
    p.setFont(font_);
    p.setPen(QColor("#444444"));
    const double sh = textHeight(subtitle_, font_, width);
    p.drawText(QRectF(kMarginX, y, width, sh), Qt::TextWordWrap, subtitle_);
    y += sh + 8.0;
    p.setPen(QPen(QColor("#3b6ea8"), 1.5));
    p.drawLine(QPointF(kMarginX, y), QPointF(kMarginX + width, y));
  }
  for (const Placed& at : all[size_t(index)]) {
    const ReportBlock& b = blocks_[at.block];
    switch (b.kind) {
      case ReportBlock::Kind::Heading:
        p.setFont(headingFont());
        p.setPen(QColor("#1f3f66"));
        p.drawText(QRectF(kMarginX, at.y, width, 1e6), Qt::TextWordWrap, b.text);
        break;
      case ReportBlock::Kind::Paragraph:
        p.setFont(font_);
        p.setPen(QColor("#222222"));
        p.drawText(QRectF(kMarginX, at.y, width, 1e6), Qt::TextWordWrap, b.text);
        break;
      case ReportBlock::Kind::Table:
        paintTable(p, b, at, kMarginX, width);
        break;
      case ReportBlock::Kind::Figure: {
        const double w = (width - kChartGap * (b.columns - 1)) / b.columns;
        QFont chartFont = font_;
        chartFont.setPointSizeF(font_.pointSizeF() * 0.9);
        for (int c = 0; c < b.columns; ++c) {
          const size_t k = size_t(at.first * b.columns + c);
          if (k >= b.charts.size()) break;
          const QRectF target(kMarginX + c * (w + kChartGap), at.y, w, b.chartHeight);
          p.save();
          renderChart(b.charts[k], p, target, chartFont);
          p.restore();
        }
        if (at.withCaption && !b.text.isEmpty()) {
          p.setFont(captionFont());
          p.setPen(QColor("#333333"));
          p.drawText(QRectF(kMarginX, at.y + b.chartHeight + 4.0, width, 1e6), Qt::TextWordWrap, b.text);
        }
        break;
      }
      case ReportBlock::Kind::PageBreak:
        break;
    }
  }
  // Footer: the report's title and the page number.
  QFont small = font_;
  small.setPointSizeF(font_.pointSizeF() * 0.85);
  p.setFont(small);
  p.setPen(QColor("#777777"));
  const double fy = page.height() - kMarginBottom + 24.0;
  p.setPen(QPen(QColor("#c8ccd2"), 0.6));
  p.drawLine(QPointF(kMarginX, fy - 4.0), QPointF(kMarginX + width, fy - 4.0));
  p.setPen(QColor("#777777"));
  p.drawText(QRectF(kMarginX, fy, width, 20), Qt::AlignLeft | Qt::AlignTop, title_);
  p.drawText(QRectF(kMarginX, fy, width, 20), Qt::AlignRight | Qt::AlignTop,
             QStringLiteral("%1 / %2").arg(index + 1).arg(all.size()));
  p.restore();
}

QImage ReportDocument::renderPage(int index, int dpi) const {
  const double scale = double(dpi) / 96.0;
  const QSizeF page = pageSize();
  QImage image(QSize(int(std::lround(page.width() * scale)), int(std::lround(page.height() * scale))),
               QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  {
    QPainter p(&image);
    p.scale(scale, scale);   // painted at the image's 96 dpi so point sizes match the layout, then scaled
    paintPage(p, index);
  }
  const int dpm = int(std::lround(dpi / 0.0254));
  image.setDotsPerMeterX(dpm);
  image.setDotsPerMeterY(dpm);
  return image;
}

void ReportDocument::writePdf(const QString& path) const {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) ioError(path, "cannot write the report: " + f.errorString());
  {
    QPdfWriter pdf(&f);
    pdf.setCreator(QStringLiteral("JointQuant Workbench"));
    pdf.setTitle(title_);
    pdf.setResolution(96);
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter p(&pdf);
    if (!p.isActive()) ioError(path, "cannot start the PDF drawing");
    const QSizeF page = pageSize();
    const double sx = pdf.width() / page.width(), sy = pdf.height() / page.height();
    for (int i = 0; i < pageCount(); ++i) {
      if (i > 0) pdf.newPage();
      p.save();
      p.scale(sx, sy);
      paintPage(p, i);
      p.restore();
    }
  }
  if (!f.commit()) ioError(path, "cannot write the report: " + f.errorString());
}

QStringList ReportDocument::writePngs(const QString& pattern, int dpi) const {
  QStringList written;
  for (int i = 0; i < pageCount(); ++i) {
    QString name = pattern;
    if (name.contains(QLatin1String("%d"))) name.replace(QLatin1String("%d"), QString::number(i + 1));
    else if (name.contains(QLatin1String("%1"))) name = name.arg(i + 1);
    else name.replace(QRegularExpression(QStringLiteral("(\\.png)$"), QRegularExpression::CaseInsensitiveOption),
                      QStringLiteral("-%1.png").arg(i + 1));
    QSaveFile f(name);
    if (!f.open(QIODevice::WriteOnly)) ioError(name, "cannot write the report page: " + f.errorString());
    if (!renderPage(i, dpi).save(&f, "PNG") || !f.commit())
      ioError(name, "cannot write the report page: " + f.errorString());
    written << name;
  }
  return written;
}

void ReportDocument::writeHtml(const QString& path) const {
  QString out;
  out += QStringLiteral(
      "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>%1</title>\n<style>\n"
      "body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10pt;color:#222;max-width:62em;margin:2em auto;"
      "padding:0 1em}\n"
      "h1{font-size:20pt;margin-bottom:0.2em} h2{font-size:13pt;color:#1f3f66;margin-top:1.6em}\n"
      ".subtitle{color:#444;border-bottom:2px solid #3b6ea8;padding-bottom:0.6em}\n"
      "table{border-collapse:collapse;margin:0.4em 0 1.4em} caption{caption-side:top;text-align:left;"
      "font-style:italic;padding-bottom:0.3em}\n"
      "th{background:#e6ebf2;text-align:left;padding:3px 8px;border-bottom:1px solid #8a94a3}\n"
      "td{padding:3px 8px} tr:nth-child(even) td{background:#f5f6f8} td.num,th.num{text-align:right;"
      "font-variant-numeric:tabular-nums}\n"
      "figure{margin:0.8em 0 1.6em} .charts{display:grid;gap:10px} figcaption{font-style:italic;margin-top:0.3em}\n"
      ".charts svg{width:100%;height:auto}\n"
      "</style>\n</head>\n<body>\n<h1>%1</h1>\n<p class=\"subtitle\">%2</p>\n")
             .arg(html(title_), html(subtitle_).replace(QLatin1String("\n"), QLatin1String("<br>")));
  const double contentWidth = pageSize().width() - 2 * kMarginX;
  QFont chartFont = font_;
  chartFont.setPointSizeF(font_.pointSizeF() * 0.9);
  for (const ReportBlock& b : blocks_) {
    switch (b.kind) {
      case ReportBlock::Kind::Heading:
        out += QStringLiteral("<h2>%1</h2>\n").arg(html(b.text));
        break;
      case ReportBlock::Kind::Paragraph:
        out += QStringLiteral("<p>%1</p>\n").arg(html(b.text));
        break;
      case ReportBlock::Kind::Table: {
        out += QStringLiteral("<table>\n");
        if (!b.text.isEmpty()) out += QStringLiteral("<caption>%1</caption>\n").arg(html(b.text));
        out += QStringLiteral("<tr>");
        for (int c = 0; c < b.header.size(); ++c)
          out += QStringLiteral("<th%1>%2</th>").arg(b.alignRight[size_t(c)] ? QStringLiteral(" class=\"num\"") : QString(),
                                                     html(b.header[c]));
        out += QStringLiteral("</tr>\n");
        for (const auto& r : b.rows) {
          out += QStringLiteral("<tr>");
          for (int c = 0; c < b.header.size(); ++c)
            out += QStringLiteral("<td%1>%2</td>")
                       .arg(b.alignRight[size_t(c)] ? QStringLiteral(" class=\"num\"") : QString(),
                            html(c < r.size() ? r[c] : QString()));
          out += QStringLiteral("</tr>\n");
        }
        out += QStringLiteral("</table>\n");
        break;
      }
      case ReportBlock::Kind::Figure: {
        const double w = (contentWidth - kChartGap * (b.columns - 1)) / b.columns;
        out += QStringLiteral("<figure>\n<div class=\"charts\" style=\"grid-template-columns:repeat(%1,1fr)\">\n")
                   .arg(b.columns);
        for (const ChartSpec& spec : b.charts) out += chartSvg(spec, w, b.chartHeight, chartFont) + QLatin1Char('\n');
        out += QStringLiteral("</div>\n");
        if (!b.text.isEmpty()) out += QStringLiteral("<figcaption>%1</figcaption>\n").arg(html(b.text));
        out += QStringLiteral("</figure>\n");
        break;
      }
      case ReportBlock::Kind::PageBreak:
        break;
    }
  }
  out += QStringLiteral("</body>\n</html>\n");
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) ioError(path, "cannot write the report: " + f.errorString());
  f.write(out.toUtf8());
  if (!f.commit()) ioError(path, "cannot write the report: " + f.errorString());
}

}  // namespace jq::ui
