#include "panels/ResultsPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

#include "plot/ChartPlot.h"
#include "plot/ColorMap.h"
#include "plot/PlotFrame.h"

namespace jq::ui {
namespace {

QTableWidgetItem* numberItem(double v, int precision) {
  auto* item = new QTableWidgetItem;
  if (std::isfinite(v)) item->setData(Qt::DisplayRole, QString::number(v, 'g', precision).toDouble());
  else item->setText(QStringLiteral("—"));
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

ResultsPanel::ResultsPanel(const PanelContext& context, QWidget* parent) : QWidget(parent), ctx_(context) {
  auto* bar = new QHBoxLayout;
  auto* open = new QPushButton(QIcon(":/icons/open-run.svg"), tr("Open Run…"));
  connect(open, &QPushButton::clicked, this, &ResultsPanel::openRunRequested);
  bar->addWidget(open);
  auto* remove = new QPushButton(tr("Remove"));
  remove->setToolTip(tr("Remove the selected run from the comparison"));
  bar->addWidget(remove);
  bar->addSpacing(16);
  bar->addWidget(new QLabel(tr("Show:")));
  quantity_ = new QComboBox;
  quantity_->addItem(tr("Perplexity"), int(Quantity::Perplexity));
  quantity_->addItem(tr("Quantization error"), int(Quantity::QuantError));
  quantity_->addItem(tr("Time (s)"), int(Quantity::Seconds));
  quantity_->addItem(tr("Final loss"), int(Quantity::FinalLoss));
  bar->addWidget(quantity_);
  log_ = new QCheckBox(tr("Log scale"));
  log_->setChecked(true);
  log_->setToolTip(tr("Unrotated W4A4 perplexities are orders of magnitude above the rest"));
  bar->addWidget(log_);
  bar->addStretch(1);

  runList_ = new QListWidget;
  runList_->setMaximumWidth(170);
  runList_->setToolTip(tr("Runs in the comparison"));
  connect(remove, &QPushButton::clicked, this, [this] {
    if (runList_->currentRow() >= 0) removeRun(runList_->currentRow());
  });

  chart_ = new ChartPlot;
  auto* frame = new PlotFrame(chart_, ctx_.prefs);
  connect(frame, &PlotFrame::message, this, &ResultsPanel::message);
  table_ = new QTableWidget(0, 7);
  table_->setHorizontalHeaderLabels({tr("Run"), tr("Method"), tr("Dataset"), tr("Perplexity"), tr("Time (s)"),
                                     tr("Final loss"), tr("Quant. error")});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setAlternatingRowColors(true);
  table_->setSortingEnabled(true);

  auto* top = new QSplitter(Qt::Horizontal);
  top->addWidget(runList_);
  top->addWidget(frame);
  top->setStretchFactor(1, 1);
  top->setSizes({150, 850});
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(top);
  split->addWidget(table_);
  split->setSizes({420, 220});
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(bar);
  layout->addWidget(split, 1);
  connect(quantity_, &QComboBox::currentIndexChanged, this, &ResultsPanel::refresh);
  connect(log_, &QCheckBox::toggled, this, &ResultsPanel::refresh);
  refresh();
}

void ResultsPanel::addRun(const RunResult& run) {
  runs_.push_back(run);
  if (runs_.back().name.empty()) runs_.back().name = tr("run %1").arg(runs_.size()).toStdString();
  refresh();
}

void ResultsPanel::removeRun(int index) {
  if (index < 0 || index >= int(runs_.size())) return;
  runs_.erase(runs_.begin() + index);
  refresh();
}

void ResultsPanel::clearRuns() {
  runs_.clear();
  refresh();
}

void ResultsPanel::setQuantity(Quantity q) { quantity_->setCurrentIndex(quantity_->findData(int(q))); }
void ResultsPanel::setLogScale(bool on) { log_->setChecked(on); }

void ResultsPanel::refresh() {
  runList_->clear();
  for (size_t i = 0; i < runs_.size(); ++i) {
    auto* item = new QListWidgetItem(QString::fromStdString(runs_[i].name), runList_);
    item->setForeground(seriesColor(int(i)));
    item->setToolTip(QString::fromStdString(runs_[i].path));
  }
  // Categories: every method of every run, in the canonical order.
  QStringList methods;
  for (const auto& m : allMethods())
    for (const auto& r : runs_)
      if (std::any_of(r.methods.begin(), r.methods.end(), [&](const MethodResult& x) { return x.method == m; })) {
        methods << QString::fromStdString(m);
        break;
      }
  const auto q = Quantity(quantity_->currentData().toInt());
  auto pick = [q](const MethodResult& m) {
    switch (q) {
      case Quantity::Perplexity: return m.perplexity;
      case Quantity::QuantError: return m.quantError;
      case Quantity::Seconds: return m.seconds;
      case Quantity::FinalLoss: return m.finalLoss;
    }
    return 0.0;
  };
  ChartSpec spec;
  // Perplexity depends on the evaluation text: the title names the data set(s) the runs were evaluated on.
  QStringList datasets;
  for (const auto& r : runs_)
    for (const auto& m : r.methods)
      if (!m.dataset.empty() && !datasets.contains(QString::fromStdString(m.dataset)))
        datasets << QString::fromStdString(m.dataset);
  if (runs_.empty())
    spec.title = tr("No results yet: run a calibration or open a run");
  else if (q == Quantity::Perplexity && !datasets.isEmpty())
    spec.title = tr("%1 by method (%2)").arg(quantity_->currentText(), datasets.join(QStringLiteral(", ")));
  else
    spec.title = tr("%1 by method").arg(quantity_->currentText());
  spec.xTitle = tr("method");
  spec.yTitle = quantity_->currentText();
  spec.logY = log_->isChecked();
  spec.categories = methods.isEmpty() ? QStringList{QStringLiteral("—")} : methods;
  for (size_t i = 0; i < runs_.size(); ++i) {
    BarSetSpec set;
    set.name = QString::fromStdString(runs_[i].name);
    set.color = seriesColor(int(i));
    for (const auto& m : methods) {
      double v = std::nan("");
      for (const auto& r : runs_[i].methods)
        if (QString::fromStdString(r.method) == m) v = pick(r);
      set.values.push_back(v);
    }
    spec.bars.push_back(set);
  }
  chart_->setReadout([this, methods, pick](const QPointF& p) {
    const long c = std::lround(p.x());
    if (c < 0 || c >= long(methods.size())) return QString();
    QStringList parts;
    for (const auto& r : runs_)
      for (const auto& m : r.methods)
        if (QString::fromStdString(m.method) == methods[int(c)])
          parts << QStringLiteral("%1: %2").arg(QString::fromStdString(r.name)).arg(pick(m), 0, 'g', 4);
    return methods[int(c)] + QStringLiteral(" — ") + parts.join(QStringLiteral(", "));
  });
  chart_->setSpec(spec);

  table_->setSortingEnabled(false);
  int rows = 0;
  for (const auto& r : runs_) rows += int(r.methods.size());
  table_->setRowCount(rows);
  int row = 0;
  for (const auto& r : runs_)
    for (const auto& m : r.methods) {
      table_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(r.name)));
      auto* method = new QTableWidgetItem(QString::fromStdString(m.method));
      method->setForeground(methodColor(method->text()));
      table_->setItem(row, 1, method);
      table_->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(m.dataset)));
      table_->setItem(row, 3, numberItem(m.perplexity, 5));
      table_->setItem(row, 4, numberItem(m.seconds, 3));
      table_->setItem(row, 5, numberItem(m.finalLoss, 6));
      table_->setItem(row, 6, numberItem(m.quantError, 4));
      ++row;
    }
  table_->setSortingEnabled(true);
}

}  // namespace jq::ui
