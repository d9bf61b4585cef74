#include "panels/ActivationPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "jobs/JobRunner.h"
#include "plot/ChartPlot.h"
#include "plot/ColorMap.h"
#include "plot/HeatmapPlot.h"
#include "plot/PlotFrame.h"
#include "plot/SurfacePlot.h"

namespace jq::ui {
namespace {

constexpr int kLayerRole = Qt::UserRole + 1;
constexpr int kModuleRole = Qt::UserRole + 2;

std::vector<int> topIndices(const std::vector<float>& v, int k) {
  std::vector<int> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min<int>(k, int(v.size()));
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                    [&](int a, int b) { return std::abs(v[a]) > std::abs(v[b]); });
  idx.resize(k);
  return idx;
}

void link(ChartPlot* a, ChartPlot* b) {
  auto mirror = [](ChartPlot* to) {
    return [to](const QRectF& r) { to->setViewRange(r.isNull() ? std::nullopt : std::optional<QRectF>(r)); };
  };
  QObject::connect(a, &ChartPlot::viewRangeChanged, b, mirror(b));
  QObject::connect(b, &ChartPlot::viewRangeChanged, a, mirror(a));
}

}  // namespace

ActivationPanel::ActivationPanel(const PanelContext& context, QWidget* parent) : QWidget(parent), ctx_(context) {
  // --- left: layer/module tree with a filter
  auto* left = new QWidget;
  auto* leftLayout = new QVBoxLayout(left);
  leftLayout->setContentsMargins(0, 0, 0, 0);
  filter_ = new QLineEdit;
  filter_->setPlaceholderText(tr("Filter, e.g. down_proj or 12"));
  filter_->setClearButtonEnabled(true);
  leftLayout->addWidget(filter_);
  items_ = new QStandardItemModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(items_);
  proxy_->setRecursiveFilteringEnabled(true);
  proxy_->setAutoAcceptChildRows(true);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  tree_ = new QTreeView;
  tree_->setModel(proxy_);
  tree_->setHeaderHidden(true);
  tree_->setUniformRowHeights(true);
  tree_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  leftLayout->addWidget(tree_, 1);
  connect(filter_, &QLineEdit::textChanged, this, &ActivationPanel::setFilter);
  connect(tree_->selectionModel(), &QItemSelectionModel::currentChanged, this, &ActivationPanel::onSelectionChanged);

  // --- right: controls and tabs
  auto* right = new QWidget;
  auto* rightLayout = new QVBoxLayout(right);
  rightLayout->setContentsMargins(0, 0, 0, 0);
  auto* controls = new QHBoxLayout;
  siteLabel_ = new QLabel(tr("Select a layer and module on the left."));
  QFont bold = siteLabel_->font();
  bold.setBold(true);
  siteLabel_->setFont(bold);
  controls->addWidget(siteLabel_);
  controls->addStretch(1);
  controls->addWidget(new QLabel(tr("Statistic:")));
  metric_ = new QComboBox;
  metric_->addItem(tr("max |x|"), int(Metric::Absmax));
  metric_->addItem(tr("RMS"), int(Metric::Rms));
  metric_->addItem(tr("mean"), int(Metric::Mean));
  metric_->addItem(tr("kurtosis"), int(Metric::Kurtosis));
  controls->addWidget(metric_);
  style_ = new QComboBox;
  style_->addItem(tr("Bars"));
  style_->addItem(tr("Line"));
  controls->addWidget(style_);
  sort_ = new QCheckBox(tr("Sort by size"));
  sort_->setToolTip(tr("Order channels from largest to smallest instead of by channel id"));
  controls->addWidget(sort_);
  log_ = new QCheckBox(tr("Log scale"));
  controls->addWidget(log_);
  controls->addWidget(new QLabel(tr("Top-k:")));
  topK_ = new QSpinBox;
  topK_->setRange(0, 64);
  topK_->setValue(8);
  topK_->setToolTip(tr("Highlight the k largest channels"));
  controls->addWidget(topK_);
  rightLayout->addLayout(controls);

  tabs_ = new QTabWidget;
  channelsBefore_ = new ChartPlot;
  channelsAfter_ = new ChartPlot;
  link(channelsBefore_, channelsAfter_);
  auto* channelSplit = new QSplitter(Qt::Horizontal);
  channelSplit->addWidget(frame(channelsBefore_));
  channelSplit->addWidget(frame(channelsAfter_));
  tabs_->addTab(channelSplit, tr("Channels"));

  heatBefore_ = new HeatmapPlot;
  heatAfter_ = new HeatmapPlot;
  connect(heatBefore_, &HeatmapPlot::viewWindowChanged, heatAfter_, &HeatmapPlot::setViewWindow);
  connect(heatAfter_, &HeatmapPlot::viewWindowChanged, heatBefore_, &HeatmapPlot::setViewWindow);
  auto* heatSplit = new QSplitter(Qt::Horizontal);
  heatSplit->addWidget(frame(heatBefore_));
  heatSplit->addWidget(frame(heatAfter_));
  tabs_->addTab(heatSplit, tr("Heatmap"));

  auto* layersPage = new QWidget;
  auto* layersLayout = new QVBoxLayout(layersPage);
  layersLayout->setContentsMargins(0, 0, 0, 0);
  auto* layerBar = new QHBoxLayout;
  layerBar->addWidget(new QLabel(tr("Per-layer summary:")));
  layerMetric_ = new QComboBox;
  layerMetric_->addItem(tr("largest channel max |x|"), int(LayerMetric::AbsmaxMax));
  layerMetric_->addItem(tr("outlier ratio (max / median channel)"), int(LayerMetric::OutlierRatio));
  layerMetric_->addItem(tr("mean kurtosis"), int(LayerMetric::KurtosisMean));
  layerMetric_->addItem(tr("mean RMS"), int(LayerMetric::RmsMean));
  layerBar->addWidget(layerMetric_);
  layerBar->addStretch(1);
  layersLayout->addLayout(layerBar);
  layersPlot_ = new ChartPlot;
  layersLayout->addWidget(frame(layersPlot_), 1);
  tabs_->addTab(layersPage, tr("Layers"));

  boxPlot_ = new ChartPlot;
  tabs_->addTab(frame(boxPlot_), tr("Box plots"));
  histPlot_ = new ChartPlot;
  tabs_->addTab(frame(histPlot_), tr("Histogram"));

  surfBefore_ = new SurfacePlot;
  surfAfter_ = new SurfacePlot;
  auto* surfSplit = new QSplitter(Qt::Horizontal);
  surfSplit->addWidget(frame(surfBefore_));
  surfSplit->addWidget(frame(surfAfter_));
  tabs_->addTab(surfSplit, tr("3D surface"));
  rightLayout->addWidget(tabs_, 1);

  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  split->setSizes({190, 900});
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(split);

  auto refreshChannelViews = [this] {
    refreshChannels();
  };
  connect(metric_, &QComboBox::currentIndexChanged, this, refreshChannelViews);
  connect(style_, &QComboBox::currentIndexChanged, this, refreshChannelViews);
  connect(sort_, &QCheckBox::toggled, this, refreshChannelViews);
  connect(topK_, &QSpinBox::valueChanged, this, refreshChannelViews);
  connect(log_, &QCheckBox::toggled, this, &ActivationPanel::refreshAll);
  connect(layerMetric_, &QComboBox::currentIndexChanged, this, &ActivationPanel::refreshLayers);
  connect(ctx_.runner, &JobRunner::finished, this, [this] {
    if (pending_ && !ctx_.runner->isBusy()) {
      const auto site = *pending_;
      pending_.reset();
      requestSite(site);
    }
  });
  clear();
}

