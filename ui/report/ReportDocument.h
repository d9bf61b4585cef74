// A report as a list of blocks (headings, paragraphs, tables, rows of charts) and its three renderings:
// PDF pages (QPdfWriter + QPainter, charts drawn as vectors by Qt Charts' own painter code), PNG pages (the same
// painting on a QImage), and one HTML file with real <table>s and every chart as inline SVG (QSvgGenerator).
//
// Pages are A4 portrait laid out in logical units of 1/96 inch, whatever the output's resolution, so a 10 pt
// label takes the same share of the page in the PDF and in a PNG at any DPI. Tables longer than a page continue
// on the next one under a repeated header; a row of charts is never split; a heading stays with what follows.
#pragma once

#include <QFont>
#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

#include "plot/ChartSpec.h"

class QPainter;

namespace jq::ui {

struct ReportBlock {
  enum class Kind { Heading, Paragraph, Table, Figure, PageBreak };
  Kind kind = Kind::Paragraph;
  QString text;                     // heading, paragraph, or the caption of a table/figure
  // Table
  QStringList header;
  std::vector<QStringList> rows;
  std::vector<bool> alignRight;     // per column; numbers read better right-aligned
  // Figure: charts in rows of `columns`, each `chartHeight` logical units high
  std::vector<ChartSpec> charts;
  int columns = 1;
  double chartHeight = 300.0;
};

class ReportDocument {
 public:
  ReportDocument(QString title, QString subtitle);

  void addHeading(const QString& text);
  void addParagraph(const QString& text);
  void addTable(const QString& caption, const QStringList& header, std::vector<QStringList> rows,
                std::vector<bool> alignRight = {});
  void addFigure(const QString& caption, std::vector<ChartSpec> charts, int columns = 1, double chartHeight = 300.0);
  void addPageBreak();

  const QString& title() const { return title_; }
  const std::vector<ReportBlock>& blocks() const { return blocks_; }
  void setFont(const QFont& font);  // body text; headings and the title are derived from it
  // Appended to a table's caption where the table continues on a new page, e.g. "(continued)".
  void setContinuedLabel(const QString& text) { continued_ = text; }

  // A4 portrait in logical units (1/96 inch).
  static QSizeF pageSize();
  int pageCount() const;
  // Paints page `index` (0-based) into a painter whose coordinates are the page's logical units.
  void paintPage(QPainter& painter, int index) const;
  QImage renderPage(int index, int dpi) const;

  // Each throws jq::Error(Io) naming the file when it cannot be written.
  void writePdf(const QString& path) const;
  void writeHtml(const QString& path) const;
  // `pattern` holds "%1" or "%d" for the 1-based page number; returns the files written.
  QStringList writePngs(const QString& pattern, int dpi) const;

 private:
  struct Placed {
    size_t block = 0;
    double y = 0.0;                 // top on the page
    int first = 0, count = 0;       // table rows / chart rows shown here
    bool withCaption = false;
  };
  using Page = std::vector<Placed>;

  const std::vector<Page>& pages() const;
  QFont headingFont() const;
  QFont titleFont() const;
  QFont captionFont() const;
  double rowHeight() const;
  double textHeight(const QString& text, const QFont& font, double width) const;
  double captionHeight(const ReportBlock& b) const;
  std::vector<double> columnWidths(const ReportBlock& b, double width) const;
  void paintTable(QPainter& p, const ReportBlock& b, const Placed& at, double left, double width) const;

  QString title_, subtitle_;
  QFont font_;
  QString continued_ = QStringLiteral("(continued)");
  std::vector<ReportBlock> blocks_;
  mutable std::vector<Page> pages_;   // laid out on first use, reset by every change
};

}  // namespace jq::ui
