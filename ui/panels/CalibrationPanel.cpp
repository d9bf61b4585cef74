#include "panels/CalibrationPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <memory>

#include "plot/ChartPlot.h"
#include "plot/ColorMap.h"
#include "plot/PlotFrame.h"
#include "settings/Preferences.h"

namespace jq::ui {
namespace {

struct MethodInfo {
  const char* id;
  const char* label;
  const char* tip;
};

// Labels and tips go through tr() where they are shown; QT_TRANSLATE_NOOP lets lupdate see them here.
const MethodInfo kMethods[] = {
    {"fp", QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "FP (no quantization)"),
     QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "The unquantized model: the reference perplexity")},
    {"rtn", QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "RTN"),
     QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "Round-to-nearest quantization without any rotation")},
    {"smoothquant", QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "SmoothQuant"),
     QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "Moves activation scale into the weights before quantizing")},
    {"quarot", QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "QuaRot"),
     QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "Random Hadamard rotations R1/R2, nothing learned")},
    {"dartquant", QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "DartQuant"),
     QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel",
                       "R1 learned with the Whip loss on rows pooled from all layers (QR-Orth)")},
    {"independent", QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "Independent R1"),
     QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "R1 optimized layer by layer, each layer on its own data (greedy)")},
    {"joint", QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "Joint R1"),
     QT_TRANSLATE_NOOP("jq::ui::CalibrationPanel", "One global R1 optimized on the sum of all layers' objectives")},
};