PlotFrame* ActivationPanel::frame(PlotWidget* plot) {
  auto* f = new PlotFrame(plot, ctx_.prefs);
  connect(f, &PlotFrame::message, this, &ActivationPanel::message);
  return f;
}

void ActivationPanel::clear() {
  model_.reset();
  site_.reset();
  pending_.reset();
  before_.reset();
  after_.reset();
  layersBefore_.clear();
  layersAfter_.clear();
  layersModule_.clear();
  items_->clear();
  siteLabel_->setText(tr("Open a model to inspect its activations."));
  refreshAll();
}

void ActivationPanel::setModel(const ModelSummary& model) {
  clear();
  model_ = model;
  for (int l = 0; l < model.numLayers; ++l) {
    auto* layer = new QStandardItem(tr("Layer %1").arg(l));
    layer->setData(l, kLayerRole);
    for (const auto& m : model.activationModules) {
      auto* item = new QStandardItem(QString::fromStdString(m));
      item->setData(l, kLayerRole);
      item->setData(QString::fromStdString(m), kModuleRole);
      item->setToolTip(tr("Input of %1 in layer %2").arg(QString::fromStdString(m)).arg(l));
      layer->appendRow(item);
    }
    items_->appendRow(layer);
  }
  siteLabel_->setText(tr("Select a layer and module on the left."));
}

