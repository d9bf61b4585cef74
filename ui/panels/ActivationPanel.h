// The activation explorer: pick a layer/module, see its per-channel statistics, token × channel map, the
// same module across layers (lines and box plots), the value histogram and the 3D surface, each time
// before and after rotation side by side with shared scales and synchronised zoom.
#pragma once

#include <QWidget>

#include <optional>

#include "backend/WorkbenchBackend.h"
#include "panels/PanelContext.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSpinBox;
class QStandardItemModel;
class QTabWidget;
class QTreeView;

namespace jq::ui {

class ChartPlot;
class HeatmapPlot;
class SurfacePlot;
class PlotFrame;

class ActivationPanel : public QWidget {
  Q_OBJECT
 public:
  enum class Metric { Absmax, Rms, Mean, Kurtosis };
  enum class LayerMetric { AbsmaxMax, OutlierRatio, KurtosisMean, RmsMean };
  enum Tab { ChannelsTab, HeatmapTab, LayersTab, BoxTab, HistogramTab, SurfaceTab };

  explicit ActivationPanel(const PanelContext& context, QWidget* parent = nullptr);

  void setModel(const ModelSummary& model);
  void clear();
  // Selects a site in the tree, which loads its statistics through the job runner.
  void selectSite(const ActivationSite& site);
  std::optional<ActivationSite> currentSite() const { return site_; }
  bool hasData() const { return before_.has_value(); }
  void showTab(Tab tab);

  void setMetric(Metric m);
  void setLogScale(bool on);
  void setSorted(bool on);
  void setFilter(const QString& text);
  int visibleSiteCount() const;   // module rows the filter lets through

  ChartPlot* channelPlot(Basis b) const { return b == Basis::Original ? channelsBefore_ : channelsAfter_; }
  HeatmapPlot* heatmap(Basis b) const { return b == Basis::Original ? heatBefore_ : heatAfter_; }
  SurfacePlot* surface(Basis b) const { return b == Basis::Original ? surfBefore_ : surfAfter_; }
  ChartPlot* layersPlot() const { return layersPlot_; }
  ChartPlot* boxPlot() const { return boxPlot_; }
  ChartPlot* histogramPlot() const { return histPlot_; }

 Q_SIGNALS:
  void message(const QString& text);

 private:
  void requestSite(const ActivationSite& site);
  void onSelectionChanged();
  void refreshAll();
  void refreshChannels();
  void refreshHeatmaps();
  void refreshLayers();
  void refreshBoxes();
  void refreshHistogram();
  void refreshSurfaces();
  std::vector<float> metricValues(const ChannelStats& s) const;
  QString metricName() const;
  QString siteName() const;
  PlotFrame* frame(class PlotWidget* plot);

  PanelContext ctx_;
  std::optional<ModelSummary> model_;
  std::optional<ActivationSite> site_, pending_;
  std::optional<ChannelStats> before_, after_;
  std::vector<LayerSummary> layersBefore_, layersAfter_;
  std::string layersModule_;

  QLineEdit* filter_;
  QTreeView* tree_;
  QStandardItemModel* items_;
  QSortFilterProxyModel* proxy_;
  QComboBox* metric_;
  QComboBox* style_;
  QCheckBox* sort_;
  QCheckBox* log_;
  QSpinBox* topK_;
  QComboBox* layerMetric_;
  QLabel* siteLabel_;
  QTabWidget* tabs_;
  ChartPlot* channelsBefore_;
  ChartPlot* channelsAfter_;
  HeatmapPlot* heatBefore_;
  HeatmapPlot* heatAfter_;
  ChartPlot* layersPlot_;
  ChartPlot* boxPlot_;
  ChartPlot* histPlot_;
  SurfacePlot* surfBefore_;
  SurfacePlot* surfAfter_;
};

}  // namespace jq::ui