QTableWidgetItem* numberItem(double v, int precision = 4) {
  auto* item = new QTableWidgetItem;
  if (std::isfinite(v)) item->setData(Qt::DisplayRole, QString::number(v, 'g', precision).toDouble());
  else item->setText(QStringLiteral("—"));   // not measured (e.g. not stored in an opened run file)
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

CalibrationPanel::CalibrationPanel(const PanelContext& context, QWidget* parent) : QWidget(parent), ctx_(context) {
  qRegisterMetaType<jq::ui::RunResult>();
  // --- settings column
  auto* form = new QWidget;
  auto* formLayout = new QVBoxLayout(form);
  auto* methods = new QGroupBox(tr("Methods"));
  auto* methodGrid = new QVBoxLayout(methods);
  for (const auto& m : kMethods) {
    auto* box = new QCheckBox(tr(m.label));
    box->setToolTip(tr(m.tip));
    methods_[m.id] = box;
    methodGrid->addWidget(box);
    connect(box, &QCheckBox::toggled, this, &CalibrationPanel::updateButtons);
  }
  formLayout->addWidget(methods);

  auto* quant = new QGroupBox(tr("Quantization"));
  auto* qf = new QFormLayout(quant);
  weightBits_ = new QSpinBox;
  weightBits_->setRange(2, 16);
  activationBits_ = new QSpinBox;
  activationBits_->setRange(2, 16);
  auto* bits = new QHBoxLayout;
  bits->addWidget(new QLabel(tr("W")));
  bits->addWidget(weightBits_);
  bits->addWidget(new QLabel(tr("A")));
  bits->addWidget(activationBits_);
  qf->addRow(tr("Bits:"), bits);
  weightQuantizer_ = new QComboBox;
  weightQuantizer_->addItem(tr("RTN"), "rtn");
  weightQuantizer_->addItem(tr("GPTQ"), "gptq");
  qf->addRow(tr("Weights:"), weightQuantizer_);
  formLayout->addWidget(quant);

  auto* data = new QGroupBox(tr("Calibration data"));
  auto* df = new QFormLayout(data);
  dataFile_ = new QLineEdit;
  dataFile_->setPlaceholderText(tr("built-in corpus"));
  dataFile_->setToolTip(tr("A text file, or a data set id found in the Hugging Face cache: wikitext2, ptb or c4, "
                           "optionally with a split (e.g. wikitext2:train)"));
  auto* browse = new QPushButton(tr("…"));
  browse->setMaximumWidth(32);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Calibration Text"), dataFile_->text(),
                                                   tr("Text (*.txt *.raw *.parquet);;All files (*)"));
    if (!f.isEmpty()) dataFile_->setText(f);
  });
  auto* fileRow = new QHBoxLayout;
  fileRow->addWidget(dataFile_, 1);
  fileRow->addWidget(browse);
  df->addRow(tr("File:"), fileRow);
  samples_ = new QSpinBox;
  samples_->setRange(1, 4096);
  df->addRow(tr("Windows:"), samples_);
  seqLen_ = new QSpinBox;
  seqLen_->setRange(16, 131072);
  seqLen_->setSingleStep(256);
  df->addRow(tr("Tokens per window:"), seqLen_);
  formLayout->addWidget(data);

  auto* opt = new QGroupBox(tr("Rotation training"));
  auto* of = new QFormLayout(opt);
  epochs_ = new QSpinBox;
  epochs_->setRange(1, 1000);
  of->addRow(tr("Epochs:"), epochs_);
  lr_ = new QDoubleSpinBox;
  lr_->setDecimals(5);
  lr_->setRange(1e-5, 1.0);
  lr_->setSingleStep(1e-4);
  of->addRow(tr("Learning rate:"), lr_);
  optimizer_ = new QComboBox;
  optimizer_->addItem(tr("SGD (momentum 0.9)"), "sgd");
  optimizer_->addItem(tr("Adam"), "adam");
  of->addRow(tr("Optimizer:"), optimizer_);
  lossFunction_ = new QComboBox;
  lossFunction_->addItem(tr("Whip"), "whip");
  lossFunction_->addItem(tr("SWD (sliced Wasserstein)"), "swd");
  of->addRow(tr("Loss:"), lossFunction_);
  device_ = new QComboBox;
  device_->addItem(tr("CPU"), "cpu");
  device_->addItem(tr("CUDA GPU"), "cuda");
  of->addRow(tr("Device:"), device_);
  seed_ = new QSpinBox;
  seed_->setRange(0, 1000000);
  of->addRow(tr("Seed:"), seed_);
  output_ = new QLineEdit;
  output_->setPlaceholderText(tr("automatic (runs folder)"));
  of->addRow(tr("Save run to:"), output_);
  formLayout->addWidget(opt);

  auto* buttons = new QHBoxLayout;
  run_ = new QPushButton(QIcon(":/icons/run.svg"), tr("Run"));
  run_->setToolTip(tr("Calibrate, quantize and evaluate every checked method (F5)"));
  cancel_ = new QPushButton(QIcon(":/icons/stop.svg"), tr("Cancel"));
  connect(run_, &QPushButton::clicked, this, &CalibrationPanel::start);
  connect(cancel_, &QPushButton::clicked, this, &CalibrationPanel::cancel);
  buttons->addWidget(run_);
  buttons->addWidget(cancel_);
  formLayout->addLayout(buttons);
  formLayout->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(form);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(form->sizeHint().width() + 20);

  // --- results column
  loss_ = new ChartPlot;
  errors_ = new ChartPlot;
  table_ = new QTableWidget(0, 6);
  table_->setHorizontalHeaderLabels({tr("Method"), tr("Layer"), tr("Loss before"), tr("Loss after"),
                                     tr("Quant. error before"), tr("Quant. error after")});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSortingEnabled(true);
  table_->setAlternatingRowColors(true);
  auto* bottom = new QTabWidget;
  bottom->addTab(table_, tr("Per-layer metrics"));
  auto* errorFrame = new PlotFrame(errors_, ctx_.prefs);
  bottom->addTab(errorFrame, tr("Quantization error per layer"));
  auto* lossFrame = new PlotFrame(loss_, ctx_.prefs);
  for (auto* f : {errorFrame, lossFrame}) connect(f, &PlotFrame::message, this, &CalibrationPanel::message);
  auto* rightSplit = new QSplitter(Qt::Vertical);
  rightSplit->addWidget(lossFrame);
  rightSplit->addWidget(bottom);
  rightSplit->setSizes({400, 260});

  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(scroll);
  split->addWidget(rightSplit);
  split->setStretchFactor(1, 1);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(split);

  CalibrationRequest defaults = ctx_.prefs ? ctx_.prefs->calibrationDefaults() : CalibrationRequest{};
  if (!ctx_.prefs) defaults.methods = {"fp", "rtn", "quarot", "dartquant", "independent", "joint"};
  setRequest(defaults);
  showRun({});
  connect(ctx_.runner, &JobRunner::curvePoints, this, &CalibrationPanel::onCurvePoints);
  connect(ctx_.runner, &JobRunner::finished, this, &CalibrationPanel::onJobFinished);
  connect(ctx_.runner, &JobRunner::started, this, &CalibrationPanel::updateButtons);
  updateButtons();
}