void ActivationPanel::setFilter(const QString& text) {
  if (filter_->text() != text) filter_->setText(text);
  proxy_->setFilterFixedString(text);
  if (!text.isEmpty()) tree_->expandAll();
}

int ActivationPanel::visibleSiteCount() const {
  int n = 0;
  for (int r = 0; r < proxy_->rowCount(); ++r) n += proxy_->rowCount(proxy_->index(r, 0));
  return n;
}

void ActivationPanel::selectSite(const ActivationSite& site) {
  for (int r = 0; r < items_->rowCount(); ++r) {
    QStandardItem* layer = items_->item(r);
    for (int c = 0; c < layer->rowCount(); ++c) {
      QStandardItem* item = layer->child(c);
      if (item->data(kLayerRole).toInt() == site.layer &&
          item->data(kModuleRole).toString() == QString::fromStdString(site.module)) {
        const QModelIndex idx = proxy_->mapFromSource(item->index());
        if (idx.isValid()) {
          tree_->expand(idx.parent());
          tree_->setCurrentIndex(idx);
        } else {
          requestSite(site);   // filtered out of view: load it anyway
        }
        return;
      }
    }
  }
}

void ActivationPanel::onSelectionChanged() {
  const QModelIndex idx = proxy_->mapToSource(tree_->currentIndex());
  QStandardItem* item = items_->itemFromIndex(idx);
  if (!item || !item->data(kModuleRole).isValid()) return;
  requestSite({item->data(kLayerRole).toInt(), item->data(kModuleRole).toString().toStdString()});
}

void ActivationPanel::showTab(Tab tab) { tabs_->setCurrentIndex(int(tab)); }

void ActivationPanel::setMetric(Metric m) { metric_->setCurrentIndex(metric_->findData(int(m))); }
void ActivationPanel::setLogScale(bool on) { log_->setChecked(on); }
void ActivationPanel::setSorted(bool on) { sort_->setChecked(on); }

void ActivationPanel::requestSite(const ActivationSite& site) {
  if (!model_) return;
  if (ctx_.runner->isBusy()) {
    pending_ = site;
    Q_EMIT message(tr("Layer %1 %2 will load when the running job ends.")
                       .arg(site.layer).arg(QString::fromStdString(site.module)));
    return;
  }
  struct Result {
    ChannelStats before, after;
    std::vector<LayerSummary> layersBefore, layersAfter;
    bool hasLayers = false;
  };
  auto result = std::make_shared<Result>();
  const bool needLayers = layersModule_ != site.module;
  WorkbenchBackend* backend = ctx_.backend;
  siteLabel_->setText(tr("Loading layer %1 %2…").arg(site.layer).arg(QString::fromStdString(site.module)));
  ctx_.runner->start(
      tr("Statistics of layer %1 %2").arg(site.layer).arg(QString::fromStdString(site.module)),
      [backend, site, needLayers, result](const jq::JobContext& job) {
        result->before = backend->channelStats(site, Basis::Original, job);
        result->after = backend->channelStats(site, Basis::Rotated, job);
        if (needLayers) {
          result->layersBefore = backend->layerSummaries(site.module, Basis::Original, job);
          result->layersAfter = backend->layerSummaries(site.module, Basis::Rotated, job);
          result->hasLayers = true;
        }
      },
      [this, site, result] {
        site_ = site;
        before_ = std::move(result->before);
        after_ = std::move(result->after);
        if (result->hasLayers) {
          layersBefore_ = std::move(result->layersBefore);
          layersAfter_ = std::move(result->layersAfter);
          layersModule_ = site.module;
        }
        refreshAll();
      });
}

