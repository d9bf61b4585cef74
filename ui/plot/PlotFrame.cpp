#include "plot/PlotFrame.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QRegularExpression>
#include <QMessageBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "common/Error.h"
#include "plot/ExportDialog.h"
#include "plot/PlotExporter.h"
#include "settings/Preferences.h"

namespace jq::ui {

PlotFrame::PlotFrame(PlotWidget* plot, Preferences* prefs, QWidget* parent)
    : QWidget(parent), plot_(plot), prefs_(prefs) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->setSpacing(2);
  auto* tools = new QHBoxLayout;
  readout_ = new QLabel;
  readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  readout_->setMinimumWidth(10);
  readout_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  tools->addWidget(readout_, 1);
  auto addTool = [&](const QString& text, const QString& icon, const QString& tip, auto slot) {
    auto* b = new QToolButton;
    b->setText(text);
    b->setIcon(QIcon(icon));
    b->setToolTip(tip);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setAutoRaise(true);
    connect(b, &QToolButton::clicked, this, slot);
    tools->addWidget(b);
    return b;
  };
  addTool(tr("Reset zoom"), ":/icons/zoom-reset.svg", tr("Show all data again (drag to zoom in, right-click to zoom out)"),
          [this] { plot_->resetZoom(); });
  addTool(tr("Copy"), ":/icons/copy.svg", tr("Copy the figure and its data to the clipboard"), &PlotFrame::copyFigure);
  addTool(tr("Export…"), ":/icons/export.svg", tr("Save the figure as PNG, SVG or PDF, or its data as CSV"),
          &PlotFrame::exportFigure);
  layout->addLayout(tools);
  plot_->setParent(this);
  layout->addWidget(plot_, 1);
  connect(plot_, &PlotWidget::hovered, readout_, &QLabel::setText);
}

void PlotFrame::exportFigure() {
  QString name = plot_->plotTitle().simplified();
  name.replace(QRegularExpression("[^A-Za-z0-9_.-]+"), "_");
  ExportDialog dialog(name.isEmpty() ? QStringLiteral("figure") : name, prefs_, this);
  if (dialog.exec() != QDialog::Accepted) return;
  dialog.saveDefaults();
  try {
    PlotExporter::exportPlot(*plot_, dialog.path(), dialog.options());
    Q_EMIT message(tr("Saved %1").arg(dialog.path()));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export Figure"), QString::fromStdString(e.what()));
  }
}

void PlotFrame::copyFigure() {
  ExportOptions o;
  o.pixels = QSize(1200, 800);
  o.dpi = 150;
  PlotExporter::copyToClipboard(*plot_, o);
  Q_EMIT message(tr("Copied the figure and its data"));
}

}  // namespace jq::ui