void CalibrationPanel::setModelLoaded(bool loaded) {
  modelLoaded_ = loaded;
  updateButtons();
}

void CalibrationPanel::updateButtons() {
  bool anyMethod = false;
  for (const auto& [id, box] : methods_) anyMethod = anyMethod || box->isChecked();
  run_->setEnabled(modelLoaded_ && anyMethod && !ctx_.runner->isBusy());
  run_->setToolTip(!modelLoaded_ ? tr("Open a model first")
                   : !anyMethod  ? tr("Check at least one method")
                                 : tr("Calibrate, quantize and evaluate every checked method (F5)"));
  cancel_->setEnabled(running_);
}

CalibrationRequest CalibrationPanel::request() const {
  CalibrationRequest r;
  for (const auto& m : kMethods)
    if (methods_.at(m.id)->isChecked()) r.methods.push_back(m.id);
  r.weightBits = weightBits_->value();
  r.activationBits = activationBits_->value();
  r.weightQuantizer = weightQuantizer_->currentData().toString().toStdString();
  r.dataFile = dataFile_->text().toStdString();
  r.samples = samples_->value();
  r.seqLen = seqLen_->value();
  r.epochs = epochs_->value();
  r.learningRate = lr_->value();
  r.optimizer = optimizer_->currentData().toString().toStdString();
  r.loss = lossFunction_->currentData().toString().toStdString();
  r.device = device_->currentData().toString().toStdString();
  r.seed = uint64_t(seed_->value());
  r.outputPath = output_->text().toStdString();
  return r;
}

void CalibrationPanel::setRequest(const CalibrationRequest& r) {
  for (auto& [id, box] : methods_) box->setChecked(std::find(r.methods.begin(), r.methods.end(), id) != r.methods.end());
  weightBits_->setValue(r.weightBits);
  activationBits_->setValue(r.activationBits);
  auto select = [](QComboBox* c, const std::string& v) {
    const int i = c->findData(QString::fromStdString(v));
    if (i >= 0) c->setCurrentIndex(i);
  };
  select(weightQuantizer_, r.weightQuantizer);
  dataFile_->setText(QString::fromStdString(r.dataFile));
  samples_->setValue(r.samples);
  seqLen_->setValue(r.seqLen);
  epochs_->setValue(r.epochs);
  lr_->setValue(r.learningRate);
  select(optimizer_, r.optimizer);
  select(lossFunction_, r.loss);
  select(device_, r.device);
  seed_->setValue(int(r.seed));
  output_->setText(QString::fromStdString(r.outputPath));
  updateButtons();
}

void CalibrationPanel::saveDefaults() {
  if (!ctx_.prefs) return;
  const CalibrationRequest r = request();
  QStringList methods;
  for (const auto& m : r.methods) methods << QString::fromStdString(m);
  Preferences& p = *ctx_.prefs;
  p.methods = methods;
  p.weightBits = r.weightBits;
  p.activationBits = r.activationBits;
  p.weightQuantizer = QString::fromStdString(r.weightQuantizer);
  p.calibrationData = QString::fromStdString(r.dataFile);
  p.samples = r.samples;
  p.seqLen = r.seqLen;
  p.epochs = r.epochs;
  p.learningRate = r.learningRate;
  p.optimizer = QString::fromStdString(r.optimizer);
  p.loss = QString::fromStdString(r.loss);
  p.device = QString::fromStdString(r.device);
  p.seed = int(r.seed);
}

int CalibrationPanel::livePointCount() const { return livePoints_; }