QString ActivationPanel::siteName() const {
  if (!site_) return {};
  return tr("layer %1 · %2 input").arg(site_->layer).arg(QString::fromStdString(site_->module));
}

QString ActivationPanel::metricName() const {
  switch (Metric(metric_->currentData().toInt())) {
    case Metric::Absmax: return tr("max |x|");
    case Metric::Rms: return tr("RMS");
    case Metric::Mean: return tr("mean");
    case Metric::Kurtosis: return tr("kurtosis");
  }
  return {};
}

std::vector<float> ActivationPanel::metricValues(const ChannelStats& s) const {
  switch (Metric(metric_->currentData().toInt())) {
    case Metric::Absmax: return s.absmax;
    case Metric::Rms: return s.rms;
    case Metric::Mean: return s.mean;
    case Metric::Kurtosis: return s.kurtosis;
  }
  return {};
}

void ActivationPanel::refreshAll() {
  if (site_) siteLabel_->setText(siteName());
  refreshChannels();
  refreshHeatmaps();
  refreshLayers();
  refreshBoxes();
  refreshHistogram();
  refreshSurfaces();
}

void ActivationPanel::refreshChannels() {
  const bool log = log_->isChecked();
  const bool sorted = sort_->isChecked();
  const bool bars = style_->currentIndex() == 0;
  if (!before_ || !after_) {
    ChartSpec empty;
    empty.title = tr("Per-channel statistics (no data)");
    channelsBefore_->setSpec(empty);
    channelsAfter_->setSpec(empty);
    return;
  }
  // Both sides get the same y range, so "after" visibly shrinks the outliers.
  std::vector<ChartSpec> specs;
  std::vector<std::vector<int>> orders;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const ChannelStats* s : {&*before_, &*after_}) {
    const std::vector<float> v = metricValues(*s);
    std::vector<int> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    if (sorted) std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return v[a] > v[b]; });
    ChartSpec spec;
    const bool isBefore = s == &*before_;
    spec.title = isBefore ? tr("Before rotation") : tr("After rotation");
    spec.xTitle = sorted ? tr("channel rank (largest first)") : tr("channel");
    spec.yTitle = metricName();
    spec.logY = log;
    spec.integerX = true;
    XYSeriesSpec series;
    series.name = metricName();
    series.color = isBefore ? beforeColor() : afterColor();
    series.style = bars ? XYSeriesSpec::Style::Area : XYSeriesSpec::Style::Line;
    series.lineWidth = 1.0;
    for (size_t i = 0; i < order.size(); ++i) {
      series.x.push_back(double(i));
      series.y.push_back(v[size_t(order[i])]);
      if (!log || v[size_t(order[i])] > 0) {
        lo = std::min(lo, double(v[size_t(order[i])]));
        hi = std::max(hi, double(v[size_t(order[i])]));
      }
    }
    spec.series.push_back(series);
    if (topK_->value() > 0) {
      std::vector<int> rankOf(order.size());
      for (size_t i = 0; i < order.size(); ++i) rankOf[size_t(order[i])] = int(i);
      XYSeriesSpec top;
      top.style = XYSeriesSpec::Style::Scatter;
      top.color = highlightColor();
      top.markerSize = 8;
      QStringList ids;
      for (int c : topIndices(v, topK_->value())) {
        top.x.push_back(rankOf[size_t(c)]);
        top.y.push_back(v[size_t(c)]);
        if (ids.size() < 6) ids << QString::number(c);
      }
      if (topK_->value() > 6) ids << QStringLiteral("…");
      top.name = tr("top-%1: %2").arg(topK_->value()).arg(ids.join(QStringLiteral(", ")));
      spec.series.push_back(top);
    }
    specs.push_back(spec);
    orders.push_back(order);
  }
  if (std::isfinite(lo)) {
    if (log) specs[0].yRange = specs[1].yRange = std::make_pair(std::max(lo, 1e-6) / 1.5, hi * 1.5);
    else {
      const double base = std::min(0.0, lo);
      specs[0].yRange = specs[1].yRange = std::make_pair(base, hi * 1.05);
    }
  }
  const QString name = metricName();
  for (int side = 0; side < 2; ++side) {
    ChartPlot* plot = side == 0 ? channelsBefore_ : channelsAfter_;
    const ChannelStats& s = side == 0 ? *before_ : *after_;
    const auto order = orders[size_t(side)];
    const auto values = metricValues(s);
    plot->setReadout([order, values, name, this](const QPointF& p) {
      const long i = std::lround(p.x());
      if (i < 0 || i >= long(order.size())) return QString();
      const int ch = order[size_t(i)];
      return tr("channel %1: %2 = %3").arg(ch).arg(name).arg(double(values[size_t(ch)]), 0, 'g', 4);
    });
    plot->setSpec(specs[size_t(side)]);
  }
}

