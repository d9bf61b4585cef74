#include "panels/ModelPanel.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace jq::ui {

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  open_ = new QPushButton(QIcon(":/icons/open-model.svg"), tr("Open Checkpoint Folder…"));
  open_->setToolTip(tr("A folder with config.json and *.safetensors (a Hugging Face Llama checkpoint)"));
  connect(open_, &QPushButton::clicked, this, &ModelPanel::openRequested);
  layout->addWidget(open_);
  path_ = new QLabel;
  path_->setWordWrap(true);
  path_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(path_);

  auto* config = new QGroupBox(tr("Configuration"));
  auto* form = new QFormLayout(config);
  form->setLabelAlignment(Qt::AlignRight);
  addField(form, "architecture", tr("Architecture:"));
  addField(form, "hidden", tr("Hidden size:"));
  addField(form, "intermediate", tr("MLP size:"));
  addField(form, "layers", tr("Layers:"));
  addField(form, "heads", tr("Attention heads:"));
  addField(form, "kvHeads", tr("KV heads:"));
  addField(form, "headDim", tr("Head dimension:"));
  addField(form, "vocab", tr("Vocabulary:"));
  addField(form, "positions", tr("Max positions:"));
  addField(form, "rope", tr("RoPE:"));
  addField(form, "eps", tr("RMSNorm ε:"));
  addField(form, "tied", tr("Tied embeddings:"));
  layout->addWidget(config);

  auto* size = new QGroupBox(tr("Size"));
  auto* sizeForm = new QFormLayout(size);
  sizeForm->setLabelAlignment(Qt::AlignRight);
  addField(sizeForm, "params", tr("Parameters:"));
  addField(sizeForm, "dtype", tr("Data type:"));
  addField(sizeForm, "modules", tr("Inspectable inputs:"));
  memory_ = new QTableWidget(0, 2);
  memory_->setHorizontalHeaderLabels({tr("Device"), tr("Weights")});
  memory_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  memory_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  memory_->setToolTip(tr("Memory the weights need: all of them on one device, or layer by layer (weights stay in "
                         "host memory and one decoder layer at a time goes to the GPU)"));
  memory_->verticalHeader()->hide();
  memory_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  memory_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  // Full width: device names such as "cuda, layer by layer" need the room.
  sizeForm->addRow(new QLabel(tr("Memory for the weights:")));
  sizeForm->addRow(memory_);
  layout->addWidget(size);
  layout->addStretch(1);
  clear();
}

QLabel* ModelPanel::addField(QFormLayout* form, const QString& key, const QString& label) {
  auto* value = new QLabel;
  value->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(label, value);
  fields_.append({key, value});
  return value;
}

QString ModelPanel::fieldText(const QString& key) const {
  for (const auto& f : fields_)
    if (f.first == key) return f.second->text();
  return {};
}

QString ModelPanel::formatCount(int64_t n) {
  if (n >= 1000000000LL) return QStringLiteral("%1 B").arg(double(n) / 1e9, 0, 'f', 2);
  if (n >= 1000000LL) return QStringLiteral("%1 M").arg(double(n) / 1e6, 0, 'f', 1);
  if (n >= 1000LL) return QStringLiteral("%1 k").arg(double(n) / 1e3, 0, 'f', 1);
  return QString::number(n);
}

QString ModelPanel::formatBytes(uint64_t n) {
  const double gib = 1024.0 * 1024.0 * 1024.0, mib = 1024.0 * 1024.0;
  if (n >= uint64_t(gib)) return QStringLiteral("%1 GiB").arg(double(n) / gib, 0, 'f', 2);
  if (n >= uint64_t(mib)) return QStringLiteral("%1 MiB").arg(double(n) / mib, 0, 'f', 1);
  return QStringLiteral("%1 KiB").arg(double(n) / 1024.0, 0, 'f', 1);
}

void ModelPanel::clear() {
  loaded_ = false;
  path_->setText(tr("No model loaded."));
  for (auto& f : fields_) f.second->setText(QStringLiteral("—"));
  memory_->setRowCount(0);
  fitMemoryTable();
}

void ModelPanel::fitMemoryTable() {
  // As tall as its rows: one row per device, no empty grid below.
  int h = memory_->horizontalHeader()->height() + 2 * memory_->frameWidth();
  for (int r = 0; r < memory_->rowCount(); ++r) h += memory_->rowHeight(r);
  memory_->setFixedHeight(std::max(h, memory_->horizontalHeader()->height() + 4));
}

void ModelPanel::setSummary(const ModelSummary& m) {
  loaded_ = true;
  path_->setText(QString::fromStdString(m.path));
  auto set = [this](const QString& key, const QString& text) {
    for (auto& f : fields_)
      if (f.first == key) f.second->setText(text);
  };
  set("architecture", QString::fromStdString(m.architecture));
  set("hidden", QString::number(m.hiddenSize));
  set("intermediate", QString::number(m.intermediateSize));
  set("layers", QString::number(m.numLayers));
  set("heads", QString::number(m.numHeads));
  set("kvHeads", QString::number(m.numKvHeads));
  set("headDim", QString::number(m.headDim));
  set("vocab", QString::number(m.vocabSize));
  set("positions", QString::number(m.maxPositions));
  set("rope", m.ropeScaling.empty() ? tr("θ = %1").arg(m.ropeTheta, 0, 'g', 8)
                                    : tr("θ = %1, %2").arg(m.ropeTheta, 0, 'g', 8).arg(QString::fromStdString(m.ropeScaling)));
  set("eps", QString::number(m.rmsNormEps, 'g', 4));
  set("tied", m.tiedEmbeddings ? tr("yes") : tr("no"));
  set("params", tr("%1 (%2)").arg(formatCount(m.parameterCount), QLocale().toString(qlonglong(m.parameterCount))));
  set("dtype", QString::fromStdString(m.dtype));
  QStringList mods;
  for (const auto& s : m.activationModules) mods << QString::fromStdString(s);
  set("modules", mods.join(QStringLiteral(", ")));
  memory_->setRowCount(int(m.memory.size()));
  for (int i = 0; i < int(m.memory.size()); ++i) {
    const DeviceMemory& d = m.memory[size_t(i)];
    const QString device = QString::fromStdString(d.device);
    memory_->setItem(i, 0, new QTableWidgetItem(d.layerByLayer ? tr("%1, layer by layer").arg(device)
                                                               : tr("%1, all layers").arg(device)));
    auto* bytes = new QTableWidgetItem(formatBytes(d.bytes));
    bytes->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    memory_->setItem(i, 1, bytes);
  }
  fitMemoryTable();
}

}  // namespace jq::ui