void CalibrationPanel::start() {
  if (running_ || ctx_.runner->isBusy() || !modelLoaded_) return;
  CalibrationRequest req = request();
  if (req.methods.empty()) return;
  if (req.outputPath.empty()) {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/runs";
    QDir().mkpath(dir);
    req.outputPath = (dir + "/run-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss") + ".h5").toStdString();
  }
  saveDefaults();
  livePoints_ = 0;
  ChartSpec spec;
  spec.title = req.loss == "swd" ? tr("Calibration loss (SWD)") : tr("Calibration loss (Whip)");
  spec.xTitle = tr("optimizer step");
  spec.yTitle = tr("loss");
  spec.integerX = true;
  loss_->setSpec(spec);
  table_->setRowCount(0);
  auto result = std::make_shared<RunResult>();
  WorkbenchBackend* backend = ctx_.backend;
  const bool ok = ctx_.runner->start(
      tr("Calibration"), [backend, req, result](const jq::JobContext& job) { *result = backend->calibrate(req, job); },
      [this, result] {
        showRun(*result);
        Q_EMIT runFinished(*result);
      });
  running_ = ok;
  updateButtons();
}

void CalibrationPanel::cancel() {
  if (running_) ctx_.runner->cancel();
}

void CalibrationPanel::onCurvePoints(const QVector<CurvePoint>& points) {
  if (!running_) return;
  std::map<QString, std::vector<QPointF>> bySeries;
  for (const auto& p : points) bySeries[p.series].push_back(QPointF(p.step, p.value));
  for (const auto& [name, pts] : bySeries) {
    loss_->appendPoints(name, pts, methodColor(name));
    livePoints_ += int(pts.size());
  }
}

void CalibrationPanel::onJobFinished(const QString&, JobRunner::Outcome outcome, const QString&) {
  if (!running_) {
    updateButtons();
    return;
  }
  running_ = false;
  if (outcome == JobRunner::Outcome::Cancelled) Q_EMIT message(tr("Calibration cancelled."));
  updateButtons();
}

void CalibrationPanel::showRun(const RunResult& run) {
  // Loss curves: rebuilt from the result, so an opened run and a finished one look the same.
  ChartSpec loss;
  loss.title = run.request.loss == "swd" ? tr("Calibration loss (SWD)") : tr("Calibration loss (Whip)");
  loss.xTitle = tr("optimizer step");
  loss.yTitle = tr("loss");
  loss.integerX = true;
  std::map<std::string, XYSeriesSpec> curves;
  for (const auto& p : run.curves) {
    auto& s = curves[p.series];
    s.name = QString::fromStdString(p.series);
    s.color = methodColor(s.name);
    s.x.push_back(p.step);
    s.y.push_back(p.loss);
  }
  for (const auto& m : run.request.methods)
    if (curves.count(m)) loss.series.push_back(curves[m]);
  loss_->setSpec(loss);

  table_->setSortingEnabled(false);
  table_->setRowCount(int(run.layers.size()));
  for (int i = 0; i < int(run.layers.size()); ++i) {
    const auto& l = run.layers[size_t(i)];
    auto* method = new QTableWidgetItem(QString::fromStdString(l.method));
    method->setForeground(methodColor(method->text()));
    table_->setItem(i, 0, method);
    auto* layer = new QTableWidgetItem;
    layer->setData(Qt::DisplayRole, l.layer);
    table_->setItem(i, 1, layer);
    table_->setItem(i, 2, numberItem(l.lossBefore, 6));
    table_->setItem(i, 3, numberItem(l.lossAfter, 6));
    table_->setItem(i, 4, numberItem(l.quantErrorBefore));
    table_->setItem(i, 5, numberItem(l.quantErrorAfter));
  }
  table_->setSortingEnabled(true);

  ChartSpec err;
  err.title = tr("Activation quantization error per layer");
  err.xTitle = tr("layer");
  err.yTitle = tr("relative MSE");
  err.integerX = true;
  err.logY = true;
  std::map<std::string, XYSeriesSpec> byMethod;
  XYSeriesSpec none;
  none.name = tr("no rotation");
  none.color = QColor("#999999");
  none.lineWidth = 1.0;
  for (const auto& l : run.layers) {
    auto& s = byMethod[l.method];
    s.name = QString::fromStdString(l.method);
    s.color = methodColor(s.name);
    s.lineWidth = 2.0;
    s.x.push_back(l.layer);
    s.y.push_back(l.quantErrorAfter);
    if (l.method == run.layers.front().method) {
      none.x.push_back(l.layer);
      none.y.push_back(l.quantErrorBefore);
    }
  }
  if (!none.x.empty()) err.series.push_back(none);
  for (const auto& m : run.request.methods)
    if (byMethod.count(m)) err.series.push_back(byMethod[m]);
  errors_->setSpec(err);
}

}  // namespace jq::ui