void ActivationPanel::refreshHeatmaps() {
  if (!before_ || !after_) {
    heatBefore_->setData({});
    heatAfter_->setData({});
    return;
  }
  const bool log = log_->isChecked();
  for (int side = 0; side < 2; ++side) {
    const ChannelStats& s = side == 0 ? *before_ : *after_;
    HeatmapData d;
    d.rows = s.sampleTokens;
    d.cols = s.channels;
    d.values = s.sampleRows;
    d.title = side == 0 ? tr("|x| before rotation") : tr("|x| after rotation");
    d.xTitle = tr("channel");
    d.yTitle = tr("token");
    HeatmapPlot* h = side == 0 ? heatBefore_ : heatAfter_;
    h->setData(std::move(d));
    h->setLogScale(log);
  }
  // One colour scale for both: the rotated map shows how far the outliers came down.
  const auto [lo0, hi0] = heatBefore_->magnitudeRange();
  const auto [lo1, hi1] = heatAfter_->magnitudeRange();
  const double hi = std::max(hi0, hi1);
  const double lo = log ? std::max(std::min(lo0 > 0 ? lo0 : hi, lo1 > 0 ? lo1 : hi), hi * 1e-4) : 0.0;
  heatBefore_->setColorRange(std::make_pair(lo, hi));
  heatAfter_->setColorRange(std::make_pair(lo, hi));
}

void ActivationPanel::refreshLayers() {
  ChartSpec spec;
  spec.xTitle = tr("layer");
  spec.integerX = true;
  spec.yFromZero = true;
  spec.logY = log_->isChecked();
  const auto which = LayerMetric(layerMetric_->currentData().toInt());
  spec.yTitle = layerMetric_->currentText();
  spec.title = layersBefore_.empty() ? tr("Per-layer summary (no data)")
                                     : tr("%1 input across layers").arg(QString::fromStdString(layersModule_));
  auto value = [which](const LayerSummary& l) {
    switch (which) {
      case LayerMetric::AbsmaxMax: return l.absmaxMax;
      case LayerMetric::OutlierRatio: return l.outlierRatio;
      case LayerMetric::KurtosisMean: return l.kurtosisMean;
      case LayerMetric::RmsMean: return l.rmsMean;
    }
    return 0.0;
  };
  for (int side = 0; side < 2; ++side) {
    const auto& layers = side == 0 ? layersBefore_ : layersAfter_;
    if (layers.empty()) continue;
    XYSeriesSpec line, dots;
    line.name = side == 0 ? tr("before rotation") : tr("after rotation");
    line.color = side == 0 ? beforeColor() : afterColor();
    line.lineWidth = 2.0;
    dots.style = XYSeriesSpec::Style::Scatter;
    dots.color = line.color;
    dots.markerSize = 7;
    for (const auto& l : layers) {
      line.x.push_back(l.layer);
      line.y.push_back(value(l));
    }
    dots.x = line.x;
    dots.y = line.y;
    spec.series.push_back(line);
    spec.series.push_back(dots);
  }
  if (!spec.series.empty()) spec.xRange = std::make_pair(-0.5, double(layersBefore_.size()) - 0.5);
  layersPlot_->setReadout([this](const QPointF& p) {
    const long l = std::lround(p.x());
    if (l < 0 || l >= long(layersBefore_.size()) || l >= long(layersAfter_.size())) return QString();
    return tr("layer %1: max |x| %2 → %3, kurtosis %4 → %5")
        .arg(l)
        .arg(layersBefore_[size_t(l)].absmaxMax, 0, 'g', 4)
        .arg(layersAfter_[size_t(l)].absmaxMax, 0, 'g', 4)
        .arg(layersBefore_[size_t(l)].kurtosisMean, 0, 'g', 4)
        .arg(layersAfter_[size_t(l)].kurtosisMean, 0, 'g', 4);
  });
  layersPlot_->setSpec(spec);   // unnamed scatter twins only mark the points; they stay out of the legend
}

void ActivationPanel::refreshBoxes() {
  ChartSpec spec;
  spec.logY = log_->isChecked();
  spec.xTitle = tr("layer");
  spec.yTitle = tr("per-channel max |x|");
  spec.title = layersBefore_.empty()
                   ? tr("Per-channel max |x| by layer (no data)")
                   : tr("Per-channel max |x| of %1 input, by layer").arg(QString::fromStdString(layersModule_));
  if (!layersBefore_.empty()) {
    for (const auto& l : layersBefore_) spec.categories << QString::number(l.layer);
    BoxSeriesSpec b{tr("before rotation"), {}, beforeColor()};
    BoxSeriesSpec a{tr("after rotation"), {}, afterColor()};
    for (const auto& l : layersBefore_) b.boxes.push_back(l.absmaxBox);
    for (const auto& l : layersAfter_) a.boxes.push_back(l.absmaxBox);
    spec.boxes = {b, a};
  } else {
    spec.categories << QStringLiteral("—");
  }
  boxPlot_->setSpec(spec);
}

void ActivationPanel::refreshHistogram() {
  // Densities (count / (N · bin width)), so the two histograms compare although their bins differ, on a log
  // axis whatever the checkbox says: the outlier tails are what this plot is for.
  ChartSpec spec;
  spec.logY = true;
  spec.xTitle = tr("activation value");
  spec.yTitle = tr("density");
  spec.title = before_ ? tr("Value histogram, %1").arg(siteName()) : tr("Value histogram (no data)");
  for (int side = 0; side < 2 && before_ && after_; ++side) {
    const Histogram& h = side == 0 ? before_->histogram : after_->histogram;
    XYSeriesSpec s;
    s.name = side == 0 ? tr("before rotation") : tr("after rotation");
    s.color = side == 0 ? beforeColor() : afterColor();
    s.style = XYSeriesSpec::Style::Step;
    s.lineWidth = 1.8;
    const double width = h.counts.empty() ? 1.0 : (h.hi - h.lo) / double(h.counts.size());
    const double total = std::accumulate(h.counts.begin(), h.counts.end(), 0.0);
    for (size_t i = 0; i < h.counts.size(); ++i) {
      s.x.push_back(h.lo + width * double(i));
      s.y.push_back(total > 0 ? h.counts[i] / (total * width) : 0.0);
    }
    spec.series.push_back(s);
  }
  if (!spec.series.empty()) {
    const auto [lo, hi] = spec.yExtent();   // smallest non-empty bin: empty ones sit on the floor
    spec.yRange = std::make_pair(lo / 2.0, hi * 2.0);
  }
  if (spec.series.size() == 2) {
    // The value axis spans both histograms (each has its own symmetric range).
    const double lo = std::min(spec.series[0].x.front(), spec.series[1].x.front());
    const double hi = std::max(before_->histogram.hi, after_->histogram.hi);
    spec.xRange = std::make_pair(lo, hi);
  }
  histPlot_->setSpec(spec);
}

void ActivationPanel::refreshSurfaces() {
  for (int side = 0; side < 2; ++side) {
    const std::optional<ChannelStats>& s = side == 0 ? before_ : after_;
    HeatmapData d;
    if (s) {
      d.rows = s->sampleTokens;
      d.cols = s->channels;
      d.values = s->sampleRows;
    }
    d.title = side == 0 ? tr("|x| before rotation") : tr("|x| after rotation");
    (side == 0 ? surfBefore_ : surfAfter_)->setData(d);
  }
}

}  // namespace jq::ui
